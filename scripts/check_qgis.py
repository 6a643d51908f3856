"""Opens a hubsel run in QGIS (see check-qgis.sh)."""

import json
import os
import shutil
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

EXPECTED = {
    # layer: (renderer, field, classes)
    "hubs": ("categorizedSymbol", "level", ["primary", "secondary"]),
    "schools": ("categorizedSymbol", "role", ["hub", "member", "stand-alone", "rejected"]),
    "routes": ("graduatedSymbol", "travel_min", 4),
    "districts": ("graduatedSymbol", "share_in", 4),
}


# The GeoPackage's attribute tables: (table, rows from summary.json's
# totals or a number, fields that must be numeric).
TABLES = [
    ("district_summary", "districts", ["hubs_p", "schools", "mean_min", "share_in"]),
    ("rejects", "reject_rows", ["line"]),
    ("run_summary", 1, ["districts", "hubs_p", "members", "mean_min", "limit_min"]),
]


def open_tables(gpkg, summary):
    """The attribute tables load from the GeoPackage, numbers as numbers."""
    problems = []
    for table, rows, numeric in TABLES:
        layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        want = rows if isinstance(rows, int) else summary["totals"][rows]
        mine = []
        if not layer.isValid():
            mine.append("not a valid table")
        else:
            if layer.featureCount() != want:
                mine.append(f"{layer.featureCount()} rows, expected {want}")
            types = {f.name(): f for f in layer.fields()}
            mine += [f"{n} is not numeric" for n in numeric if n not in types or not types[n].isNumeric()]
        status = "ok" if not mine else "FAIL " + "; ".join(mine)
        print(f"  {'hubsel.gpkg|' + table:32} {layer.featureCount():6} rows      {'(table)':18} {status}")
        problems += [f"hubsel.gpkg|{table}: {p}" for p in mine]
    return problems


def main(run, png):
    summary = json.loads((run / "summary.json").read_text())
    app = QgsApplication([], False)
    app.initQgis()
    failures = []
    drawn = []
    names = {}
    # The GeoPackage alone in its folder: its styles come from inside it.
    alone = run.parent / "gpkg-alone"
    alone.mkdir(exist_ok=True)
    shutil.copy(run / "hubsel.gpkg", alone / "hubsel.gpkg")
    gpkg = alone / "hubsel.gpkg"
    opened = 0
    for name, (renderer, field, classes) in EXPECTED.items():
        for ext in ["geojson", "shp", "fgb", "gpkg"]:
            path = run / f"{name}.{ext}"
            uri = str(path) if ext != "gpkg" else f"{gpkg}|layername={name}"
            if ext == "gpkg":
                path = Path(f"hubsel.gpkg|{name}")
            layer = QgsVectorLayer(uri, name, "ogr")
            opened += 1
            problems = []
            if not layer.isValid():
                problems.append("not a valid layer")
            else:
                want = summary["layers"][name]["features"]
                if layer.featureCount() != want:
                    problems.append(f"{layer.featureCount()} features, summary.json says {want}")
                r = layer.renderer()
                fields = {f.name() for f in layer.fields()}
                if r.type() != renderer:
                    source = "its default style in layer_styles" if ext == "gpkg" else f"{name}.qml"
                    problems.append(f"renderer {r.type()}, not {renderer}: {source} was not applied")
                else:
                    if r.classAttribute() != field:
                        problems.append(f"classified on {r.classAttribute()}, not {field}")
                    if renderer == "categorizedSymbol":
                        got = [c.value() for c in r.categories()]
                        if got != classes:
                            problems.append(f"categories {got}")
                    elif len(r.ranges()) != classes:
                        problems.append(f"{len(r.ranges())} ranges")
                used = set(r.usedAttributes(QgsRenderContext()))
                if not used <= fields:
                    problems.append(f"style uses fields the layer lacks: {sorted(used - fields)}")
                if name == "hubs":
                    labels = layer.labeling()
                    if not layer.labelsEnabled() or labels is None or labels.settings().fieldName != "name":
                        problems.append("hub names are not labelled")
                    # Sized by students served; by member schools when the
                    # run weighs by schools (no enrolment: no served field).
                    size = "served" if summary.get("weights", "students") == "students" else "members"
                    if size not in used:
                        problems.append(f"hub size is not driven by {size}")
                # Thai names read back the same from every format (the
                # Shapefile's cp874 text decoded through its .cpg).
                if "name" in fields:
                    values = sorted(str(f["name"]) for f in layer.getFeatures())
                    first = names.setdefault(name, values)
                    if values != first:
                        problems.append("names differ from the GeoJSON's (text encoding)")
                aliased = [layer.attributeAlias(i) for i in range(layer.fields().count()) if layer.attributeAlias(i)]
                if name != "hubs" and not aliased:
                    problems.append("no field aliases with units")
            status = "ok" if not problems else "FAIL " + "; ".join(problems)
            print(f"  {path.name:32} {layer.featureCount():6} features  {layer.renderer().type() if layer.isValid() else '-':18} {status}")
            failures += [f"{path.name}: {p}" for p in problems]
            if ext == "gpkg" and layer.isValid():
                drawn.append(layer)
    gpkg_problems = open_tables(gpkg, summary)
    failures += gpkg_problems
    opened += len(TABLES)
    # Draw the GeoPackage's layers, styled from inside it, hubs on top, as
    # a planner would see them.
    settings = QgsMapSettings()
    settings.setLayers(drawn)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(900, 1100))
    extent = drawn[-1].extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if not image.save(str(png)):
        failures.append(f"could not save {png}")
    else:
        print(f"  QGIS drew the four layers of hubsel.gpkg, styled from inside it, to {png}")
    for f in failures:
        print("FAIL", f)
    from qgis.core import Qgis

    print(f"check-qgis: {opened} layers and tables opened in QGIS {Qgis.version()} (the GeoPackage's styled from inside it); {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    code = main(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.stdout.flush()
    # QGIS's teardown can crash when Python releases its objects after it
    # (a known PyQGIS exit issue); the verdict is already printed.
    os._exit(code)
