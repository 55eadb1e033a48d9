#!/usr/bin/env bash
# One command from a fresh clone to a first result: install prerequisites,
# build kiln, validate and build the example template.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked -p kiln
./target/release/kiln validate templates/hello-null.pkr.hcl
./target/release/kiln build templates/hello-null.pkr.hcl
