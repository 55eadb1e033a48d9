#!/usr/bin/env bash
# Installs qemu-system-x86 and qemu-utils at matching versions, as root.
#
# The machine image ships qemu-utils from bookworm-backports while
# qemu-system-x86 is only in bookworm: installing it alone removes that
# qemu-utils, and installing both from bookworm fails (qemu-system-common
# 7.2 is broken by qemu-utils 10). So when the installed qemu-utils is a
# backport, qemu-system-x86 comes from bookworm-backports too (added with
# its default priority, 100, so nothing else is upgraded from it).
#
# Used by scripts/setup.sh and tests/fixtures/debian-image.sh; expects
# `apt-get update` to have run. KILN_DEBIAN_MIRROR names the mirror.
set -euo pipefail

mirror=${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DEBIAN_FRONTEND=noninteractive
target=()
if dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null | grep -q '~bpo12'; then
  if ! apt-cache policy | grep -q 'bookworm-backports'; then
    printf '%s\n' 'Types: deb' "URIs: $mirror" 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
      >/etc/apt/sources.list.d/kiln-bookworm-backports.sources
    apt-get update -qq
  fi
  target=(-t bookworm-backports)
fi
apt-get install -y -qq --no-install-recommends "${target[@]}" qemu-utils qemu-system-x86 >&2
