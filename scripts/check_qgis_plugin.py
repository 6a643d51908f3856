"""Checks the QGIS Processing plugin headless (see check-qgis-plugin.sh).

Usage: check_qgis_plugin.py QGIS_PROCESS ZIP WORK PNG

Every algorithm runs through `qgis_process run hubsel:… -- …` and its
results are compared with the hubsel binary's on the same inputs. Then
`project` mode (a child process) runs the plugin inside a QGIS project and
draws the loaded layers to PNG.
"""

import csv
import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVINCE = ROOT / "fixtures" / "province"
BAD = ROOT / "fixtures" / "bad"
HUBSEL = ROOT / "target" / "release" / "hubsel"
ALGORITHMS = ["hubsel:selecthubs", "hubsel:checkinputs", "hubsel:compareruns", "hubsel:traveltimes"]

failures = []


def check(ok, what, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(what)
    return ok


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def csv_layer(path, x="lon", y="lat"):
    """A CSV as a QGIS delimited-text layer, as an analyst adds one."""
    return f"delimitedtext://file://{path}?delimiter=,&xField={x}&yField={y}&crs=EPSG:4326"


class QgisProcess:
    def __init__(self, binary, env):
        self.binary = binary
        self.env = env

    def call(self, *args):
        return subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True, timeout=600)

    def run(self, algorithm, **params):
        """(exit status, results dict or None, all output text)."""
        args = ["--json", "run", algorithm, "--"] + [f"{k}={v}" for k, v in params.items()]
        p = self.call(*args)
        results = None
        try:
            results = json.loads(p.stdout).get("results")
        except ValueError:
            pass
        return p.returncode, results, p.stdout + p.stderr


def hubs_of(path):
    """(level, id) of every hub of a run's hubs layer, sorted: from a
    hubs.geojson, or from a GeoPackage URI (`file.gpkg|layername=hubs`)
    read with SQLite, not with hubsel's or QGIS's code."""
    path = str(path)
    if "|layername=" in path or path.endswith(".gpkg"):
        return sorted((level, str(i)) for level, i in gpkg_rows(path.split("|")[0], "SELECT level, id FROM hubs"))
    with open(path, encoding="utf-8") as f:
        layer = json.load(f)
    return sorted((x["properties"]["level"], str(x["properties"]["id"])) for x in layer["features"])


def gpkg_rows(path, query):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def hubsel(*args, cwd=None):
    p = subprocess.run([str(HUBSEL), *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        raise SystemExit(f"hubsel {' '.join(map(str, args))} failed: {p.stderr}")
    return p.stdout


def install(zip_path, plugins):
    """Unzips the plugin as QGIS's plugin manager does (its own unzip)."""
    unzip = load_module("/usr/share/qgis/python/pyplugin_installer/unzip.py", "qgis_unzip")
    unzip.unzip(str(zip_path), str(plugins))
    return plugins / "hubsel_processing"


def province_inputs(work):
    """The province as an analyst may have it in QGIS: schools from the
    CSV (delimited text), and again reprojected to UTM 47N in a GeoJSON."""
    utm = work / "schools-utm47.geojson"
    subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(utm), str(PROVINCE / "schools.csv"), "-oo", "X_POSSIBLE_NAMES=lon",
         "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32647",
         "-lco", "RFC7946=NO"],
        check=True,
    )
    return csv_layer(PROVINCE / "schools.csv"), str(utm)


def check_select_hubs(qp, work, schools_csv, schools_utm):
    print("hubsel:selecthubs")
    roads, districts = PROVINCE / "roads.geojson", PROVINCE / "districts.geojson"
    # The default settings against `hubsel run` with its default scenario.
    # A journal left beside the target by an earlier file must not be read
    # as part of the new one.
    (work / "plugin-default.gpkg-wal").write_bytes(b"stale journal of an older file")
    code, res, text = qp.run("hubsel:selecthubs", SCHOOLS=schools_csv, ROADS=roads, DISTRICTS=districts,
                             OUTPUT=work / "plugin-default.gpkg")
    if not check(code == 0 and res is not None, "runs on the province (schools from the CSV)", text[-2000:]):
        return None
    hubsel("run", "--schools", PROVINCE / "schools.csv", "--roads", roads, "--districts", districts,
           "--out", work / "cli-default", "--quiet")
    mine, theirs = hubs_of(Path(res["HUBS"])), hubs_of(work / "cli-default" / "hubs.geojson")
    check(mine == theirs, f"the same {len(theirs)} hubs (level, id) as hubsel run",
          f"plugin {len(mine)}, only plugin {sorted(set(mine) - set(theirs))[:5]}, only CLI {sorted(set(theirs) - set(mine))[:5]}")
    check(res.get("HUB_COUNT") == len(theirs), "HUB_COUNT output", str(res.get("HUB_COUNT")))
    gpkg = work / "plugin-default.gpkg"
    check(res.get("OUTPUT") == str(gpkg) and gpkg.is_file(), "OUTPUT is the GeoPackage asked for", str(res.get("OUTPUT")))
    check(not (work / "plugin-default.gpkg-wal").exists(), "the stale -wal journal beside it is gone")
    for key, layer in [("HUBS", "hubs"), ("SCHOOLS", "schools"), ("ROUTES", "routes"), ("DISTRICTS", "districts")]:
        check(res.get(key) == f"{gpkg}|layername={layer}", f"{key} output is the {layer} layer of the GeoPackage",
              str(res.get(key)))
    styles = dict(gpkg_rows(gpkg, "SELECT f_table_name, useAsDefault FROM layer_styles"))
    check(styles == {"hubs": 1, "schools": 1, "routes": 1, "districts": 1},
          "each layer's style is inside, as its default (layer_styles)", str(styles))
    check(not list(work.glob("*.qml")), "no .qml beside the GeoPackage")
    counts = {t: gpkg_rows(gpkg, f"SELECT count(*) FROM {t}")[0][0] for t in ("schools", "district_summary", "run_summary")}
    check(counts == {"schools": 687, "district_summary": 25, "run_summary": 1},
          "the schools layer and the district_summary and run_summary tables", str(counts))
    check(res.get("REPORT") == str(work / "plugin-default-report.html") and Path(res["REPORT"]).is_file()
          and Path(res.get("SUMMARY", "")) == work / "plugin-default-summary.json" and Path(res["SUMMARY"]).is_file()
          and "hubs: 25 primary + 24 secondary" in res.get("TEXT", ""),
          "-report.html and -summary.json beside it, and hubsel's summary text", str(res)[:400])

    # Settings other than the default, schools in UTM 47N: against `hubsel
    # run` with a scenario written here, independently of the plugin's code.
    code, res, text = qp.run("hubsel:selecthubs", SCHOOLS=schools_utm, ROADS=roads, DISTRICTS=districts,
                             STRATEGY=1, MAX_TRAVEL_MINUTES=30, CROSS_DISTRICT="true", OUTPUT=work / "plugin-pmedian")
    if not check(code == 0 and res is not None, "runs with p-median, 30 min, cross-district (schools in UTM 47N)", text[-2000:]):
        return None
    default = (ROOT / "fixtures" / "scenario-default.toml").read_text(encoding="utf-8")
    mine_toml = default.replace('strategy = "score"', 'strategy = "p-median"')
    mine_toml = re.sub(r"(?m)^max_travel_minutes = 45\.0", "max_travel_minutes = 30.0", mine_toml)
    mine_toml += "\n[allocation]\ncross_district = true\n"
    (work / "pmedian.toml").write_text(mine_toml, encoding="utf-8")
    hubsel("run", "--schools", PROVINCE / "schools.csv", "--roads", roads, "--districts", districts,
           "--scenario", work / "pmedian.toml", "--out", work / "cli-pmedian", "--quiet")
    mine, theirs = hubs_of(Path(res["HUBS"])), hubs_of(work / "cli-pmedian" / "hubs.geojson")
    check(mine == theirs, f"the same {len(theirs)} hubs as hubsel run with that scenario",
          f"only plugin {sorted(set(mine) - set(theirs))[:5]}, only CLI {sorted(set(theirs) - set(mine))[:5]}")
    summary = json.loads((work / "plugin-pmedian-summary.json").read_text(encoding="utf-8"))
    scenario = summary.get("scenario", {})
    check((work / "plugin-pmedian.gpkg").is_file() and (work / "plugin-pmedian-scenario.toml").is_file(),
          "an output named without .gpkg gets it; the scenario written from the settings is kept beside it")
    check(json.dumps(scenario).count("p-median") >= 1 and "30" in json.dumps(scenario),
          "summary.json says p-median and 30 minutes", json.dumps(scenario)[:300])
    return work / "plugin-default.gpkg", work / "plugin-pmedian.gpkg"


def check_inputs(qp, work):
    print("hubsel:checkinputs")
    schools = BAD / "schools-outside.csv"
    roads, districts, scenario = BAD / "roads.geojson", BAD / "districts.geojson", BAD / "scenario.toml"
    rejects, points = work / "rejects.csv", work / "rejected.geojson"
    code, res, text = qp.run("hubsel:checkinputs", SCHOOLS=csv_layer(schools), ROADS=roads, DISTRICTS=districts,
                             SCENARIO=scenario, REJECTS=rejects, REJECTED_SCHOOLS=points)
    if not check(code == 0 and res is not None, "runs on fixtures/bad/schools-outside.csv", text[-2000:]):
        return
    hubsel("validate", "--schools", schools, "--roads", roads, "--districts", districts, "--scenario", scenario,
           "--out", work / "cli-validate")
    with open(work / "cli-validate" / "rejects.csv", encoding="utf-8") as f:
        theirs = sorted((r["id"], r["reason"], r["action"]) for r in csv.DictReader(f))
    with open(rejects, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    mine = sorted((r["id"], r["reason"], r["action"]) for r in rows)
    check(len(theirs) > 0 and mine == theirs, f"the same {len(theirs)} reject rows (id, reason, action) as hubsel validate",
          f"plugin {mine}, CLI {theirs}")
    check(res.get("REJECT_COUNT") == len(theirs), "REJECT_COUNT output", str(res.get("REJECT_COUNT")))
    check(all(r["layer"] == "schools" and r["source_fid"] for r in rows), "each row names its layer and source feature",
          str(rows[:2]))
    with open(schools, encoding="utf-8") as f:
        where = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}
    with open(points, encoding="utf-8") as f:
        features = json.load(f)["features"]
    placed = [(x["properties"]["id"], x["geometry"]["coordinates"]) for x in features]
    check(len(placed) == len(theirs) and all(abs(c[0] - where[i][0]) < 1e-9 and abs(c[1] - where[i][1]) < 1e-9 for i, c in placed),
          "rejected schools as points where the source layer has them", str(placed))


def check_compare(qp, work, runs):
    print("hubsel:compareruns")
    if runs is None:
        check(False, "needs the two runs of selecthubs")
        return
    a, b = runs
    code, res, text = qp.run("hubsel:compareruns", RUN_A=a, RUN_B=b, OUTPUT=work / "plugin-compare")
    if not check(code == 0 and res is not None, "runs on the two plugin runs", text[-2000:]):
        return
    hubsel("compare", a, b, "--out", work / "cli-compare")
    expected = (work / "cli-compare" / "compare.txt").read_text(encoding="utf-8")
    check(res.get("TEXT") == expected and expected.strip(), "TEXT is hubsel compare's table", res.get("TEXT", "")[:300])
    mine = json.loads(Path(res["CHANGES"]).read_text(encoding="utf-8"))
    theirs = json.loads((work / "cli-compare" / "compare.geojson").read_text(encoding="utf-8"))
    check(len(mine["features"]) > 0 and mine == theirs, f"CHANGES is hubsel compare's layer ({len(theirs['features'])} features)")


def check_travel_times(qp, work, schools_csv, runs):
    print("hubsel:traveltimes")
    if runs is None:
        check(False, "needs the hubs of selecthubs")
        return
    hubs, roads = f"{runs[0]}|layername=hubs", PROVINCE / "roads.geojson"
    table = work / "plugin-matrix.csv"
    code, res, text = qp.run("hubsel:traveltimes", ORIGINS=schools_csv, ORIGIN_ID="id", DESTINATIONS=hubs,
                             DESTINATION_ID="id", ROADS=roads, OUTPUT=table)
    if not check(code == 0 and res is not None, "runs from the schools (CSV) to the hubs of a run", text[-2000:]):
        return
    hubsel("matrix", "--origins", PROVINCE / "schools.csv", "--destinations", f"{runs[0]}:hubs", "--roads", roads,
           "--out", work / "cli-matrix.csv", "--quiet")

    def rows(path):
        with open(path, encoding="utf-8") as f:
            return {(r["origin_id"], r["destination_id"]): (r["travel_min"], r["road_km"]) for r in csv.DictReader(f)}

    mine, theirs = rows(table), rows(work / "cli-matrix.csv")
    same = mine.keys() == theirs.keys() and all(
        (a == b == ("", "")) or (a[0] and b[0] and float(a[0]) == float(b[0]) and float(a[1]) == float(b[1]))
        for k in theirs for a, b in [(mine[k], theirs[k])]
    )
    check(len(theirs) == 687 * 49 and same, f"the same {len(theirs)} pairs and minutes as hubsel matrix",
          f"{len(mine)} rows; first differences {[(k, mine.get(k), theirs[k]) for k in theirs if mine.get(k) != theirs[k]][:3]}")
    # A member's trip is the run's own.
    members = [{"id": i, "hub_id": h, "travel_min": m}
               for i, h, m in gpkg_rows(runs[0], "SELECT id, hub_id, travel_min FROM schools WHERE role = 'member'")]
    off = [m["id"] for m in members if float(mine[(m["id"], m["hub_id"])][0]) != m["travel_min"]]
    check(len(members) == 386 and not off, "each member's minutes to its hub are those of the run", str(off[:5]))
    # A limit leaves the longer trips without minutes; feature ids stand in for a missing id field.
    code, res, text = qp.run("hubsel:traveltimes", ORIGINS=schools_csv, DESTINATIONS=hubs, ROADS=roads,
                             MAX_MINUTES=30, OUTPUT=work / "plugin-matrix-30.csv")
    if check(code == 0 and res is not None, "runs with a 30-minute limit and feature ids", text[-2000:]):
        short = rows(work / "plugin-matrix-30.csv")
        within = sum(1 for v in theirs.values() if v[0] and float(v[0]) <= 30)
        check(len(short) == len(theirs) and res.get("REACHED") == within
              and all(v[0] == "" or float(v[0]) <= 30 for v in short.values()),
              f"{within} pairs within 30 minutes, the others blank", f"REACHED {res.get('REACHED')}")


def check_bad_inputs(qp, work, schools_csv):
    print("bad inputs stop the algorithm with a Processing error, and QGIS exits normally")
    roads, districts = PROVINCE / "roads.geojson", PROVINCE / "districts.geojson"
    ahp = work / "ahp-not-reciprocal.toml"
    ahp.write_text(
        'name = "bad-ahp"\n\n[[criteria]]\nfield = "classrooms"\n[[criteria]]\nfield = "internet"\n'
        '[[criteria]]\naccess = "weighted_mean_minutes"\n\n[ahp]\ncriteria = ["classrooms", "internet", "acc_mean"]\n'
        'matrix = [[1, 3, "1/2"],\n          ["1/3", 1, 4],\n          [2, 4, 1]]\n',
        encoding="utf-8",
    )
    code, res, text = qp.run("hubsel:selecthubs", SCHOOLS=schools_csv, ROADS=roads, DISTRICTS=districts,
                             SCENARIO=ahp, OUTPUT=work / "plugin-bad-ahp.gpkg")
    check(code == 1, "non-reciprocal AHP matrix: qgis_process exits with status 1 (no crash)", f"status {code}")
    line = next(i for i, l in enumerate(ahp.read_text(encoding="utf-8").split("\n"), 1) if l.startswith("matrix"))
    wanted = [str(ahp), f"line {line}", "`ahp.matrix`", "not reciprocal", "entry (2, 3) is 4"]
    check(all(w in text for w in wanted), f"the error names the file, line {line}, `ahp.matrix` and the entry",
          text[-1500:])
    check(not list(work.glob("plugin-bad-ahp*")), "nothing is written")

    # A schools layer without `classrooms`, which the default scenario needs.
    short = work / "schools-no-classrooms.csv"
    with open(PROVINCE / "schools.csv", encoding="utf-8") as f, open(short, "w", encoding="utf-8", newline="") as g:
        rows = csv.reader(f)
        out = csv.writer(g)
        header = next(rows)
        drop = header.index("classrooms")
        out.writerow([c for i, c in enumerate(header) if i != drop])
        for r in rows:
            out.writerow([c for i, c in enumerate(r) if i != drop])
    code, res, text = qp.run("hubsel:selecthubs", SCHOOLS=csv_layer(short), ROADS=roads, DISTRICTS=districts,
                             OUTPUT=work / "plugin-bad-field")
    check(code == 1, "schools without a field the scenario needs: exit status 1 (no crash)", f"status {code}")
    line = next(i for i, l in enumerate((ROOT / "fixtures" / "scenario-default.toml").read_text(encoding="utf-8").split("\n"), 1)
                if l.strip() == 'field = "classrooms"')
    wanted = [f"line {line}", "`classrooms`", "the schools have no such numeric field",
              "scenario written from the algorithm's settings"]
    check(all(w in text for w in wanted), f"the error names the scenario, line {line}, `classrooms` and why", text[-1500:])

    # A hubsel from before --progress json.
    old = work / "old-hubsel"
    old.write_text("#!/bin/sh\necho \"error: unexpected argument '--progress' found\" >&2\nexit 2\n", encoding="utf-8")
    old.chmod(0o755)
    code, res, text = QgisProcess(qp.binary, dict(qp.env, HUBSEL_BIN=str(old))).run(
        "hubsel:selecthubs", SCHOOLS=schools_csv, ROADS=roads, DISTRICTS=districts, OUTPUT=work / "plugin-old-bin")
    check(code == 1 and "too old for this plugin" in text, "a hubsel without --progress json: an error saying so", text[-800:])

    # No binary where the environment says it is.
    env = dict(qp.env, HUBSEL_BIN=str(work / "no-such-hubsel"))
    code, res, text = QgisProcess(qp.binary, env).run(
        "hubsel:selecthubs", SCHOOLS=schools_csv, ROADS=roads, DISTRICTS=districts, OUTPUT=work / "plugin-no-bin")
    check(code == 1 and "HUBSEL_BIN" in text and "not an executable file" in text,
          "HUBSEL_BIN naming no binary: a Processing error saying so", text[-800:])


def check_edges(qp, work):
    """Issue 25.6: an error names the layer once (no nested "exported to");
    a second run to the same output leaves only its own files."""
    print("issue 25.6: the layer named once in an error; no stale file from an earlier run")
    roads, districts = PROVINCE / "roads.geojson", PROVINCE / "districts.geojson"
    noid = work / "noid.csv"
    text = (PROVINCE / "schools.csv").read_text(encoding="utf-8")
    noid.write_text(text.replace("id,name,", "noid,name,", 1), encoding="utf-8")
    code, res, out = qp.run("hubsel:selecthubs", SCHOOLS=csv_layer(noid), ROADS=roads, DISTRICTS=districts,
                            OUTPUT=work / "plugin-noid")
    error = out[out.find("hubsel stopped"):] if "hubsel stopped" in out else ""
    # qgis_process prints the error more than once: the first is enough.
    error = error.split("\n")[0]
    check(code == 1 and error, "schools without an id column: a Processing error", out[-1500:])
    check(error.count("(exported to") == 1 and "(exported to the" not in error and error.count("the schools layer") == 1,
          "the error names the schools layer once", error[:1500])

    twice = work / "plugin-twice"
    code, res, out = qp.run("hubsel:selecthubs", SCHOOLS=csv_layer(PROVINCE / "schools.csv"), ROADS=roads,
                            DISTRICTS=districts, STRATEGY=1, OUTPUT=twice)
    check(code == 0 and (work / "plugin-twice-scenario.toml").is_file(),
          "a run from the settings keeps its scenario beside the output", out[-1500:])
    code, res, out = qp.run("hubsel:selecthubs", SCHOOLS=csv_layer(PROVINCE / "schools.csv"), ROADS=roads,
                            DISTRICTS=districts, SCENARIO=ROOT / "fixtures" / "scenario-default.toml", OUTPUT=twice)
    left = sorted(p.name for p in work.glob("plugin-twice*"))
    check(code == 0 and left == ["plugin-twice-report.html", "plugin-twice-summary.json", "plugin-twice.gpkg"],
          "a second run to the same output with a scenario file leaves only its own files", f"{left} {out[-800:]}")


def main():
    qgis_process, zip_path, work, png = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    env = dict(os.environ)
    plugin = install(zip_path, Path(env["QGIS_PLUGINPATH"]))
    qp = QgisProcess(qgis_process, env)
    print("the plugin, installed from its zip")
    check((plugin / "metadata.txt").is_file() and (plugin / "scenario-default.toml").is_file(),
          "the zip holds metadata.txt and the default scenario")
    p = qp.call("plugins", "enable", "hubsel_processing")
    check(p.returncode == 0, "qgis_process plugins enable hubsel_processing", p.stdout + p.stderr)
    listed = qp.call("list").stdout
    for a in ALGORITHMS:
        check(a in listed, f"qgis_process list shows {a}")
    # The strategy choices are hubsel's own, in its order.
    strategies = load_module(plugin / "scenario.py", "plugin_scenario").STRATEGIES
    p = subprocess.run([str(HUBSEL), "run", "--strategy", "nonesuch", "--out", str(work / "x")], capture_output=True, text=True)
    said = re.search(r"one of: ([^)]*)\)", p.stderr)
    check(said is not None and said.group(1).split(", ") == strategies, "the STRATEGY choices are hubsel's strategies",
          f"plugin {strategies}, hubsel {said.group(1) if said else p.stderr}")

    schools_csv, schools_utm = province_inputs(work)
    runs = check_select_hubs(qp, work, schools_csv, schools_utm)
    check_inputs(qp, work)
    check_compare(qp, work, runs)
    check_travel_times(qp, work, schools_csv, runs)
    check_bad_inputs(qp, work, schools_csv)
    check_edges(qp, work)

    print("in a QGIS project: the layers are loaded, styled, and drawn")
    p = subprocess.run([sys.executable, __file__, "project", str(Path(env["QGIS_PLUGINPATH"])), str(work / "project-run"), str(png)],
                       env=env, capture_output=True, text=True, timeout=600)
    print(p.stdout, end="")
    if p.returncode != 0:
        check(False, "the project check", p.stderr[-2000:])
    print(f"check-qgis-plugin: {len(failures)} problem(s)")
    return 1 if failures else 0


def project(plugins, out, png):
    """Runs hubsel:selecthubs in a QGIS project as the toolbox does (results
    loaded into the project, post-processors applied), then draws it."""
    from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProcessingFeedback, QgsProject
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    app = QgsApplication([], False)
    app.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.path.insert(0, str(plugins))
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    import hubsel_processing

    plugin = hubsel_processing.classFactory(None)
    plugin.initProcessing()

    class Recorder(QgsProcessingFeedback):
        """The algorithm's progress: from its first text until Processing
        starts loading the results."""

        def __init__(self):
            super().__init__()
            self.percents, self.texts = [], []
            self.recording = False
            self.progressChanged.connect(self.record)

        def record(self, percent):
            if self.recording:
                self.percents.append(percent)

        def setProgressText(self, text):  # noqa: N802
            self.recording = text.startswith(("exporting", "hubsel"))
            if self.recording:
                self.texts.append(text)
            super().setProgressText(text)

    feedback = Recorder()
    schools = f"delimitedtext://file://{PROVINCE / 'schools.csv'}?delimiter=,&xField=lon&yField=lat&crs=EPSG:4326"
    processing.runAndLoadResults("hubsel:selecthubs", {
        "SCHOOLS": schools, "ROADS": str(PROVINCE / "roads.geojson"), "DISTRICTS": str(PROVINCE / "districts.geojson"),
        "OUTPUT": f"{out}.gpkg"}, feedback=feedback)
    stages = [t for t in feedback.texts if t.startswith("hubsel: ")]
    check(stages == ["hubsel: load inputs", "hubsel: validate", "hubsel: road graph", "hubsel: snap schools",
                     "hubsel: travel times", "hubsel: select hubs", "hubsel: allocate & routes",
                     "hubsel: writing the outputs"], "the progress text follows hubsel's stages", str(feedback.texts))
    ups = all(b >= a for a, b in zip(feedback.percents, feedback.percents[1:]))
    check(ups and feedback.percents and feedback.percents[-1] == 100 and len(set(feedback.percents)) > 5,
          "the progress bar goes up to 100 from hubsel's JSON lines", str(feedback.percents[:40]))
    layers = {layer.name(): layer for layer in QgsProject.instance().mapLayers().values()}
    expected = {"hubs": ("categorizedSymbol", "level"), "schools": ("categorizedSymbol", "role"),
                "routes": ("graduatedSymbol", "travel_min"), "districts": ("graduatedSymbol", "share_in")}
    for name, (renderer, field) in expected.items():
        layer = layers.get(name)
        ok = layer is not None and layer.isValid() and layer.renderer().type() == renderer and layer.renderer().classAttribute() == field
        check(ok, f"{name} is in the project, styled ({renderer} on {field})",
              f"{layer.renderer().type() if layer else 'missing'}; project has {sorted(layers)}")
    # The provider's setting names the binary, before HUBSEL_BIN and PATH.
    from processing.core.ProcessingConfig import ProcessingConfig
    from qgis.core import QgsProcessingException

    marker = out.parent / "setting-used"
    wrapper = out.parent / "hubsel-from-setting"
    wrapper.write_text(f"#!/bin/sh\ntouch {marker}\nexec {HUBSEL} \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    ProcessingConfig.setSettingValue("HUBSEL_BIN", str(wrapper))
    params = {"SCHOOLS": schools, "ROADS": str(PROVINCE / "roads.geojson"),
              "DISTRICTS": str(PROVINCE / "districts.geojson"), "OUTPUT": str(out.parent / "setting-run.gpkg")}
    processing.run("hubsel:selecthubs", params)
    check(marker.exists(), "the binary set in Processing > Options > Providers > hubsel is the one run")
    # (The setting's own check refuses a path that does not exist.)
    not_a_program = out.parent / "hubsel.txt"
    not_a_program.write_text("not a program\n", encoding="utf-8")
    ProcessingConfig.setSettingValue("HUBSEL_BIN", str(not_a_program))
    try:
        processing.run("hubsel:selecthubs", dict(params, OUTPUT=str(out.parent / "setting-bad.gpkg")))
        said = "no error"
    except QgsProcessingException as e:
        said = str(e)
    check("provider's setting" in said and "not an executable file" in said,
          "a setting naming a file that is no program: a Processing error saying so", said)
    ProcessingConfig.setSettingValue("HUBSEL_BIN", "")

    # Cancel stops hubsel: cancelled while it writes (slowed by its test
    # hook to 0.4 s a file, 12 files), nothing is left half-written.
    import time

    class CancelWhileWriting(QgsProcessingFeedback):
        def setProgressText(self, text):  # noqa: N802
            super().setProgressText(text)
            if text == "hubsel: writing the outputs":
                self.cancel()

    os.environ["HUBSEL_WRITE_DELAY_MS"] = "400"
    cancelled_out = out.parent / "cancelled-run.gpkg"
    started = time.monotonic()
    try:
        processing.run("hubsel:selecthubs", dict(params, OUTPUT=str(cancelled_out)), feedback=CancelWhileWriting())
        said = "no error"
    except QgsProcessingException as e:
        said = str(e)
    took = time.monotonic() - started
    del os.environ["HUBSEL_WRITE_DELAY_MS"]
    check("cancelled" in said and not cancelled_out.exists() and took < 3.0,
          "Cancel stops hubsel at once and leaves no output GeoPackage", f"{said}; {took:.1f} s; exists {cancelled_out.exists()}")

    drawn = [layers[n] for n in ["hubs", "schools", "routes", "districts"] if n in layers]
    settings = QgsMapSettings()
    settings.setLayers(drawn)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(900, 1100))
    extent = layers["districts"].extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    # A drawn map: more than a blank page.
    colours = {image.pixel(x, y) for x in range(0, 900, 9) for y in range(0, 1100, 11)}
    check(image.save(str(png)) and len(colours) > 8, f"the map is drawn to {png}", f"{len(colours)} colours")
    sys.stdout.flush()
    # QGIS's teardown can crash after the verdict (a known PyQGIS exit issue).
    os._exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1] == "project":
        project(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    sys.exit(main())
