v = "a"
w = "a"
