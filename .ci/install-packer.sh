#!/usr/bin/env bash
# Installs the peer used by tests/corpus and bench/validate: Debian's packer
# package (1.6.6). Idempotent: does nothing when packer is already on PATH.
set -euo pipefail

if command -v packer >/dev/null 2>&1; then
  echo "install-packer: $(packer version | head -n1) already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends packer >/dev/null
echo "install-packer: installed $(packer version | head -n1)"
