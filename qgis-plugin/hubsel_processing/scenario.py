"""The scenario a run uses: the analyst's file, or one written from the
algorithm's parameters on top of hubsel's shipped default scenario."""

import os
import re

# hubsel's strategies, in the order `hubsel run --strategy` lists them
# (scripts/check-qgis-plugin.sh checks this list against the binary).
STRATEGIES = ["score", "p-median", "p-center", "max-cover", "largest", "central", "random"]

HERE = os.path.dirname(__file__)
# Packaged beside this file by scripts/package-qgis-plugin.sh; in a source
# checkout, the repository's copy.
DEFAULT_PATHS = [
    os.path.join(HERE, "scenario-default.toml"),
    os.path.join(HERE, "..", "..", "fixtures", "scenario-default.toml"),
]


def default_text():
    for path in DEFAULT_PATHS:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    raise FileNotFoundError("scenario-default.toml is missing from the plugin")


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


_HEADER = re.compile(r"^\s*\[")


def set_key(text, table, key, value):
    """`text` with `key = value` in `table` (None: the top level), replacing
    the key where it is set and adding it otherwise (adding the table at
    the end when the file has none). Comments and layout stay."""
    lines = text.split("\n")
    start, end = 0, None
    if table is None:
        end = next((i for i, l in enumerate(lines) if _HEADER.match(l)), len(lines))
    else:
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
        at = next((i for i, l in enumerate(lines) if header.match(l)), None)
        if at is None:
            return text.rstrip("\n") + f"\n\n[{table}]\n{key} = {_toml(value)}\n"
        start = at + 1
        end = next((i for i in range(start, len(lines)) if _HEADER.match(lines[i])), len(lines))
    pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    for i in range(start, end):
        if pattern.match(lines[i]):
            lines[i] = f"{key} = {_toml(value)}"
            return "\n".join(lines)
    lines.insert(end if table is None else start, f"{key} = {_toml(value)}")
    return "\n".join(lines)


def from_settings(strategy, max_travel_minutes, cross_district, base=None):
    """The shipped default scenario with the algorithm's main settings."""
    text = base if base is not None else default_text()
    text = set_key(
        text,
        None,
        "description",
        f"hubsel's default scenario with the QGIS algorithm's settings: strategy {strategy}, "
        f"{max_travel_minutes:g} min, cross_district {str(bool(cross_district)).lower()}",
    )
    text = set_key(text, None, "strategy", strategy)
    text = set_key(text, None, "max_travel_minutes", float(max_travel_minutes))
    text = set_key(text, "allocation", "cross_district", bool(cross_district))
    return text
