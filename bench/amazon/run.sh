#!/usr/bin/env bash
# Benchmark: the same amazon-ebs template through Packer 1.6.6 and kiln
# against one moto server (an EC2 emulator), alternating. Prints each
# run's wall time, the mean of each tool, their ratio, and how many EC2
# API calls each tool made (from moto's request recorder).
#
# Usage: bench/amazon/run.sh [-n RUNS]
#   KILN=path     kiln binary built with --features amazon
#                 (default: target/debug/kiln, built if missing)
#   PACKER=path   packer binary (default: packer on PATH)
#   MOTO=path     moto_server (default: the venv scripts/setup.sh makes)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PACKER="${PACKER:-packer}"
KILN="${KILN:-$root/target/debug/kiln}"
MOTO="${MOTO:-${KILN_VENV:-/var/cache/kiln/venv}/bin/moto_server}"
export CHECKPOINT_DISABLE=1
[[ -x "$MOTO" ]] || { echo "no moto_server at $MOTO: run scripts/setup.sh" >&2; exit 1; }
if [[ ! -x "$KILN" ]]; then
  (cd "$root" && cargo build -q -p kiln --features amazon)
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-amazon.XXXXXX")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MOTO_ENABLE_RECORDING=True MOTO_RECORDER_FILEPATH="$dir/recording" \
  "$MOTO" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null; wait $moto_pid 2>/dev/null; rm -rf "$dir"' EXIT
endpoint="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -s -o /dev/null "$endpoint/moto-api/" && break
  sleep 0.1
done

# A build as a CI pipeline runs it: default polling, a shell-local step,
# tags, no SSH (moto's instances run nothing).
cat >"$dir/ami.pkr.hcl" <<HCL
source "amazon-ebs" "bench" {
  access_key                 = "AKIDBENCH"
  secret_key                 = "bench"
  region                     = "us-east-1"
  custom_endpoint_ec2        = "$endpoint"
  skip_credential_validation = true
  skip_metadata_api_check    = true
  source_ami                 = "ami-1e749f67"
  instance_type              = "t2.micro"
  communicator               = "none"
  ami_name                   = "bench-{{timestamp}}-{{uuid}}"
  tags                       = { Name = "bench" }
  snapshot_tags              = { Name = "bench-root" }
}
build {
  sources = ["source.amazon-ebs.bench"]
  provisioner "shell-local" { inline = ["true"] }
}
HCL

recorder() { curl -s -X POST "$endpoint/moto-api/recorder/$1" >/dev/null; }
# Counts the EC2 actions in the recording (bodies are form-encoded,
# sometimes base64).
count_calls() {
  curl -s "$endpoint/moto-api/recorder/download-recording" | python3 -c '
import base64, json, sys, urllib.parse
n = 0
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    body = r.get("body") or ""
    if r.get("body_encoded"):
        body = base64.b64decode(body + "=" * (-len(body) % 4)).decode()
    if "Action" in urllib.parse.parse_qs(body):
        n += 1
print(n)'
}

run_one() { # $1 = tool name, $2... = command; prints "seconds calls"
  local name="$1"; shift
  recorder reset-recording
  recorder start-recording
  local start end
  start=$(date +%s.%N)
  if ! (cd "$dir" && "$@" >"$dir/$name.out" 2>&1); then
    echo "$name failed:" >&2; cat "$dir/$name.out" >&2; exit 1
  fi
  end=$(date +%s.%N)
  recorder stop-recording
  echo "$(echo "$end - $start" | bc -l) $(count_calls)"
}

declare -a pt kt
pc=0; kc=0
for i in $(seq "$runs"); do
  read -r t c < <(run_one packer "$PACKER" build -color=false ami.pkr.hcl)
  pt+=("$t"); pc=$c
  printf 'run %d  packer %6.2fs  %3d calls\n' "$i" "$t" "$c"
  read -r t c < <(run_one kiln "$KILN" build -color=false ami.pkr.hcl)
  kt+=("$t"); kc=$c
  printf 'run %d  kiln   %6.2fs  %3d calls\n' "$i" "$t" "$c"
done

mean() { printf '%s\n' "$@" | awk '{s+=$1} END {printf "%.2f", s/NR}'; }
pm=$(mean "${pt[@]}"); km=$(mean "${kt[@]}")
echo
echo "packer 1.6.6: mean ${pm}s, ${pc} EC2 API calls per build"
echo "kiln:         mean ${km}s, ${kc} EC2 API calls per build"
echo "wall-time ratio packer/kiln: $(echo "$pm / $km" | bc -l | xargs printf '%.2f')x"
