#!/usr/bin/env bash
# Runs every test kiln has: formatting and lints, unit and integration tests
# of the whole workspace, and every example template through `kiln validate`.
# This is the command the README names and CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The QEMU builder's end-to-end tests boot a Debian 12 image built from
# Debian packages; it is cached outside the clone and built only when
# missing (about 5 minutes).
echo "== fixture: Debian 12 cloud image"
bash tests/fixtures/debian-image.sh >/dev/null

# The puppet-masterless and salt-masterless end-to-end tests run on a
# Debian rootfs with Puppet and Salt installed, plus a Salt wheelhouse;
# cached outside the clone, built only when missing (about 5 minutes).
echo "== fixture: Debian 12 rootfs with Puppet and Salt"
bash tests/fixtures/cm-rootfs.sh >/dev/null

echo "== cargo fmt --check"
cargo fmt --all -- --check

# CI builds and tests the optional builders too (`--features kiln/amazon`:
# the amazon-ebs builder and its tests against moto).
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked --features kiln/amazon -- -D warnings

echo "== cargo test"
cargo test --workspace --locked --features kiln/amazon

echo "== kiln validate templates/*"
cargo build --locked -q -p kiln --features amazon
# The ansible examples' validation runs `ansible-playbook --version`: the
# test venv's ansible goes first on PATH.
export PATH="${KILN_ANSIBLE_VENV:-/var/cache/kiln/ansible}/bin:$PATH"
for t in templates/*.pkr.hcl; do
  "${CARGO_TARGET_DIR:-target}/debug/kiln" validate "$t"
done
