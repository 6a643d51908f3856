#!/usr/bin/env python3
"""Compare hubsel's within-district travel-time matrices with SciPy's
csgraph.dijkstra on the same road graph.

    python3 -m pip install scipy numpy       # once
    python3 benches/scipy_compare.py         # builds hubsel, exports, compares

It runs `hubsel bench --export-graph` on the province fixture, recomputes
every (school -> candidate hub) door-to-door time with SciPy (one Dijkstra
per seed node of every candidate, on the reversed graph, all sources in one
call), checks that the values agree to 1e-6 relative, and prints the time
of both and their ratio. hubsel's searches stop once their district's
schools are settled; SciPy's run to the cutoff, as its API allows.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra
except ImportError:
    sys.exit("scipy_compare.py needs numpy and scipy: python3 -m pip install numpy scipy")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="hubsel-scipy-")
    cmd = ["cargo", "run", "--quiet", "--release", "-p", "hubsel-cli", "--", "bench", "--quiet",
           "--strategies", "score", "--export-graph", "--out", out]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    graph = os.path.join(out, "graph")
    doc = json.load(open(os.path.join(graph, "tasks.json")))
    arcs = np.loadtxt(os.path.join(graph, "arcs.csv"), delimiter=",", skiprows=1)
    n = doc["nodes"]
    tail, head, cost = arcs[:, 0].astype(int), arcs[:, 1].astype(int), arcs[:, 2]
    # Parallel arcs: keep the cheapest (a sparse matrix would add them up).
    order = np.lexsort((cost, tail, head))
    tail, head, cost = tail[order], head[order], cost[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (head[1:] != head[:-1]) | (tail[1:] != tail[:-1])
    # Reversed graph: an arc u->v becomes v->u, so a search from the hub's
    # seed nodes gives the time from every node to the hub.
    rev = csr_matrix((cost[first], (head[first], tail[first])), shape=(n, n))

    seeds = sorted({s for t in doc["tasks"] for s, _ in t["seeds"]})
    index = {s: i for i, s in enumerate(seeds)}
    t0 = time.perf_counter()
    dist = dijkstra(rev, directed=True, indices=seeds, limit=doc["cutoff_s"])
    scipy_s = time.perf_counter() - t0

    checked, worst = 0, 0.0
    for t in doc["tasks"]:
        for s in t["schools"]:
            best = s["direct_s"] if s["direct_s"] is not None else np.inf
            for node, leave in s["leave"]:
                for seed, enter in t["seeds"]:
                    best = min(best, leave + dist[index[seed], node] + enter)
            total = best + s["offroad_s"] + t["hub_offroad_s"]
            mine = s["hubsel_s"]
            if mine is None:
                assert not np.isfinite(total) or total > doc["cutoff_s"], f"hubsel found no trip, SciPy {total}"
            else:
                err = abs(mine - total) / max(total, 1.0)
                worst = max(worst, err)
                assert err <= 1e-6, f"hubsel {mine} vs SciPy {total}"
            checked += 1

    hubsel_s = doc["hubsel_matrix_seconds"]
    print(f"graph: {n} nodes, {int(first.sum())} arcs; {doc['hubsel_searches']} candidate searches, {checked} pairs")
    print(f"values agree: worst relative difference {worst:.2e}")
    print(f"hubsel matrices: {hubsel_s * 1e3:.1f} ms (bounded per district, parallel)")
    print(f"scipy dijkstra:  {scipy_s * 1e3:.1f} ms ({len(seeds)} sources to the cutoff, one thread)")
    print(f"ratio scipy / hubsel: {scipy_s / hubsel_s:.1f}")


if __name__ == "__main__":
    main()
