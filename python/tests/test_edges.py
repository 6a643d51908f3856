"""Issue 25 (items 2 and 7) and issue 21 (item 7): the Python doors.
A stale sweep cache, a scenario string read by its content, and
arguments taken without a check."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

import hubsel
from hubsel import HubselError

from conftest import PROVINCE, province_files


def _copy_province(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("schools.csv", "roads.geojson", "districts.geojson"):
        shutil.copy(PROVINCE / name, folder / name)
    return {k: folder / f"{k}.{'csv' if k == 'schools' else 'geojson'}"
            for k in ("schools", "roads", "districts")}


def _figures(row):
    return {k: v for k, v in row.items() if k not in ("ms", "combination", "dataset", "scenario", "seed")}


def test_a_sweep_after_an_input_file_is_edited_uses_the_new_data(tmp_path):
    files = _copy_province(tmp_path / "data")
    first = hubsel.sweep(files, [None], ["p-median"], [1]).iloc[0].to_dict()
    # Keep every second school: the same path, other data.
    lines = files["schools"].read_text(encoding="utf-8").splitlines(keepends=True)
    files["schools"].write_text("".join(lines[:1] + lines[1::2]), encoding="utf-8")
    second = hubsel.sweep(files, [None], ["p-median"], [1]).iloc[0].to_dict()
    fresh = hubsel.Network(*files.values()).metrics(strategy="p-median", seed=1)
    assert second["members"] != first["members"]
    for key, value in fresh.items():
        if key != "ms":
            assert second[key] == value, key


def test_the_sweep_cache_is_bounded(tmp_path):
    import importlib

    sweep_module = importlib.import_module("hubsel.sweep")

    sweep_module._NETWORKS.clear()
    for i in range(sweep_module._MAX_NETWORKS + 2):
        files = _copy_province(tmp_path / f"d{i}")
        # A distinct data set each time: one school fewer.
        lines = files["schools"].read_text(encoding="utf-8").splitlines(keepends=True)
        files["schools"].write_text("".join(lines[:-1 - i]), encoding="utf-8")
        hubsel.sweep(files, [None], ["score"], [1])
        assert len(sweep_module._NETWORKS) <= sweep_module._MAX_NETWORKS


def test_a_scenario_path_holding_an_equals_sign_is_read_as_a_path(tmp_path):
    folder = tmp_path / "limit=30"
    folder.mkdir()
    path = folder / "scen.toml"
    path.write_text('strategy = "p-center"\nmax_travel_minutes = 30\n', encoding="utf-8")
    files = province_files()
    as_str = hubsel.run(*files.values(), scenario=str(path))
    as_path = hubsel.run(*files.values(), scenario=path)
    as_text = hubsel.run(*files.values(), toml=path.read_text(encoding="utf-8"))
    for r in (as_str, as_path, as_text):
        assert r.summary["scenario"]["strategy"] == "p-center"
    assert as_str.layer_geojson("hubs") == as_path.layer_geojson("hubs") == as_text.layer_geojson("hubs")
    with pytest.raises(HubselError, match="toml="):
        hubsel.run(*files.values(), scenario='strategy = "p-center"\nmax_travel_minutes = 30\n')
    with pytest.raises(HubselError, match="not both"):
        hubsel.run(*files.values(), scenario=path, toml="")


def test_read_rejects_unknown_keys_and_wrong_types():
    files = province_files()
    with pytest.raises(HubselError) as e:
        hubsel.Network(*files.values(), read={"colums": {"id": "code"}})
    assert "colums" in str(e.value) and "columns" in str(e.value)
    with pytest.raises(HubselError, match="nope"):
        hubsel.Network(*files.values(), read={"nope": 1})
    with pytest.raises(HubselError, match="fix_swapped"):
        hubsel.Network(*files.values(), read={"fix_swapped": "yes"})
    with pytest.raises(HubselError, match="highways"):
        hubsel.Network(*files.values(), read={"highways": "primary"})
    with pytest.raises(HubselError, match="read="):
        hubsel.Network(*files.values(), read=["crs"])
    # admin_level as an int is a level, as the CLI's --admin-level 8.
    as_int = hubsel.Network(*files.values(), read={"admin_level": 8})
    as_str = hubsel.Network(*files.values(), read={"admin_level": "8"})
    assert as_int.metrics() | {"ms": 0} == as_str.metrics() | {"ms": 0}


COST = [[1.0, 4.0], [3.0, 2.0], [5.0, 1.0]]


@pytest.mark.parametrize("kwargs", [
    {"weights": [1.0, math.nan, 1.0]},
    {"weights": [1.0, -2.0, 1.0]},
    {"weights": [1.0, math.inf, 1.0]},
    {"limit_min": math.nan},
    {"limit_min": -5.0},
    {"penalty_min": math.inf},
    {"penalty_min": -1.0},
    {"students": [1.0, -1.0]},
    {"scores": [math.nan, 0.0]},
    {"k": 0},
    {"k": 3},
    {"k": 1.5},
    {"forced": [5]},
    {"max_sets": -1},
    {"strategy": 3},
])
def test_solve_rejects_nan_infinite_and_negative_arguments(kwargs):
    args = {"cost": COST, "k": 1, "strategy": "p-median"} | kwargs
    with pytest.raises(HubselError):
        hubsel.solve(**args)


@pytest.mark.parametrize("cost", [
    [[1.0, -4.0], [3.0, 2.0], [5.0, 1.0]],
    [[1.0, -math.inf], [3.0, 2.0], [5.0, 1.0]],
])
def test_solve_rejects_negative_costs(cost):
    with pytest.raises(HubselError, match="negative"):
        hubsel.solve(cost, 1)


def test_solve_still_takes_nan_and_inf_costs_as_unreachable():
    cost = np.array([[1.0, math.nan], [math.inf, 2.0], [5.0, 1.0]])
    out = hubsel.solve(cost, 2)
    assert out["chosen"] == [0, 1]


def test_select_and_travel_times_check_their_arguments(province_network):
    with pytest.raises(HubselError, match="seed"):
        province_network.select(seed=-1)
    with pytest.raises(HubselError, match="strategy"):
        province_network.metrics(strategy=7)
    with pytest.raises(HubselError, match="cutoff_min"):
        province_network.travel_times(cutoff_min=math.nan)
