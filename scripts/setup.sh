#!/usr/bin/env bash
# Installs what building and testing kiln needs on Debian 12, idempotently.
# Needs a Rust toolchain (cargo) on PATH already.
set -euo pipefail

need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# Readers of the compress post-processor's outputs, used by its tests.
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v lz4 >/dev/null 2>&1 || need+=(lz4)
command -v flock >/dev/null 2>&1 || need+=(util-linux)
# libssh2 (bundled by the ssh2 crate) is built against OpenSSL.
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
# The SSH communicator's tests run a throwaway sshd and the OpenSSH tools
# (ssh-keygen, ssh-agent, ssh-add, scp on the "remote" side).
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
command -v scp >/dev/null 2>&1 || need+=(openssh-client)
# The QEMU builder's boot-time pieces and their tests: qemu (QMP, boot
# commands), floppy images (mkfs.vfat, mcopy), an installer-like ISO made
# by grub-mkrescue (GRUB's BIOS and EFI modules, xorriso, mtools).
# qemu itself comes from install-qemu.sh below (versions must match).
need_qemu=
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_qemu=1
command -v qemu-img >/dev/null 2>&1 || need_qemu=1
[ -x /usr/sbin/mkfs.vfat ] || [ -x /sbin/mkfs.vfat ] || need+=(dosfstools)
command -v mcopy >/dev/null 2>&1 || need+=(mtools)
command -v grub-mkrescue >/dev/null 2>&1 || need+=(grub-common)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
command -v xorriso >/dev/null 2>&1 || need+=(xorriso)
# Real clients of the OCI builder's images (its tests inspect, copy,
# unpack and run them), a registry for push/pull tests, pigz for the
# compression benchmark.
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v pigz >/dev/null 2>&1 || need+=(pigz)
# The registry tests' token service signs its tokens with the openssl tool.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The salt-masterless tests clone formulas with git; the configuration-
# management fixture (tests/fixtures/cm-rootfs.sh) starts from debootstrap.
command -v git >/dev/null 2>&1 || need+=(git)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# The sandbox communicator's and the OCI builder's tests build their rootfs from busybox-static.
[ -x /bin/busybox ] || need+=(busybox-static)
# The Amazon builder's tests run moto (an EC2 emulator) from a venv: Debian
# 12's Python refuses system-wide pip installs (PEP 668).
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
# UEFI boots (efi_boot): OVMF, and GRUB's EFI modules so that the test
# ISO made by grub-mkrescue boots with UEFI too. Without recommends: those
# would pull in shim and efibootmgr, which nothing here needs.
need_bare=()
[ -d /usr/share/OVMF ] || need_bare+=(ovmf)
[ -d /usr/lib/grub/x86_64-efi ] || need_bare+=(grub-efi-amd64-bin)
# The vagrant post-processor's test adds the box it makes with a real
# `vagrant box add` (offline, from the local file; libvirt boxes need no
# vagrant-libvirt plugin for that). Without recommends: that is
# vagrant-libvirt, which pulls in libvirt and ~190 more packages that
# nothing here runs.
command -v vagrant >/dev/null 2>&1 || need_bare+=(vagrant)
if [ ${#need[@]} -gt 0 ] || [ ${#need_bare[@]} -gt 0 ] || [ -n "$need_qemu" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Tests start their own sshd on a loopback port: the package must not
  # start the system's on port 22. policy-rc.d 101 forbids service starts
  # during the install.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  [ ${#need[@]} -eq 0 ] || apt-get install -y -qq "${need[@]}"
  [ ${#need_bare[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need_bare[@]}"
  [ -z "$need_qemu" ] || bash "$(dirname "$0")/install-qemu.sh"
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

# moto[server] in its own venv, outside the clone (tests look for
# $KILN_VENV/bin/moto_server, default below).
venv="${KILN_VENV:-/var/cache/kiln/venv}"
if [ ! -x "$venv/bin/moto_server" ]; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]'
fi

# ansible-core for the ansible provisioner's tests, likewise in a venv
# outside the clone (tests look for $KILN_ANSIBLE_VENV/bin/ansible-playbook).
ansible_venv="${KILN_ANSIBLE_VENV:-/var/cache/kiln/ansible}"
if [ ! -x "$ansible_venv/bin/ansible-playbook" ]; then
  mkdir -p "$(dirname "$ansible_venv")"
  python3 -m venv "$ansible_venv"
  "$ansible_venv/bin/pip" install -q --disable-pip-version-check ansible-core
fi

# junitparser, the JUnit reader the test stage's `-test-report` files are
# checked with, in a venv of its own.
junit_venv="${KILN_JUNIT_VENV:-/var/cache/kiln/junit}"
if [ ! -x "$junit_venv/bin/python" ] || ! "$junit_venv/bin/python" -c 'import junitparser' 2>/dev/null; then
  mkdir -p "$(dirname "$junit_venv")"
  python3 -m venv "$junit_venv"
  "$junit_venv/bin/pip" install -q --disable-pip-version-check junitparser
fi

# pytest-testinfra for the test stage's `testinfra` runner, with
# ansible-core beside it: its ansible:// backend reads the inventory
# kiln writes with ansible-inventory.
testinfra_venv="${KILN_TESTINFRA_VENV:-/var/cache/kiln/testinfra}"
if [ ! -x "$testinfra_venv/bin/pytest" ] || [ ! -x "$testinfra_venv/bin/ansible-inventory" ]; then
  mkdir -p "$(dirname "$testinfra_venv")"
  python3 -m venv "$testinfra_venv"
  "$testinfra_venv/bin/pip" install -q --disable-pip-version-check pytest-testinfra ansible-core
fi

# The supply-chain formats' own validators, which the tests run on what
# kiln writes: pyspdxtools (spdx-tools), cyclonedx-python-lib's, and
# in-toto/securesystemslib for the DSSE envelopes and statements.
sbom_venv="${KILN_SBOM_VENV:-/var/cache/kiln/sbom-tools}"
if [ ! -x "$sbom_venv/bin/pyspdxtools" ] || ! "$sbom_venv/bin/python" -c 'import cyclonedx.validation.json, in_toto, in_toto_attestation.v1.statement, nacl.secret, securesystemslib.signer' 2>/dev/null; then
  mkdir -p "$(dirname "$sbom_venv")"
  python3 -m venv "$sbom_venv"
  "$sbom_venv/bin/pip" install -q --disable-pip-version-check spdx-tools 'cyclonedx-python-lib[json-validation]' in-toto in-toto-attestation pynacl 'securesystemslib[crypto]'
fi

# skopeo with sigstore, for the check that pushed signatures satisfy a
# sigstoreSigned policy (Debian 12's is built without it).
bash "$(dirname "$0")/install-skopeo-sigstore.sh"

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install a Rust toolchain (rustup, Rust 1.80 or newer) first" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt 2>/dev/null || true
