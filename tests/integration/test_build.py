"""End to end: the CLI builds the bundled samples into a warehouse analysts can query."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import main
from tests.conftest import SAMPLES


def test_acceptance_query_table_03(sample_warehouse: Path, capsys):
    q = ("select e.subject_code, e.expense_type, e.amount_wan from marts.fct_expenditure e "
         "join marts.dim_document d using (document_id) where d.fiscal_year = 2024 and e.fund_scope = 'all' "
         "and e.subject_code in ('2011350', '2011308') order by 1, 2")
    assert main(["sql", "--warehouse", str(sample_warehouse), "--format", "json", q]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["subject_code"], r["expense_type"]): r["amount_wan"] for r in rows} == {
        ("2011308", "project"): "5.50", ("2011308", "total"): "5.50",
        ("2011350", "basic"): "255.74", ("2011350", "total"): "255.74"}


def test_leaf_rows_sum_to_table_total(wh):
    got = wh.execute("""
        select expense_type, sum(amount_wan) from marts.fct_expenditure e
        join marts.dim_document d using (document_id)
        where d.fiscal_year = 2024 and fund_scope = 'all' and is_leaf group by 1""").fetchall()
    assert dict(got) == {"total": Decimal("365.17"), "basic": Decimal("359.67"), "project": Decimal("5.50")}


def test_repaired_codes_in_marts(wh):
    income = dict(wh.execute("""
        select subject_code, amount_wan from marts.fct_income i join marts.dim_document d using (document_id)
        where d.fiscal_year = 2024 and income_source = 'total'""").fetchall())
    assert income["2011308"] == Decimal("5.50")
    assert income["2101103"] == Decimal("21.18")
    econ = dict(wh.execute("""
        select econ_code, amount_wan from marts.fct_basic_expenditure_econ f
        join marts.dim_document d using (document_id) where d.fiscal_year = 2024""").fetchall())
    assert econ["30101"] == Decimal("67.74")
    assert econ["30113"] == Decimal("31.76")
    assert econ["31002"] == Decimal("1.53")
    personnel = wh.execute("""
        select sum(amount_wan) from marts.fct_basic_expenditure_econ f join marts.dim_document d using (document_id)
        where d.fiscal_year = 2024 and cost_group = 'personnel' and econ_level = 'class'""").fetchone()[0]
    assert personnel == Decimal("344.75")
    repairs = wh.execute("select count(*) from raw.code_repairs where code_printed = '210110'").fetchone()[0]
    assert repairs == 2


def test_documents_identity_from_content(wh):
    rows = wh.execute("""select fiscal_year, report_scope, layout from marts.dim_document
                         order by fiscal_year, report_scope""").fetchall()
    assert (2024, "department", "tab_separated") in rows
    assert (2023, "unit", "narrative_only") in rows
    assert (2022, "department", "narrative_only") in rows


def test_every_report_keeps_its_full_text(wh):
    """raw.document_lines holds every line of every report (text reports without a page), so
    text-quality rules can read any report, whatever its layout."""
    rows = wh.execute("""
        select d.layout, d.line_count, count(l.line_no), max(l.line_no), count(l.page_no)
        from raw.documents d left join raw.document_lines l using (document_id)
        group by d.document_id, d.layout, d.line_count""").fetchall()
    assert {r[0] for r in rows} == {"tab_separated", "pdftotext_flow", "narrative_only"}
    for layout, line_count, n, last, paged in rows:
        assert n == last == line_count and paged == 0, layout
    # every narrative fact's line is there
    facts = wh.execute("""
        select count(*), count(l.line_no) from raw.narrative_facts f left join raw.document_lines l
        on l.document_id = f.document_id and l.line_no = f.source_line""").fetchone()
    assert facts[0] > 100 and facts[0] == facts[1]


def test_schemas_are_named_exactly(wh):
    schemas = {r[0] for r in wh.execute("select schema_name from information_schema.schemata").fetchall()}
    assert {"raw", "marts", "audit"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The samples plus three bad files and a second copy of 001, built once."""
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    shutil.copytree(SAMPLES, corpus)
    (corpus / "shopping.txt").write_text("milk 2.50\neggs 3.10\n", encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    (corpus / "empty.txt").write_bytes(b"")
    shutil.copy(next(corpus.glob("001_*.txt")), corpus / "copy_of_001.txt")
    out = root / "w.duckdb"
    assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(out)]) == 0
    return corpus, out


def test_bad_files_recorded_and_build_continues(mixed: tuple[Path, Path]):
    corpus, out = mixed
    with duckdb.connect(str(out), read_only=True) as con:
        errors = {Path(f).name: r for f, r in con.execute(
            "select source_file, reason from raw.ingest_errors where fatal").fetchall()}
        assert "no report title" in errors["shopping.txt"]
        assert "not a readable PDF" in errors["scan.pdf"]
        assert "empty" in errors["empty.txt"]
        status = {Path(f).name: s for f, s in con.execute("select source_file, status from raw.source_files").fetchall()}
        assert {status["shopping.txt"], status["scan.pdf"], status["empty.txt"]} == {"error"}
        assert status["001_12d88111db7f2822.txt"] == "loaded"
        # nothing lost: every file is accounted for
        assert sorted(status) == sorted(p.name for p in corpus.iterdir())
        assert con.execute("select count(*) from marts.dim_document where fiscal_year = 2024").fetchone()[0] == 1


def test_same_report_twice_counts_once(mixed: tuple[Path, Path]):
    _, out = mixed
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_document where fiscal_year = 2024").fetchone()[0] == 1
        assert con.execute("select count(*) from raw.source_files where status = 'duplicate'").fetchone()[0] == 1
