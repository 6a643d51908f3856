#!/usr/bin/env bash
# The QGIS Processing plugin (qgis-plugin/hubsel_processing), headless:
# packages it with scripts/package-qgis-plugin.sh, installs the zip into a
# scratch QGIS profile with QGIS's own unzip, enables it with
# `qgis_process plugins enable`, then runs every algorithm through
# `qgis_process run hubsel:… -- …` on the province and checks the results
# against the hubsel binary run directly: the same hubs, the same rejects,
# the same comparison, the same travel times. Bad inputs (a non-reciprocal
# AHP matrix, a schools layer without a field the scenario needs, no
# binary) must stop the algorithm with a Processing error naming the
# problem, and QGIS must exit normally. Last, the plugin runs inside a QGIS
# project, its layers are loaded with their styles, and the map is drawn to
# out/qgis-plugin.png. Needs Debian's qgis (qgis_process), python3-qgis and
# qgis-providers, and gdal-bin (ogr2ogr).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's /usr/bin/qgis_process wrapper passes the desktop's
# --noversioncheck (from /etc/default/qgis), which qgis_process refuses;
# the real program beside it takes the arguments as documented.
qgis_process=$(command -v qgis_process.bin || command -v qgis_process || true)
[ -n "$qgis_process" ] || { echo "check-qgis-plugin: qgis_process not found (apt-get install qgis)" >&2; exit 1; }
/usr/bin/python3 -c "import qgis.core" 2>/dev/null || { echo "check-qgis-plugin: PyQGIS not found (apt-get install python3-qgis qgis-providers)" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "check-qgis-plugin: ogr2ogr not found (apt-get install gdal-bin)" >&2; exit 1; }
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
mkdir -p out
scripts/package-qgis-plugin.sh out/hubsel_processing.zip
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/xdg" && chmod 700 "$work/xdg"
# A scratch profile and plugin folder: the check never touches the user's.
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$work/xdg" \
       QGIS_CUSTOM_CONFIG_PATH="$work/profile" QGIS_PLUGINPATH="$work/plugins"
# hubsel on PATH, as an analyst would have it.
export PATH="$PWD/target/release:$PATH"
unset HUBSEL_BIN
/usr/bin/python3 scripts/check_qgis_plugin.py "$qgis_process" out/hubsel_processing.zip "$work" out/qgis-plugin.png
