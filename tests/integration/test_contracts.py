"""Enforced dbt contracts: a wrong type or a missing column in a mart fails the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from juesuan.dbtrun import BUILD_DB_NAME, PARSE_CACHE, DbtResult, dbt_command, saved_parse

REPO = Path(__file__).resolve().parents[2]


def run_mart(tmp_path: Path, warehouse: Path, edit: tuple[str, str]) -> DbtResult:
    project = tmp_path / "project"
    project.mkdir()
    for item in ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds"):
        src = REPO / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, project / item)
    model = project / "models" / "marts" / "fct_income.sql"
    text = model.read_text(encoding="utf-8")
    assert edit[0] in text
    model.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    db = tmp_path / BUILD_DB_NAME
    shutil.copyfile(warehouse, db)
    # from the project's saved parse, as builds do (juesuan/dbtrun.py): dbt re-parses the edited model only
    args = ["run", "--select", "fct_income"]
    if saved_parse() is not None:  # the sample build saved it
        saved = tmp_path / PARSE_CACHE.name
        shutil.copyfile(PARSE_CACHE, saved)
        args += ["--partial-parse-file-path", str(saved)]
    return dbt_command(args, db, tmp_path / "target", project=project)


@pytest.mark.parametrize(("edit", "message"), [
    (("    amount_wan,", "    cast(amount_wan as integer) as amount_wan,"), "data type mismatch"),
    (("    column_key as income_source,", "    column_key as income_kind,"), "missing in definition"),
])
def test_contract_violation_fails(tmp_path: Path, sample_warehouse: Path, edit, message):
    proc = run_mart(tmp_path, sample_warehouse, edit)
    assert proc.returncode != 0
    assert "contract" in proc.output.lower() or message in proc.output


def test_unchanged_mart_passes(tmp_path: Path, sample_warehouse: Path):
    proc = run_mart(tmp_path, sample_warehouse, ("    amount_wan,", "    amount_wan,"))
    assert proc.returncode == 0, proc.output[-2000:]


# --- raw.*: declared once in ingest/schema.py -----------------------------------------------------


def test_raw_schema_generated_dbt_files_are_current(capsys):
    """models/staging/_sources.yml and stg_reports__*.sql are generated from ingest/schema.py."""
    from ingest import schema

    assert schema.main(["--check"]) == 0, capsys.readouterr().out
    assert schema.record_fields_match() == []


def test_raw_tables_are_built_as_declared(sample_warehouse: Path):
    import duckdb

    from ingest import schema

    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for table in schema.TABLES:
            got = con.execute("select column_name, lower(data_type), is_nullable = 'YES', comment "
                              "from duckdb_columns() where schema_name = 'raw' and table_name = ? "
                              "order by column_index", [table.name]).fetchall()
            want = [(c.name, c.type, c.nullable, c.description) for c in table.columns]
            assert [(n, t.replace(" ", ""), nul, com) for n, t, nul, com in got] == want, table.name
