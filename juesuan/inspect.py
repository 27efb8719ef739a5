"""`juesuan inspect FILE`: what the loader reads from one report, table by table, without building.

It is how a user checks a new layout: each table as TSV (one row per printed row, one column
per recognised amount column, with page/row/line), then the narrative facts and the problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.layout import load_layout
from ingest.loader import read_input
from ingest.parse import ParsedDocument, parse_document
from ingest.records import TableCell


def _tsv(values: list[object]) -> str:
    return "\t".join("" if v is None else str(v).replace("\t", " ").replace("\n", " ") for v in values)


def _table_rows(cells: list[TableCell]) -> Iterator[str]:
    """Cells of one table back into rows: the keys of its printed columns become the TSV header."""
    columns = list(dict.fromkeys(c.column_key if c.side is None else f"{c.side}:{c.column_key}" for c in cells))
    rows: dict[tuple, dict[str, object]] = {}
    for c in cells:
        key = (c.page_no, c.row_no, c.source_line, c.side, c.row_kind, c.code, c.name)
        rows.setdefault(key, {})[c.column_key if c.side is None else f"{c.side}:{c.column_key}"] = c.amount_wan
    yield _tsv(["page", "row", "line", "side", "kind", "code", "name", *columns])
    for (page, row, line, side, kind, code, name), values in rows.items():
        yield _tsv([page, row, line, side, kind, code, name, *(values.get(k) for k in columns)])


def render(doc: ParsedDocument, source: str) -> str:
    """The parse of one document as text: identity, each table as TSV, facts, problems."""
    rep, ident = doc.report, doc.report.identity
    out = [f"# {source}",
           f"unit\t{ident.unit_name}", f"fiscal_year\t{ident.fiscal_year}", f"scope\t{ident.report_scope}",
           f"place\t{ident.province or ''} {ident.city or ''} {ident.district or ''}".rstrip(),
           f"layout\t{rep.layout}", f"lines\t{doc.line_count}"]
    if doc.line_pages:
        out.append(f"pages\t{max(doc.line_pages)}")
    tables = load_layout().tables
    by_table: dict[str, list[TableCell]] = {}
    for c in rep.cells:
        by_table.setdefault(c.table_key, []).append(c)
    for p in sorted(rep.presence, key=lambda p: tables[p.table_key].std_no if p.table_key in tables else p.table_key):
        std = tables[p.table_key].std_no if p.table_key in tables else "?"
        where = f"page {p.page_no}" if p.page_no else (f"line {p.source_line}" if p.source_line else "")
        out += ["", f"## 表{std} {p.title} [{p.table_key}] {p.status}"
                + (f" ({where})" if where else "") + (f": {p.note}" if p.note else "")]
        if by_table.get(p.table_key):
            out += list(_table_rows(by_table[p.table_key]))
    out += ["", f"## 情况说明 narrative facts: {len(rep.facts)}",
            _tsv(["line", "page", "metric", "value", "unit", "subject_code", "subject_name", "qualifier"])]
    for f in rep.facts:
        page = doc.line_pages[f.source_line - 1] if doc.line_pages else None
        out.append(_tsv([f.source_line, page, f.metric, f.value, f.unit, f.subject_code, f.subject_name, f.qualifier]))
    if rep.repairs:
        out += ["", f"## code repairs: {len(rep.repairs)}"]
        out += [_tsv([r.table_key, r.source_line, r.code_printed, r.code, r.name, r.method]) for r in rep.repairs]
    out += ["", f"## problems: {len(rep.problems)}"]
    out += [_tsv([p.stage, p.line, p.reason]) for p in rep.problems]
    return "\n".join(out) + "\n"


def inspect_file(path: Path) -> str:
    """Parse ``path`` as the loader would. Raises ParseError when the file is no report."""
    return render(parse_document(read_input(path)), str(path))
