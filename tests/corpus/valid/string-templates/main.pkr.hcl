variable "items" {
  default = ["a", "b", "c"]
}

variable "enabled" {
  default = true
}

locals {
  interpolated = "items: ${join(",", var.items)}"
  escaped      = "literal $${not_interpolated} and %%{not_a_directive}"
  directive_if = "state: %{if var.enabled}on%{else}off%{endif}"
  directive_for = "%{for i, x in var.items}${i}=${x};%{endfor}"
  strip_marker = "[ %{~ for x in var.items ~} ${x} %{~ endfor ~} ]"
  unicode      = "caf\u00e9 \U0001F600 tab\there"
  heredoc      = <<EOT
first line
  second ${var.items[0]}
EOT
  indented     = <<-EOT
    indented heredoc
      keeps relative indent
    EOT
  heredoc_directive = <<-EOT
    %{ for x in var.items }
    - ${x}
    %{ endfor }
    EOT
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
