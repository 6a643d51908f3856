#!/usr/bin/env bash
# GeoPackage both ways with GDAL:
#  1. `hubsel run --format geojson,gpkg` on the embedded province; GDAL's
#     ogrinfo reads every table of hubsel.gpkg without a warning, the four
#     layers with summary.json's feature counts, field names and types, the
#     attribute tables with the run's counts; GDAL's validate_gpkg.py (from
#     python3-gdal, when installed) reports nothing.
#  2. The province converted by ogr2ogr into one GeoPackage in UTM 47N
#     (EPSG:32647): hubsel reads its three layers and chooses the same hubs
#     as from the shipped CSV and GeoJSON.
# Needs gdal-bin and python3 (python3-gdal for the validator).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in ogrinfo ogr2ogr python3 cargo; do
    command -v "$tool" >/dev/null || { echo "check-gpkg: $tool not found (apt-get install gdal-bin python3)" >&2; exit 1; }
done
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
bin=$PWD/target/release/hubsel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quiet_run() { # out args...
    local out=$1
    shift
    if ! "$bin" run --quiet --out "$out" "$@" >"$work/log" 2>&1; then
        cat "$work/log" >&2
        exit 1
    fi
}
quiet_run "$work/run" --format geojson,gpkg
python3 scripts/check_gpkg.py tables "$work/run"

province=fixtures/province
gpkg=$work/province.gpkg
ogr2ogr -f GPKG -t_srs EPSG:32647 -nln districts "$gpkg" "$province/districts.geojson"
ogr2ogr -update -t_srs EPSG:32647 -nln roads "$gpkg" "$province/roads.geojson"
ogr2ogr -update -s_srs EPSG:4326 -t_srs EPSG:32647 -nln schools \
    -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -oo AUTODETECT_TYPE=YES \
    "$gpkg" "$province/schools.csv"
quiet_run "$work/from-gpkg" --schools "$gpkg:schools" --roads "$gpkg:roads" --districts "$gpkg:districts"
quiet_run "$work/from-files" --schools "$province/schools.csv" --roads "$province/roads.geojson" \
    --districts "$province/districts.geojson"
python3 scripts/check_gpkg.py same-hubs "$work/from-gpkg" "$work/from-files"
