known = "set"
unknown = "x"
