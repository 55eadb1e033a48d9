variable "region" {
  type    = string
  default = "us-east-1"
}

variable "versions" {
  type    = list(string)
  default = ["1", "2"]
}
