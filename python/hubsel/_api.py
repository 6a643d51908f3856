"""The researcher's API: runs, networks, matrices and the solver.

Units are in the names, as in hubsel's layers: ``_min`` minutes, ``_km``
kilometres, ``_m`` metres. Coordinates are WGS 84 (EPSG:4326).
"""

from __future__ import annotations

import io
import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _hubsel
from .errors import HubselError

#: An input: a path (CSV, GeoJSON, Shapefile, GeoPackage ``file.gpkg:layer``,
#: OSM PBF), a GeoDataFrame, or ``(name, bytes)`` whose name's extension
#: gives the format.
InputLike = Any
#: A scenario: a dict (the TOML file's tables as dicts) or a path to a
#: ``.toml`` file (``str`` or ``pathlib.Path``: a string is always a path,
#: whatever it holds); TOML text goes as the ``toml=`` keyword. ``None`` is
#: the shipped default, which adapts to the data as ``hubsel run`` without
#: ``--scenario`` does.
ScenarioLike = Union[None, Mapping[str, Any], str, "os.PathLike[str]"]

#: The keys of ``read=``, as the CLI's flags.
READ_KEYS = ("crs", "encoding", "fix_swapped", "admin_level", "highways", "columns")

LAYERS = ("hubs", "schools", "routes", "districts")


def strategies() -> list[str]:
    """The seven strategies, in the order ``hubsel bench`` lists them."""
    return list(_hubsel.strategies())


def default_scenario() -> dict[str, Any]:
    """The shipped default scenario as a dict (a strict copy: unlike
    ``scenario=None`` it does not leave out criteria the data lack)."""
    import tomllib

    return tomllib.loads(_hubsel.default_scenario_toml())


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not a TOML value: {value!r}")


def scenario_source(scenario: ScenarioLike, toml: Optional[str] = None) -> Optional[tuple[str, str]]:
    """``(toml_text, name)`` of a scenario (a dict, a path, or such a pair
    already; or TOML text given as ``toml``), ``None`` for the default.
    A string is a path: which one it is never depends on what it holds
    (``'limit=30/scen.toml'`` is a file in the folder ``limit=30``)."""
    if toml is not None:
        if scenario is not None:
            raise HubselError("give the scenario either as scenario= or as toml=, not both", kind="scenario")
        if not isinstance(toml, str):
            raise HubselError(f"toml= must be TOML text (str), got {type(toml).__name__}", kind="scenario")
        return (toml, "<string>")
    if scenario is None:
        return None
    if (isinstance(scenario, tuple) and len(scenario) == 2
            and all(isinstance(x, str) for x in scenario)):
        return scenario  # already (toml_text, name)
    if isinstance(scenario, Mapping):
        try:
            text = json.dumps(dict(scenario), default=_json_default)
        except (TypeError, ValueError) as e:
            raise HubselError(f"<dict>: {e}", kind="scenario", file="<dict>") from None
        return (_hubsel.toml_from_json(text), "<dict>")
    if isinstance(scenario, (str, os.PathLike)):
        path = Path(scenario)
        try:
            return (path.read_text(encoding="utf-8"), str(path))
        except (OSError, ValueError) as e:
            hint = ""
            if isinstance(scenario, str) and "\n" in scenario:
                hint = " (a string is a path; give TOML text as toml=)"
            shown = str(path) if len(str(path)) <= 200 else str(path)[:200] + "…"
            raise HubselError(
                f"{shown}: cannot read scenario: {e}{hint}", kind="io", file=shown
            ) from None
    raise HubselError(
        f"a scenario must be a dict or a path (TOML text: toml=), got {type(scenario).__name__}",
        kind="scenario",
    )


def _close(word: str, choices: Sequence[str]) -> str:
    import difflib

    near = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _read_options(read: Optional[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """``read=`` checked: only the known keys, each of its type (every
    problem at once); ``admin_level`` may be an int (``8``)."""
    if read is None:
        return None
    if not isinstance(read, Mapping):
        raise HubselError(f"read= must be a dict, got {type(read).__name__}", kind="input", field="read")
    problems: list[str] = []
    out: dict[str, Any] = {}
    for key, value in read.items():
        if key not in READ_KEYS:
            problems.append(f"unknown key {key!r}{_close(str(key), READ_KEYS)}; "
                            f"the keys are {', '.join(READ_KEYS)}")
            continue
        if value is None:
            continue
        if key in ("crs", "encoding"):
            ok = isinstance(value, str)
            want = "a string"
        elif key == "fix_swapped":
            ok = isinstance(value, (bool, np.bool_))
            want = "True or False"
            value = bool(value) if ok else value
        elif key == "admin_level":
            ok = isinstance(value, str) or (isinstance(value, (int, np.integer)) and not isinstance(value, bool))
            want = "a level such as 6 or '6;8'"
            value = str(value) if ok else value
        elif key == "highways":
            ok = (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value))
            want = "a list of strings"
            value = list(value) if ok else value
        else:  # columns
            ok = isinstance(value, Mapping) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            want = "a dict of field name to column name (strings)"
            value = dict(value) if ok else value
        if not ok:
            problems.append(f"{key}: expected {want}, got {type(value).__name__} {value!r}")
        else:
            out[key] = value
    if problems:
        raise HubselError("read=: " + "; ".join(problems), kind="input", field="read")
    return out


def _input(value: InputLike, role: str) -> Any:
    """What the extension reads: a path, or ``(name, bytes)``; a
    GeoDataFrame goes as GeoJSON in WGS 84, read by the same reader as a
    GeoJSON file."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover
        gpd = None
    if gpd is not None and isinstance(value, gpd.GeoDataFrame):
        frame = value
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        text = frame.to_json(na="null", drop_id=True)
        return (f"{role}.geojson", text.encode("utf-8"))
    raise HubselError(
        f"{role}: expected a path, a GeoDataFrame or (name, bytes), got {type(value).__name__}",
        kind="input",
    )


def _inputs(schools, roads, districts, pbf) -> tuple[Any, Any, Any]:
    if schools is None and roads is None and districts is None and pbf is None:
        # Nothing given: the embedded province, as `hubsel run` with no input.
        s, r, d = _hubsel.province()
        return s, r, d
    given = {"schools": schools, "roads": roads, "districts": districts}
    missing = [k for k, v in given.items() if v is None and pbf is None]
    if missing:
        raise HubselError(
            "give all three inputs, or pbf= for those not given, or none (the embedded province); missing: "
            + ", ".join(missing),
            kind="input",
        )
    return tuple(_input(v if v is not None else pbf, k) for k, v in given.items())  # type: ignore[return-value]


_DTYPES = {"integer": "int64", "real": "float64", "text": "str", "boolean": "bool"}
_NULLABLE = {"integer": "Int64", "real": "float64", "text": "str", "boolean": "boolean"}


def _frame(geojson: str, fields: list[tuple[str, str, bool]]):
    """A layer's GeoJSON read by GDAL (pyogrio), its columns given the
    layer's own types: integers as int64 (pandas' Int64 where a value may
    be missing), reals as float64, booleans as bool, text as str; an empty
    layer keeps its columns."""
    import geopandas as gpd
    import pyogrio

    frame = pyogrio.read_dataframe(io.BytesIO(geojson.encode("utf-8")))
    if not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover
        frame = gpd.GeoDataFrame(frame)
    columns = {}
    for name, kind, nullable in fields:
        values = frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        missing = bool(values.isna().any())
        dtype = _NULLABLE[kind] if (nullable or missing) and kind in ("integer", "boolean") else _DTYPES[kind]
        if kind == "text":
            values = values.where(values.notna(), None)
            columns[name] = values.astype(object) if missing or nullable else values.astype(dtype)
        else:
            columns[name] = values.astype(dtype)
    geometry = frame.geometry if "geometry" in frame.columns else gpd.GeoSeries([], crs="EPSG:4326")
    out = gpd.GeoDataFrame(columns, geometry=geometry.values, crs="EPSG:4326", index=frame.index)
    return out


def _rejects(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


class Result:
    """One run's result, exactly what ``hubsel run`` writes.

    ``hubs``, ``schools``, ``routes``, ``districts``: GeoDataFrames in
    EPSG:4326 with the layers' fields (minutes ``travel_min``, kilometres
    ``road_km``, …; see docs/gis-analysts.md, Outputs). ``summary``: the
    ``summary.json`` dict. ``rejects``: ``rejects.csv`` as a DataFrame of
    text. ``metrics``: ``hubsel bench``'s figures of this run.
    """

    def __init__(self, run: Any) -> None:
        self._run = run

    def layer_geojson(self, name: str) -> str:
        """A layer's GeoJSON text, byte for byte the file ``hubsel run`` writes."""
        return self._run.layer(name)[0]

    def _layer(self, name: str):
        return _frame(*self._run.layer(name))

    @cached_property
    def hubs(self):
        """One point per hub: district, level, score and its parts, rank,
        runner-up and margin, members, students served, …"""
        return self._layer("hubs")

    @cached_property
    def schools(self):
        """One point per input school: role (hub, member, stand-alone,
        rejected), hub id, ``travel_min``, ``road_km``, ``offroad_m``, reason."""
        return self._layer("schools")

    @cached_property
    def routes(self):
        """One line per member school: its road path to its hub, minutes, km."""
        return self._layer("routes")

    @cached_property
    def districts(self):
        """One multipolygon per district: hubs, schools, students, mean / p95 /
        max minutes, share within the limit."""
        return self._layer("districts")

    @cached_property
    def summary(self) -> dict[str, Any]:
        return json.loads(self._run.summary_json())

    @property
    def rejects_csv(self) -> str:
        return self._run.rejects_csv()

    @cached_property
    def rejects(self) -> pd.DataFrame:
        return _rejects(self._run.rejects_csv())

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self._run.metrics())

    def write(self, folder: Union[str, os.PathLike]) -> Path:
        """Writes the files of ``hubsel run --format geojson`` into
        ``folder`` (created; existing files of the same names replaced)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in self._run.files():
            (out / name).write_bytes(data)
        return out

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"<hubsel.Result {m['strategy']}: {m['hubs']} hubs, mean {m['mean_min']:.2f} min, "
            f"max {m['max_min']:.2f} min, {100 * m['share_within']:.1f}% within the limit>"
        )


class Network:
    """The inputs on the road network, prepared once: the road graph built,
    the schools snapped, every district's travel times computed (with
    ``scenario``'s speeds, snapping, search cutoff and candidate rules).

    :meth:`select` then chooses hubs for any scenario that keeps those
    rules (criteria, weights, strategy, travel limit, seed may change),
    without routing again; :meth:`travel_times` computes matrices on the
    same road graph.

    Inputs: ``schools``, ``roads``, ``districts`` as paths or
    GeoDataFrames, or ``pbf=`` an OpenStreetMap extract for those not
    given; none at all is the embedded province. ``read``: reading options
    as the CLI's flags (``crs``, ``encoding``, ``fix_swapped``,
    ``admin_level``, ``highways``, and ``columns``: field → column name).
    """

    def __init__(
        self,
        schools: InputLike = None,
        roads: InputLike = None,
        districts: InputLike = None,
        scenario: ScenarioLike = None,
        *,
        pbf: Optional[Union[str, os.PathLike]] = None,
        read: Optional[Mapping[str, Any]] = None,
        toml: Optional[str] = None,
    ) -> None:
        s, r, d = _inputs(schools, roads, districts, pbf)
        self._scenario = scenario_source(scenario, toml)
        options = _read_options(read)
        self._net = _hubsel.Network(s, r, d, self._scenario, options or None)

    def select(
        self,
        scenario: ScenarioLike = None,
        *,
        strategy: Optional[str] = None,
        seed: Optional[int] = None,
        toml: Optional[str] = None,
    ) -> Result:
        """Selects hubs, allocates and figures; ``scenario=None`` reuses the
        network's scenario. ``strategy`` and ``seed`` replace the scenario's."""
        return Result(self._net.select(scenario_source(scenario, toml), _strategy(strategy), _seed(seed)))

    def metrics(
        self,
        scenario: ScenarioLike = None,
        *,
        strategy: Optional[str] = None,
        seed: Optional[int] = None,
        toml: Optional[str] = None,
    ) -> dict[str, Any]:
        """``hubsel bench``'s figures of one selection (minutes, share 0–1,
        counts, ``ms`` of selection and allocation), without building layers."""
        return dict(self._net.metrics(scenario_source(scenario, toml), _strategy(strategy), _seed(seed)))

    def travel_times(
        self,
        origins: InputLike = None,
        destinations: InputLike = None,
        cutoff_min: Optional[float] = None,
        *,
        output: str = "frame",
    ):
        """Door-to-door travel minutes along the roads, every origin to every
        destination, as ``hubsel matrix`` computes them (off-road legs at
        the scenario's ``offroad_speed_kmh``), on this network's graph.

        ``origins``/``destinations``: point layers (paths or
        GeoDataFrames, read as schools are), or ``None`` for the network's
        schools. ``cutoff_min``: longest trip kept (default: the scenario's
        ``search_cutoff_minutes``). ``output``:

        - ``"frame"``: a DataFrame of minutes, origins × destinations (ids
          as index and columns), NaN where no trip is within the cutoff;
        - ``"sparse"``: ``(scipy.sparse.csr_array of minutes, origin_ids,
          destination_ids)``, only trips within the cutoff stored;
        - ``"long"``: ``hubsel matrix``'s CSV as a DataFrame:
          ``origin_id, destination_id, travel_min, road_km``.

        Points refused while reading (no id, no position, a repeated id)
        or flagged (farther than ``max_snap_m`` from a road: no trips) are
        in ``last_rejects`` afterwards, as ``rejects.csv`` has them.
        """
        if cutoff_min is not None:
            cutoff_min = _number("cutoff_min", cutoff_min, positive=True)
        if output not in ("frame", "sparse", "long"):
            raise HubselError(f"output must be frame, sparse or long, not {output!r}", kind="input")
        o = None if origins is None else _input(origins, "origins")
        d = None if destinations is None else _input(destinations, "destinations")
        oids, dids, minutes, km, rejects = self._net.travel_times(o, d, cutoff_min)
        shape = (len(oids), len(dids))
        minutes = np.frombuffer(minutes, dtype=np.float64).reshape(shape)
        self.last_rejects = _rejects(rejects)
        if output == "frame":
            return pd.DataFrame(minutes, index=pd.Index(oids, name="origin_id"),
                                columns=pd.Index(dids, name="destination_id"))
        if output == "sparse":
            from scipy import sparse

            rows, cols = np.nonzero(~np.isnan(minutes))
            matrix = sparse.csr_array((minutes[rows, cols], (rows, cols)), shape=shape)
            return matrix, list(oids), list(dids)
        if output == "long":
            km = np.frombuffer(km, dtype=np.float64).reshape(shape)
            return pd.DataFrame({
                "origin_id": np.repeat(np.asarray(oids, dtype=object), shape[1]),
                "destination_id": np.tile(np.asarray(dids, dtype=object), shape[0]),
                "travel_min": minutes.ravel(),
                "road_km": km.ravel(),
            })
        raise HubselError(f"output must be frame, sparse or long, not {output!r}", kind="input")

    @cached_property
    def schools(self) -> pd.DataFrame:
        """The schools taking part, in input order: ``id``, ``district``
        (code), ``level``, ``students`` (NaN when unknown), ``on_network``."""
        rows = self._net.schools()
        return pd.DataFrame(rows, columns=["id", "district", "level", "students", "on_network"])

    @property
    def cutoff_min(self) -> float:
        """The scenario's search cutoff, minutes."""
        return self._net.cutoff_min

    @property
    def graph_size(self) -> tuple[int, int]:
        """Road graph junctions and links."""
        return self._net.graph_size


def run(
    schools: InputLike = None,
    roads: InputLike = None,
    districts: InputLike = None,
    scenario: ScenarioLike = None,
    *,
    pbf: Optional[Union[str, os.PathLike]] = None,
    read: Optional[Mapping[str, Any]] = None,
    strategy: Optional[str] = None,
    toml: Optional[str] = None,
) -> Result:
    """One whole run, as ``hubsel run``: the same inputs and scenario give
    the same hubs, roles, minutes and rejects. See :class:`Network` for the
    inputs; ``scenario`` is a dict or a path, ``toml`` TOML text;
    ``strategy`` replaces the scenario's (``--strategy``)."""
    strategy = _strategy(strategy)
    net = Network(schools, roads, districts, scenario, pbf=pbf, read=read, toml=toml)
    return Result(net._net.select(None, strategy, None))


def _strategy(strategy: Any) -> Optional[str]:
    if strategy is None or isinstance(strategy, str):
        return strategy
    raise HubselError(f"strategy must be a name (str), got {type(strategy).__name__}", kind="input",
                      field="strategy")


def _seed(seed: Any) -> Optional[int]:
    if seed is None:
        return None
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and 0 <= int(seed) < 2**64:
        return int(seed)
    raise HubselError(f"seed must be an integer from 0 to 2**64 - 1, got {seed!r}", kind="input", field="seed")


def _number(name: str, value: Any, *, positive: bool = False) -> float:
    """A finite number, not negative (above 0 with ``positive``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise HubselError(f"{name} must be a number, got {type(value).__name__}", kind="input", field=name)
    x = float(value)
    if not np.isfinite(x) or x < 0 or (positive and x == 0):
        want = "above 0" if positive else "0 or more"
        raise HubselError(f"{name} must be a finite number {want}, got {value!r}", kind="input", field=name)
    return x


def _floats(values, n: int, default: float, name: str, *, negative: bool = False) -> bytes:
    """``n`` finite numbers (not negative unless ``negative``) as bytes."""
    if values is None:
        return np.full(n, default, dtype=np.float64).tobytes()
    try:
        array = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as e:
        raise HubselError(f"{name}: not numbers: {e}", kind="input", field=name) from None
    if array.shape != (n,):
        raise HubselError(f"{name}: expected {n} values, got shape {array.shape}", kind="input", field=name)
    bad = ~np.isfinite(array) if negative else ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        want = "finite" if negative else "finite and 0 or more"
        raise HubselError(f"{name}: every value must be {want}; {name}[{i}] is {array[i]!r} "
                          f"({int(bad.sum())} such)", kind="input", field=name)
    return array.tobytes()


def solve(
    cost,
    k: int,
    strategy: str = "p-median",
    *,
    weights=None,
    limit_min: float = 45.0,
    penalty_min: float = 1440.0,
    forced: Sequence[int] = (),
    scores=None,
    students=None,
    max_sets: Optional[int] = None,
) -> dict[str, Any]:
    """hubsel's solver on a cost matrix: ``cost[i, j]`` minutes from demand
    point ``i`` to candidate ``j`` (spopt's layout; NaN or inf:
    unreachable), ``k`` hubs, ``weights`` per demand point (default 1).

    The search is the one a run uses for each district and level:
    enumeration of every set while there are at most ``max_sets`` of them
    (default 200,000), else greedy construction and vertex substitution,
    with a lower bound where the strategy has one (p-median: Lagrangian).
    ``limit_min`` is max-cover's radius; ``penalty_min`` the minutes charged
    for a demand point the chosen set leaves unreached.

    Returns ``chosen`` (candidate columns, ascending), ``objective`` (four
    elements, lower is better; the first in ``unit``: student-minutes for
    p-median, minutes for p-center, minus the covered weight for
    max-cover), ``exact`` (proven optimal), ``lower_bound`` and ``gap``
    (the choice is at most this fraction above the optimum), and
    ``unreachable`` (demand no candidate reaches, left out).
    """
    try:
        matrix = np.ascontiguousarray(np.asarray(cost, dtype=np.float64))
    except (TypeError, ValueError) as e:
        raise HubselError(f"cost: not numbers: {e}", kind="input", field="cost") from None
    if matrix.ndim != 2:
        raise HubselError("cost must be a 2-D matrix, demand × candidates", kind="input", field="cost")
    n_demand, n_candidates = matrix.shape
    # NaN and +inf mean unreachable (spopt's layout); a negative minute
    # (or -inf) is a mistake.
    negative = matrix < 0
    if negative.any():
        i, j = (int(x) for x in np.argwhere(negative)[0])
        raise HubselError(f"cost: minutes must not be negative; cost[{i}, {j}] is {matrix[i, j]!r} "
                          f"({int(negative.sum())} such)", kind="input", field="cost")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= int(k) <= max(n_candidates, 1):
        raise HubselError(f"k must be an integer from 1 to the {n_candidates} candidates, got {k!r}",
                          kind="input", field="k")
    if not isinstance(strategy, str):
        raise HubselError(f"strategy must be a name (str), got {type(strategy).__name__}", kind="input",
                          field="strategy")
    forced_list = []
    for f in forced:
        if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 0 <= int(f) < n_candidates:
            raise HubselError(f"forced: {f!r} is not a candidate column (0 to {n_candidates - 1})",
                              kind="input", field="forced")
        forced_list.append(int(f))
    if max_sets is not None and (isinstance(max_sets, bool) or not isinstance(max_sets, (int, np.integer))
                                 or int(max_sets) < 0):
        raise HubselError(f"max_sets must be an integer, 0 or more (0: the heuristic), or None, got {max_sets!r}",
                          kind="input", field="max_sets")
    return dict(_hubsel.solve(
        matrix.tobytes(), n_demand, n_candidates, int(k), strategy,
        _floats(weights, n_demand, 1.0, "weights"),
        _number("limit_min", limit_min, positive=True), _number("penalty_min", penalty_min, positive=True),
        forced_list, _floats(scores, n_candidates, 0.0, "scores", negative=True),
        _floats(students, n_candidates, 0.0, "students"), None if max_sets is None else int(max_sets),
    ))
