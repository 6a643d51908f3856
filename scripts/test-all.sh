#!/usr/bin/env bash
# Every test: the Rust test suite and clippy, then the checks that the outputs work in
# real clients (GDAL's ogrinfo, headless Chromium, QGIS, qgis_process), the
# workbench in Chromium, the Python package, the region optimum against
# spopt + HiGHS, the OSM extract against osmium. Installs the clients from
# Debian's packages when they are missing (needs root and apt-get, as on
# CI), before the first build (which needs npm); .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
/usr/bin/python3 -c "import qgis.core" 2>/dev/null || missing+=(python3-qgis qgis-providers)
# qgis_process (QGIS's command-line Processing runner) for the plugin's check.
command -v qgis_process >/dev/null || missing+=(qgis)
# npm: the workbench's page (Leaflet) is installed by hubsel-serve's
# build script with `npm ci`, so cargo needs it before the first build.
command -v npm >/dev/null || missing+=(npm)
# osmium: the independent reader of the synthetic OpenStreetMap extract
# (check-osm-extract.sh), installed here with the rest rather than mid-run.
command -v osmium >/dev/null || missing+=(osmium-tool)
# Thai glyphs for the screenshots (school names are Thai).
fc-list 2>/dev/null | grep -qi "thai\|tlwg\|garuda\|loma" || missing+=(fonts-thai-tlwg)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "test-all: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
    echo "test-all: installing ${missing[*]} with apt-get (QGIS and Chromium take a few minutes; apt's own progress follows)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # One line per package set up, so the wait is not silent; apt-get's
    # own failure still stops the script (pipefail).
    apt-get install -y -q -o Dpkg::Progress-Fancy=0 "${missing[@]}" 2>&1 |
        { grep --line-buffered '^Setting up' || true; } | sed -u 's/^/  apt: /'
    echo "test-all: installed ${missing[*]}"
fi

cargo test --workspace --release
# Lints, including the library's limit of 80 lines per function
# (ARCHITECTURE.md), and the fuzz targets still building against the library.
echo "== clippy, warnings denied"
cargo clippy --workspace --release --all-targets -- -D warnings
echo "== the library's documentation has no broken link"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --release --no-deps -p hubsel -p hubsel-synth
echo "== the fuzz targets build against the library (cargo check of fuzz/, its own lock file: a few minutes the first time)"
(cd fuzz && cargo check --release)

# Every check below runs, whatever the ones before it did; the closing line
# counts those that passed and those that failed, names the failures, and
# the script exits non-zero when any failed.
passed=0
failed=()
check() { # title, then the command
    echo "== $1"
    local title=$1
    shift
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "-- passed in $((SECONDS - start)) s: $title"
    else
        failed+=("$title")
        echo "-- FAILED after $((SECONDS - start)) s: $title" >&2
    fi
}
check "GDAL reads every layer (scripts/check-ogr.sh)" scripts/check-ogr.sh
check "GDAL reads hubsel.gpkg, hubsel reads ogr2ogr's UTM 47N GeoPackage (scripts/check-gpkg.sh)" scripts/check-gpkg.sh
check "Chromium renders report.html (scripts/check-report.sh)" scripts/check-report.sh
check "QGIS opens and styles every layer (scripts/check-qgis.sh)" scripts/check-qgis.sh
# The same three clients on schools as the OBEC registry writes them: no
# enrolment (weights: schools, no students or served fields), the
# registry's level values, the default scenario adapted to the columns.
obec=(--schools fixtures/province/schools-obec.csv --roads fixtures/province/roads.geojson
      --districts fixtures/province/districts.geojson)
check "GDAL, on registry-shaped schools without enrolment" scripts/check-ogr.sh "${obec[@]}"
check "Chromium, on registry-shaped schools" env HUBSEL_CHECK_NAME=obec scripts/check-report.sh "${obec[@]}"
check "QGIS, on registry-shaped schools" env HUBSEL_CHECK_NAME=obec scripts/check-qgis.sh "${obec[@]}"
check "the QGIS Processing plugin through qgis_process (scripts/check-qgis-plugin.sh)" scripts/check-qgis-plugin.sh
check "the Python package: pytest against the binary, spopt, Dask, the notebook (scripts/check-python.sh)" scripts/check-python.sh
check "the planner's workbench in Chromium against hubsel run (scripts/check-serve.sh)" scripts/check-serve.sh
check "the synthetic OpenStreetMap extract read by osmium and osmpbf (scripts/check-osm-extract.sh)" scripts/check-osm-extract.sh
# After check-python: it uses the same .venv-py (spopt, HiGHS).
check "region-wide p-median on the province against spopt + HiGHS (scripts/check-region-optimum.sh)" scripts/check-region-optimum.sh
check "outputs byte-identical to the goldens (scripts/check-goldens.sh)" scripts/check-goldens.sh
check "the README's examples run as written (scripts/check-readme.sh)" scripts/check-readme.sh
echo "screenshots: out/report.png, out/check-obec/report.png (Chromium), out/qgis.png, out/qgis-obec.png, out/qgis-plugin.png (QGIS), out/serve.png (the workbench), out/notebook/*.png (the notebook)"
echo "client checks: $passed passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    printf '  failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
