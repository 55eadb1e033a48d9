variables {
  name = "two"
}
