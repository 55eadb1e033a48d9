#!/usr/bin/env bash
# Benchmark: the step cache on the qemu builder, against Packer 1.6.6
# (which has no cache: its rebuild is a cold build). The template is
# bench/qemu's (the Debian 12 fixture under TCG, the NoCloud seed through
# a read-only `-cdrom` in qemuargs, a key file) with a first provisioner
# that does real work (32 MB written and synced) and a second that
# changes on every run:
#   kiln -cache=false   a cold build, nothing saved
#   kiln cold           a cold build into an empty cache (the cost of
#                       saving the boot and each step as snapshots)
#   kiln warm           only the second step changed: QEMU starts from
#                       the snapshot after the first, no boot
#   packer              `packer build` of the same template
# Warm and packer runs alternate; medians, kiln warm / packer and the
# cache's size on disk are printed.
#
# The first step starts with `cloud-init status --wait`, as a template on
# a cloud image should (Packer's docs say so too): without it, cloud-init's
# last stages are still running when the boot and step 1 are saved, and
# every warm rebuild finishes them again during its own step and shutdown.
# CLOUD_INIT_WAIT=none leaves the wait out, to measure that case.
#
# Usage: bench/cache/qemu.sh [-n RUNS]            (default 2)
#   KILN=path     kiln binary (default target/release/kiln, built if missing)
#   PACKER=path   packer binary (default /usr/bin/packer)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "qemu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
PACKER="${PACKER:-/usr/bin/packer}"
command -v "$PACKER" >/dev/null || { echo "no packer at $PACKER (apt-get install packer: Debian 12 has 1.6.6)" >&2; exit 1; }
KILN="${KILN:-$root/target/release/kiln}"
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build --release -p kiln)
fi
export CHECKPOINT_DISABLE=1
image="$(bash "$root/tests/fixtures/debian-image.sh" | tail -n 1)"
dir="$(mktemp -d "${TMPDIR:-/var/tmp}/kiln-bench-qcache.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
export PACKER_CACHE_DIR="$dir/packer_cache"
export KILN_CACHE_DIR="$dir/kiln-cache"

ssh-keygen -q -t ed25519 -N '' -C kiln-bench -f "$dir/key"
mkdir "$dir/seed"
cat >"$dir/seed/user-data" <<U
#cloud-config
users:
  - name: bench
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    lock_passwd: true
    ssh_authorized_keys:
      - $(cat "$dir/key.pub")
U
printf 'instance-id: kiln-bench\nlocal-hostname: bench\n' >"$dir/seed/meta-data"
xorriso -as mkisofs -quiet -o "$dir/seed.iso" -V cidata -J -R "$dir/seed/user-data" "$dir/seed/meta-data" 2>/dev/null

case "${CLOUD_INIT_WAIT:-wait}" in
  none) CLOUD_INIT_WAIT="true" ;;
  *) CLOUD_INIT_WAIT="cloud-init status --wait >/dev/null" ;;
esac

template() {
  cat <<T
source "qemu" "bench" {
  iso_url              = "$image"
  iso_checksum         = "none"
  disk_image           = true
  accelerator          = "tcg"
  headless             = true
  memory               = 1024
  disk_size            = "4G"
  ssh_username         = "bench"
  ssh_private_key_file = "$dir/key"
  ssh_timeout          = "20m"
  shutdown_command     = "sudo shutdown -P now"
  vm_name              = "bench.qcow2"
  output_directory     = "output"
  qemuargs             = [["-cdrom", "$dir/seed.iso"], ["-m", "1024M"]]
}

build {
  sources = ["source.qemu.bench"]
  provisioner "shell" {
    inline = [
      "${CLOUD_INIT_WAIT}",
      "sudo dd if=/dev/urandom of=/var/tmp/blob bs=1M count=32 status=none",
      "sync",
    ]
  }
  provisioner "shell" {
    inline = ["echo run $1 | sudo tee /etc/bench-run"]
  }
}
T
}

now() { date +%s.%N; }
# run TOOL LABEL N [ARGS…]: one build, its wall time in seconds.
run() {
  local tool="$1" label="$2" n="$3"; shift 3
  local work="$dir/$label-$n"
  mkdir -p "$work"
  template "$label-$n" >"$work/bench.pkr.hcl"
  local start; start=$(now)
  if [[ $tool == packer ]]; then
    (cd "$work" && "$PACKER" build -color=false bench.pkr.hcl >"$work/log" 2>&1)
  else
    (cd "$work" && "$KILN" build -color=false "$@" bench.pkr.hcl >"$work/log" 2>&1)
  fi || { echo "$label failed, see $work/log" >&2; tail -20 "$work/log" >&2; exit 1; }
  echo "$(now) - $start" | bc
  rm -rf "$work/output"
}

# The middle value; for an even count the mean of the two middle ones.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }

nocache=$(run kiln nocache 1 -cache=false)
printf 'kiln -cache=false %7.1f s\n' "$nocache"
cold=$(run kiln cold 1)
printf 'kiln cold         %7.1f s\n' "$cold"
grep -q "Using cached step" "$dir/cold-1/log" && { echo "the cold build used the cache" >&2; exit 1; }
declare -a warm packer
for n in $(seq 1 "$runs"); do
  w=$(run kiln warm "$n")
  grep -q "from the step cache's snapshot after step 1" "$dir/warm-$n/log" \
    || { echo "warm run $n did not resume, see $dir/warm-$n/log" >&2; exit 1; }
  warm+=("$w")
  p=$(run packer packer "$n")
  packer+=("$p")
  printf 'run %d  kiln warm %7.1f s   packer %7.1f s\n' "$n" "$w" "$p"
done
wm=$(median "${warm[@]}")
pm=$(median "${packer[@]}")
echo
echo "medians: kiln warm ${wm} s, packer ${pm} s, kiln warm / packer $(echo "scale=2; $wm / $pm" | bc)"
echo "saving snapshots cost the cold build $(echo "scale=1; $cold - $nocache" | bc) s"
echo "step cache on disk: $(du -sh "$KILN_CACHE_DIR" | cut -f1)"
