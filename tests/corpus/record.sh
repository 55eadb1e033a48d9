#!/usr/bin/env bash
# Records Packer's verdict and output for every corpus case into expected.json.
#
# Usage: tests/corpus/record.sh [CASE_DIR...]   (default: every case)
#   PACKER=/path/to/packer  peer binary (default: packer on PATH, expected 1.6.6)
#
# Each case runs in its own directory with a clean environment (only PATH,
# HOME and the case's `env` file), so the recording does not depend on the
# recorder's shell.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKER="${PACKER:-packer}"

if ! command -v "$PACKER" >/dev/null 2>&1; then
  echo "record.sh: '$PACKER' not found; run .ci/install-packer.sh first" >&2
  exit 2
fi
peer_version="$("$PACKER" version | head -n1)"
if [[ "$peer_version" != "Packer v1.6.6" ]]; then
  echo "record.sh: warning: expected Packer v1.6.6, got '$peer_version'" >&2
fi

if [[ $# -gt 0 ]]; then
  cases=("$@")
else
  mapfile -t cases < <(find "$here/valid" "$here/invalid" -mindepth 1 -maxdepth 1 -type d | sort)
fi

# Runs packer inside the case dir with only the case's environment.
# $1 = case dir, $2 = file receiving stdout, $3 = file receiving stderr,
# $4 = file fed as stdin, rest = packer arguments. Prints the exit code.
run_packer() {
  local dir="$1" out="$2" err="$3" input="$4"
  shift 4
  local envs=(PATH="$PATH" HOME="$HOME" CHECKPOINT_DISABLE=1)
  if [[ -f "$dir/env" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ -z "$line" || "$line" == \#* ]] && continue
      envs+=("$line")
    done <"$dir/env"
  fi
  local rc=0
  (cd "$dir" && env -i "${envs[@]}" "$PACKER" "$@" <"$input" >"$out" 2>"$err") || rc=$?
  echo "$rc"
}

mismatches=0
for dir in "${cases[@]}"; do
  dir="$(cd "$dir" && pwd)"
  verdict="$(basename "$(dirname "$dir")")"
  name="$(basename "$dir")"
  work="$(mktemp -d)"

  # One CLI argument per line in `args`; `vars.pkrvars.hcl` is always passed
  # with -var-file (it is not auto-loaded because of its name).
  args=()
  [[ -f "$dir/vars.pkrvars.hcl" ]] && args+=("-var-file=vars.pkrvars.hcl")
  if [[ -f "$dir/args" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ -z "$line" || "$line" == \#* ]] && continue
      args+=("$line")
    done <"$dir/args"
  fi

  : >"$work/empty"
  # A legacy JSON template is given by name; HCL cases are folders.
  target=.
  [[ -f "$dir/template.json" ]] && target=template.json
  validate_exit="$(run_packer "$dir" "$work/v.out" "$work/v.err" "$work/empty" validate "${args[@]}" "$target")"

  # `packer inspect` in 1.6.6 takes no -var/-var-file, so it only sees
  # defaults, env and *.auto.pkrvars.hcl.
  inspect_exit=""
  if [[ "$verdict" == valid ]]; then
    inspect_exit="$(run_packer "$dir" "$work/i.out" "$work/i.err" "$work/empty" inspect "$target")"
  fi

  : >"$work/console.jsonl"
  if [[ -f "$dir/console" ]]; then
    while IFS= read -r expr || [[ -n "$expr" ]]; do
      [[ -z "$expr" ]] && continue
      printf '%s\n' "$expr" >"$work/c.in"
      c_exit="$(run_packer "$dir" "$work/c.out" "$work/c.err" "$work/c.in" console "${args[@]}" "$target")"
      python3 - "$expr" "$c_exit" "$work/c.out" "$work/c.err" >>"$work/console.jsonl" <<'PY'
import json, sys
expr, code, out, err = sys.argv[1:]
print(json.dumps({"expr": expr, "exit": int(code),
                  "output": open(out, encoding="utf-8").read(),
                  "stderr": open(err, encoding="utf-8").read()}))
PY
    done <"$dir/console"
  fi

  python3 - "$dir" "$verdict" "$validate_exit" "$inspect_exit" "$work" "${args[@]}" <<'PY'
import json, os, re, sys
dir_, verdict, vexit, iexit, work = sys.argv[1:6]
args = sys.argv[6:]

def read(name):
    path = os.path.join(work, name)
    return open(path, encoding="utf-8").read() if os.path.exists(path) else ""

def known_list(m):
    return "known %s: [%s]" % (m.group(1), " ".join(sorted(m.group(2).split())))

def scrub(text):
    # Keep recordings machine- and run-independent: paths, Go pointer
    # addresses, and the "known builders/provisioners" lists, which Packer
    # prints in Go map order (random per run) and word-wraps.
    text = text.replace(dir_, "${CASE_DIR}").replace(os.environ.get("HOME", "/nonexistent"), "${HOME}")
    text = re.sub(r"0x[0-9a-f]{6,}", "0xADDR", text)
    return re.sub(r"known ([a-z-]+): \[([^\]]*)\]", known_list, text)

rec = {"verdict": verdict, "args": args,
       "validate_exit": int(vexit),
       "validate_stdout": scrub(read("v.out")),
       "validate_stderr": scrub(read("v.err"))}
if iexit:
    rec["inspect_exit"] = int(iexit)
    rec["inspect"] = scrub(read("i.out"))
    if read("i.err"):
        rec["inspect_stderr"] = scrub(read("i.err"))
console = [json.loads(l) for l in read("console.jsonl").splitlines() if l]
for c in console:
    c["output"] = scrub(c["output"])
    c["stderr"] = scrub(c["stderr"])
    if not c["stderr"]:
        del c["stderr"]
if console:
    rec["console"] = console
nondet_path = os.path.join(dir_, "nondeterministic")
if os.path.exists(nondet_path):
    rec["nondeterministic"] = open(nondet_path, encoding="utf-8").read().strip()
note_path = os.path.join(dir_, "peer-unsupported")
if os.path.exists(note_path):
    rec["peer"] = "unsupported-in-1.6.6"
    rec["peer_note"] = open(note_path, encoding="utf-8").read().strip()
else:
    rec["peer"] = "packer-1.6.6"
with open(os.path.join(dir_, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(rec, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
  rm -rf "$work"

  status="ok"
  if [[ ! -f "$dir/peer-unsupported" ]]; then
    if [[ "$verdict" == valid && "$validate_exit" != 0 ]] || [[ "$verdict" == invalid && "$validate_exit" == 0 ]]; then
      status="MISMATCH (packer exit $validate_exit)"
      mismatches=$((mismatches + 1))
    fi
  fi
  printf '%-8s %-40s %s\n' "$verdict" "$name" "$status"
done

if [[ $mismatches -gt 0 ]]; then
  echo "record.sh: $mismatches case(s) are filed under the wrong verdict directory" >&2
  exit 1
fi
