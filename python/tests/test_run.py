"""hubsel.run gives exactly what `hubsel run` gives."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hubsel

from conftest import BAD, PROVINCE, cli, province_files

LAYERS = ("hubs", "schools", "routes", "districts")


def cli_run(tmp_path, files, scenario=None, strategy=None):
    out = tmp_path / "cli"
    args = ["run", "--schools", str(files["schools"]), "--roads", str(files["roads"]),
            "--districts", str(files["districts"]), "--out", str(out), "-q"]
    if scenario is not None:
        args += ["--scenario", str(scenario)]
    if strategy is not None:
        args += ["--strategy", strategy]
    cli(*args)
    return out


def assert_same_as_cli(result: hubsel.Result, out):
    for name in LAYERS:
        assert result.layer_geojson(name) == (out / f"{name}.geojson").read_text(encoding="utf-8"), name
    assert result.summary == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert result.rejects_csv == (out / "rejects.csv").read_text(encoding="utf-8")

    # The same, as a researcher reads it: GeoDataFrames from both.
    hubs = gpd.read_file(out / "hubs.geojson")
    assert list(result.hubs["id"]) == list(hubs["id"])
    assert list(result.hubs["level"]) == list(hubs["level"])
    mine = result.schools.set_index(["id", "role"])
    theirs = gpd.read_file(out / "schools.geojson").set_index(["id", "role"])
    assert mine.index.equals(theirs.index)
    a = mine["travel_min"].to_numpy(dtype=float)
    b = theirs["travel_min"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.nanmax(np.abs(a - b), initial=0.0) <= 1e-9
    assert list(mine["hub_id"].fillna("")) == list(theirs["hub_id"].fillna(""))
    assert result.hubs.crs.to_epsg() == 4326
    rejects = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(result.rejects, rejects)


@pytest.mark.parametrize("strategy", [None, "p-median", "max-cover"])
def test_run_on_the_province_equals_the_cli(tmp_path, strategy):
    files = province_files()
    out = cli_run(tmp_path, files, strategy=strategy)
    result = hubsel.run(files["schools"], files["roads"], files["districts"], strategy=strategy)
    assert len(result.hubs) > 40
    assert result.schools["role"].isin(["hub", "member", "stand-alone"]).all()
    assert_same_as_cli(result, out)


def test_registry_shaped_schools_without_enrolment_equal_the_cli(tmp_path):
    # The OBEC registry's columns and level words, no student counts: the
    # default scenario adapts (criteria left out, with notes), as the CLI's.
    files = {**province_files(), "schools": PROVINCE / "schools-obec.csv"}
    out = cli_run(tmp_path, files)
    result = hubsel.run(files["schools"], files["roads"], files["districts"])
    assert result.summary["notes"], "the adapted default says what it left out"
    assert "students" not in result.schools.columns  # the layers leave the field out
    assert_same_as_cli(result, out)


def test_run_with_rejects_equals_the_cli(tmp_path):
    files = {"schools": BAD / "schools-duplicate-ids.csv", "roads": BAD / "roads.geojson",
             "districts": BAD / "districts.geojson"}
    out = cli_run(tmp_path, files, scenario=BAD / "scenario.toml")
    result = hubsel.run(files["schools"], files["roads"], files["districts"], BAD / "scenario.toml")
    assert len(result.rejects) > 0
    assert set(result.rejects["reason"].str.contains("duplicate id")) == {True}
    assert_same_as_cli(result, out)


def test_a_scenario_dict_toml_text_and_path_give_the_same_run(tmp_path):
    files = province_files()
    scenario = hubsel.default_scenario()
    scenario["strategy"] = "p-center"
    scenario["max_travel_minutes"] = 30.0
    from_dict = hubsel.run(*files.values(), scenario)
    path = tmp_path / "s.toml"
    path.write_text(hubsel._hubsel.toml_from_json(json.dumps(scenario)), encoding="utf-8")
    from_path = hubsel.run(*files.values(), path)
    from_text = hubsel.run(*files.values(), toml=path.read_text(encoding="utf-8"))
    for name in LAYERS:
        assert from_dict.layer_geojson(name) == from_path.layer_geojson(name)
        assert from_text.layer_geojson(name) == from_path.layer_geojson(name)
    assert from_path.summary["scenario"]["strategy"] == "p-center"
    out = cli_run(tmp_path, files, scenario=path)
    assert_same_as_cli(from_path, out)


def test_geodataframe_inputs_give_the_same_result_as_files():
    files = province_files()
    table = pd.read_csv(files["schools"], dtype={"id": str, "district": str})
    schools = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                               crs="EPSG:4326")
    roads = gpd.read_file(files["roads"])
    districts = gpd.read_file(files["districts"])
    from_frames = hubsel.run(schools, roads, districts)
    from_files = hubsel.run(*files.values())
    for name in LAYERS:
        assert from_frames.layer_geojson(name) == from_files.layer_geojson(name), name
    assert from_frames.summary["totals"] == from_files.summary["totals"]
    # A projected GeoDataFrame is brought to WGS 84 first.
    utm = hubsel.run(schools.to_crs("EPSG:32647"), roads, districts)
    assert list(utm.hubs["id"]) == list(from_files.hubs["id"])


def test_typed_columns_and_embedded_province():
    result = hubsel.run()
    assert result.hubs.crs.to_epsg() == 4326
    assert result.hubs["students"].dtype.kind == "i"
    assert result.hubs["score"].dtype.kind == "f"
    assert result.hubs["exact"].dtype.kind == "b"
    assert set(result.schools.geometry.geom_type) == {"Point"}
    assert set(result.routes.geometry.geom_type) == {"LineString"}
    assert set(result.districts.geometry.geom_type) <= {"MultiPolygon"}
    assert len(result.districts) == 25
    assert hubsel.strategies() == ["score", "p-median", "p-center", "max-cover", "largest",
                                   "central", "random"]


def test_network_select_equals_a_fresh_run(province_network):
    files = province_files()
    for strategy in ["central", "random"]:
        fresh = hubsel.run(*files.values(), strategy=strategy)
        again = province_network.select(strategy=strategy)
        for name in LAYERS:
            assert again.layer_geojson(name) == fresh.layer_geojson(name)
        assert province_network.metrics(strategy=strategy) | {"ms": 0} == again.metrics | {"ms": 0}
