# A golden Debian 12 AMI for CI pipelines. Credentials come from the usual
# AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the
# shared files, or an instance role); see "Amazon EBS" in README.md.
#   kiln validate templates/aws-ami.pkr.hcl
#   kiln build -var region=eu-west-1 templates/aws-ami.pkr.hcl
# (the binary must be built with `--features amazon`)
packer {
  required_version = ">= 1.6.0"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "copy_to" {
  type        = list(string)
  default     = []
  description = "Extra regions that get a copy of the AMI."
}

variable "instance_type" {
  type    = string
  default = "t3.micro"
}

locals {
  app = "golden-debian"
}

source "amazon-ebs" "debian" {
  region        = var.region
  instance_type = var.instance_type

  source_ami_filter {
    filters = {
      name                = "debian-12-amd64-*"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["136693071363"] # Debian's account
    most_recent = true
  }

  ssh_username = "admin"
  # kiln only: provision after cloud-init's first boot, and leave the AMI
  # so that every instance runs cloud-init afresh.
  wait_for_cloud_init = true
  cloud_init_clean    = true
  # Only the communicator port, and only from where the build runs.
  temporary_security_group_source_cidrs = ["0.0.0.0/0"]

  ami_name        = "${local.app}-{{timestamp}}"
  ami_description = "Debian 12 built from {{ .SourceAMIName }}"
  ami_regions     = var.copy_to

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = 8
    volume_type           = "gp3"
    delete_on_termination = true
  }

  run_tags = {
    Purpose = "kiln build"
  }
  tags = {
    Name       = local.app
    Base_AMI   = "{{ .SourceAMI }}"
    Build_Date = "{{ isotime \"2006-01-02\" }}"
  }
  snapshot_tags = {
    Name = "${local.app}-root"
  }
}

build {
  sources = ["source.amazon-ebs.debian"]

  provisioner "shell" {
    inline = [
      "sudo apt-get update -qq",
      "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ca-certificates curl",
      "sudo apt-get clean",
    ]
  }

  # kiln's test stage (Packer has none, and rejects this block): an
  # instance launched from the new AMI, before it is copied to `copy_to`
  # or shared. A failure deregisters the AMI and deletes its snapshots.
  test "instance" {
    check "curl" {
      command = "curl --version"
    }
    check "sshd" {
      command       = "systemctl is-active ssh"
      expect_stdout = "^active$"
      retry_timeout = "1m"
    }
  }

  post-processor "manifest" {
    output = "aws-ami-manifest.json"
  }
}
