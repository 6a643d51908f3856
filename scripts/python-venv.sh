#!/usr/bin/env bash
# The Python environment of the checks: .venv-py with python/requirements.txt's
# pinned packages (numpy, scipy, spopt, HiGHS, pytest, nbclient, maturin …).
# Used by check-python.sh and check-region-optimum.sh; scripts/test-all.sh
# starts it in the background before its builds, since the download needs
# the network rather than the cores. Calls wait for one another (flock), so
# two never install into the venv at once; once installed, a call takes a
# few seconds. Needs python3 (>= 3.10) and access to PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$PWD/.venv-py"
exec 9>"$venv.lock"
flock 9
if ! python3 -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
    echo "python-venv: python3 >= 3.10 is needed" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian's python3 keeps venv (ensurepip) in its own package.
        rm -rf "$venv"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=900 update -qq &&
            apt-get install -y -qq -o DPkg::Lock::Timeout=900 python3-venv >/dev/null
        python3 -m venv "$venv"
    fi
fi
echo "== pinned Python packages (python/requirements.txt) into .venv-py"
# A line per package pip fetches or finds, so a first install (about a
# minute, numpy/scipy/spopt wheels) is not silent.
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off --only-binary=:all: -r python/requirements.txt |
    { grep --line-buffered -E '^(Collecting|Successfully installed)' || true; } | sed -u 's/^/  pip: /'
