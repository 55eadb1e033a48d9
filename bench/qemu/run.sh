#!/usr/bin/env bash
# Benchmark: the same `source "qemu"` template through `packer build`
# (Debian's packer 1.6.6) and `kiln build`, TCG, alternating, on the Debian
# 12 fixture image (tests/fixtures/debian-image.sh). Prints each run's wall
# time, the kiln/packer ratio of the means, and kiln's own time split
# (disk copy, VM start, boot to SSH, provisioning, shutdown, compaction)
# from its `-machine-readable` `kiln-timing` records. kiln's runs also
# write SBOMs (spdx-json, cyclonedx-json), the provenance and signatures
# (-sbom, -sign-key): their cost, `sbom-read` (the package databases over
# SSH) plus `attest` (the files), is printed against the 2 s target.
#
# Packer 1.6.6 has no cd_files, so the template gives both tools the
# NoCloud seed through `qemuargs` (`-cdrom`) and a key file; `accelerator`
# is "tcg" for both (Packer would pick KVM, which hangs under nested
# virtualisation on the CI machines).
#
# Usage: bench/qemu/run.sh [-n ROUNDS] [--keep]
#   KILN=path     kiln binary (default: target/release/kiln, else
#                 target/debug/kiln)
#   PACKER=path   packer binary (default: /usr/bin/packer)
#   KILN_FIXTURE_DIR  where the fixture image is cached
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=2
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) rounds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PACKER="${PACKER:-/usr/bin/packer}"
KILN="${KILN:-}"
if [[ -z "$KILN" ]]; then
  if [[ -x "$root/target/release/kiln" ]]; then KILN="$root/target/release/kiln"; else KILN="$root/target/debug/kiln"; fi
fi
KILN="$(realpath "$KILN")"
[[ -x "$KILN" ]] || { echo "no kiln binary at $KILN (cargo build -p kiln)" >&2; exit 1; }
command -v "$PACKER" >/dev/null || { echo "no packer at $PACKER" >&2; exit 1; }
export CHECKPOINT_DISABLE=1

image="$(bash "$root/tests/fixtures/debian-image.sh" | tail -n 1)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-qemu.XXXXXX")"
if [[ $keep -eq 0 ]]; then
  trap 'rm -rf "$dir"' EXIT
fi
export PACKER_CACHE_DIR="$dir/packer_cache"

# ---------------------------------------------------------------- seed
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

cat >"$dir/bench.pkr.hcl" <<T
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
    environment_vars = ["GREETING=hello"]
    inline = [
      "echo \$GREETING | sudo tee /etc/bench-greeting",
      "sudo dd if=/dev/urandom of=/var/tmp/blob bs=1M count=32 status=none",
      "sync",
    ]
  }
}
T

COSIGN_PASSWORD=bench "$KILN" keygen -output-key-prefix "$dir/bench" >/dev/null
export COSIGN_PASSWORD=bench

# ---------------------------------------------------------------- runs
now() { date +%s.%N; }
declare -a packer_times kiln_times attest_times
splits=""
for round in $(seq 1 "$rounds"); do
  for tool in packer kiln; do
    work="$dir/run-$tool-$round"
    mkdir -p "$work"
    cp "$dir/bench.pkr.hcl" "$work/"
    start=$(now)
    if [[ $tool == packer ]]; then
      (cd "$work" && "$PACKER" build -color=false bench.pkr.hcl >"$work/log" 2>&1) \
        || { echo "packer failed, see $work/log" >&2; tail -20 "$work/log" >&2; exit 1; }
    else
      # -cache=false: every round is a cold build, like Packer's (the step
      # cache would resume rounds after the first without booting).
      (cd "$work" && "$KILN" build -color=false -machine-readable -cache=false \
        -sbom=spdx-json,cyclonedx-json -sign-key="$dir/bench.key" bench.pkr.hcl >"$work/log" 2>&1) \
        || { echo "kiln failed, see $work/log" >&2; tail -20 "$work/log" >&2; exit 1; }
    fi
    took=$(echo "$(now) - $start" | bc)
    printf 'round %d  %-6s %7.1f s\n' "$round" "$tool" "$took"
    if [[ $tool == packer ]]; then packer_times+=("$took"); else
      kiln_times+=("$took")
      split=$(awk -F, '$3 == "kiln-timing" { printf "%s %.2fs  ", $4, $5 }' "$work/log")
      splits+="round $round  kiln: $split"$'\n'
      attest_times+=("$(awk -F, '$3 == "kiln-timing" && ($4 == "sbom-read" || $4 == "attest") { s += $5 } END { printf "%.3f", s }' "$work/log")")
    fi
    rm -rf "$work/output"
  done
done

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.1f", s / NR }'; }
pm=$(mean "${packer_times[@]}")
km=$(mean "${kiln_times[@]}")
echo
echo "packer mean: ${pm} s   kiln mean: ${km} s   kiln/packer: $(echo "scale=2; $km / $pm" | bc)"
echo
echo "kiln time split:"
printf '%s' "$splits"
echo
echo "SBOMs + provenance + signature (sbom-read + attest), mean: $(mean "${attest_times[@]}") s (target < 2 s)"
