#!/usr/bin/env bash
# Region-wide p-median on the embedded province (fixtures/scenario-region.toml:
# group_by = "province", 25 primary hubs over the province's 687 schools):
# hubsel exports its problem (the sparse candidate lists, the weights, its
# value and certified bound; examples/src/bin/region.rs), and
# benches/region_optimum.py solves the same problem to proven optimality
# with spopt's PMedian and HiGHS (about a minute) and fails when hubsel is
# more than 0.1 % above the optimum, its bound above it, or its certified
# gap above 0.5 %.
# Python: ${HUBSEL_PYTHON:-.venv-py/bin/python}, with spopt, pulp, highspy
# and numpy (python/requirements.txt, pinned; made here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${HUBSEL_PYTHON:-.venv-py/bin/python}
if ! "$py" -c 'import spopt, pulp, highspy, numpy' 2>/dev/null; then
    if [ -z "${HUBSEL_PYTHON:-}" ] && [ -f python/requirements.txt ]; then
        scripts/python-venv.sh >/dev/null
    else
        echo "check-region-optimum: $py lacks spopt, pulp, highspy or numpy (set HUBSEL_PYTHON, or add python/requirements.txt)" >&2
        exit 1
    fi
fi
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-examples --bin region
out=target/region-optimum
rm -rf "$out"
target/release/region --scenario fixtures/scenario-region.toml --export "$out"
"$py" benches/region_optimum.py "$out/province-50-primary"
