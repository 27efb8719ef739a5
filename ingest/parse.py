"""One document: bytes → ParsedReport. Pure apart from reading the layout seeds."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ingest import narrative
from ingest.flow import parse_flow_tables
from ingest.identity import read_identity, read_member_units, read_published_on
from ingest.layout import SEED_DIR, Layout, load_layout
from ingest.records import (
    LAYOUT_FLOW,
    LAYOUT_NARRATIVE,
    LAYOUT_TAB,
    ParsedReport,
    ParseError,
    TablePresence,
)
from ingest.tables import TableBlock, find_table_blocks, repair_econ_codes, repair_subject_codes
from ingest.tabular import parse_tab_tables
from ingest.text import compact, decode_text, split_lines

PARSER_VERSION = "3"  # 2: document_id from the normalised text, published_on; 3: 整体绩效 facts
# A report is ~50 KB of text; the largest department reports stay well under 2 MB. Parsing costs
# up to ~90 bytes of memory per character (narrative paragraphs), so bigger inputs are refused.
MAX_INPUT_BYTES = 16 * 1024 * 1024
_resolver = lru_cache(maxsize=1)(lambda: narrative.SubjectResolver.from_seeds(SEED_DIR))
_NARRATIVE_MARKERS = ("决算情况说明", "年初预算")


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
    found = {p.table_key for p in presence}
    for key, spec in layout.tables.items():
        if key not in found:
            note = "tables were images: only headings survive" if kind == LAYOUT_NARRATIVE else "title not found"
            presence.append(TablePresence(key, None, spec.title_zh, "absent", None, note))
    cells, subject_repairs, p1 = repair_subject_codes(cells, layout)
    cells, econ_repairs, p2 = repair_econ_codes(cells, layout)
    report.cells, report.presence = cells, presence
    report.repairs = subject_repairs + econ_repairs
    report.problems = problems + p1 + p2
    facts, p3 = narrative.extract_facts(lines, _resolver())
    report.facts = facts
    report.problems += p3
    return report


@dataclass
class ParsedDocument:
    """One input file's parse: the report plus what the loader writes beside it in raw.documents."""

    report: ParsedReport
    encoding: str
    line_count: int
    text_sha256: str  # of the normalised lines as parsed: the same report in GB18030, with BOM or CRLF hashes alike
    published_on: date | None  # date printed under the title, if any
    published_line: int | None


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


def parse_document(data: bytes) -> ParsedDocument:
    """Bytes → ParsedDocument. Raises ParseError (and nothing else, for any input) when the file
    is not a report; problems with parts of a report are in ``report.problems``."""
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(None, f"file too large ({len(data)} bytes, limit {MAX_INPUT_BYTES}): not one report",
                         stage="read")
    decoded = decode_text(data)
    lines = split_lines(decoded.text)
    notes = [ParseError(None, n, stage="decode") for n in decoded.notes]
    notes += _drop_cut_number(decoded.text, lines)
    report = parse_text(lines)
    published_on, published_line, problem = read_published_on(lines, report.identity)
    report.problems = notes + report.problems + ([problem] if problem else [])
    text_sha = hashlib.sha256("\n".join(lines).rstrip("\n").encode("utf-8", "surrogatepass")).hexdigest()
    return ParsedDocument(report, decoded.encoding, len(lines), text_sha, published_on, published_line)


def parse_bytes(data: bytes) -> tuple[ParsedReport, str, int]:
    """→ (report, encoding, line count). Raises ParseError when the file is not a report."""
    doc = parse_document(data)
    return doc.report, doc.encoding, doc.line_count
