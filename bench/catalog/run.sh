#!/usr/bin/env bash
# Benchmark: the catalog against a loopback registry (Debian's
# docker-registry, distribution 2.8, so the referrers fallback tag is what
# events use) and against the local directory store.
#
# A bucket is seeded with 1,000 versions (catalog/examples/seed.rs, the
# registration path `kiln build` uses), a channel gets a first promotion,
# then each command is timed over RUNS runs (median, milliseconds, the
# whole `kiln` process):
#   resolve  kiln catalog resolve BUCKET prod -platform qemu   (target < 50 ms)
#   promote  kiln catalog promote BUCKET vN -channel prod
#   show     kiln catalog show BUCKET:prod
#   list     kiln catalog list BUCKET, 1,000 versions           (target < 1 s)
# HCP Packer, the peer, is a hosted service and cannot be run here: the
# figures are absolute, next to the issue's targets.
#
# Usage: bench/catalog/run.sh [-n RUNS] [-versions N]
#   KILN=path   kiln binary (default target/release/kiln, built if missing)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=9
versions=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -versions) versions="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v docker-registry >/dev/null || { echo "docker-registry is missing: run scripts/setup.sh" >&2; exit 1; }

KILN="${KILN:-$root/target/release/kiln}"
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build --release -p kiln)
fi
(cd "$root" && cargo build --release -q -p kiln-catalog --example seed)
seed="${CARGO_TARGET_DIR:-$root/target}/release/examples/seed"

work="$(mktemp -d)"
reg_pid=""
cleanup() {
  [[ -n "$reg_pid" ]] && kill "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/registry}
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

# Median of RUNS timings (ms) of "$@".
time_ms() {
  local samples=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    samples+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

bench_store() {
  local name="$1" spec="$2"
  export KILN_CATALOG="$spec"
  local t0 t1
  t0=$(date +%s%N)
  "$seed" "$spec" bench "$versions"
  t1=$(date +%s%N)
  "$KILN" catalog promote bench v1 -channel prod >/dev/null
  local resolve promote show list
  resolve=$(time_ms "$KILN" catalog resolve bench prod -platform qemu)
  promote=$(time_ms "$KILN" catalog promote bench "v$versions" -channel prod)
  show=$(time_ms "$KILN" catalog show bench:prod)
  list=$(time_ms "$KILN" catalog list bench)
  printf '%-10s seed %5d versions %6d ms | resolve %5d ms | promote %5d ms | show %5d ms | list %5d ms\n' \
    "$name" "$versions" $(( (t1 - t0) / 1000000 )) "$resolve" "$promote" "$show" "$list"
}

echo "kiln catalog, $versions versions, median of $runs runs (targets: resolve < 50 ms, list < 1000 ms)"
bench_store registry "oci://127.0.0.1:$port/bench"
bench_store dir "dir:$work/catalog"
