"""Network.travel_times equals `hubsel matrix` on every pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from conftest import cli, province_files


def test_travel_times_equal_the_cli_matrix_on_every_pair(tmp_path, province_network, province_times):
    f = province_files()
    out = tmp_path / "matrix.csv"
    cli("matrix", "--origins", str(f["schools"]), "--destinations", str(f["schools"]),
        "--roads", str(f["roads"]), "--out", str(out), "-q")
    theirs = pd.read_csv(out, dtype={"origin_id": str, "destination_id": str})
    mine = province_network.travel_times(f["schools"], f["schools"], output="long")
    assert len(mine) == len(theirs) == 687 * 687
    assert list(mine["origin_id"]) == list(theirs["origin_id"])
    assert list(mine["destination_id"]) == list(theirs["destination_id"])
    for column, decimals in (("travel_min", 3), ("road_km", 4)):
        a = mine[column].to_numpy()
        b = theirs[column].to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), column
        reached = ~np.isnan(a)
        # The CLI writes 3 (minutes) and 4 (km) decimals of the same numbers.
        assert np.array_equal(np.round(a[reached], decimals), b[reached]), column
    assert (~np.isnan(mine["travel_min"])).sum() > 0.9 * len(mine)

    # The network's own schools (origins and destinations not given) are
    # the same points: the same minutes.
    frame = province_times
    wide = mine.pivot(index="origin_id", columns="destination_id", values="travel_min")
    wide = wide.loc[frame.index, frame.columns]
    np.testing.assert_array_equal(wide.to_numpy(), frame.to_numpy())


def test_a_cutoff_and_the_sparse_form(province_network, province_times):
    short = province_network.travel_times(cutoff_min=20.0)
    full = province_times.to_numpy()
    within = full <= 20.0
    assert np.array_equal(~np.isnan(short.to_numpy()), within)
    np.testing.assert_array_equal(short.to_numpy()[within], full[within])
    matrix, oids, dids = province_network.travel_times(cutoff_min=20.0, output="sparse")
    assert matrix.shape == full.shape and matrix.nnz == within.sum()
    assert oids == list(short.index) and dids == list(short.columns)
    dense = matrix.toarray()
    np.testing.assert_array_equal(dense[within], full[within])
