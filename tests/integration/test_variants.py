"""Reports we wrote ourselves, in each layout, with other units, subjects and shapes: the parsers
are not fitted to the four samples."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.parse import parse_bytes
from juesuan.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TAB = FIXTURES / "tab" / "2022_jiangan_market.txt"
NARRATIVE = FIXTURES / "narrative" / "2021_qingshan_unit.txt"
FLOW = FIXTURES / "flow" / "2021_public_numbering.txt"


def cells(report, table, code, column):
    hits = [c.amount_wan for c in report.cells if c.table_key == table and c.code == code and c.column_key == column]
    assert len(hits) == 1, (table, code, column, hits)
    return hits[0]


def test_tab_variant_other_subjects_order_and_table_order():
    report, _, _ = parse_bytes(TAB.read_bytes())
    assert (report.identity.unit_name, report.identity.fiscal_year) == ("武汉市江岸区市场监督管理局", 2022)
    assert report.problems == []
    # 三公 printed before 04: tables are found by title, not position
    assert [p.table_key for p in report.presence][:4] == ["summary", "income", "expenditure", "three_public"]
    assert cells(report, "expenditure", "2013816", "project") == Decimal("130")
    assert cells(report, "expenditure", "2080505", "basic") == Decimal("50.5")
    assert cells(report, "income", "2013816", "business") == Decimal("20.5")  # repaired from 201381
    assert any(r.code_printed == "201381" and r.code == "2013816" for r in report.repairs)
    assert cells(report, "summary", "business", "amount") == Decimal("20.5")
    assert cells(report, "fiscal_summary", "carryover_end:gpb_grant", "general_public_budget") == Decimal("20")
    assert cells(report, "three_public", None, "final:reception") == Decimal("1.7")
    assert cells(report, "gpb_basic_econ", "30302", "amount") == Decimal("10")
    assert cells(report, "gpb_basic_econ", "personnel", "amount") == Decimal("310")


def test_narrative_variant_lands_with_identity_and_absent_tables():
    report, _, _ = parse_bytes(NARRATIVE.read_bytes())
    ident = report.identity
    assert (ident.unit_name, ident.fiscal_year, ident.report_scope, ident.district) == (
        "武汉市青山区科技创新服务中心", 2021, "unit", "青山区")
    assert report.layout == "narrative_only"
    assert report.cells == []
    assert {p.status for p in report.presence} == {"absent"} and len(report.presence) == 9
    facts = {(f.metric, f.subject_code): f.value for f in report.facts}
    assert facts[("budget", "2060199")] == Decimal("600")
    assert facts[("final", "2060199")] == Decimal("640.2")
    assert facts[("stated_rate", None)] == Decimal("101.6")
    assert facts[("basic_personnel", None)] == Decimal("650.5")


@pytest.fixture(scope="module")
def variant_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("variants")
    for f in (TAB, NARRATIVE, FLOW):
        shutil.copy(f, corpus / f.name)
    out = corpus.parent / "variants.duckdb"
    assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(out)]) == 0
    return out


def test_variants_build_and_audit_clean(variant_warehouse: Path):
    with duckdb.connect(str(variant_warehouse), read_only=True) as con:
        docs = con.execute("select fiscal_year, layout from marts.dim_document order by 1, 2").fetchall()
        assert docs == [(2021, "narrative_only"), (2021, "pdftotext_flow"), (2022, "tab_separated")]
        errors = con.execute("""select rule_id, message from audit.findings f join marts.dim_document d
                                using (document_id) where severity = 'error' and d.layout = 'tab_separated'""").fetchall()
        assert errors == []
        rate = con.execute("""select stated_rate_pct, recomputed_rate_pct, rate_status from marts.fct_budget_execution b
                              join marts.dim_document d using (document_id)
                              where d.fiscal_year = 2022 and b.subject_code = '2013816'""").fetchone()
        assert rate == (Decimal("108.30"), Decimal("108.33"), "consistent")
        leaf = con.execute("""select sum(amount_wan) from marts.fct_expenditure e join marts.dim_document d
                              using (document_id) where d.fiscal_year = 2022 and fund_scope = 'all'
                              and expense_type = 'total' and is_leaf""").fetchone()[0]
        assert leaf == Decimal("510.50")
