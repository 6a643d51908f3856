"""The Python examples of the guide for researchers (docs/researchers.md)
run as written (blocks after a
`<!-- python-example -->` marker, in order, in one namespace, from the
repository's root), so that they cannot rot."""

from __future__ import annotations

import contextlib
import io
import os
import re

from conftest import ROOT

MARK = "<!-- python-example -->"
GUIDE = "docs/researchers.md"


def examples() -> list[str]:
    text = (ROOT / GUIDE).read_text(encoding="utf-8")
    blocks = []
    for part in text.split(MARK)[1:]:
        m = re.match(r"\s*```python\n(.*?)\n```", part, re.S)
        assert m, "a python-example marker must be followed by a ```python block"
        blocks.append(m.group(1))
    return blocks


def test_the_readme_examples_run_as_written():
    blocks = examples()
    assert len(blocks) >= 2
    assert len(blocks[0].splitlines()) <= 10
    namespace: dict = {}
    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        with contextlib.redirect_stdout(out):
            for block in blocks:
                exec(compile(block, GUIDE, "exec"), namespace)
    finally:
        os.chdir(cwd)
    printed = out.getvalue()
    assert "hubs;" in printed and "0 rejected rows" in printed
    for strategy in ("score", "p-median", "random"):
        assert strategy in printed
    mine, spopt = namespace["mine"], namespace["spopt"]
    import pulp

    assert mine["exact"]
    assert abs(mine["objective"][0] - pulp.value(spopt.problem.objective)) < 1e-6
