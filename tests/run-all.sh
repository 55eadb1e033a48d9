#!/usr/bin/env bash
# Runs every test kiln has: formatting and lints, unit and integration tests
# of the whole workspace, and every example template through `kiln validate`.
# This is the command the README names and CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== kiln validate templates/*"
cargo build --locked -q -p kiln
for t in templates/*.pkr.hcl; do
  ./target/debug/kiln validate "$t"
done
