"""The exception every hubsel call raises on a run-level problem."""

from __future__ import annotations

from typing import NamedTuple, Optional


class Problem(NamedTuple):
    """One problem of an input or scenario: where it is, and what.

    ``line`` is 1-based (or the feature number of a layer); ``key`` is the
    scenario key, column or field concerned. Each part is ``None`` when
    unknown.
    """

    file: Optional[str]
    line: Optional[int]
    key: Optional[str]
    message: str


class HubselError(Exception):
    """A run-level problem: the run stopped before any output.

    Attributes: ``kind`` (``"io"``, ``"format"``, ``"scenario"``,
    ``"input"``, ``"output"``, or ``"internal"`` for a bug caught at the
    boundary), ``file``, ``line``, ``field``, and ``problems``, every
    problem found at once (a scenario's, each with its line and key), as
    :class:`Problem` tuples.
    """

    def __init__(
        self,
        message: str,
        kind: str = "input",
        file: Optional[str] = None,
        line: Optional[int] = None,
        field: Optional[str] = None,
        problems: Optional[list[Problem]] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field
        self.problems: list[Problem] = list(problems or [])

    def __reduce__(self):  # picklable, so that Dask workers can send it back
        return (
            type(self),
            (str(self), self.kind, self.file, self.line, self.field, self.problems),
        )
