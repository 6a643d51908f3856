"""The proven optimum of a region-wide p-median that hubsel exported,
computed with spopt's PMedian and the HiGHS MIP solver, compared with
hubsel's value and certified lower bound.

    cargo run --release -p hubsel-examples --bin region -- \
        --scenario fixtures/scenario-region.toml --export target/region
    python benches/region_optimum.py target/region/province-50-primary

The folder holds what `region --export` writes: `matrix.csv` (candidate,
demand, minutes: the sparse lists, every pair within the travel limit),
`demand.csv` (weights), `candidates.csv` and `problem.json` (k, the
penalty in minutes for a school no chosen hub reaches within the limit,
hubsel's value, bound, gap and time). The same problem is given to spopt
as a dense cost matrix: weighted minutes where a pair is in the lists,
the penalty elsewhere (being served by a hub beyond the limit costs what
staying unserved costs, so the two problems have the same optimum);
schools no candidate reaches are left out, as hubsel leaves them out.

Exit status 1 when hubsel's value is more than 0.1 % above the optimum,
when its bound is above the optimum, or when its certified gap is above
0.5 %.
"""

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import pulp
from spopt.locate import PMedian


def read(folder: Path):
    problem = json.loads((folder / "problem.json").read_text())
    with open(folder / "demand.csv", newline="") as f:
        weights = np.array([float(r["weight"]) for r in csv.DictReader(f)])
    with open(folder / "candidates.csv", newline="") as f:
        candidates = list(csv.DictReader(f))
    pairs = []
    with open(folder / "matrix.csv", newline="") as f:
        for r in csv.DictReader(f):
            pairs.append((int(r["demand"]), int(r["candidate"]), float(r["minutes"])))
    return problem, weights, candidates, pairs


def dense(problem, weights, candidates, pairs):
    """Clients × facilities minutes, the penalty where no pair is listed;
    clients no candidate reaches dropped; all-zero weights count 1 each."""
    reached = sorted({j for j, _, _ in pairs})
    row = {j: r for r, j in enumerate(reached)}
    minutes = np.full((len(reached), len(candidates)), problem["penalty_min"])
    for j, i, m in pairs:
        minutes[row[j], i] = m
    w = weights[reached]
    if w.sum() == 0:
        w = np.ones_like(w)
    return minutes, w


def main() -> int:
    folder = Path(sys.argv[1])
    problem, weights, candidates, pairs = read(folder)
    if problem["strategy"] != "p-median":
        print(f"{folder}: strategy {problem['strategy']}, this check is for p-median")
        return 1
    minutes, w = dense(problem, weights, candidates, pairs)
    forced = [int(c["candidate"]) for c in candidates if c["forced"] == "true"]
    start = time.perf_counter()
    model = PMedian.from_cost_matrix(minutes, w, p_facilities=problem["k"], name="region")
    for i in forced:
        model.problem += model.fac_vars[i] == 1
    model = model.solve(pulp.HiGHS(msg=False, timeLimit=170, gapRel=1e-7, presolve="off"))
    took = time.perf_counter() - start
    status = pulp.LpStatus[model.problem.status]
    optimum = float(pulp.value(model.problem.objective))
    value, bound, gap = problem["value"], problem["lower_bound"], problem["gap"]
    above = (value - optimum) / optimum
    print(f"clients {minutes.shape[0]}, facilities {minutes.shape[1]}, p = {problem['k']}")
    print(f"spopt + HiGHS: {optimum:,.3f} ({status}) in {took:.1f} s")
    print(
        f"hubsel: {value:,.3f} ({above * 100:+.4f} % from the optimum), "
        f"certified bound {bound:,.3f} (gap {gap * 100:.4f} %), solve {problem['solve_s']:.3f} s"
    )
    problems = []
    if status != "Optimal":
        problems.append(f"HiGHS did not prove the optimum ({status})")
    if above > 0.001:
        problems.append("hubsel is more than 0.1 % above the optimum")
    if above < -1e-6:
        problems.append("hubsel is below the proven optimum: the two problems differ")
    if bound > optimum * (1 + 1e-9):
        problems.append("hubsel's certified bound is above the optimum")
    if gap > 0.005:
        problems.append("hubsel's certified gap is above 0.5 %")
    for p in problems:
        print(f"FAIL: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
