"""Sweeps: every combination of data set × scenario × strategy × seed,
serially or on a Dask distributed cluster.

Why Dask: it is the GeoPandas ecosystem's engine (dask-geopandas builds on
it), it runs the same code on a laptop (``LocalCluster``) and on a cluster
(``Client("tcp://scheduler:8786")``), and its futures let each data set be
sent to the workers once (``scatter(broadcast=True)``).

Each worker prepares a data set's network once (road graph, snaps, every
district's travel times) and keeps it in a per-process cache keyed by the
inputs; every combination after that only re-scores and re-selects
(``hubsel::pipeline::finish``), as ``hubsel bench`` does per strategy.
The rows are sorted by combination index, and seeds are explicit, so the
figures do not depend on the number of workers (``ms``, a timing, is the
one column that does).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
from collections import OrderedDict
from typing import Any, Iterable, Mapping, Optional, Sequence

import pandas as pd

from . import _hubsel
from ._api import Network, _inputs, scenario_source

#: Per worker process: prepared networks by data-set key (the spec and the
#: content of its input files), the most recently used last; at most
#: ``_MAX_NETWORKS`` are kept.
_NETWORKS: "OrderedDict[str, Network]" = OrderedDict()
_MAX_NETWORKS = 4


def _dataset_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The picklable form of one data set: inputs as absolute paths or
    (name, bytes), the preparing scenario as (toml, name) or None."""
    def absolute(v):
        return os.path.abspath(os.fspath(v)) if isinstance(v, (str, os.PathLike)) else v

    s, r, d = _inputs(spec.get("schools"), spec.get("roads"), spec.get("districts"),
                      spec.get("pbf"))
    return {
        "inputs": tuple(absolute(v) for v in (s, r, d)),
        "scenario": scenario_source(spec.get("scenario")),
        "read": dict(spec["read"]) if spec.get("read") else None,
    }


def _key(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(pickle.dumps(spec, protocol=4)).hexdigest()


def _files_of(path: str) -> list[str]:
    """The files an input path reads: a GeoPackage ``file.gpkg:layer``'s
    file, a shapefile's .shp and its sidecars, else the path itself."""
    if not os.path.exists(path) and ":" in path:
        path = path.rsplit(":", 1)[0]
    root, ext = os.path.splitext(path)
    if ext.lower() != ".shp":
        return [path]
    return [path] + [root + e for e in (".shx", ".dbf", ".prj", ".cpg", ".SHX", ".DBF", ".PRJ", ".CPG")
                     if os.path.exists(root + e)]


def _content_key(key: str, spec: Mapping[str, Any]) -> str:
    """``key`` (the spec's) with the content of every input file: an input
    edited between two sweeps gives a new key, so a stale network is never
    reused (the path alone does not say the file changed)."""
    h = hashlib.sha256(key.encode())
    for value in spec["inputs"]:
        if not isinstance(value, str):
            continue  # (name, bytes): already in the spec's key
        for path in sorted(set(_files_of(value))):
            h.update(path.encode("utf-8", "surrogateescape"))
            try:
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
            except OSError:
                h.update(b"\0unreadable")  # the reader will say why
    return h.hexdigest()


def _network(key: str, spec: Mapping[str, Any]) -> Network:
    key = _content_key(key, spec)
    net = _NETWORKS.get(key)
    if net is None:
        s, r, d = spec["inputs"]
        net = Network(s, r, d, spec["scenario"], read=spec["read"])
        _NETWORKS[key] = net
        while len(_NETWORKS) > _MAX_NETWORKS:
            _NETWORKS.popitem(last=False)
    else:
        _NETWORKS.move_to_end(key)
    return net


def _run_chunk(key: str, spec: Mapping[str, Any], items: Sequence[tuple]) -> list[dict]:
    """Runs combinations on one data set; one row each."""
    net = _network(key, spec)
    rows = []
    for index, dataset, scenario_index, source, strategy, seed in items:
        metrics = dict(net._net.metrics(source, strategy, seed))
        rows.append({
            "combination": index,
            "dataset": dataset,
            "scenario": scenario_index,
            "seed": seed,
            **metrics,
        })
    return rows


def _chunks(items: list, n: int) -> list[list]:
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return [c for c in out if c]


def sweep(
    network_inputs: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    scenarios: Iterable[Any] = (None,),
    strategies: Optional[Iterable[str]] = None,
    seeds: Iterable[int] = (1,),
    client: Any = None,
    *,
    chunks_per_worker: int = 4,
) -> pd.DataFrame:
    """Runs every combination and returns one DataFrame, one row per
    combination in combination order: ``combination``, ``dataset``,
    ``scenario`` (positions in the lists given), ``seed``, then
    ``hubsel bench``'s columns (``strategy``, ``mean_min``, ``p95_min``,
    ``max_min``, ``share_within`` 0–1, ``standalone``, ``members``,
    ``members_mean_min``, ``hubs``, ``hubs_over_capacity``, ``gap`` (the
    largest certified gap of the hubs, 0–1; ``None`` when no hub has
    one), ``ms``).

    ``network_inputs``: one data set or a list of them, each a dict with
    ``schools``, ``roads``, ``districts`` (paths or GeoDataFrames), or
    ``pbf``, or nothing (the embedded province); ``scenario`` (the one the
    travel times are prepared with) and ``read`` as :class:`hubsel.Network`
    takes them. ``scenarios``: dicts or paths (``None``: the data
    set's own); each must keep the preparing scenario's speeds, snapping,
    cutoff and candidate rules (weights, criteria, travel limit, strategy
    and seed may change). ``strategies``: names (default: all seven).
    ``seeds``: the ``seed`` of each combination (the random strategy's).

    ``client``: a ``dask.distributed.Client`` (a ``LocalCluster``'s or a
    cluster's, ``Client("tcp://scheduler:8786")``); ``None`` runs here,
    serially. Paths must be readable at the same absolute path on every
    worker; GeoDataFrames travel with the tasks (sent once per worker).
    """
    datasets = [network_inputs] if isinstance(network_inputs, Mapping) else list(network_inputs)
    specs = [_dataset_spec(d) for d in datasets]
    keys = [_key(s) for s in specs]
    sources = [scenario_source(s) for s in scenarios]
    names = list(strategies) if strategies is not None else list(_hubsel.strategies())
    seed_list = [int(s) for s in seeds]
    combos = list(itertools.product(range(len(specs)), range(len(sources)), names, seed_list))
    per_dataset: dict[int, list[tuple]] = {}
    for index, (ds, sc, strategy, seed) in enumerate(combos):
        per_dataset.setdefault(ds, []).append((index, ds, sc, sources[sc], strategy, seed))

    rows: list[dict] = []
    if client is None:
        for ds, items in per_dataset.items():
            rows.extend(_run_chunk(keys[ds], specs[ds], items))
    else:
        workers = max(1, len(client.nthreads()))
        futures = []
        for ds, items in per_dataset.items():
            spec_future = client.scatter(specs[ds], broadcast=True)
            for chunk in _chunks(items, workers * chunks_per_worker):
                futures.append(client.submit(_run_chunk, keys[ds], spec_future, chunk, pure=False))
        for part in client.gather(futures):
            rows.extend(part)
    columns = ["combination", "dataset", "scenario", "seed", *_hubsel.bench_columns()]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("combination", kind="stable").reset_index(drop=True)
