
names = { not = "a list" }
