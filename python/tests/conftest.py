"""Shared fixtures: the repository's files and the real `hubsel` binary,
which the Python package is checked against."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVINCE = ROOT / "fixtures" / "province"
BAD = ROOT / "fixtures" / "bad"
HUBSEL = Path(os.environ.get("HUBSEL_BIN", ROOT / "target" / "release" / "hubsel"))


def province_files() -> dict[str, Path]:
    return {
        "schools": PROVINCE / "schools.csv",
        "roads": PROVINCE / "roads.geojson",
        "districts": PROVINCE / "districts.geojson",
    }


def cli(*args: str) -> subprocess.CompletedProcess:
    """Runs the hubsel binary; fails the test with its stderr when it fails."""
    if not HUBSEL.exists():
        pytest.fail(f"{HUBSEL} is missing: build it first (cargo build --release -p hubsel-cli)")
    done = subprocess.run([str(HUBSEL), *args], capture_output=True, text=True)
    assert done.returncode == 0, f"hubsel {' '.join(args)} failed:\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def province_network():
    import hubsel

    f = province_files()
    return hubsel.Network(f["schools"], f["roads"], f["districts"])


@pytest.fixture(scope="session")
def province_times(province_network):
    """Every school of the province to every school, minutes."""
    return province_network.travel_times()
