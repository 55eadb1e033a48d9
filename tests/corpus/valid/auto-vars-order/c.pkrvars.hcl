v = "unused"
