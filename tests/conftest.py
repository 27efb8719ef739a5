"""Shared fixtures: the bundled samples and one warehouse built from them per test session."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import duckdb
import pytest

from ingest.text import decode, split_lines

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SAMPLE = {
    "000": SAMPLES / "000_e001c6226d74a889.txt",
    "001": SAMPLES / "001_12d88111db7f2822.txt",
    "002": SAMPLES / "002_79d75ce45c137d77.txt",
    "004": SAMPLES / "004_d5f1f8ecdae37faa.txt",
}


def pytest_configure(config: pytest.Config) -> None:
    """Builds run dbt (JUESUAN_REPLAY=0, juesuan/replay.py): whether a test's build replayed a plan
    must not depend on which tests built before it; tests of the replay turn it back on."""
    os.environ["JUESUAN_REPLAY"] = "0"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked slow first (stable otherwise): `make test` hands whole files to two xdist
    workers in this order (--no-loadscope-reorder), and a 35 s file started last left one worker
    idle for half a minute."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def sample_lines(key: str) -> list[str]:
    return split_lines(decode(SAMPLE[key].read_bytes())[0])


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples built once per test run through the real CLI build (ingest, dbt build,
    audit, publish). Tests only read it (copies for anything else). Under pytest-xdist the first
    worker to need it builds it in the run's directory and the others wait for it."""
    from juesuan.cli import main

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's directory, shared by its workers
    out = root / "samples_wh" / "juesuan.duckdb"
    with (root / "samples_wh.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.exists():
            assert main(["-q", "build", "--warehouse", str(out)]) == 0
    return out


@pytest.fixture()
def wh(sample_warehouse: Path):
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        yield con

