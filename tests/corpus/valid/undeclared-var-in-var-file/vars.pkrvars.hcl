unknown = "x"
