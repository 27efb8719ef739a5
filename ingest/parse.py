"""One document: bytes → ParsedReport. Pure apart from reading the layout seeds."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ingest import narrative
from ingest.bounded import run_bounded
from ingest.flow import parse_flow_tables
from ingest.grid import parse_grid
from ingest.identity import read_identity, read_member_units, read_published_on
from ingest.layout import SEED_DIR, Layout, load_layout
from ingest.pdf import PdfText, locate_tables, member_units, pdf_error_reason, read_pdf
from ingest.records import (
    LAYOUT_FLOW,
    LAYOUT_NARRATIVE,
    LAYOUT_PDF,
    LAYOUT_TAB,
    ParsedReport,
    ParseError,
    TableCell,
    TablePresence,
)
from ingest.tables import TableBlock, find_table_blocks, repair_econ_codes, repair_subject_codes
from ingest.tabular import parse_tab_tables
from ingest.text import compact, decode_text, split_lines

# 2: document_id from the normalised text, published_on; 3: 整体绩效 facts; 4: PDF input, page provenance;
# 5: every report's lines in raw.document_lines (text reports too), so a copied document keeps them;
# 6: a PDF's member units from its 单位构成 table
PARSER_VERSION = "6"
# A report is ~50 KB of text; the largest department reports stay well under 2 MB. Parsing costs
# up to ~90 bytes of memory per character (narrative paragraphs), so bigger inputs are refused.
MAX_INPUT_BYTES = 16 * 1024 * 1024
_resolver = lru_cache(maxsize=1)(lambda: narrative.SubjectResolver.from_seeds(SEED_DIR))
_NARRATIVE_MARKERS = ("决算情况说明", "年初预算")
_PLACEHOLDER = re.compile(r"[XxＸｘ×]{2,}")


def detect_layout(lines: list[str], layout: Layout, blocks: list[TableBlock] | None = None) -> str:
    blocks = find_table_blocks(lines, layout) if blocks is None else blocks
    if blocks:
        body = [lines[i] for b in blocks for i in range(b.start, b.end)]
        tabbed = sum(1 for x in body if "\t" in x)
        return LAYOUT_TAB if tabbed >= max(3, len(body) // 10) else LAYOUT_FLOW
    text = "".join(compact(x) for x in lines)
    if all(m in text for m in _NARRATIVE_MARKERS):
        return LAYOUT_NARRATIVE
    raise ParseError(None, "layout not recognised: no table titles ('<年>年度收入决算表' …) and no "
                     "narrative (决算情况说明 with 年初预算)", stage="layout")


def parse_text(lines: list[str], layout: Layout | None = None) -> ParsedReport:
    layout = layout or load_layout()
    identity = read_identity(lines)
    blocks = find_table_blocks(lines, layout)
    kind = detect_layout(lines, layout, blocks)
    report = ParsedReport(identity=identity, layout=kind, member_units=read_member_units(lines))
    if kind == LAYOUT_TAB:
        cells, presence, problems = parse_tab_tables(lines, blocks, layout)
    elif kind == LAYOUT_FLOW:
        cells, presence, problems, report.ambiguities = parse_flow_tables(lines, blocks, layout)
    else:
        cells, presence, problems = [], [], []
    absent = "tables were images: only headings survive" if kind == LAYOUT_NARRATIVE else "title not found"
    return finish_report(report, lines, cells, presence, problems, layout, absent)


def finish_report(report: ParsedReport, lines: list[str], cells: list[TableCell], presence: list[TablePresence],
                  problems: list[ParseError], layout: Layout, absent_note: str) -> ParsedReport:
    """What every layout shares once its tables are read: absent tables, code repairs, narrative."""
    found = {p.table_key for p in presence}
    for key, spec in layout.tables.items():
        if key not in found:
            presence.append(TablePresence(key, None, spec.title_zh, "absent", None, absent_note))
    cells, subject_repairs, p1 = repair_subject_codes(cells, layout)
    cells, econ_repairs, p2 = repair_econ_codes(cells, layout)
    report.cells, report.presence = cells, presence
    report.repairs = subject_repairs + econ_repairs
    report.problems = problems + p1 + p2
    # 项 names in the narrative resolve against the report's own tables first: a city's valid
    # national codes are often missing from the partial code list
    own = narrative.own_subjects_from_rows((c.code, c.name) for c in cells if c.row_kind == "subject" and c.code)
    facts, p3 = narrative.extract_facts(lines, _resolver(), own or None)
    report.facts = facts
    report.problems += p3
    return report


def parse_pdf_text(doc: PdfText, layout: Layout | None = None) -> ParsedReport:
    """A PDF's pages → ParsedReport: the same records as the text layouts, with page provenance."""
    layout = layout or load_layout()
    lines = doc.lines
    located = locate_tables(doc, layout)
    # the 单位构成 table names the units; a text list (编制范围包括：1.… 2.…) where there is none
    members = member_units(located.others) or read_member_units(lines)
    report = ParsedReport(identity=read_identity(lines), layout=LAYOUT_PDF, member_units=members)
    cells: list[TableCell] = []
    presence: list[TablePresence] = []
    problems: list[ParseError] = []
    for t in located.tables:
        if any(p.table_key == t.table_key for p in presence):
            problems.append(ParseError(t.title_line, f"{t.title} (page {t.page}): a second table with this title; "
                                       "the first one is read", stage="parse"))
            continue
        pages = f"page {t.page}" if t.page == t.last_page else f"pages {t.page}–{t.last_page}"
        try:
            got = parse_grid(t.table_key, t.table_no or "", t.title, t.grid, layout)
        except ParseError as exc:
            problems.append(exc)
            presence.append(TablePresence(t.table_key, t.table_no, t.title, "failed", t.title_line, exc.reason,
                                          page_no=t.page))
            continue
        cells.extend(got)
        presence.append(TablePresence(t.table_key, t.table_no, t.title, "parsed" if got else "empty", t.title_line,
                                      pages, page_no=t.page))
    for key, page in located.image_titles.items():
        if not any(p.table_key == key for p in presence):
            presence.append(TablePresence(key, None, layout.tables[key].title_zh, "absent", None,
                                          f"printed as an image on page {page}: not read (no OCR)", page_no=page))
    note = "title not found"
    if located.image_pages:
        note += f"; pages without a text layer (images, not read, no OCR): {_page_list(located.image_pages)}"
    return finish_report(report, lines, cells, presence, problems, layout, note)


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (f" … ({len(pages)} pages)" if len(pages) > 20 else "")


def _check_not_template(report: ParsedReport) -> None:
    """The blank national template names its unit 'XX局': a form, not a report of any unit."""
    if _PLACEHOLDER.search(report.identity.unit_name):
        raise ParseError(report.identity.title_line or None,
                         f"blank template: the unit name {report.identity.unit_name!r} is a placeholder and "
                         f"{len(report.cells)} amounts are printed; not loaded as a report", stage="identity")


@dataclass
class ParsedDocument:
    """One input file's parse: the report plus what the loader writes beside it in raw.documents."""

    report: ParsedReport
    encoding: str
    line_count: int
    text_sha256: str  # of the normalised lines as parsed: the same report in GB18030, with BOM or CRLF hashes alike
    published_on: date | None  # date printed under the title, if any
    published_line: int | None
    line_pages: list[int] | None = None  # PDF: the page of each line
    lines: list[str] | None = None  # the text as parsed (PDF: its page text), kept in raw.document_lines


# A number at the very end of a file without a final line break may have been cut by a truncated
# download (255.74 → 255.7). A phone number or date ("027-83366995") is no amount: left alone.
_TRAILING_NUMBER = re.compile(r"[\d.,]+$")
_NOT_AN_AMOUNT_BEFORE = re.compile(r"\d[-/:]$")


def _drop_cut_number(text: str, lines: list[str]) -> list[ParseError]:
    if not lines or text.endswith(("\n", "\r")):
        return []
    m = _TRAILING_NUMBER.search(lines[-1])
    if not m or not any(ch.isdigit() for ch in m.group()) or _NOT_AN_AMOUNT_BEFORE.search(lines[-1][: m.start()]):
        return []
    lines[-1] = lines[-1][: m.start()].rstrip(" \t")
    return [ParseError(len(lines), f"file ends without a line break inside the number {m.group()!r}: it may be "
                       "cut short (truncated download?), so it is not read", stage="decode")]


def parse_pdf(data: bytes) -> ParsedDocument:
    """PDF bytes → ParsedDocument (in the calling process; see :func:`parse_document` for the bound)."""
    try:
        doc = read_pdf(data)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken files; each is named
        raise ParseError(None, pdf_error_reason(exc), stage="pdf") from None
    if not doc.pages:
        raise ParseError(None, "PDF has no pages", stage="pdf")
    if not any(p.has_text for p in doc.pages):
        raise ParseError(None, f"PDF without a text layer on any of its {len(doc.pages)} pages (scanned images): "
                         "not read, no OCR", stage="pdf")
    report = parse_pdf_text(doc)
    _check_not_template(report)
    lines = doc.lines
    published_on, published_line, problem = read_published_on(lines, report.identity)
    if problem:
        report.problems.append(problem)
    text_sha = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()
    return ParsedDocument(report, "pdf", len(lines), text_sha, published_on, published_line, doc.line_pages, lines)


def parse_document(data: bytes) -> ParsedDocument:
    """Bytes → ParsedDocument. Raises ParseError (and nothing else, for any input) when the file
    is not a report; problems with parts of a report are in ``report.problems``."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        # a pathological PDF can hang pdfminer or eat memory: parsed in a forked child under
        # JUESUAN_PDF_TIMEOUT seconds and JUESUAN_PDF_MEMORY_MB (ingest/bounded.py)
        return run_bounded(parse_pdf, data)
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(None, f"file too large ({len(data)} bytes, limit {MAX_INPUT_BYTES}): not one report",
                         stage="read")
    decoded = decode_text(data)
    lines = split_lines(decoded.text)
    notes = [ParseError(None, n, stage="decode") for n in decoded.notes]
    notes += _drop_cut_number(decoded.text, lines)
    report = parse_text(lines)
    _check_not_template(report)
    published_on, published_line, problem = read_published_on(lines, report.identity)
    report.problems = notes + report.problems + ([problem] if problem else [])
    text_sha = hashlib.sha256("\n".join(lines).rstrip("\n").encode("utf-8", "surrogatepass")).hexdigest()
    return ParsedDocument(report, decoded.encoding, len(lines), text_sha, published_on, published_line, lines=lines)


def parse_bytes(data: bytes) -> tuple[ParsedReport, str, int]:
    """→ (report, encoding, line count). Raises ParseError when the file is not a report."""
    doc = parse_document(data)
    return doc.report, doc.encoding, doc.line_count
