#!/bin/sh
# kiln's Salt bootstrap for salt-masterless (Packer ran bootstrap-salt.sh,
# whose download site is gone): Salt from PyPI in a virtual environment.
# Arguments are added to `pip install` (bootstrap_args).
# Exit codes: 10 no python3, 11 no venv module, 12 venv or pip failed,
# 13 the installed salt-call does not run.
prefix=/opt/salt
say() { echo "salt bootstrap: $*"; }
has_venv() {
  command -v python3 >/dev/null 2>&1 && python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}
if ! has_venv && command -v apt-get >/dev/null 2>&1; then
  say "python3 with its venv module is missing: apt-get install python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv || exit 11
fi
command -v python3 >/dev/null 2>&1 || exit 10
has_venv || exit 11
say "python3 -m venv $prefix"
python3 -m venv "$prefix" || exit 12
say "$prefix/bin/pip install salt $*"
"$prefix/bin/pip" install --disable-pip-version-check salt "$@" || exit 12
"$prefix/bin/salt-call" --version || exit 13
# On the PATH too, as Packer's bootstrap left it.
if [ -d /usr/local/bin ]; then
  for p in salt-call salt-minion; do
    [ -e "$prefix/bin/$p" ] && ln -sf "$prefix/bin/$p" "/usr/local/bin/$p"
  done
fi
exit 0
