"""Synthetic PDFs (juesuan synth --format pdf) read back by the PDF loader, cell for cell.

Every variant DESIGN §1 names for PDF input is forced on a few reports of its own, so any clone
tests the PDF path without the sample PDFs: codes split over 类/款/项, thousands separators,
blank vs 0.00, 合计 on top or at the bottom, 24 or 26 summary lines, numbers off-centre, tables
continued on the next page without title, and a table printed as an image (recorded as missing).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.parse import parse_document
from ingest.records import LAYOUT_NARRATIVE
from juesuan.synth import iter_docs
from tests.helpers import expected_cells

TABLES = ("income", "expenditure", "gpb_expenditure", "gpb_basic_econ", "three_public")
# Each variant forces its own fields; the rest are pinned so that a zero only comes back where asked.
BASE: dict[str, object] = dict(zeros="blank", image_tables=frozenset())
VARIANTS: dict[str, dict[str, object]] = {name: {**BASE, **fields} for name, fields in {
    "split_codes": dict(split_codes=True),
    "thousands": dict(thousands=True),
    "zeros_printed": dict(zeros="zero"),
    "total_bottom": dict(total_row="bottom", summary_lines=26),
    "total_top_right_aligned": dict(total_row="top", num_align="right", num_padding=11.0),
    "continued": dict(continued=frozenset({"income", "expenditure", "gpb_expenditure"})),
    "image_table": dict(image_tables=frozenset({"gpb_basic_econ"}), thousands=True, split_codes=True),
}.items()}


def _docs(variant: str, n: int = 3):
    docs = [d for d in iter_docs(n, seed=23, pdf_options=VARIANTS[variant], fmt="pdf")
            if d.layout != LAYOUT_NARRATIVE]
    assert docs, "the seed gave only narrative-only reports"
    return docs


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_synthetic_pdfs_round_trip_cell_for_cell(variant: str) -> None:
    for doc in _docs(variant):
        parsed = parse_document(doc.data)
        report = parsed.report
        assert report.layout == "pdf_ruled", doc.file
        ident = report.identity
        assert (ident.unit_name, ident.fiscal_year, ident.report_scope) == (
            doc.unit_name, doc.fiscal_year, doc.report_scope), doc.file
        assert [p.reason for p in report.problems if p.stage != "narrative"] == [], doc.file
        imaged = frozenset(VARIANTS[variant]["image_tables"])  # type: ignore[arg-type]
        expected = {k: v for k, v in expected_cells(doc).items() if k[0] not in imaged}
        got = {(c.table_key, None if c.row_kind == "total" else c.code, c.column_key): c.amount_wan
               for c in report.cells if c.table_key in TABLES}
        if VARIANTS[variant]["zeros"] == "zero":
            zeros = {k for k, v in got.items() if v == 0 and k not in expected}
            assert zeros, f"{doc.file}: no printed 0.00 came back"
            got = {k: v for k, v in got.items() if k not in zeros}
        assert got == expected, doc.file
        assert all(c.page_no and c.row_no and c.col_no and c.cell_box for c in report.cells)
        status = {p.table_key: p.status for p in report.presence}
        for key in imaged:
            assert status[key] == "absent", doc.file
        if variant == "continued":
            spans = {p.table_key: p.note for p in report.presence}
            assert all(spans[k].startswith("pages ") for k in ("income", "expenditure", "gpb_expenditure")), spans


def test_split_codes_come_back_as_seven_digit_codes() -> None:
    doc = _docs("split_codes")[0]
    codes = {c.code for c in parse_document(doc.data).report.cells if c.table_key == "expenditure"}
    assert any(code and len(code) == 7 for code in codes)
    assert any(code and len(code) == 5 for code in codes)


def test_image_page_is_recorded_as_missing_not_read() -> None:
    doc = _docs("image_table")[0]
    report = parse_document(doc.data).report
    absent = next(p for p in report.presence if p.table_key == "gpb_basic_econ")
    assert absent.status == "absent"
    assert "without a text layer" in absent.note and "no OCR" in absent.note
    assert not [c for c in report.cells if c.table_key == "gpb_basic_econ"]


def test_thousands_separators_are_read_as_amounts() -> None:
    doc = _docs("thousands")[0]
    big = [c for c in parse_document(doc.data).report.cells if c.amount_wan >= Decimal(1000)]
    assert big and "," in big[0].raw_text
