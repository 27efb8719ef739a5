"""Enforced dbt contracts: a wrong type or a missing column in a mart fails the build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_mart(tmp_path: Path, warehouse: Path, edit: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    project.mkdir()
    for item in ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds"):
        src = REPO / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, project / item)
    model = project / "models" / "marts" / "fct_income.sql"
    text = model.read_text(encoding="utf-8")
    assert edit[0] in text
    model.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse, db)
    env = dict(os.environ, JUESUAN_DBT_PATH=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), "run", "--select", "fct_income", "--project-dir", str(project),
                           "--profiles-dir", str(project), "--target-path", str(tmp_path / "target")],
                          env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("edit", "message"), [
    (("    amount_wan,", "    cast(amount_wan as integer) as amount_wan,"), "data type mismatch"),
    (("    column_key as income_source,", "    column_key as income_kind,"), "missing in definition"),
])
def test_contract_violation_fails(tmp_path: Path, sample_warehouse: Path, edit, message):
    proc = run_mart(tmp_path, sample_warehouse, edit)
    assert proc.returncode != 0
    assert "contract" in proc.stdout.lower() or message in proc.stdout


def test_unchanged_mart_passes(tmp_path: Path, sample_warehouse: Path):
    proc = run_mart(tmp_path, sample_warehouse, ("    amount_wan,", "    amount_wan,"))
    assert proc.returncode == 0, proc.stdout[-2000:]
