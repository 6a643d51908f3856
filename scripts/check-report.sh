#!/usr/bin/env bash
# report.html in a real browser: headless Chromium renders the default run's
# report, saves the screenshot beside it (out/report.png, not committed),
# and a measuring copy of the page (the report itself has no script) reports
# which map elements were laid out inside the 1400×1000 window. The counts
# must match summary.json: every district and every hub drawn and visible,
# one marker per stand-alone school, routes adding up to the members; the
# screenshot must show the hub colours. Needs chromium and python3.
#
# Arguments go to `hubsel run`, to check another data set; the run and its
# screenshot then go to out/check-<name>/ where <name> is $HUBSEL_CHECK_NAME
# (default: the default run, in out/).
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-report: chromium not found (apt-get install chromium)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "check-report: python3 not found" >&2; exit 1; }
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
dir=out
if [ -n "${HUBSEL_CHECK_NAME:-}" ]; then dir=out/check-$HUBSEL_CHECK_NAME; fi
target/release/hubsel run --quiet --force --out "$dir" "$@" >/dev/null 2>&1 || target/release/hubsel run --quiet --force --out "$dir" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --window-size=1400,1000 --hide-scrollbars "$@" 2>>"$work/chromium.log"
}
chrome --screenshot="$PWD/$dir/report.png" "file://$PWD/$dir/report.html" >/dev/null
python3 scripts/check_report.py measure-page "$dir/report.html" "$work/measure.html"
chrome --virtual-time-budget=5000 --dump-dom "file://$work/measure.html" >"$work/dom.html"
python3 scripts/check_report.py check "$dir/summary.json" "$work/dom.html" "$dir/report.png"
