"""Throughput of a 1,000-combination weight sweep on the province: serial,
then on a Dask LocalCluster of 2 worker processes on loopback.

    python python/benches/sweep_throughput.py [--combinations 1000] [--workers 2]

The sweep: 125 scenarios (the default scenario's access weight × travel
limit, 25 × 5) × 4 strategies (score, p-median, max-cover, random) × 2
seeds. Prints combinations per second for both runs (the cluster's time
includes sending the data set and preparing it once on each worker, not
starting the cluster) and checks that both give the same figures.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import hubsel

ROOT = Path(__file__).resolve().parents[2]
PROVINCE = ROOT / "fixtures" / "province"


def scenarios(n: int) -> list[dict]:
    out = []
    limits = (30.0, 45.0, 60.0, 90.0, 120.0)
    for i in range(n):
        s = hubsel.default_scenario()
        access = 0.05 + 0.6 * (i // len(limits)) / max(1, n // len(limits))
        for c in s["criteria"]:
            if c.get("access") == "weighted_mean_minutes":
                c["weight"] = round(access, 4)
        s["max_travel_minutes"] = limits[i % len(limits)]
        out.append(s)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--combinations", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    strategies = ["score", "p-median", "max-cover", "random"]
    seeds = [1, 2]
    n_scen = max(1, args.combinations // (len(strategies) * len(seeds)))
    data = {"schools": PROVINCE / "schools.csv", "roads": PROVINCE / "roads.geojson",
            "districts": PROVINCE / "districts.geojson"}
    scen = scenarios(n_scen)
    total = n_scen * len(strategies) * len(seeds)

    t = time.perf_counter()
    serial = hubsel.sweep(data, scen, strategies, seeds)
    serial_s = time.perf_counter() - t

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("hubsel"))  # workers import hubsel before the clock
        t = time.perf_counter()
        spread = hubsel.sweep(data, scen, strategies, seeds, client=client)
        spread_s = time.perf_counter() - t
    figures = [c for c in serial.columns if c != "ms"]
    same = serial[figures].equals(spread[figures])
    result = {
        "combinations": total,
        "serial_s": round(serial_s, 2),
        "serial_per_s": round(total / serial_s, 1),
        "workers": args.workers,
        "dask_s": round(spread_s, 2),
        "dask_per_s": round(total / spread_s, 1),
        "identical": bool(same),
        "median_select_ms": round(float(serial["ms"].median()), 2),
    }
    print(f"{total} combinations: serial {serial_s:.2f} s ({total / serial_s:.1f}/s); "
          f"Dask, {args.workers} workers: {spread_s:.2f} s ({total / spread_s:.1f}/s); "
          f"median selection {result['median_select_ms']} ms; identical figures: {same}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if not same:
        raise SystemExit("the serial and the Dask sweeps differ")


if __name__ == "__main__":
    main()
