#!/usr/bin/env bash
# The README's examples run as written: every fenced block marked
# <!-- check-readme --> runs in a scratch folder, in order, with the
# release binary on PATH, and its exit status and the output lines shown
# under it are checked (scripts/check_readme.py says how the markers work).
# Needs python3 and GDAL's ogr2ogr (one example converts a CSV to a
# shapefile as GIS tools do).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 ogr2ogr; do
    command -v "$tool" >/dev/null || { echo "check-readme: $tool not found (apt-get install python3 gdal-bin)" >&2; exit 1; }
done
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
python3 scripts/check_readme.py README.md target/release
