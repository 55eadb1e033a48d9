# comment line
size = 32
