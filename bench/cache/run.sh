#!/usr/bin/env bash
# Benchmark: the step cache on the oci builder. The same three-step build
# (about 50 MB of new files, a file, a second file) on the Debian 12
# minbase base (tests/fixtures/debian-rootfs.sh, an oci-archive made once):
#   kiln cold     -cache=false: every step runs
#   kiln cold, saving   every step runs and is saved into an empty cache
#   kiln warm     only the third step changed since the last build
#   buildah cold  `buildah bud --layers` with its layer cache emptied
#   buildah warm  `buildah bud --layers`, only the last RUN changed
# kiln makes a layer per provisioner (`layer_per_provisioner`), as buildah
# makes one per instruction. Runs alternate; medians, kiln warm / buildah warm (target: at most 0.5)
# and the step cache's size on disk are printed. Packer 1.6.6, the peer
# for VM builds, needs a Docker daemon for container builds, which these
# machines do not run; the qemu half of this benchmark is qemu.sh.
#
# Usage: sudo bench/cache/run.sh [-n RUNS]       (default 3)
#   KILN=path   kiln binary (default target/release/kiln, built if missing)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v buildah >/dev/null || { echo "buildah is missing: run scripts/setup.sh" >&2; exit 1; }
KILN="${KILN:-$root/target/release/kiln}"
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build --release -p kiln)
fi
rootfs="$(bash "$root/tests/fixtures/debian-rootfs.sh" | tail -n 1)"
work="$(mktemp -d "${TMPDIR:-/var/tmp}/kiln-bench-cache.XXXXXX")"
store=(--storage-driver vfs --root "$work/containers" --runroot "$work/run")
export KILN_CACHE_DIR="$work/kiln-cache"
cleanup() {
  buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

step1='mkdir -p /srv/data && for i in $(seq 1 50); do head -c 1048576 /dev/urandom > /srv/data/f$i; done'
echo "hello" > payload.txt

cat >base.pkr.hcl <<HCL
source "oci" "base" {
  image         = "rootfs:$rootfs"
  output_format = "oci-archive"
  output_file   = "base.tar"
}
build { sources = ["source.oci.base"] }
HCL
"$KILN" build -color=false -cache=false base.pkr.hcl >/dev/null

kiln_template() {
  cat >app.pkr.hcl <<HCL
source "oci" "app" {
  image                 = "oci-archive:base.tar"
  output_format         = "oci-archive"
  output_file           = "kiln-out.tar"
  layer_per_provisioner = true
}
build {
  sources = ["source.oci.app"]
  provisioner "shell" { inline = ["$step1"] }
  provisioner "file" {
    source      = "payload.txt"
    destination = "/srv/payload.txt"
  }
  provisioner "shell" { inline = ["echo $1 > /srv/last"] }
}
HCL
}
containerfile() {
  cat >Containerfile <<EOF2
FROM oci-archive:base.tar
RUN $step1
COPY payload.txt /srv/payload.txt
RUN echo $1 > /srv/last
EOF2
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_of() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc; }
bud() { buildah "${store[@]}" bud --layers --isolation chroot -f Containerfile -t bench . ; }

kc=() kf=() kw=() bc_=() bw=()
for i in $(seq 1 "$runs"); do
  kiln_template "cold-$i"
  kc+=("$(time_of "$KILN" build -color=false -force -cache=false app.pkr.hcl)")
  # Fill an empty cache with this run's inputs (a cold build that saves
  # every step: the cost of caching), then change only the last step.
  rm -rf "$KILN_CACHE_DIR"
  kf+=("$(time_of "$KILN" build -color=false -force app.pkr.hcl)")
  kiln_template "warm-$i"
  kw+=("$(time_of "$KILN" build -color=false -force app.pkr.hcl)")

  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
  containerfile "cold-$i"
  bc_+=("$(time_of bud)")
  containerfile "warm-$i"
  bw+=("$(time_of bud)")
  echo "run $i: kiln cold ${kc[-1]} s, cold saving ${kf[-1]} s, warm ${kw[-1]} s; buildah cold ${bc_[-1]} s, warm ${bw[-1]} s" >&2
done
m() { printf '%s\n' "$@" | median; }
KC=$(m "${kc[@]}"); KF=$(m "${kf[@]}"); KW=$(m "${kw[@]}"); BC=$(m "${bc_[@]}"); BW=$(m "${bw[@]}")
printf '\n| oci build (median of %s) | seconds |\n|---|---|\n| buildah --layers, cold | %.2f |\n| buildah --layers, last step changed | %.2f |\n| kiln, cold (-cache=false) | %.2f |\n| kiln, cold, saving every step | %.2f |\n| kiln, last step changed | %.2f |\n| kiln warm / buildah warm | %.3f |\n' \
  "$runs" "$BC" "$BW" "$KC" "$KF" "$KW" "$(echo "$KW / $BW" | bc -l)"
printf '| step cache on disk | %s |\n' "$(du -sh "$KILN_CACHE_DIR" | cut -f1)"
