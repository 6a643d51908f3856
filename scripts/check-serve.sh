#!/usr/bin/env bash
# The workbench (`hubsel serve`) in real Chromium: Debian's chromium
# driven by playwright-core (pinned in web/package-lock.json), checked
# against `hubsel run` (web/tests/workbench.mjs). Installs what is missing
# (Debian: chromium, fonts-thai-tlwg, npm; npm: the page's packages).
# Screenshots: out/serve.png, out/upload.png, out/upload-provinces.png.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
command -v ogr2ogr >/dev/null || missing+=(gdal-bin)
command -v zip >/dev/null || missing+=(zip)
fc-list 2>/dev/null | grep -qi "tlwg\|garuda\|loma" || missing+=(fonts-thai-tlwg)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "check-serve: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -f web/node_modules/playwright-core/package.json ] || [ ! -f web/node_modules/leaflet/dist/leaflet.js ]; then
    (cd web && npm ci --no-audit --no-fund)
fi
# (scripts/test-all.sh has built them: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --quiet --release -p hubsel-serve --example csv_to_xlsx
node web/tests/workbench.mjs target/release/hubsel out/check-serve
# Issue 25.5: the Run button, saving two scenarios and comparing them, with
# school ids that contain ':' (web/tests/edges.mjs).
node web/tests/edges.mjs target/release/hubsel out/check-serve-edges
# Issue 23, "All Thai": the sliders' Thai criteria labels and a Thai
# stand-alone reason (web/tests/thai.mjs).
node web/tests/thai.mjs target/release/hubsel out/check-serve-thai
# Issue 23: the planner's own data in the page (web/tests/upload.mjs): the
# Chiang Mai registry as XLSX, a zipped UTM 47N / cp874 Shapefile, a column
# mapped by hand, the same hubs as `hubsel run`, the rejects table, and bad
# uploads refused, then the national province picker (Chiang Mai picked).
# Screenshots: out/upload.png, out/upload-provinces.png. Says `skipped: …` without
# ../shared/data/real.
node web/tests/upload.mjs target/release/hubsel target/release/examples/csv_to_xlsx out/check-serve-upload
