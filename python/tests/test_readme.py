"""The Python examples of the README and the guides in docs/ (today those
of docs/researchers.md) run as written (blocks after a
`<!-- python-example -->` marker, document by document in the README's
then the guides' order, in order, in one namespace, from the repository's
root), so that they cannot rot. scripts/check_readme.py counts them."""

from __future__ import annotations

import contextlib
import io
import os
import re

from conftest import ROOT

MARK = "<!-- python-example -->"


def documents() -> list[str]:
    return ["README.md"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))


def examples() -> list[tuple[str, str]]:
    """(document, code) of every Python example, in order."""
    blocks = []
    for doc in documents():
        text = (ROOT / doc).read_text(encoding="utf-8")
        for part in text.split(MARK)[1:]:
            m = re.match(r"\s*```python\n(.*?)\n```", part, re.S)
            assert m, f"{doc}: a python-example marker must be followed by a ```python block"
            blocks.append((doc, m.group(1)))
    return blocks


def test_the_readme_examples_run_as_written():
    blocks = examples()
    assert len(blocks) >= 2
    assert len(blocks[0][1].splitlines()) <= 10
    namespace: dict = {}
    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        with contextlib.redirect_stdout(out):
            for doc, block in blocks:
                exec(compile(block, doc, "exec"), namespace)
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
