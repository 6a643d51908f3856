#!/usr/bin/env bash
# QGIS opens every layer of the default run, in every format, and styles it
# by itself from the .qml beside it (from the styles stored inside
# hubsel.gpkg for the GeoPackage, copied alone into a folder without any
# .qml), and opens the GeoPackage's attribute tables with their numbers
# typed as numbers: PyQGIS (Debian's python3-qgis, run
# headless) loads each file as a user would, and the check reads back the
# renderer, its field, its classes, the labels and the aliases, and that
# every field the style uses exists in that layer. Then QGIS draws the four
# layers of hubsel.gpkg to out/qgis.png (not committed). Needs python3-qgis.
#
# Arguments go to `hubsel run`, to check another data set; the picture is
# then out/qgis-<name>.png where <name> is $HUBSEL_CHECK_NAME.
set -euo pipefail
cd "$(dirname "$0")/.."
qgis_python=/usr/bin/python3
"$qgis_python" -c "import qgis.core" 2>/dev/null || { echo "check-qgis: PyQGIS not found (apt-get install python3-qgis qgis-providers)" >&2; exit 1; }
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
mkdir -p out
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/hubsel run --quiet --format geojson,shp,fgb,gpkg --out "$work/run" "$@" >/dev/null 2>&1 \
    || target/release/hubsel run --quiet --format geojson,shp,fgb,gpkg --out "$work/run" "$@"
png=out/qgis.png
if [ -n "${HUBSEL_CHECK_NAME:-}" ]; then png=out/qgis-$HUBSEL_CHECK_NAME.png; fi
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$work/xdg"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
"$qgis_python" scripts/check_qgis.py "$work/run" "$png"
