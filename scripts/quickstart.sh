#!/usr/bin/env bash
# One command from a fresh clone to a first result: install prerequisites,
# build kiln, then bake a golden Debian 12 qcow2 with the QEMU builder.
# The base cloud image is built from Debian packages and cached outside the
# clone (tests/fixtures/debian-image.sh, about 5 minutes the first time);
# the build itself boots it under KVM when usable, else TCG (~2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked -p kiln
./target/release/kiln validate templates/hello-null.pkr.hcl
./target/release/kiln build templates/hello-null.pkr.hcl
bash tests/fixtures/debian-image.sh >/dev/null
./target/release/kiln build -force templates/debian-qcow2.pkr.hcl
echo "image: output-debian-qcow2/debian-12-golden.qcow2 (see output-debian-qcow2/manifest.json)"
