"""Documentation: column comments in DuckDB and an offline static docs site."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_static_docs_site_is_offline(sample_warehouse: Path, tmp_path: Path):
    assert main(["-q", "docs", "--warehouse", str(sample_warehouse), "--out", str(tmp_path)]) == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "fct_budget_execution" in html and "dim_function_subject" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)
