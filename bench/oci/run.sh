#!/usr/bin/env bash
# Benchmark: the same container build with buildah and with kiln, and layer
# compression next to `tar -c | pigz`.
#
# Build: a Debian 12 minbase base (~250 MB unpacked, from
# tests/fixtures/debian-rootfs.sh, turned into an oci-archive once), one
# shell step writing files, the result committed to an oci-archive.
#   buildah: from (vfs) → run --isolation chroot → commit --format oci
#   kiln:    source "oci" with a shell provisioner, output_format oci-archive
# Runs alternate; medians and the kiln/buildah ratio are printed. A third
# variant, kiln with -sbom=spdx-json,cyclonedx-json and -sign-key, gives
# what the SBOMs, provenance and signature add (target: under 0.5 s).
#
# Compression: the unpacked base tree as one gzip layer by kiln's layer
# writer (examples/layer_throughput.rs) vs `tar -cf - . | pigz -6`, MB/s of
# uncompressed tar and the kiln/pigz ratio.
#
# Usage: sudo bench/oci/run.sh [-n RUNS]
#   KILN=path   kiln binary (default target/release/kiln, built if missing)
# Needs root (buildah's vfs storage, kiln's sandbox), buildah, pigz, zstd.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in buildah pigz zstd tar; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done

KILN="${KILN:-$root/target/release/kiln}"
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build --release -p kiln)
fi
(cd "$root" && cargo build --release -q -p kiln-builder-oci --example layer_throughput)
throughput="$root/target/release/examples/layer_throughput"

rootfs="$(bash "$root/tests/fixtures/debian-rootfs.sh" | tail -n 1)"
work="$(mktemp -d "${TMPDIR:-/var/tmp}/kiln-bench-oci.XXXXXX")"
store=(--storage-driver vfs --root "$work/containers" --runroot "$work/run")
cleanup() {
  buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The step both tools run: ~50 MB of new files.
step='mkdir -p /srv/data && for i in $(seq 1 50); do head -c 1048576 /dev/urandom > /srv/data/f$i; done && echo done > /srv/marker'

cd "$work"
cat >base.pkr.hcl <<HCL
source "oci" "base" {
  image         = "rootfs:$rootfs"
  output_format = "oci-archive"
  output_file   = "base.tar"
}
build { sources = ["source.oci.base"] }
HCL
"$KILN" build -color=false base.pkr.hcl >/dev/null

cat >app.pkr.hcl <<HCL
source "oci" "app" {
  image         = "oci-archive:base.tar"
  output_format = "oci-archive"
  output_file   = "kiln-out.tar"
}
build {
  sources = ["source.oci.app"]
  provisioner "shell" { inline = ["$step"] }
}
HCL

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

export COSIGN_PASSWORD=bench
"$KILN" keygen -output-key-prefix bench >/dev/null

kiln_times=() buildah_times=() attest_times=() record_times=()
# -cache=false: kiln's builds are cold, like buildah's here (bench/cache
# measures the step cache against buildah --layers).
for i in $(seq 1 "$runs"); do
  t0=$(now)
  "$KILN" build -color=false -cache=false -force app.pkr.hcl >/dev/null
  t1=$(now)
  kiln_times+=("$(echo "$t1 - $t0" | bc)")

  t0=$(now)
  "$KILN" build -color=false -machine-readable -cache=false -force -sbom=spdx-json,cyclonedx-json -sign-key=bench.key app.pkr.hcl >attest.log
  t1=$(now)
  attest_times+=("$(echo "$t1 - $t0" | bc)")
  record_times+=("$(awk -F, '$3 == "kiln-timing" && ($4 == "sbom-read" || $4 == "attest") { s += $5 } END { printf "%.3f", s }' attest.log)")

  t0=$(now)
  c=$(buildah "${store[@]}" from oci-archive:base.tar)
  buildah "${store[@]}" run --isolation chroot "$c" -- sh -c "$step" >/dev/null
  buildah "${store[@]}" commit --format oci "$c" oci-archive:buildah-out.tar >/dev/null 2>&1
  buildah "${store[@]}" rm "$c" >/dev/null
  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1
  t1=$(now)
  buildah_times+=("$(echo "$t1 - $t0" | bc)")
  echo "run $i: kiln ${kiln_times[-1]} s, kiln+attest ${attest_times[-1]} s, buildah ${buildah_times[-1]} s" >&2
done
k=$(printf '%s\n' "${kiln_times[@]}" | median)
a=$(printf '%s\n' "${attest_times[@]}" | median)
b=$(printf '%s\n' "${buildah_times[@]}" | median)
printf '\n| build (median of %s) | seconds |\n|---|---|\n| buildah | %.2f |\n| kiln | %.2f |\n| kiln/buildah | %.3f |\n| kiln with SBOMs, provenance, signature | %.2f |\n| what they add, wall (target < 0.5) | %.2f |\n| what they add, kiln-timing sbom-read + attest | %.3f |\n' \
  "$runs" "$b" "$k" "$(echo "$k / $b" | bc -l)" "$a" "$(echo "$a - $k" | bc -l)" \
  "$(printf '%s\n' "${record_times[@]}" | median)"

# ------------------------------------------------------------ compression
mkdir tree
zstd -dc "$rootfs" | tar --numeric-owner -C tree -xf -
pigz_rates=() kiln_rates=()
for i in $(seq 1 "$runs"); do
  bytes=$(tar -C tree -cf - . | wc -c)
  t0=$(now)
  tar -C tree -cf - . | pigz -6 >/dev/null
  t1=$(now)
  pigz_rates+=("$(echo "$bytes / ($t1 - $t0) / 1048576" | bc -l)")
  read -r kbytes ksecs _ < <("$throughput" tree gzip)
  kiln_rates+=("$(echo "$kbytes / $ksecs / 1048576" | bc -l)")
done
p=$(printf '%s\n' "${pigz_rates[@]}" | median)
q=$(printf '%s\n' "${kiln_rates[@]}" | median)
printf '\n| layer compression (median of %s) | MB/s |\n|---|---|\n| tar -c \\| pigz -6 | %.0f |\n| kiln layer writer (gzip) | %.0f |\n| kiln/pigz | %.3f |\n' \
  "$runs" "$p" "$q" "$(echo "$q / $p" | bc -l)"
