#!/usr/bin/env bash
# report.html in a real browser: headless Chromium renders the default run's
# report, saves the screenshot beside it (out/report.png, not committed),
# and a measuring copy of the page (the report itself has no script) reports
# which map elements were laid out inside the 1400×1000 window. The counts
# must match summary.json: every district and every hub drawn and visible,
# one marker per stand-alone school, routes adding up to the members; the
# screenshot must show the hub colours. Then the Thai report printed to
# PDF must be A4 landscape, page 1 kept as out/report-print-th.png.
# Needs chromium, python3 and poppler-utils.
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

# The printed Thai report (issue 23: planners take it to meetings):
# Chromium prints the Thai report.html of the same run to PDF; it must be
# A4 landscape (report.css's @page) with Thai text on page 1, which is
# kept as $dir/report-print-th.png (60 dpi) to look at. Needs poppler-utils
# (pdfinfo, pdftotext, pdftoppm).
for tool in pdfinfo pdftotext pdftoppm; do
    command -v "$tool" >/dev/null || { echo "check-report: $tool not found (apt-get install poppler-utils)" >&2; exit 1; }
done
target/release/hubsel run --quiet --force --lang th --out "$work/th" "$@" >/dev/null 2>&1 || target/release/hubsel run --quiet --force --lang th --out "$work/th" "$@"
chrome --no-pdf-header-footer --print-to-pdf="$work/report-th.pdf" "file://$work/th/report.html" >/dev/null
[ -s "$work/report-th.pdf" ] || { echo "check-report: Chromium printed no PDF of the Thai report" >&2; exit 1; }
pdfinfo "$work/report-th.pdf" >"$work/pdfinfo.txt"
python3 - "$work/pdfinfo.txt" <<'PY'
import re, sys
info = open(sys.argv[1], encoding="utf-8").read()
size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
if not size or not pages:
    sys.exit(f"check-report: pdfinfo says no page size or page count:\n{info}")
w, h, n = float(size[1]), float(size[2]), int(pages[1])
# A4 is 210 × 297 mm: 595.3 × 841.9 pt; landscape is the wide way round.
if abs(w - 841.9) > 2 or abs(h - 595.3) > 2:
    sys.exit(f"check-report: the printed Thai report is {w:.1f} × {h:.1f} pt, not A4 landscape (841.9 × 595.3 pt)")
if n < 1:
    sys.exit("check-report: the printed Thai report has no page")
print(f"check-report: the printed Thai report: {n} pages of A4 landscape ({w:.1f} × {h:.1f} pt)")
PY
pdftotext -f 1 -l 1 -enc UTF-8 "$work/report-th.pdf" "$work/page1.txt"
python3 - "$work/page1.txt" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
thai = sum(1 for c in text if "\u0e00" <= c <= "\u0e7f")
if thai < 50:
    sys.exit(f"check-report: page 1 of the printed Thai report is empty or not Thai ({thai} Thai characters)")
print(f"check-report: page 1 of the printed Thai report holds {thai} Thai characters")
PY
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/report-th.pdf" "$dir/report-print-th"
[ -s "$dir/report-print-th.png" ] || { echo "check-report: pdftoppm wrote no $dir/report-print-th.png" >&2; exit 1; }
echo "check-report: page 1 printed: $dir/report-print-th.png"
