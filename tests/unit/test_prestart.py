"""What a build starts before its own imports (juesuan/prestart.py): dbt's server, GE's child or
neither, and that deciding it imports neither pandas nor the parsers nor GE."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from juesuan import prestart


def test_prestart_imports_neither_pandas_nor_duckdb_nor_the_parsers():
    # the child is forked before these imports, to run GE's on the other core meanwhile; the CLI
    # gets there (and decides "no change") without DuckDB, ~0.1-0.25 s to import
    code = ("import sys, juesuan.cli, juesuan.nochange, juesuan.prestart; "
            "print([m for m in ('pandas', 'duckdb', 'ingest.loader', 'great_expectations', 'juesuan.audit.runner') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("plan", "published", "full_rebuild", "started"), [
    (False, True, False, "server"),  # no plan: dbt runs
    (True, True, False, "child"),  # an incremental build that replays
    (True, True, True, "none"),  # a full build that replays from the template
    (True, False, False, "none"),  # a first build that replays from the template
])
def test_prestart_starts_what_the_build_will_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  plan: bool, published: bool, full_rebuild: bool, started: str):
    calls: list[str] = []
    monkeypatch.setattr(prestart, "project_fingerprint", lambda: "f1")
    monkeypatch.setattr(prestart, "load_plan", lambda fingerprint: [] if plan else None)
    template = tmp_path / "template.duckdb"
    template.touch()
    monkeypatch.setattr(prestart, "template_path", lambda fingerprint: template)
    monkeypatch.setattr(prestart, "start_server", lambda: calls.append("server"))
    monkeypatch.setattr(prestart, "ValidatorProcess", lambda: calls.append("child") or "validator")
    warehouse = tmp_path / "w.duckdb"
    if published:
        warehouse.touch()
    validator = prestart.prestart(warehouse, full_rebuild=full_rebuild)
    assert calls == ([] if started == "none" else [started])
    assert validator == ("validator" if started == "child" else None)
