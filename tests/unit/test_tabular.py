"""The tab-separated layout (sample 001): tables, columns and repaired codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.layout import load_layout
from ingest.records import ParseError
from ingest.tables import find_table_blocks, repair_econ_codes, repair_subject_codes
from ingest.tabular import parse_tab_tables
from tests.conftest import sample_lines


@pytest.fixture(scope="module")
def parsed():
    layout = load_layout()
    lines = sample_lines("001")
    cells, presence, problems = parse_tab_tables(lines, find_table_blocks(lines, layout), layout)
    cells, subject_repairs, p1 = repair_subject_codes(cells, layout)
    cells, econ_repairs, p2 = repair_econ_codes(cells, layout)
    return cells, presence, problems + p1 + p2, subject_repairs + econ_repairs


def amount(cells, table, code, column):
    hits = [c.amount_wan for c in cells if c.table_key == table and c.code == code and c.column_key == column]
    assert len(hits) == 1, (table, code, column, hits)
    return hits[0]


def test_all_nine_tables_found_in_order(parsed):
    _, presence, problems, _ = parsed
    assert problems == []
    assert [p.table_key for p in presence] == [
        "summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
        "gov_fund", "soe_capital", "three_public"]
    assert [p.table_no for p in presence] == [f"0{k}" for k in range(1, 10)]
    assert {p.table_key: p.status for p in presence}["gov_fund"] == "empty"


def test_table_03_columns(parsed):
    cells = parsed[0]
    assert amount(cells, "expenditure", "2011350", "basic") == Decimal("255.74")
    assert amount(cells, "expenditure", "2011308", "project") == Decimal("5.5")
    totals = {c.column_key: c.amount_wan for c in cells if c.table_key == "expenditure" and c.row_kind == "total"}
    assert totals == {"total": Decimal("365.17"), "basic": Decimal("359.67"), "project": Decimal("5.5")}


def test_table_02_truncated_codes_repaired(parsed):
    cells, _, _, repairs = parsed
    assert amount(cells, "income", "2011308", "total") == Decimal("5.5")
    assert amount(cells, "income", "2101103", "total") == Decimal("21.18")
    assert amount(cells, "income", "2101102", "fiscal_grant") == Decimal("13.20")
    printed = {(r.code_printed, r.code) for r in repairs if r.table_key == "income"}
    assert ("201130", "2011308") in printed
    assert {("210110", "2101102"), ("210110", "2101103")} <= printed
    assert {("221020", "2210201"), ("221020", "2210202")} <= printed


def test_table_06_economic_codes_repaired(parsed):
    cells, _, _, repairs = parsed
    assert amount(cells, "gpb_basic_econ", "30101", "amount") == Decimal("67.74")
    assert amount(cells, "gpb_basic_econ", "30113", "amount") == Decimal("31.76")
    assert amount(cells, "gpb_basic_econ", "31002", "amount") == Decimal("1.53")
    assert amount(cells, "gpb_basic_econ", "personnel", "amount") == Decimal("344.75")
    assert amount(cells, "gpb_basic_econ", "public", "amount") == Decimal("14.93")
    cut_name = [r for r in repairs if r.code_printed == "3010" and r.code == "30108"]
    assert cut_name and "cut short" in cut_name[0].method  # 机关事业单位基本养老保险缴 (name cut too)


def test_summary_lines_keyed_by_label(parsed):
    cells = parsed[0]
    lines = {(c.table_key, c.side, c.code, c.column_key): c for c in cells if c.row_kind == "line"}
    assert lines[("summary", "income", "total_income", "amount")].amount_wan == Decimal("365.17")
    assert lines[("summary", "expenditure", "class:221", "amount")].amount_wan == Decimal("37.48")
    assert lines[("summary", "expenditure", "class:221", "amount")].line_no == 49
    assert lines[("fiscal_summary", "expenditure", "total_expenditure", "general_public_budget")].amount_wan \
        == Decimal("365.17")


def test_every_cell_keeps_its_source_line(parsed):
    lines = sample_lines("001")
    for c in parsed[0]:
        assert lines[c.source_line - 1] == c.raw_text
        assert str(c.amount_wan) in c.raw_text.replace("\t", " ") or f"{c.amount_wan:.2f}" in c.raw_text


def test_drifted_layout_is_a_clear_error():
    layout = load_layout()
    lines = sample_lines("001")
    k = next(i for i, x in enumerate(lines) if x.startswith("2011350\t"))
    lines[k] = lines[k].replace("255.74", "255,7x", 1)
    _, presence, problems = parse_tab_tables(lines, find_table_blocks(lines, layout), layout)
    assert any(isinstance(p, ParseError) and p.line == k + 1 and "255,7x" in p.reason for p in problems)
    assert {p.table_key: p.status for p in presence}["expenditure"] == "failed"


def test_unprovable_truncated_code_is_not_guessed():
    layout = load_layout()
    lines = sample_lines("001")
    # Rename the complete 03/05 rows so nothing in the report proves 210119's full code.
    lines = [x.replace("其他行政事业单位医疗支出", "某未知支出") if x.startswith("210119\t") else x for x in lines]
    cells, _, _ = parse_tab_tables(lines, find_table_blocks(lines, layout), layout)
    cells, repairs, problems = repair_subject_codes(cells, layout)
    assert not any(r.code_printed == "210119" for r in repairs)
    assert any("210119" in p.reason for p in problems)
    assert all(c.code is None for c in cells if c.code_printed == "210119")
