"""Helpers for check-report.sh.

measure-page REPORT OUT: writes a copy of the report with a script that
  lays out the page and records, per map class, how many elements exist
  and how many lie fully inside the window (what the screenshot shows).
check SUMMARY DOM PNG: compares those figures with summary.json and looks
  for the hub colours in the screenshot.
"""

import json
import re
import struct
import sys
import zlib
from pathlib import Path

MEASURE = """<script>
(function () {
  const svg = document.getElementById('map');
  // The screenshot's window. --dump-dom may give the page less height than
  // --screenshot does, but the same width, so the layout is the same.
  const vw = 1400, vh = 1000;
  const inside = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= vw && r.bottom <= vh; };
  const out = { layout_width: window.innerWidth };
  for (const cls of ['district', 'hub', 'standalone', 'routes']) {
    const els = Array.from(svg.querySelectorAll('.' + cls));
    out[cls] = { count: els.length, inside: els.filter(inside).length };
  }
  out.members = Array.from(svg.querySelectorAll('.routes')).reduce((a, e) => a + Number(e.dataset.n), 0);
  const pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""

# Hub fills in the map (output/style.rs palette).
PRIMARY = (31, 120, 180)
SECONDARY = (230, 97, 1)


def measure_page(report, out):
    html = Path(report).read_text(encoding="utf-8")
    if "<script" in html:
        raise SystemExit("FAIL report.html contains a script; it must be self-contained and static")
    Path(out).write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")


def png_pixels(path):
    """Width, height and RGB rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"FAIL {path} is not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or colour not in (2, 6):
        raise SystemExit(f"FAIL {path}: unexpected PNG format (depth {depth}, colour type {colour})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check(summary_path, dom_path, png_path):
    totals = json.loads(Path(summary_path).read_text())["totals"]
    dom = Path(dom_path).read_text(encoding="utf-8")
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    if not found:
        raise SystemExit("FAIL the browser did not lay out the page (no measurement in the DOM)")
    m = json.loads(found.group(1).replace("&quot;", '"'))
    failures = []

    def expect(what, got, want):
        status = "ok" if got == want else "FAIL"
        print(f"  {what:48} {got:6} (summary: {want}) {status}")
        if got != want:
            failures.append(what)

    expect("page laid out at the screenshot's width", m["layout_width"], 1400)
    expect("districts drawn", m["district"]["count"], totals["districts"])
    expect("districts inside the 1400x1000 screenshot", m["district"]["inside"], totals["districts"])
    expect("hubs drawn", m["hub"]["count"], totals["hubs"])
    expect("hubs inside the 1400x1000 screenshot", m["hub"]["inside"], totals["hubs"])
    expect("stand-alone schools drawn", m["standalone"]["count"], totals["standalone"])
    expect("members on the drawn routes", m["members"], totals["members"])
    width, height, bpp, rows = png_pixels(png_path)
    print(f"  screenshot {png_path}: {width}x{height}")
    if (width, height) != (1400, 1000):
        failures.append("screenshot size")
    counts = {PRIMARY: 0, SECONDARY: 0}
    for row in rows:
        for x in range(0, len(row), bpp):
            px = (row[x], row[x + 1], row[x + 2])
            if px in counts:
                counts[px] += 1
    for name, colour in [("primary hub", PRIMARY), ("secondary hub", SECONDARY)]:
        print(f"  {name + ' colour pixels in the screenshot':48} {counts[colour]:6}")
        if totals["hubs"] > 0 and counts[colour] < 20:
            failures.append(f"{name} colour missing from the screenshot")
    print(f"check-report: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1] == "measure-page":
        measure_page(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        raise SystemExit(__doc__)
