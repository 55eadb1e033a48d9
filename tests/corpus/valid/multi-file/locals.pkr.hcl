locals {
  image_name = "kiln-${var.region}-${local.latest}"
}
