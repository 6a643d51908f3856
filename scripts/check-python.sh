#!/usr/bin/env bash
# The Python package (python/, crates/hubsel-py): a virtual environment
# .venv-py with the pinned python/requirements.txt, the extension built into
# it by maturin, then pytest (against the real hubsel binary) and the
# notebook examples/notebooks/strategies.ipynb executed by nbclient (its
# plots in out/notebook/). Run from anywhere; needs python3 (>= 3.10) and
# network access to PyPI for the first install.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv-py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each long stage says when it starts and how long it took.
stage_start=$SECONDS
took() { echo "   ($1 took $((SECONDS - stage_start)) s)"; stage_start=$SECONDS; }
# New-user point 7 (issue 22): a passing run printed Jupyter's "Kernel is
# running over TCP without encryption" warning. The kernel now talks over
# IPC; any such warning in pytest's or the notebook's output fails the check.
no_tcp_warning() { # log
    if grep -i "running over TCP" "$1" >&2; then
        echo "check-python: the Jupyter kernel warned that it runs over unencrypted TCP (above)" >&2
        exit 1
    fi
}

# The venv and its pinned packages (scripts/python-venv.sh; the gate has
# started it before its builds, and this waits for it).
scripts/python-venv.sh
took pip

echo "== the hubsel binary the tests compare with, and the extension (maturin develop --release: a release build of hubsel-py, a few minutes the first time; its log: out/maturin-develop.log)"
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
log="$root/out/maturin-develop.log"
mkdir -p out
if ! (cd python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release >"$log" 2>&1); then
    cat "$log" >&2
    exit 1
fi
took maturin
"$venv/bin/python" -c "import hubsel; print('hubsel', hubsel.__version__, 'from', hubsel.__file__)"

echo "== pytest (python/tests)"
(cd python && "$venv/bin/python" -m pytest -q -p no:cacheprovider) 2>&1 | tee "$work/pytest.log"
no_tcp_warning "$work/pytest.log"
took pytest

echo "== the notebook, executed (examples/notebooks/strategies.ipynb; plots in out/notebook/)"
mkdir -p out/notebook
HUBSEL_NOTEBOOK_OUT="$root/out/notebook" "$venv/bin/python" - 2>&1 <<'PY' | tee "$work/notebook.log"
import os
import tempfile

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

path = "examples/notebooks/strategies.ipynb"
nb = nbformat.read(path, as_version=4)
# The kernel talks over Unix sockets in a private folder (IPC), not over
# unencrypted TCP on localhost: nothing else on the machine can connect,
# and ipykernel has no plain-text warning to print.
with tempfile.TemporaryDirectory() as sockets:
    km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
    try:
        NotebookClient(nb, km=km, timeout=600, resources={"metadata": {"path": "."}}).execute()
    finally:
        km.shutdown_kernel(now=False)
nbformat.write(nb, "out/notebook/strategies.executed.ipynb")
PY
no_tcp_warning "$work/notebook.log"
took notebook
for png in strategies.png sweep.png map.png; do
    test -s "out/notebook/$png" || { echo "check-python: out/notebook/$png was not written" >&2; exit 1; }
done
echo "notebook: 1 passed, 0 failed (out/notebook/strategies.png, sweep.png, map.png)"
