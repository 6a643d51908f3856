#!/usr/bin/env bash
# GDAL reads every output layer of the default run, in every format.
#
# Runs `hubsel run --format geojson,shp,fgb` on the embedded province, then
# `ogrinfo -ro -al -so` on each of the twelve layer files and checks, against
# summary.json's field list: the feature count, the field names (Shapefile
# names for .shp), and the field types (numbers Integer/Integer64/Real,
# never String). The GeoJSON and FlatGeobuf counts must agree (the .shp
# count plus schools_unlocated.dbf too). Needs gdal-bin and python3.
#
# Arguments go to `hubsel run`, to check another data set, e.g.
#   scripts/check-ogr.sh --schools s.csv --roads r.geojson --districts d.geojson
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in ogrinfo python3 cargo; do
    command -v "$tool" >/dev/null || { echo "check-ogr: $tool not found (apt-get install gdal-bin python3)" >&2; exit 1; }
done
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! target/release/hubsel run --quiet --format geojson,shp,fgb --out "$work/run" "$@" >"$work/log" 2>&1; then
    cat "$work/log" >&2
    exit 1
fi
grep -o 'write outputs.*' "$work/log" || true
python3 scripts/check_ogr.py "$work/run"
