"""Type stubs of the extension module (crates/hubsel-py). Inputs are paths
or ``(name, bytes)`` pairs; scenarios ``(toml_text, name)`` or ``None``
(the shipped default). Minutes are door to door; ``ms`` milliseconds."""

from os import PathLike
from typing import Any, Optional, Union

_Input = Union[str, "PathLike[str]", tuple[str, bytes]]
_Scenario = Optional[tuple[str, str]]

def strategies() -> list[str]: ...
def default_scenario_toml() -> str: ...
def bench_columns() -> list[str]: ...
def province() -> list[tuple[str, bytes]]: ...
def toml_from_json(json: str) -> str: ...
def solve(
    cost: bytes,
    n_demand: int,
    n_candidates: int,
    k: int,
    strategy: str,
    weights: bytes,
    limit_min: float,
    penalty_min: float,
    forced: list[int],
    scores: bytes,
    students: bytes,
    max_sets: Optional[int],
) -> dict[str, Any]: ...

class Run:
    def layer(self, name: str) -> tuple[str, list[tuple[str, str, bool]]]: ...
    def summary_json(self) -> str: ...
    def rejects_csv(self) -> str: ...
    def metrics(self) -> dict[str, Any]: ...
    def files(self) -> list[tuple[str, bytes]]: ...

class Network:
    def __init__(
        self,
        schools: _Input,
        roads: _Input,
        districts: _Input,
        scenario: _Scenario = None,
        read: Optional[dict[str, Any]] = None,
    ) -> None: ...
    def select(
        self, scenario: _Scenario = None, strategy: Optional[str] = None, seed: Optional[int] = None
    ) -> Run: ...
    def metrics(
        self, scenario: _Scenario = None, strategy: Optional[str] = None, seed: Optional[int] = None
    ) -> dict[str, Any]: ...
    def travel_times(
        self,
        origins: Optional[_Input] = None,
        destinations: Optional[_Input] = None,
        cutoff_min: Optional[float] = None,
    ) -> tuple[list[str], list[str], bytes, bytes, str]: ...
    def schools(self) -> list[tuple[str, str, str, float, bool]]: ...
    @property
    def cutoff_min(self) -> float: ...
    @property
    def graph_size(self) -> tuple[int, int]: ...
