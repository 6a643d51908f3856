#!/usr/bin/env bash
# Every test: the Rust test suite and clippy, then the checks that the outputs work in
# real clients (GDAL's ogrinfo, headless Chromium, QGIS, qgis_process), the
# workbench in Chromium, the Python package, the region optimum against
# spopt + HiGHS, the OSM extract against osmium. Installs the clients from
# Debian's packages when they are missing (needs root and apt-get, as on
# CI), before the first build (which needs npm); .ci/run runs exactly this.
#
# One release build serves every check: the README's first command's build,
# then the tests' (which compiles no third-party crate again:
# check-one-build), then the checks use target/release as it is
# (HUBSEL_PREBUILT=1 tells the check scripts not to run cargo themselves).
# The client checks run in two lanes side by side (two cores): the lane that
# still needs cargo (clippy, the docs, maturin, the region bin) and the lane
# of clients that only run the binary. Each step says when it starts and how
# long it took; a failure is counted and the rest still runs; the table at
# the end lists each check's time (scripts/gate-runner.sh, self-tested by
# scripts/check-runner.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gate-runner.sh
gate_init

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
# pdfinfo, pdftotext, pdftoppm: the printed Thai report (check-report.sh).
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
# Thai glyphs for the screenshots (school names are Thai).
fc-list 2>/dev/null | grep -qi "thai\|tlwg\|garuda\|loma" || missing+=(fonts-thai-tlwg)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "test-all: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
    install() {
        export DEBIAN_FRONTEND=noninteractive
        # Another apt-get (an unattended upgrade, a second gate) may hold
        # dpkg's lock: wait for it rather than fail.
        apt-get -o DPkg::Lock::Timeout=900 update -qq
        # One line per package set up, so the wait is not silent.
        apt-get install -y -q -o DPkg::Lock::Timeout=900 -o Dpkg::Progress-Fancy=0 "${missing[@]}" 2>&1 |
            { grep --line-buffered '^Setting up' || true; } | sed -u 's/^/  apt: /'
    }
    gate_step apt "installing ${missing[*]} with apt-get (QGIS and Chromium take a few minutes)" install
    # Nothing below works without them.
    for tool in ogrinfo npm osmium; do
        command -v "$tool" >/dev/null || { echo "test-all: apt-get did not install $tool" >&2; gate_table; exit 1; }
    done
fi


# The Python packages of check-python and check-region-optimum download and
# install while cargo builds (network more than cores): scripts/python-venv.sh
# in the background, its log in target/python-venv.log; the checks call it
# again, which waits for it (flock) and then finds everything installed.
mkdir -p target
scripts/python-venv.sh >target/python-venv.log 2>&1 &

# The page's npm packages, all of them (Leaflet, compiled in, and the browser
# checks' playwright-core), before the build: hubsel-serve's build script
# would otherwise install Leaflet alone, and check-serve's `npm ci` would
# then re-extract it, so that the next cargo (check-readme's `cargo run`)
# compiled the server and the CLI again (28 s).
gate_step npm "the page's npm packages (web/package-lock.json)" bash -c "cd web && npm ci --no-audit --no-fund"

# The builds, once. The first is the README's first command's (`cargo run
# --release -p hubsel-cli`); the second adds the tests, the examples and the
# benches (and must compile no third-party crate again: check-one-build).
gate_step build "cargo build --release -p hubsel-cli (the README's first command)" \
    cargo build --release -p hubsel-cli
build_tests() {
    cargo test --workspace --release --no-run
    # The other members' programs (the region bin of check-region-optimum).
    # (hubsel-fuzz's bins are cargo fuzz's, built with sanitizer flags.)
    cargo build --release --workspace --bins --exclude hubsel-py --exclude hubsel-fuzz
    # check-serve's XLSX maker (web/tests/upload.mjs).
    cargo build --release -p hubsel-serve --example csv_to_xlsx
}
gate_step build-tests "cargo test --workspace --release --no-run, and the workspace's bins" build_tests
# Nothing below can run without the builds.
if gate_failed; then
    gate_table
    exit 1
fi
gate_step one-build "the test build compiled no crate of the first build again (scripts/check-one-build.sh)" \
    scripts/check-one-build.sh
export HUBSEL_PREBUILT=1
clippy() { cargo clippy --workspace --exclude hubsel-fuzz --release --all-targets --quiet -- -D warnings; }
# (With the workspace-hack in the build, the dependencies' metadata is
# clippy's, not checked a second time with other features.)
# The façade (the declared API), the internal crates behind it, the tools.
docs() {
    RUSTDOCFLAGS="-D warnings" cargo doc --quiet --release --no-deps -p hubsel -p hubsel-model -p hubsel-io \
        -p hubsel-engine -p hubsel-output -p hubsel-tools -p hubsel-synth -p hubsel-workspace-hack
}
# The fuzz targets (a workspace member): checked and linted after clippy,
# whose compiled dependencies they share (before, `cargo check` in fuzz/
# with its own lock file and target dir compiled every dependency again,
# SQLite included: about 3 CPU-minutes). Apart from clippy's run for its
# own features: --no-default-features leaves libFuzzer's C++ out of a check.
fuzz() { cargo clippy --release --quiet -p hubsel-fuzz --all-targets --no-default-features -- -D warnings; }
# The same three clients on schools as the OBEC registry writes them: no
# enrolment (weights: schools, no students or served fields), the
# registry's level values, the default scenario adapted to the columns.
obec="--schools fixtures/province/schools-obec.csv --roads fixtures/province/roads.geojson --districts fixtures/province/districts.geojson"
# Lane 1: what still runs cargo (it holds target/'s lock), one after the
# other, from the tests on. Tests that need ../shared's unlicensed files say
# `skipped: …` without it; the gate (and CI) has it beside the clone, and
# HUBSEL_NEED_SHARED=1 (set by .ci/run) makes its absence a failure.
gate_lane \
    "cargo-test|cargo test --workspace --release|cargo test --workspace --release" \
    "runner|the gate's runner counts a failure and runs the rest (scripts/check-runner.sh)|scripts/check-runner.sh" \
    "clippy|clippy, warnings denied (the library's limit of 80 lines per function)|clippy" \
    "fuzz-build|the fuzz targets build against the library, warnings denied (clippy of fuzz/)|fuzz" \
    "docs|the library's documentation has no broken link|docs" \
    "python|the Python package: pytest against the binary, spopt, Dask, the notebook (scripts/check-python.sh)|scripts/check-python.sh"
# Lane 2, beside it from the end of the builds: the clients on the built
# binary, check-report first (it writes the default run into out/ itself,
# replacing the whole folder, before the checks that write into out/:
# out/notebook/, out/qgis.png, out/check-obec/, …), the region optimum (the
# region bin, and .venv-py's spopt and HiGHS: scripts/python-venv.sh,
# started before the builds), check-readme last (its `cargo run`, the
# README's first command, waits for lane 1's cargo lock if it must).
gate_lane \
    "report|Chromium renders report.html (scripts/check-report.sh)|scripts/check-report.sh" \
    "osm-extract|the synthetic OpenStreetMap extract read by osmium and osmpbf (scripts/check-osm-extract.sh)|scripts/check-osm-extract.sh" \
    "ogr|GDAL reads every layer (scripts/check-ogr.sh)|scripts/check-ogr.sh" \
    "gpkg|GDAL reads hubsel.gpkg, hubsel reads ogr2ogr's UTM 47N GeoPackage (scripts/check-gpkg.sh)|scripts/check-gpkg.sh" \
    "qgis|QGIS opens and styles every layer (scripts/check-qgis.sh)|scripts/check-qgis.sh" \
    "ogr-obec|GDAL, on registry-shaped schools without enrolment|scripts/check-ogr.sh $obec" \
    "report-obec|Chromium, on registry-shaped schools|env HUBSEL_CHECK_NAME=obec scripts/check-report.sh $obec" \
    "qgis-obec|QGIS, on registry-shaped schools|env HUBSEL_CHECK_NAME=obec scripts/check-qgis.sh $obec" \
    "qgis-plugin|the QGIS Processing plugin through qgis_process (scripts/check-qgis-plugin.sh)|scripts/check-qgis-plugin.sh" \
    "serve|the planner's workbench in Chromium against hubsel run (scripts/check-serve.sh)|scripts/check-serve.sh" \
    "goldens|outputs byte-identical to the goldens (scripts/check-goldens.sh)|scripts/check-goldens.sh" \
    "region-optimum|region-wide p-median on the province against spopt + HiGHS (scripts/check-region-optimum.sh)|scripts/check-region-optimum.sh" \
    "readme|the examples of the README and docs/ run as written, the first command included (scripts/check-readme.sh)|scripts/check-readme.sh"
gate_wait
echo "screenshots: out/report.png, out/check-obec/report.png (Chromium), out/qgis.png, out/qgis-obec.png, out/qgis-plugin.png (QGIS), out/serve.png (the workbench), out/notebook/*.png (the notebook)"
gate_table
