"""Evidence for a finding: the table rows and sentences it compares, with the figures highlighted."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup, escape

from juesuan.report.model import (
    NUMBER,
    RATE_STATUS_ZH,
    VALUE_CATEGORIES,
    WORDING,
    Catalog,
    Cell,
    Document,
    Excerpt,
    ExcerptRow,
    Finding,
    _columns,
    _dec,
    fmt_num,
)

# --------------------------------------------------------------------------- evidence


def _split_row(raw_text: str) -> list[str]:
    if "\t" in raw_text:
        return [c.strip() for c in raw_text.split("\t")]
    return raw_text.split()


def _mark_class(value: Decimal | None, targets: dict[str, Decimal]) -> str:
    if value is None:
        return ""
    return " ".join(f"hl {cls}" for cls, t in targets.items() if value == t)


def _targets(f: Finding) -> dict[str, Decimal]:
    if f.category not in VALUE_CATEGORIES:
        return {}
    out = {}
    for cls, value in (("hl-actual", f.actual), ("hl-expected", f.expected)):
        d = _dec(value)
        if d is not None:
            out[cls] = d
    return out


def _mark_sentence(text: str, targets: dict[str, Decimal], inputs: set[Decimal], wording: bool) -> Markup:
    out: list[str] = []
    pos = 0
    pattern = re.compile(NUMBER.pattern + "|" + WORDING.pattern) if wording else NUMBER
    for m in pattern.finditer(text):
        token = m.group(0)
        cls = ""
        if WORDING.fullmatch(token):
            cls = "hl hl-actual"
        else:
            value = _dec(token)
            cls = _mark_class(value, targets) or ("hl hl-input" if value is not None and value in inputs else "")
        if not cls:
            continue
        out.append(str(escape(text[pos:m.start()])))
        out.append(f'<mark class="{cls}">{escape(token)}</mark>')
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


@dataclass
class TableRow:
    line: int
    page: int | None
    raw_text: str
    codes: set[str]
    code_printed: set[str]


def _table_excerpt(title: str, rows: list[TableRow], f: Finding, targets: dict[str, Decimal],
                   context: int = 2) -> Excerpt:
    cells = [_split_row(r.raw_text) for r in rows]
    focus = {i for i, r in enumerate(rows) if r.line == f.source_line}
    if f.subject_code:
        focus |= {i for i, r in enumerate(rows) if f.subject_code in r.codes}
    marks: dict[tuple[int, int], str] = {}
    for i in sorted(focus):
        for j, text in enumerate(cells[i]):
            cls = _mark_class(_dec(text) if NUMBER.fullmatch(text.replace(",", "")) else None, targets)
            if cls:
                marks[(i, j)] = cls
    found = {cls.split()[-1] for cls in marks.values()}
    for cls, target in targets.items():  # a compared figure outside the focus rows (e.g. NT without subject)
        if cls in found or target == 0:
            continue
        hits = [(i, j) for i, row in enumerate(cells) for j, text in enumerate(row)
                if NUMBER.fullmatch(text.replace(",", "")) and _dec(text) == target][:2]
        for hit in hits:
            marks[hit] = (marks.get(hit, "") + f" hl {cls}").strip()
    if f.category == "code_quality":
        for i in focus:
            for j, text in enumerate(cells[i]):
                if text and (text in rows[i].code_printed or text == f.subject_code):
                    marks[(i, j)] = "hl hl-actual"
    keep = focus | {i for i, _ in marks}
    if len(rows) > 14:
        shown = sorted({k for i in keep for k in range(i - context, i + context + 1) if 0 <= k < len(rows)})
    else:
        shown = list(range(len(rows)))
    width = max((len(c) for c in cells), default=1)
    out: list[ExcerptRow] = []
    prev = -1
    for i in shown:
        if prev >= 0 and i != prev + 1:
            out.append(ExcerptRow("", [], gap=True))
        r = rows[i]
        loc = f"{r.page} 页 · {r.line} 行" if r.page else f"{r.line} 行"
        row_cells = [Cell(t, marks.get((i, j), ""), bool(NUMBER.fullmatch(t.replace(",", ""))))
                     for j, t in enumerate(cells[i])]
        row_cells += [Cell("")] * (width - len(row_cells))
        out.append(ExcerptRow(loc, row_cells, "hl-row" if i in focus else ""))
        prev = i
    pages = sorted({r.page for r in rows if r.page})
    note = (f"第 {pages[0]}–{pages[-1]} 页" if len(pages) > 1 else f"第 {pages[0]} 页") if pages else ""
    if len(shown) < len(rows):
        note = (note + "，" if note else "") + f"共 {len(rows)} 行，显示相关的 {len(shown)} 行"
    return Excerpt(title, note, out, width)


class DocumentEvidence:
    """What the warehouse kept of one document's text: table rows, narrative sentences, lines."""

    def __init__(self, con: duckdb.DuckDBPyConnection, doc: Document, catalog: Catalog,
                 rates: dict[str, list[dict[str, Any]]]) -> None:
        self.doc = doc
        self.catalog = catalog
        self.rates = rates
        self.tables: dict[str, list[TableRow]] = {}
        by_table: dict[str, dict[int, TableRow]] = defaultdict(dict)
        for key, line, page, raw_text, code, code_printed in con.execute("""
                select table_key, source_line, page_no, raw_text, code, code_printed from raw.table_cells
                where document_id = ? and source_line is not null order by source_line""",
                                                                        [doc.document_id]).fetchall():
            row = by_table[key].setdefault(int(line), TableRow(int(line), page, raw_text or "", set(), set()))
            if code:
                row.codes.add(str(code))
            if code_printed:
                row.code_printed.add(str(code_printed))
        self.tables = {k: sorted(v.values(), key=lambda r: r.line) for k, v in by_table.items()}
        self.table_lines = {r.line for rows in self.tables.values() for r in rows}
        self.spans: dict[int, tuple[str, int | None]] = {}
        page_col = "source_page" if "source_page" in _columns(con, "raw", "narrative_facts") else "null"
        for line, span, page in con.execute(f"""
                select source_line, any_value(span), any_value({page_col}) from raw.narrative_facts
                where document_id = ? and source_line is not null group by 1""", [doc.document_id]).fetchall():
            if span:
                self.spans[int(line)] = (str(span), page)
        self.lines: dict[int, tuple[str, int | None]] = {
            int(n): (str(t), p) for n, p, t in con.execute(
                "select line_no, page_no, text from raw.document_lines where document_id = ?",
                [doc.document_id]).fetchall() if t is not None}
        self._file_lines: list[str] | None = None
        self._file_read = False

    def line_text(self, line: int) -> tuple[str, int | None]:
        if line in self.spans:
            return self.spans[line]
        if line in self.lines:
            return self.lines[line]
        if not self._file_read:
            self._file_read = True
            try:
                from ingest.text import decode, split_lines

                if not self.doc.source_file.lower().endswith(".pdf"):
                    self._file_lines = split_lines(decode(Path(self.doc.source_file).read_bytes())[0])
            except (OSError, ValueError, ImportError):
                self._file_lines = None
        if self._file_lines and 0 < line <= len(self._file_lines):
            return self._file_lines[line - 1].strip(), None
        return "", None

    def rate_row(self, f: Finding) -> tuple[str, dict[str, Any]] | None:
        if f.source_line is None:
            return None
        for kind in ("budget_execution", "three_public", "project_performance"):
            if f.table_key not in (kind, None) and not (kind == "budget_execution" and f.table_key == "narrative"):
                continue
            for row in self.rates.get(kind, []):
                lines = {row.get("source_line"), row.get("rate_source_line"), row.get("direction_source_line")}
                if f.source_line in lines and (f.subject_code is None or row.get("subject_code") in
                                                (None, f.subject_code)):
                    return kind, row
        return None

    def attach(self, f: Finding) -> None:
        """Fill the finding's location and evidence."""
        targets = _targets(f)
        page = f.source_page
        if f.source_line is not None:
            text, text_page = ("", None)
            if f.source_line not in self.table_lines or f.table_key not in self.tables:
                text, text_page = self.line_text(f.source_line)
            page = page or text_page
            if text:
                inputs: set[Decimal] = set()
                rate = self.rate_row(f)
                if rate:
                    row = rate[1]
                    inputs = {d for d in (_dec(row.get("budget_wan")), _dec(row.get("final_wan")),
                                          _dec(row.get("actual_wan"))) if d is not None}
                f.sentence = _mark_sentence(text, targets, inputs, f.category == "direction_wording")
        if page is None and f.source_line is not None:
            for rows in self.tables.values():
                for r in rows:
                    if r.line == f.source_line and r.page:
                        page = r.page
        if f.source_line is not None:
            f.location = f"第 {page} 页 · 文本第 {f.source_line} 行" if page else f"第 {f.source_line} 行"
        if f.category in ("completion_rate", "direction_wording"):
            rate = self.rate_row(f)
            if rate:
                f.rate_table = self._rate_excerpt(rate[0], rate[1], f, targets)
        tables = []
        if f.table_key in self.tables:
            tables.append(f.table_key)
        if f.category == "cross_table":
            tables += [k for k in RULE_TABLES.get(f.rule_id, ()) if k in self.tables and k not in tables]
        for key in tables:
            f.excerpts.append(_table_excerpt(self.catalog.table(self.doc, key), self.tables[key], f, targets))

    def _rate_excerpt(self, kind: str, row: dict[str, Any], f: Finding, targets: dict[str, Decimal]) -> Excerpt:
        name = row.get("item_zh") or row.get("project_name") or row.get("subject_name") or "一般公共预算财政拨款支出"
        if kind == "budget_execution" and row.get("subject_code"):
            name = f"{row['subject_code']} {name}"
        final = row.get("final_wan") if kind != "project_performance" else row.get("actual_wan")
        budget_label = "年初预算" if kind == "budget_execution" else "预算数"
        header = [budget_label + "（万元）", "决算（万元）", "列示完成率", "按金额复核", "复核结论"]
        rate_targets = targets or {}
        values = [row.get("budget_wan"), final, row.get("stated_rate_pct"), row.get("recomputed_rate_pct")]
        cells = [Cell(name)]
        for k, v in enumerate(values):
            text = fmt_num(v) + ("%" if k >= 2 and v is not None else "")
            cls = _mark_class(_dec(v), rate_targets) if k >= 2 else ""
            if f.category == "direction_wording" and k < 2:
                cls = "hl hl-input"
            if f.category == "completion_rate" and k == 2 and not cls:
                cls = "hl hl-actual"
            cells.append(Cell(text or "—", cls, True))
        cells.append(Cell(RATE_STATUS_ZH.get(str(row.get("rate_status")), str(row.get("rate_status") or ""))))
        if f.category == "direction_wording":
            header.append("文中措辞")
            cells.append(Cell(str(row.get("direction_wording") or row.get("stated_direction") or ""),
                              "hl hl-actual"))
        head = ExcerptRow("", [Cell("项目")] + [Cell(h) for h in header], "head")
        src = self.catalog.table(self.doc, kind)
        return Excerpt(src, "金额与完成率均取自报告原文", [head, ExcerptRow(f.location, cells, "hl-row")],
                       len(header) + 1)


RULE_TABLES: dict[str, tuple[str, ...]] = {}
