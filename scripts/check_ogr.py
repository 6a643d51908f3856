"""Checks each layer of a hubsel run folder with GDAL's ogrinfo (see check-ogr.sh)."""

import json
import re
import subprocess
import sys
from pathlib import Path

LAYERS = ["hubs", "schools", "routes", "districts"]
# ogrinfo's type names for summary.json's field types, per format.
TYPES = {
    "integer": {"Integer", "Integer64"},
    "real": {"Real"},
    "text": {"String"},
    # GeoJSON and FlatGeobuf have booleans; the Shapefile holds 1/0 in N(1,0).
    "boolean": {"Integer(Boolean)"},
    "boolean.shp": {"Integer"},
}


def ogrinfo(path):
    """Feature count and [(name, type)] as ogrinfo -al -so reports them."""
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], check=True, capture_output=True, text=True)
    out = done.stdout
    # GDAL reports what it had to repair or guess on stderr ("Warning 1: ...").
    if done.stderr.strip():
        raise SystemExit(f"FAIL {path.name}: ogrinfo says: {done.stderr.strip()}")
    count = int(re.search(r"^Feature Count: (\d+)$", out, re.M).group(1))
    # Field lines come after the layer's SRS block: "name: Type (w.p)".
    fields = re.findall(r"^([A-Za-z0-9_]+): ([A-Za-z0-9()]+) \(\d+\.\d+\)", out, re.M)
    return count, fields


def main(run):
    summary = json.loads((run / "summary.json").read_text())
    failures = []
    checked = 0
    for layer in LAYERS:
        declared = summary["layers"][layer]
        counts = {}
        for ext in ["geojson", "shp", "fgb"]:
            path = run / f"{layer}.{ext}"
            count, fields = ogrinfo(path)
            counts[ext] = count
            names = [f["shp"] if ext == "shp" else f["name"] for f in declared["fields"]]
            got = [name for name, _ in fields]
            if got != names:
                failures.append(f"{path.name}: fields {got} != declared {names}")
            for (name, ogr_type), f in zip(fields, declared["fields"]):
                kind = f["type"] + (".shp" if ext == "shp" and f["type"] == "boolean" else "")
                if ogr_type not in TYPES[kind]:
                    failures.append(f"{path.name}: {name} is {ogr_type}, declared {f['type']}")
            numeric = sum(1 for _, t in fields if t != "String")
            print(f"  {path.name:20} {count:6} features, {len(fields):2} fields ({numeric} numeric)")
            checked += 1
        unlocated = run / f"{layer}_unlocated.dbf"
        shp_total = counts["shp"] + (ogrinfo(unlocated)[0] if unlocated.exists() else 0)
        expected = declared["features"]
        for what, n in [("geojson", counts["geojson"]), ("fgb", counts["fgb"]), ("shp (+ unlocated)", shp_total)]:
            if n != expected:
                failures.append(f"{layer}.{what}: {n} features, summary.json says {expected}")
    for f in failures:
        print("FAIL", f)
    print(f"check-ogr: {checked} layer files read by ogrinfo; {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
