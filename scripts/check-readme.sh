#!/usr/bin/env bash
# The examples of README.md and of every guide in docs/ run as written:
# every fenced block marked <!-- check-readme --> runs in a scratch folder,
# the README's first, then each guide's in a copy of the README's folder;
# its exit status and the output lines shown under it are checked
# (scripts/check_readme.py says how the markers work). `hubsel` is found
# the way the README tells the reader to find it (its setup block), never
# put on PATH behind the reader's back. Also checks the docs' links, that
# the README's prerequisites name what scripts/test-all.sh installs, and
# that its test command is .ci/run's. The checker's own tests run first.
# Needs python3 and GDAL's ogr2ogr (one example converts a CSV to a
# shapefile as GIS tools do).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 ogr2ogr; do
    command -v "$tool" >/dev/null || { echo "check-readme: $tool not found (apt-get install python3 gdal-bin)" >&2; exit 1; }
done
python3 scripts/test_check_readme.py
# The README's first command builds target/release/hubsel
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
python3 scripts/check_readme.py "$@"
