"""One document: bytes → ParsedReport. Pure apart from reading the layout seeds."""

from __future__ import annotations

from functools import lru_cache

from ingest import narrative
from ingest.flow import parse_flow_tables
from ingest.identity import read_identity, read_member_units
from ingest.layout import SEED_DIR, Layout, load_layout
from ingest.records import (
    LAYOUT_FLOW,
    LAYOUT_NARRATIVE,
    LAYOUT_TAB,
    ParsedReport,
    ParseError,
    TablePresence,
)
from ingest.tables import find_table_blocks, repair_econ_codes, repair_subject_codes
from ingest.tabular import parse_tab_tables
from ingest.text import compact, decode, split_lines

PARSER_VERSION = "1"
_resolver = lru_cache(maxsize=1)(lambda: narrative.SubjectResolver.from_seeds(SEED_DIR))
_NARRATIVE_MARKERS = ("决算情况说明", "年初预算")


def detect_layout(lines: list[str], layout: Layout) -> str:
    blocks = find_table_blocks(lines, layout)
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
    kind = detect_layout(lines, layout)
    report = ParsedReport(identity=identity, layout=kind, member_units=read_member_units(lines))
    blocks = find_table_blocks(lines, layout)
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


def parse_bytes(data: bytes) -> tuple[ParsedReport, str, int]:
    """→ (report, encoding, line count). Raises ParseError when the file is not a report."""
    text, encoding = decode(data)
    lines = split_lines(text)
    return parse_text(lines), encoding, len(lines)
