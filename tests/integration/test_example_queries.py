"""The documented example queries (docs/queries/*.sql) run and give the reports' own figures."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries"


def run(wh, name: str) -> list[dict]:
    cur = wh.execute((QUERIES / name).read_text(encoding="utf-8"))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


@pytest.mark.parametrize("name", sorted(p.name for p in QUERIES.glob("*.sql")))
def test_every_example_query_runs(wh, name):
    assert run(wh, name)


def test_spending_by_class_equals_report_class_rows(wh):
    rows = {(r["fiscal_year"], r["class_code"]): r["total_wan"] for r in run(wh, "01_spending_by_class.sql")}
    # 001 (2024) table 03 类 rows
    assert rows[(2024, "201")] == Decimal("261.24")
    assert rows[(2024, "208")] == Decimal("30.00")
    assert rows[(2024, "210")] == Decimal("36.45")
    assert rows[(2024, "221")] == Decimal("37.48")
    # and for every document, fund scope and expense type, leaf rows rolled up by 类 equal the 类 row
    checked, mismatched = wh.execute("""
        with leaf as (
            select e.document_id, e.fund_scope, e.expense_type, s.class_code, sum(e.amount_wan) as leaf_sum
            from marts.fct_expenditure e join marts.dim_function_subject s using (subject_code)
            where e.is_leaf group by all)
        select count(*), count(*) filter (where abs(c.amount_wan - l.leaf_sum) > 0.01)
        from leaf l join marts.fct_expenditure c
          on c.document_id = l.document_id and c.subject_code = l.class_code
         and c.expense_type = l.expense_type and c.fund_scope = l.fund_scope""").fetchone()
    assert checked >= 16 and mismatched == 0


def test_personnel_vs_public(wh):
    rows = {r["fiscal_year"]: r for r in run(wh, "03_personnel_vs_public.sql")}
    assert rows[2024]["personnel_wan"] == Decimal("344.75")
    assert rows[2024]["public_wan"] == Decimal("14.94")  # 13.41 + 1.53; the table prints 14.93


@pytest.fixture(scope="module")
def republished(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples with a superseded version of every report: each fact row twice, once for a
    non-current document. A query that forgets `is_current` counts it twice."""
    path = tmp_path_factory.mktemp("republished") / "w.duckdb"
    shutil.copyfile(sample_warehouse, path)
    with duckdb.connect(str(path)) as con:
        tables = [t for (t,) in con.execute("""
            select table_name from information_schema.columns
            where table_schema = 'marts' and column_name = 'document_id' and table_name != 'dim_document'""").fetchall()]
        con.execute("""insert into marts.dim_document select * replace (
                           document_id || '_superseded' as document_id, false as is_current)
                       from marts.dim_document""")
        for table in tables:  # names from information_schema, not input
            con.execute(f"""insert into marts.{table} select * replace (document_id || '_superseded' as document_id)
                            from marts.{table} where not ends_with(document_id, '_superseded')""")
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in QUERIES.glob("*.sql")))
def test_every_example_counts_each_report_once(sample_warehouse: Path, republished: Path, name: str):
    """Every example filters current versions: a republished report does not change its result."""
    sql = (QUERIES / name).read_text(encoding="utf-8")
    assert "is_current" in sql
    with duckdb.connect(str(sample_warehouse), read_only=True) as a, duckdb.connect(str(republished),
                                                                                     read_only=True) as b:
        assert b.execute("select count(*) filter (where not is_current) from marts.dim_document").fetchone()[0] == 4
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall()


def test_rates_that_disagree_are_the_audit_findings(wh):
    """04 lists every stated rate the audit flags: the general budget, subjects, 三公 items, projects
    and the 整体绩效自评 (000's 项目执行率 96.24 % for 166 ÷ 172.28 = 96.35 %)."""
    rows = run(wh, "04_rates_that_disagree.sql")
    flagged = set(wh.execute("""
        select d.fiscal_year, f.source_line from audit.findings f join marts.dim_document d using (document_id)
        where d.is_current and f.category = 'completion_rate'""").fetchall())
    assert {(r["fiscal_year"], r["source_line"]) for r in rows} == flagged
    by_source = {r["source"] for r in rows}
    assert by_source == {"预算执行", "三公经费", "项目绩效", "整体绩效"}
    overall = next(r for r in rows if r["source"] == "整体绩效")
    assert (overall["stated_rate_pct"], overall["recomputed_rate_pct"]) == (Decimal("96.24"), Decimal("96.35"))
    first = rows[0]
    assert (first["fiscal_year"], first["stated_rate_pct"], first["recomputed_rate_pct"]) == (
        2022, Decimal("97.20"), Decimal("102.91"))
