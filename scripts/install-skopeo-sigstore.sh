#!/usr/bin/env bash
# Installs a skopeo that checks sigstore signatures, for the supply-chain
# tests: a `policy.json` requiring `sigstoreSigned` with kiln's public key.
#
# Debian 12's skopeo 1.9.3 is built with sigstore disabled (a Debian-local
# change: `sigstoreSigned` requirements are refused outright), and no
# bookworm or bookworm-backports package has it. Debian 13's skopeo 1.18 is
# built with it. Installing that package on bookworm would pull in trixie's
# libc for the whole machine, so this script only downloads the .debs with
# apt (trixie's package lists kept in a private apt state folder, the
# system's sources untouched), unpacks them into a folder of their own and
# writes a wrapper that starts skopeo with trixie's dynamic loader and
# libraries. Nothing outside that folder changes.
#
# The folder is ${KILN_SKOPEO_DIR:-/var/cache/kiln/skopeo-sigstore}; its
# bin/skopeo is what the tests run. Idempotent: an install whose wrapper
# answers `--version` is kept. About 10 s and 12 MB of downloads.
set -euo pipefail

dir="${KILN_SKOPEO_DIR:-/var/cache/kiln/skopeo-sigstore}"
mirror="${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { printf '%s [install-skopeo-sigstore] %s\n' "$(date +%T)" "$*" >&2; }

if "$dir/bin/skopeo" --version 2>/dev/null | grep -q '^skopeo version'; then
  exit 0
fi
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
if "$dir/bin/skopeo" --version 2>/dev/null | grep -q '^skopeo version'; then
  exit 0
fi

work="$(mktemp -d "$dir.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/debs" "$work/root/bin"
echo "deb $mirror trixie main" >"$work/apt/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$work/apt/sources.list"
  -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists"
  -o "Dir::Cache=$work/apt/cache"
  -o APT::Sandbox::User=root
)
say "apt-get update (trixie lists, private state)"
apt-get "${apt_opts[@]}" -qq update
# skopeo and the shared libraries it links beyond bookworm's: glibc 2.38+
# (and so its own loader), gpgme and its helpers, sqlite.
pkgs=(skopeo libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0)
say "apt-get download ${pkgs[*]}"
(cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]}")
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done

lib="$dir/root/usr/lib/x86_64-linux-gnu"
cat >"$work/root/bin/skopeo" <<EOF
#!/bin/sh
# trixie's skopeo with trixie's loader and libraries (scripts/install-skopeo-sigstore.sh)
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dir/root/usr/bin/skopeo" "\$@"
EOF
chmod 0755 "$work/root/bin/skopeo"
# The wrapper names its final place; lay the tree out there, then check.
mkdir -p "$work/final"
mv "$work/root" "$work/final/root"
mkdir "$work/final/bin"
mv "$work/final/root/bin/skopeo" "$work/final/bin/skopeo"
rm -rf "$dir"
mv "$work/final" "$dir"
"$dir/bin/skopeo" --version >&2
