"""Bad inputs raise hubsel.HubselError with the typed problems; never a crash."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import Point

import hubsel
from hubsel import HubselError, Problem

from conftest import BAD, province_files

CASES = [
    # schools, districts, scenario, kind, file, field, message
    ("schools-good.csv", "districts-none-usable.geojson", "scenario.toml", "input",
     "districts-none-usable.geojson", None, "no usable district polygon"),
    ("schools-good.csv", "districts-not-json.geojson", "scenario.toml", "format",
     "districts-not-json.geojson", None, "not valid JSON"),
    ("schools-good.csv", "not-a-shapefile.shp", "scenario.toml", "format",
     "not-a-shapefile.shp", None, "not a readable shapefile"),
    ("schools-good.csv", "no-such-file.geojson", "scenario.toml", "io",
     "no-such-file.geojson", None, "No such file"),
    ("schools-good.csv", "districts-unknown-crs.geojson", "scenario.toml", "input",
     "districts-unknown-crs.geojson", "crs", "unknown coordinate system EPSG:3"),
    ("schools-no-id-column.csv", "districts.geojson", "scenario.toml", "input",
     "schools-no-id-column.csv", "id", "no id column"),
    ("schools-good.csv", "districts.geojson", "scenario-unknown-field.toml", "scenario",
     "scenario-unknown-field.toml", None, ""),
]


@pytest.mark.parametrize("case", CASES, ids=[c[1] + "+" + c[2] for c in CASES])
def test_bad_files_raise_typed_errors(case):
    schools, districts, scenario, kind, file, field, message = case
    with pytest.raises(HubselError) as caught:
        hubsel.run(BAD / schools, BAD / "roads.geojson", BAD / districts, BAD / scenario)
    e = caught.value
    assert e.kind == kind
    assert e.file is not None and e.file.endswith(file)
    assert e.field == field
    assert message in str(e)
    assert e.problems and all(isinstance(p, Problem) for p in e.problems)
    assert e.problems[0].file == e.file


NON_RECIPROCAL = """
name = "ahp"
strategy = "score"
[[criteria]]
field = "classrooms"
[[criteria]]
field = "teachers"
[[criteria]]
access = "weighted_mean_minutes"
[ahp]
criteria = ["classrooms", "teachers", "acc_mean"]
matrix = [[1, 3, 2],
          ["1/3", 1, 4],
          ["1/2", 4, 1]]
"""


def test_a_non_reciprocal_ahp_scenario_names_the_entry():
    with pytest.raises(HubselError) as caught:
        hubsel.run(*province_files().values(), toml=NON_RECIPROCAL)
    e = caught.value
    assert e.kind == "scenario"
    assert e.file == "<string>"
    assert [p.key for p in e.problems] == ["ahp.matrix"]
    assert e.problems[0].line == 12  # the line of `matrix =`
    assert "not reciprocal" in e.problems[0].message


def test_every_problem_of_a_scenario_at_once():
    with pytest.raises(HubselError) as caught:
        hubsel.Network(*province_files().values(),
                       {"strategy": "fastest", "max_travel_minutes": "soon", "colour": "red"})
    keys = sorted(p.key or "" for p in caught.value.problems)
    assert len(keys) == 3, caught.value.problems
    assert "max_travel_minutes" in keys


@pytest.mark.parametrize("bad", [
    lambda: hubsel.run(("schools.csv", b"\xff\xfe garbage"), *list(province_files().values())[1:]),
    lambda: hubsel.run(gpd.GeoDataFrame({"x": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326"),
                       *list(province_files().values())[1:]),
    lambda: hubsel.run(42, 43, 44),
    lambda: hubsel.run(*province_files().values(), strategy="fastest"),
    lambda: hubsel.run(*province_files().values(), {"weights": None}),
    lambda: hubsel.solve([[1.0, 2.0]], 1, "nearest"),
    lambda: hubsel.solve([[1.0, 2.0]], 1, weights=[1.0, 2.0]),
    lambda: hubsel.Network().travel_times(cutoff_min=-1),
    lambda: hubsel.Network().select(strategy="best"),
])
def test_wrong_arguments_raise_hubsel_errors(bad):
    with pytest.raises(HubselError):
        bad()


def test_every_file_of_the_bad_corpus_in_every_role_never_kills_the_interpreter():
    # In a child interpreter, so that a crash would show as its exit status.
    code = f"""
import pathlib, hubsel
bad = pathlib.Path({str(BAD)!r})
files = sorted(p for p in bad.iterdir() if p.suffix in ('.csv', '.geojson', '.shp'))
n = 0
for f in files:
    for role in range(3):
        args = [bad / 'schools-good.csv', bad / 'roads.geojson', bad / 'districts.geojson']
        args[role] = f
        try:
            hubsel.run(*args, bad / 'scenario.toml')
        except hubsel.HubselError:
            pass
        n += 1
print(n)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 57  # 19 files, each as schools, roads and districts


def test_a_pbf_without_districts_fails_as_the_cli_does():
    # fuzz/make_seeds.py's hand-built extract: two roads and a school, no
    # boundary. hubsel run --pbf stops with exit status 2; so does this.
    from conftest import HUBSEL, ROOT

    pbf = ROOT / "fixtures" / "fuzz" / "osm_pbf" / "tiny.osm.pbf"
    with pytest.raises(HubselError) as caught:
        hubsel.run(pbf=pbf)
    done = subprocess.run([str(HUBSEL), "run", "--pbf", str(pbf), "--out", "/nonexistent/never", "-q"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert caught.value.kind == "input"
    assert str(caught.value) in done.stderr
