"""A 200-combination sweep on a Dask LocalCluster (2 worker processes on
loopback) equals the serial run."""

from __future__ import annotations

import pandas as pd
import pytest

import hubsel

from conftest import province_files


def weight_scenarios():
    out = []
    for limit in (30.0, 45.0, 60.0, 90.0, 120.0):
        s = hubsel.default_scenario()
        s["max_travel_minutes"] = limit
        out.append(s)
    return out


def test_a_200_combination_sweep_on_two_dask_workers_equals_the_serial_run():
    distributed = pytest.importorskip("distributed")
    data = {"name": "province", **province_files()}
    data.pop("name")
    scenarios = weight_scenarios()
    strategies = ["score", "p-median", "max-cover", "random"]
    seeds = range(1, 11)
    serial = hubsel.sweep(data, scenarios, strategies, seeds)
    assert len(serial) == 200
    assert list(serial["combination"]) == list(range(200))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            assert len(client.nthreads()) == 2
            spread = hubsel.sweep(data, scenarios, strategies, seeds, client=client)
            # Each worker prepared the province once and only re-selected after.
            cached = client.run(lambda: len(__import__("importlib").import_module("hubsel.sweep")._NETWORKS))
            assert sorted(cached.values()) == [1, 1], cached
    figures = [c for c in serial.columns if c != "ms"]
    pd.testing.assert_frame_equal(serial[figures], spread[figures])
    # The figures move with the scenario, and random with the seed.
    assert serial.groupby("scenario")["share_within"].mean().is_monotonic_increasing
    assert serial[serial["strategy"] == "random"]["mean_min"].nunique() > 1
    assert serial[serial["strategy"] == "p-median"].groupby("scenario")["mean_min"].nunique().max() == 1


def test_a_sweep_row_is_the_network_metrics():
    net = hubsel.Network(*province_files().values())
    s = weight_scenarios()[1]
    rows = hubsel.sweep(province_files(), [s], ["p-center"], [3])
    expected = net.metrics(s, strategy="p-center", seed=3)
    row = rows.iloc[0].to_dict()
    for key, value in expected.items():
        if key != "ms":
            assert row[key] == value, key
