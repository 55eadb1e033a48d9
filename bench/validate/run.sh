#!/usr/bin/env bash
# Benchmark: `packer validate DIR` vs `kiln validate DIR` on a generated
# 50-file template directory (variables, locals, sources and builds spread
# over the files, with function calls throughout).
#
# Usage: bench/validate/run.sh [-n RUNS] [--keep]
#   KILN=path     kiln binary (default: target/release/kiln, built with
#                 `cargo build --release -p kiln` if missing)
#   PACKER=path   packer binary (default: packer on PATH)
#   HYPERFINE=1   also run hyperfine (if installed) for its statistics
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=10
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PACKER="${PACKER:-packer}"
default_kiln="$root/target/release/kiln"
KILN="${KILN:-$default_kiln}"
export CHECKPOINT_DISABLE=1

dir="$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-validate.XXXXXX")"
if [[ $keep -eq 0 ]]; then
  trap 'rm -rf "$dir"' EXIT
fi

# ---------------------------------------------------------------- generator
# 10 variable files, 20 locals files, 10 source files, 10 build files.
# Packer 1.6.6 starts a plugin process for every builder, provisioner and
# post-processor of every build/source pair (~50 ms each), so builds are kept
# to 2 sources and 6 components; that keeps one packer run near 6 seconds.
gen_variables() { # $1 = file index
  local f="$1" i
  for i in $(seq 1 10); do
    local n="v_${f}_${i}"
    case $((i % 6)) in
      0) cat <<V
variable "$n" {
  type        = string
  default     = "value-${f}-${i}"
  description = "String setting ${i} of group ${f}."

  validation {
    condition     = length(var.$n) > 3
    error_message = "The value must be longer than three characters."
  }
}

V
        ;;
      1) cat <<V
variable "$n" {
  type        = number
  default     = $((f * 100 + i))
  description = "Numeric setting ${i} of group ${f}."

  validation {
    condition     = var.$n >= 0 && var.$n < 100000
    error_message = "The value must be between 0 and 99999."
  }
}

V
        ;;
      2) cat <<V
variable "$n" {
  type        = bool
  default     = $([[ $((i % 4)) -eq 0 ]] && echo true || echo false)
  description = "Feature flag ${i} of group ${f}."
}

V
        ;;
      3) cat <<V
variable "$n" {
  type        = list(string)
  default     = ["a-${f}", "b-${i}", "c-${f}-${i}", "d"]
  description = "List setting ${i} of group ${f}."
}

V
        ;;
      4) cat <<V
variable "$n" {
  type = map(string)
  default = {
    env     = "prod"
    owner   = "team-${f}"
    project = "kiln-${i}"
    tier    = "backend"
  }
  description = "Tags ${i} of group ${f}."
}

V
        ;;
      5) cat <<V
variable "$n" {
  type = object({
    name   = string
    cpus   = number
    memory = number
    disks  = list(number)
    labels = map(string)
  })
  default = {
    name   = "vm-${f}-${i}"
    cpus   = $(( (i % 4) + 1 ))
    memory = $(( 1024 * ((i % 4) + 1) ))
    disks  = [10, 20, $((i * 5))]
    labels = { role = "worker", zone = "z${i}" }
  }
  description = "Machine shape ${i} of group ${f}."
}

V
        ;;
    esac
  done
}

gen_locals() { # $1 = file index (11..30)
  local f="$1" g=$(( ($1 - 11) % 10 + 1 )) i
  echo "locals {"
  for i in $(seq 1 12); do
    local n="l_${f}_${i}"
    case $((i % 12)) in
      1) echo "  $n = upper(\"\${var.v_${g}_6}-\${var.v_${g}_1}\")" ;;
      2) echo "  $n = format(\"%s-%03d-%s\", lower(local.l_${f}_1), var.v_${g}_1, join(\",\", var.v_${g}_3))" ;;
      3) echo "  $n = merge(var.v_${g}_4, { build = \"b${f}\", index = \"${i}\" })" ;;
      4) echo "  $n = [for s in var.v_${g}_3 : \"\${s}-\${local.l_${f}_1}\" if s != \"d\"]" ;;
      5) echo "  $n = { for k, v in local.l_${f}_3 : k => upper(v) }" ;;
      6) echo "  $n = cidrsubnet(\"10.${g}.0.0/16\", 8, ${f})" ;;
      7) echo "  $n = sha256(jsonencode(local.l_${f}_5))" ;;
      8) echo "  $n = var.v_${g}_2 ? \"enabled-\${local.l_${f}_6}\" : \"disabled\"" ;;
      9) echo "  $n = base64encode(yamlencode({ name = var.v_${g}_5.name, disks = var.v_${g}_5.disks }))" ;;
      10) echo "  $n = formatdate(\"YYYY-MM-DD'T'hh:mm\", timeadd(\"2021-01-$(printf '%02d' "$g")T00:00:00Z\", \"${i}h\"))" ;;
      11) echo "  $n = concat(local.l_${f}_4, [\"tail\"], compact(split(\",\", \"x,,y\")))" ;;
      0) echo "  $n = length(local.l_${f}_4) + max(var.v_${g}_5.disks...) + var.v_${g}_5.cpus * 2" ;;
    esac
  done
  echo "}"
  echo
  cat <<L
locals {
  summary_${f} = {
    name    = local.l_${f}_1
    tags    = local.l_${f}_5
    subnet  = local.l_${f}_6
    digest  = substr(local.l_${f}_7, 0, 12)
    flavour = local.l_${f}_8
    shapes  = [for d in var.v_${g}_5.disks : d * 2]
    first   = element(var.v_${g}_3, 0)
    zone    = lookup(var.v_${g}_5.labels, "zone", "none")
  }
  heredoc_${f} = <<-EOT
    #!/bin/sh
    # generated for \${local.l_${f}_1}
    echo "\${local.l_${f}_2}"
    %{ for s in local.l_${f}_4 ~}
    echo "\${s}"
    %{ endfor ~}
    EOT
}
L
}

gen_sources() { # $1 = file index (31..40)
  local f="$1" i
  for i in $(seq 1 5); do
    cat <<S
source "null" "s_${f}_${i}" {
  communicator = "none"
}

S
  done
}

gen_build() { # $1 = file index (41..50)
  local f="$1" s=$(( $1 - 10 )) l=$(( ($1 - 41) * 2 + 11 )) i
  cat <<B
build {
  name        = "build-${f}"
  description = "Generated build ${f}."

  sources = ["source.null.s_${s}_1"]

  source "source.null.s_${s}_2" {
    name = "renamed_${f}"
  }

B
  for i in $(seq 1 2); do
    cat <<P
  provisioner "shell-local" {
    inline = [
      "echo step ${i} of build ${f}",
      "echo \${local.l_${l}_1} \${local.l_${l}_6}",
      "echo \${join(" ", local.l_${l}_4)}",
    ]
    environment_vars = ["DIGEST=\${local.summary_${l}.digest}", "STEP=${i}"]
  }

P
  done
  cat <<B
  dynamic "provisioner" {
    for_each = slice(local.l_${l}_4, 0, 2)
    labels   = ["shell-local"]
    content {
      inline = ["echo \${provisioner.key}=\${provisioner.value}"]
    }
  }

  post-processor "shell-local" {
    only   = ["null.s_${s}_1"]
    inline = ["echo done ${f}"]
  }
}
B
}

generate() {
  local f
  for f in $(seq 1 10); do gen_variables "$f" >"$dir/$(printf '%02d' "$f")-variables.pkr.hcl"; done
  for f in $(seq 11 30); do gen_locals "$f" >"$dir/$f-locals.pkr.hcl"; done
  for f in $(seq 31 40); do gen_sources "$f" >"$dir/$f-sources.pkr.hcl"; done
  for f in $(seq 41 50); do gen_build "$f" >"$dir/$f-build.pkr.hcl"; done
}

generate
files=$(find "$dir" -name '*.pkr.hcl' | wc -l)
bytes=$(cat "$dir"/*.pkr.hcl | wc -c)
lines=$(cat "$dir"/*.pkr.hcl | wc -l)
echo "template dir: $dir ($files files, $lines lines, $bytes bytes)"

# ---------------------------------------------------------------- tools
if ! command -v "$PACKER" >/dev/null 2>&1; then
  echo "run.sh: packer not found (run .ci/install-packer.sh)" >&2
  exit 2
fi
if ! out="$("$PACKER" validate "$dir" 2>&1)"; then
  echo "run.sh: packer rejects the generated template:" >&2
  echo "$out" >&2
  exit 1
fi

kiln_ok=1
if [[ ! -x "$KILN" && "$KILN" == "$default_kiln" ]]; then
  echo "kiln: $KILN missing, building with cargo build --release -p kiln"
  (cd "$root" && cargo build --release -p kiln) || true
fi
if [[ ! -x "$KILN" ]]; then
  echo "kiln: $KILN not found or not executable; timing packer only"
  kiln_ok=0
elif ! out="$("$KILN" validate "$dir" 2>&1)"; then
  echo "kiln: '$KILN validate DIR' failed (not implemented yet, or it rejects the template); timing packer only"
  [[ -n "$out" ]] && echo "$out" | head -n 20 | sed 's/^/  kiln: /'
  kiln_ok=0
fi

# ---------------------------------------------------------------- timing
now_ns() { date +%s%N; }
time_once() { # prints wall milliseconds (0.1 ms resolution) of one run
  local t0 t1
  t0=$(now_ns)
  "$@" >/dev/null 2>&1 || true
  t1=$(now_ns)
  awk -v d=$(( (t1 - t0) / 1000 )) 'BEGIN { printf "%.1f\n", d / 1000 }'
}
median() { # numbers on stdin
  sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# One untimed warm-up each, then alternate so both see the same machine load.
"$PACKER" validate "$dir" >/dev/null 2>&1 || true
packer_times=()
kiln_times=()
for _ in $(seq 1 "$runs"); do
  packer_times+=("$(time_once "$PACKER" validate "$dir")")
  if [[ $kiln_ok -eq 1 ]]; then
    kiln_times+=("$(time_once "$KILN" validate "$dir")")
  fi
done

packer_med=$(printf '%s\n' "${packer_times[@]}" | median)
echo "packer validate: median ${packer_med} ms over $runs runs (${packer_times[*]})"
if [[ $kiln_ok -eq 1 ]]; then
  kiln_med=$(printf '%s\n' "${kiln_times[@]}" | median)
  echo "kiln validate:   median ${kiln_med} ms over $runs runs (${kiln_times[*]})"
  awk -v k="$kiln_med" -v p="$packer_med" 'BEGIN { printf "kiln/packer ratio: %.4g\n", (p > 0 ? k / p : 0) }'
else
  echo "kiln validate:   not measured"
fi

if [[ "${HYPERFINE:-0}" == 1 ]] && command -v hyperfine >/dev/null 2>&1; then
  cmds=("$PACKER validate $dir")
  [[ $kiln_ok -eq 1 ]] && cmds+=("$KILN validate $dir")
  hyperfine --shell=none --warmup 1 --runs "$runs" "${cmds[@]}"
fi
