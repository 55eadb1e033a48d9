#!/usr/bin/env bash
# Records what Packer 1.6.6 does with each build-corpus case, into
# CASE/packer/: stdout, exit code, the files the build left (path and size)
# and copies of its small text outputs (manifests, checksum files, logs).
#
# Usage: tests/build-corpus/record.sh [CASE_DIR...]   (default: every case)
#   PACKER=/path/to/packer  peer binary (default: packer on PATH)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKER="${PACKER:-packer}"
command -v "$PACKER" >/dev/null || {
  echo "record.sh: '$PACKER' not found; run .ci/install-packer.sh first" >&2
  exit 2
}

if [[ $# -gt 0 ]]; then
  cases=("$@")
else
  mapfile -t cases < <(find "$here" -mindepth 1 -maxdepth 1 -type d | sort)
fi

for dir in "${cases[@]}"; do
  dir="$(cd "$dir" && pwd)"
  work="$(mktemp -d)"
  (cd "$dir" && tar --exclude=./packer -cf - .) | (cd "$work" && tar -xf -)
  args=()
  if [[ -f "$dir/args" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ -n "$line" ]] && args+=("$line")
    done <"$dir/args"
  fi
  # A legacy JSON case has template.json instead of template.pkr.hcl.
  template=template.pkr.hcl
  [[ -f "$dir/template.json" ]] && template=template.json
  before="$(cd "$work" && find . -type f | sort)"
  rc=0
  (cd "$work" && env -i PATH="$PATH" HOME="$HOME" CHECKPOINT_DISABLE=1 TMPDIR="${TMPDIR:-/tmp}" \
    "$PACKER" build -color=false "${args[@]}" "$template" </dev/null >"$work/.stdout" 2>&1) || rc=$?
  rm -rf "$dir/packer"
  mkdir -p "$dir/packer/out"
  mv "$work/.stdout" "$dir/packer/stdout"
  echo "$rc" >"$dir/packer/code"
  (cd "$work" && find . -type f | sort | while read -r f; do
    grep -qxF "$f" <<<"$before" && continue
    size="$(stat -c %s "$f")"
    echo "${f#./} $size"
    case "$f" in
      *.json | *.checksum | *.txt | *.log)
        mkdir -p "$dir/packer/out/$(dirname "${f#./}")"
        cp "$f" "$dir/packer/out/${f#./}"
        ;;
    esac
  done) >"$dir/packer/files"
  rm -rf "$work"
  echo "recorded $(basename "$dir"): exit $rc"
done
