"""The capacitated assignment that hubsel's `allocation.method = "min-cost"`
solves, solved again with HiGHS on the SAME formulation.

Reads a JSON list of instances from the file named on the command line and
prints a JSON list, one result per instance:

- "lp": the transportation problem (students as flow, a school may be
  split), lexicographic: first the fewest students over capacity (sent to
  their nearest hub beyond its room), then the least student-seconds.
  Solved in two phases with HiGHS's LP solver.
- "mip" (when the instance asks for it): the same with whole schools
  (each school to one hub, or over capacity at its nearest), the
  generalized assignment problem, solved to optimality by HiGHS's MIP.

Instance: {"students": [s_i], "room": [r_j or null for no limit],
"arcs": [[i, j, seconds], ...], "nearest": [seconds_i], "mip": bool}.
"""
import json
import sys

import highspy
import numpy as np


def solve(inst, integral):
    s = inst["students"]
    room = inst["room"]
    arcs = inst["arcs"]
    nearest = inst["nearest"]
    n, m, a = len(s), len(room), len(arcs)
    # Variables: one per arc, then one "over capacity" per school.
    nv = a + n
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    ub = 1.0 if integral else inf
    for _ in range(nv):
        h.addVar(0.0, ub)
    if integral:
        h.changeColsIntegrality(nv, np.arange(nv, dtype=np.int32),
                                np.array([highspy.HighsVarType.kInteger] * nv))
    # Each school sends its students (or, whole, goes once).
    rows = [[] for _ in range(n)]
    for k, (i, j, _) in enumerate(arcs):
        rows[i].append(k)
    for i in range(n):
        idx = rows[i] + [a + i]
        rhs = 1.0 if integral else float(s[i])
        h.addRow(rhs, rhs, len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
    # Each hub takes at most its room.
    cols = [[] for _ in range(m)]
    for k, (i, j, _) in enumerate(arcs):
        cols[j].append(k)
    for j in range(m):
        if room[j] is None or not cols[j]:
            continue
        idx = cols[j]
        coef = [float(s[arcs[k][0]]) if integral else 1.0 for k in idx]
        h.addRow(-inf, max(room[j], 0.0), len(idx), np.array(idx, dtype=np.int32), np.array(coef))
    weight = [float(s[i]) if integral else 1.0 for i in range(n)]
    # Phase 1: fewest students over capacity.
    c1 = np.zeros(nv)
    for i in range(n):
        c1[a + i] = weight[i]
    h.changeColsCost(nv, np.arange(nv, dtype=np.int32), c1)
    h.run()
    over = h.getInfo().objective_function_value
    # Phase 2: least student-seconds with no more over capacity.
    idx = np.arange(a, a + n, dtype=np.int32)
    h.addRow(-inf, over + 1e-7 * max(1.0, over), n, idx, np.array(weight))
    c2 = np.zeros(nv)
    for k, (i, j, t) in enumerate(arcs):
        c2[k] = t * weight[i]
    for i in range(n):
        c2[a + i] = nearest[i] * weight[i]
    h.changeColsCost(nv, np.arange(nv, dtype=np.int32), c2)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return {"status": status, "over": over, "secs": h.getInfo().objective_function_value}


def main():
    with open(sys.argv[1]) as f:
        instances = json.load(f)
    out = []
    for inst in instances:
        r = {"lp": solve(inst, False)}
        if inst.get("mip"):
            r["mip"] = solve(inst, True)
        out.append(r)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
