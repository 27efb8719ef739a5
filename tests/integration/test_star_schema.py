"""The star never double-counts: leaf rows sum to each report's own 合计, roll-ups give its 类 rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

# (mart, amount filter, raw table_key, raw column) pairs whose leaf sums must equal the printed 合计
LEAF_TOTALS = [
    ("fct_expenditure", "fund_scope = 'all' and expense_type = '{col}'", "expenditure", ("total", "basic", "project")),
    ("fct_expenditure", "fund_scope = 'general_public_budget' and expense_type = '{col}'", "gpb_expenditure",
     ("total", "basic", "project")),
    ("fct_income", "income_source = '{col}'", "income", ("total", "fiscal_grant")),
]


@pytest.mark.parametrize(("mart", "where", "table_key", "columns"), LEAF_TOTALS)
def test_leaf_rows_sum_to_printed_total(wh, mart, where, table_key, columns):
    compared = 0
    for col in columns:
        rows = wh.execute(f"""
            with leaf as (
                select document_id, sum(amount_wan) as s from marts.{mart}
                where is_leaf and {where.format(col=col)} group by 1),
            printed as (
                select document_id, amount_wan as t from raw.table_cells
                where table_key = ? and row_kind = 'total' and column_key = ?)
            select p.document_id, p.t, coalesce(l.s, 0) from printed p left join leaf l using (document_id)
        """, [table_key, col]).fetchall()
        for doc, printed, leaf_sum in rows:
            assert printed == leaf_sum, (mart, col, doc, printed, leaf_sum)
            compared += 1
    assert compared >= 2 * len(columns)  # 001 (tab) and 002 (flow) both have these tables


def test_econ_leaf_rows_match_table_06_totals(wh):
    """Leaf 经济分类 rows add up to 人员经费合计 / 公用经费合计 within the report's rounding."""
    rows = wh.execute("""
        with leaf as (
            select document_id, cost_group, sum(amount_wan) as s, count(*) as n
            from marts.fct_basic_expenditure_econ where is_leaf group by all),
        printed as (
            select document_id, code as cost_group, amount_wan as t from raw.table_cells
            where table_key = 'gpb_basic_econ' and row_kind = 'econ_total')
        select p.document_id, p.cost_group, p.t, l.s, l.n from printed p join leaf l using (document_id, cost_group)
    """).fetchall()
    assert len(rows) >= 4
    for doc, group, printed, leaf_sum, n in rows:
        assert abs(printed - leaf_sum) <= max(Decimal("0.01"), Decimal("0.005") * (n + 1)), (doc, group)
    got = {(d[:4], g): t for d, g, t, _, _ in rows}
    assert got[("2020", "personnel")] == Decimal("108.48")
    assert got[("2020", "public")] == Decimal("13.26")


def test_class_rollup_of_income_equals_class_rows(wh):
    mismatched = wh.execute("""
        with leaf as (
            select i.document_id, i.income_source, s.class_code, sum(i.amount_wan) as s
            from marts.fct_income i join marts.dim_function_subject s using (subject_code)
            where i.is_leaf group by all)
        select count(*) filter (where abs(c.amount_wan - l.s) > 0.01), count(*)
        from leaf l join marts.fct_income c
          on c.document_id = l.document_id and c.subject_code = l.class_code and c.income_source = l.income_source
    """).fetchone()
    assert mismatched[0] == 0 and mismatched[1] >= 8


def test_every_fact_subject_has_a_hierarchy(wh):
    orphans = wh.execute("""
        select count(*) from marts.fct_expenditure e join marts.dim_function_subject s using (subject_code)
        where s.class_name is null or (s.subject_level = 'item' and s.section_name is null)""").fetchone()[0]
    assert orphans == 0


def test_dim_unit_lists_department_members(wh):
    row = wh.execute("""select member_unit_count, has_department_report, has_unit_report from marts.dim_unit
                        where unit_name = '武汉市洪山区企业服务中心'""").fetchone()
    assert row == (2, True, True)
