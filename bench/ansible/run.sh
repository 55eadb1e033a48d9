#!/usr/bin/env bash
# Benchmark: the ansible provisioner through kiln's SSH adapter against a
# direct connection (`use_proxy = false`), with the same 20-task playbook:
#   qemu  the Debian 12 fixture VM under TCG (tests/fixtures/debian-image.sh):
#         RUNS runs of each, interleaved, in one VM boot
#   oci   the container sandbox (tests/fixtures/cm-rootfs.sh, which has
#         python3): RUNS runs through the adapter (a sandbox has no SSH
#         server, so there is no direct connection to compare with)
# Each run's wall time is that of ansible-playbook itself (a wrapper
# records it). Printed: the median of each, the adapter's overhead per
# task ((adapter - direct) / 20) and as a share of the direct run
# (target: under 10%). Packer 1.6.6, the peer, cannot boot this cloud
# image (it makes no NoCloud seed), so the comparison is kiln's two paths.
#
# Usage: bench/ansible/run.sh [-n RUNS]       (default 3; needs root)
#   KILN=path               kiln binary (default target/release/kiln, built if missing)
#   KILN_ANSIBLE_VENV=dir   ansible-core venv (default /var/cache/kiln/ansible)
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
venv="${KILN_ANSIBLE_VENV:-/var/cache/kiln/ansible}"
[[ -x "$venv/bin/ansible-playbook" ]] || { echo "$venv/bin/ansible-playbook is missing: run scripts/setup.sh" >&2; exit 1; }
KILN="${KILN:-$root/target/release/kiln}"
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build --release -p kiln)
fi
image="$(bash "$root/tests/fixtures/debian-image.sh" | tail -n1)"
rootfs="$(bash "$root/tests/fixtures/cm-rootfs.sh" | tail -n1)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# 20 tasks of the kinds golden-image playbooks are made of.
{
  echo "- hosts: default"
  echo "  gather_facts: false"
  echo "  become: \"{{ packer_builder_type == 'qemu' }}\""
  echo "  tasks:"
  for i in $(seq 1 7); do
    echo "    - ansible.builtin.copy: {content: \"file $i\\n\", dest: \"/tmp/bench-$i.txt\", mode: \"0644\"}"
    echo "    - ansible.builtin.command: \"cat /tmp/bench-$i.txt\""
  done
  for i in $(seq 1 6); do
    echo "    - ansible.builtin.lineinfile: {path: /tmp/bench-lines.txt, line: \"line $i\", create: true}"
  done
} >bench.yml
for mode in direct adapter; do
  cat >"timed-$mode" <<SH
#!/bin/sh
start=\$(date +%s.%N)
"$venv/bin/ansible-playbook" "\$@"
rc=\$?
end=\$(date +%s.%N)
echo "\$KILN_BENCH_TARGET $mode \$start \$end" >>"$work/times"
exit \$rc
SH
  chmod +x "timed-$mode"
done

provisioners() { # target, modes…
  local target="$1"; shift
  for _ in $(seq 1 "$runs"); do
    for mode in "$@"; do
      local proxy=""
      [[ "$mode" = direct ]] && proxy="use_proxy = false"
      cat <<HCL
  provisioner "ansible" {
    playbook_file    = "bench.yml"
    command          = "$work/timed-$mode"
    ansible_env_vars = ["KILN_BENCH_TARGET=$target"]
    $proxy
  }
HCL
    done
  done
}

cat >qemu.pkr.hcl <<HCL
source "qemu" "bench" {
  iso_url          = "$image"
  iso_checksum     = "none"
  disk_image       = true
  use_backing_file = true
  skip_resize_disk = true
  ssh_username     = "kiln"
  ssh_timeout      = "20m"
  headless         = true
  memory           = 1024
  output_directory = "out-qemu"
}
build {
  sources = ["source.qemu.bench"]
$(provisioners qemu direct adapter)
}
HCL
cat >oci.pkr.hcl <<HCL
source "docker" "bench" {
  image   = "rootfs:$rootfs"
  discard = true
}
build {
  sources = ["source.docker.bench"]
$(provisioners oci adapter)
}
HCL

echo "== qemu (TCG): $runs runs each, direct and through the adapter" >&2
"$KILN" build -color=false qemu.pkr.hcl >qemu.log 2>&1 || { tail -40 qemu.log >&2; exit 1; }
echo "== oci sandbox: $runs runs through the adapter" >&2
"$KILN" build -color=false oci.pkr.hcl >oci.log 2>&1 || { tail -40 oci.log >&2; exit 1; }

python3 - "$work/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    fields = line.split()
    # The provisioner's `--version` check runs the wrapper too, without
    # the target variable: not a playbook run.
    if len(fields) != 4:
        continue
    target, mode, start, end = fields
    runs.setdefault((target, mode), []).append(float(end) - float(start))
def med(k): return statistics.median(runs[k])
print(f"{'target':<6} {'path':<8} {'runs':>4} {'median s':>9}")
for (target, mode) in sorted(runs):
    print(f"{target:<6} {mode:<8} {len(runs[(target, mode)]):>4} {med((target, mode)):>9.2f}")
if ("qemu", "direct") in runs and ("qemu", "adapter") in runs:
    d, a = med(("qemu", "direct")), med(("qemu", "adapter"))
    print(f"qemu: adapter overhead {(a - d) / 20 * 1000:.0f} ms per task, {(a - d) / d * 100:+.1f}% of the direct run (target < 10%)")
PY
