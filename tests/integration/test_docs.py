"""Documentation: column comments in DuckDB and an offline static docs site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from juesuan.cli import main


def test_public_columns_documented_in_duckdb(wh):
    """persist_docs writes every mart column's description (with its Chinese term) as a comment."""
    rows = wh.execute("""select table_name, column_name, comment from duckdb_columns()
                         where schema_name = 'marts'""").fetchall()
    assert rows
    missing = [(t, c) for t, c, comment in rows if not comment]
    assert missing == []
    comments = {(t, c): comment for t, c, comment in rows}
    assert "万元" in comments[("fct_expenditure", "amount_wan")]
    assert re.search(r"[\u4e00-\u9fff]", comments[("dim_document", "report_scope")])


@pytest.fixture(scope="module")
def site(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`juesuan docs` of the sample warehouse, generated once (dbt docs generate: ~3 s)."""
    out = tmp_path_factory.mktemp("docs")
    assert main(["-q", "docs", "--warehouse", str(sample_warehouse), "--out", str(out)]) == 0
    return (out / "index.html").read_text(encoding="utf-8")


def test_static_docs_site_is_offline(site: str):
    html = site
    assert "fct_budget_execution" in html and "dim_function_subject" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)


def test_docs_site_opens_on_the_overview_and_names_relations_as_queried(sample_warehouse: Path, site: str):
    assert sample_warehouse.name == "juesuan.duckdb"
    html = site
    # the project's overview replaces dbt's generic "Welcome!" page
    assert '"doc.juesuan.__overview__"' in html and '"original_file_path": "models/overview.md"' in html
    assert "is_current" in html and "juesuan shell" in html
    # relations carry the published file's name, not the temporary copy's
    assert '\\"juesuan\\".\\"marts\\".\\"fct_expenditure\\"' in html
    assert '\\"docs\\".' not in html


def test_docs_help_describes_the_site(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["docs", "--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "offline" in text and "overview" in text and "is_current" in text and "juesuan build" in text
