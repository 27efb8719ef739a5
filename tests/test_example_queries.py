"""The documented example queries (docs/queries/*.sql) run and give the reports' own figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


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
