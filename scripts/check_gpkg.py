"""The GeoPackage checks of check-gpkg.sh.

  check_gpkg.py tables RUN            ogrinfo on every table of RUN/hubsel.gpkg, and validate_gpkg.py
  check_gpkg.py same-hubs RUN_A RUN_B the hubs layers of two runs choose the same schools
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

LAYERS = ["hubs", "schools", "routes", "districts"]
ATTRIBUTES = ["district_summary", "rejects", "run_summary", "layer_styles"]
# ogrinfo's type names for summary.json's field types in a GeoPackage.
TYPES = {
    "integer": {"Integer", "Integer64"},
    "real": {"Real"},
    "text": {"String"},
    "boolean": {"Integer(Boolean)"},
}


def ogrinfo(gpkg, table):
    """Feature count and [(name, type)] of one table, as ogrinfo -so reports them."""
    done = subprocess.run(["ogrinfo", "-ro", "-so", str(gpkg), table], check=True, capture_output=True, text=True)
    if done.stderr.strip():
        raise SystemExit(f"FAIL {table}: ogrinfo says: {done.stderr.strip()}")
    count = int(re.search(r"^Feature Count: (\d+)$", done.stdout, re.M).group(1))
    fields = re.findall(r"^([A-Za-z0-9_]+): ([A-Za-z0-9()]+) \(\d+\.\d+\)", done.stdout, re.M)
    return count, fields


# Where Debian's python3-gdal puts GDAL's GeoPackage validator.
VALIDATORS = [
    "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
    "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
]


def validator():
    """GDAL's validate_gpkg.py, where installed, and the Python that has GDAL's bindings."""
    found = [p for p in VALIDATORS if Path(p).exists()]
    if not found:
        return None
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    return [python, found[0]]


def tables(run):
    gpkg = run / "hubsel.gpkg"
    summary = json.loads((run / "summary.json").read_text())
    totals = summary["totals"]
    listed = subprocess.run(["ogrinfo", "-ro", "-q", str(gpkg)], check=True, capture_output=True, text=True).stdout
    names = re.findall(r"^\d+: (\w+)", listed, re.M)
    failures = []
    if names != LAYERS + ATTRIBUTES:
        failures.append(f"tables {names} != {LAYERS + ATTRIBUTES}")
    for layer in LAYERS:
        declared = summary["layers"][layer]
        count, fields = ogrinfo(gpkg, layer)
        got = [name for name, _ in fields]
        wanted = [f["name"] for f in declared["fields"]]
        if got != wanted:
            failures.append(f"{layer}: fields {got} != declared {wanted}")
        for (name, ogr_type), f in zip(fields, declared["fields"]):
            if ogr_type not in TYPES[f["type"]]:
                failures.append(f"{layer}: {name} is {ogr_type}, declared {f['type']}")
        if count != declared["features"]:
            failures.append(f"{layer}: {count} features, summary.json says {declared['features']}")
        numeric = sum(1 for _, t in fields if t != "String")
        print(f"  {layer:18} {count:6} features, {len(fields):2} fields ({numeric} numeric)")
    expected = {"district_summary": totals["districts"], "rejects": totals["reject_rows"], "run_summary": 1, "layer_styles": 4}
    for table, wanted in expected.items():
        count, fields = ogrinfo(gpkg, table)
        if count != wanted:
            failures.append(f"{table}: {count} rows, expected {wanted}")
        print(f"  {table:18} {count:6} rows,     {len(fields):2} fields")
    script = validator()
    if script:
        done = subprocess.run(script + [str(gpkg)], capture_output=True, text=True)
        said = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or said:
            failures.append(f"validate_gpkg.py (exit {done.returncode}): {said}")
        else:
            print(f"  validate_gpkg.py ({script[1]}): nothing to report")
    else:
        print("  validate_gpkg.py not installed (python3-gdal): the standard's validator skipped")
    for f in failures:
        print("FAIL", f)
    print(f"check-gpkg: {len(LAYERS + ATTRIBUTES)} tables read by ogrinfo; {len(failures)} problem(s)")
    return 1 if failures else 0


def hubs(run):
    features = json.loads((run / "hubs.geojson").read_text())["features"]
    return [(f["properties"]["district"], f["properties"]["level"], f["properties"]["id"]) for f in features]


def same_hubs(a, b):
    ha, hb = hubs(a), hubs(b)
    if ha != hb:
        print(f"FAIL hubs differ: {len(ha)} from the GeoPackage, {len(hb)} from the files")
        for x, y in zip(ha, hb):
            if x != y:
                print(f"  {x} != {y}")
        return 1
    print(f"check-gpkg: the UTM 47N GeoPackage made by ogr2ogr gives the same {len(ha)} hubs as the shipped files")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "tables":
        sys.exit(tables(Path(sys.argv[2])))
    sys.exit(same_hubs(Path(sys.argv[2]), Path(sys.argv[3])))
