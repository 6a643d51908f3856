#!/usr/bin/env bash
# Every test: the Rust test suite, then the checks that the outputs work in
# real clients (GDAL's ogrinfo, headless Chromium, QGIS). Installs the
# clients from Debian's packages when they are missing (needs root and
# apt-get, as on CI); .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --release

missing=()
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
/usr/bin/python3 -c "import qgis.core" 2>/dev/null || missing+=(python3-qgis qgis-providers)
# Thai glyphs for the screenshots (school names are Thai).
fc-list 2>/dev/null | grep -qi "thai\|tlwg\|garuda\|loma" || missing+=(fonts-thai-tlwg)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "test-all: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
    echo "test-all: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== GDAL reads every layer (scripts/check-ogr.sh)"
scripts/check-ogr.sh
echo "== Chromium renders report.html (scripts/check-report.sh)"
scripts/check-report.sh
echo "== QGIS opens and styles every layer (scripts/check-qgis.sh)"
scripts/check-qgis.sh
echo "screenshots: out/report.png (Chromium), out/qgis.png (QGIS)"
echo "client checks: 3 passed, 0 failed"
