"""Parser for the pdftotext flow layout (sample 002).

pdftotext splits cells by spaces, wraps names and headers over several lines and drops
empty cells, so a printed number no longer says which column it sat in. Parsing is two steps:

1. rebuild logical rows from the wrapped lines, one reader per table kind (``rows.py``);
2. place each row's numbers with the tables' own arithmetic (``solve.py``). Every row starts
   with the column placements its numbers allow (in print order, so left-to-right order is
   kept); linear identities prune them: column totals and 类 = Σ 款 = Σ 项 inside a table, 04's
   per-fund flows, then ties to other tables of the report (02 合计 = 01 income lines,
   03 ≥ 05 + 07 + 08 per code, 05 基本 = 06 totals, 04 fund columns = 05/07/08). The
   identities are data, one row each, in ``identities.csv`` (read by ``identities.py``). A
   number whose column the arithmetic leaves open becomes an Ambiguity, never a guessed cell.

The cells have exactly the shapes ``ingest.tabular`` emits, so the warehouse treats both
layouts alike.
"""

from __future__ import annotations

from ingest.flow import identities
from ingest.flow.rows import Row, rows_of
from ingest.flow.solve import place
from ingest.layout import Layout
from ingest.records import Ambiguity, ParseError, TableCell, TablePresence
from ingest.tables import TableBlock

__all__ = ["parse_flow_tables"]


_WHY = {
    "subject": "column totals, 类/款/项 sums and the report's other tables allow each",
    "gov_fund": "本年支出 = 基本 + 项目, 年末 = 年初 + 收入 − 支出, column totals and table 04 allow each",
    "fiscal_summary": "04's column totals, per-fund flows and tables 05/07/08 allow each",
    "three_public": "合计 = 出国 + 公务用车 + 接待 and 公务用车 = 购置 + 运行 allow each",
}


def _emit(row: Row, block: TableBlock, options: list[tuple[str, ...]]) -> tuple[list[TableCell], Ambiguity | None]:
    """Cells for the numbers every remaining placement puts in the same column; the rest is an Ambiguity."""
    cells, open_ = [], []
    for n, value in enumerate(row.values):
        columns = sorted({cand[n] for cand in options})
        if len(columns) == 1:
            column = columns[0]
            name = column if row.kind == "item" else row.name
            cells.append(TableCell(block.table_key, block.table_no or "", row.line, row.raw, row.kind, row.code,
                                   row.code, name, row.side, row.line_no, column, value))
        else:
            open_.append(f"{value} could be {' or '.join(columns)}")
    if not open_:
        return cells, None
    label = " ".join(x for x in (row.code, row.name) if x) or "amounts"
    why = _WHY.get(block.table_key, _WHY["subject"])
    return cells, Ambiguity(block.table_key, row.line, row.raw, f"{block.title} {label}: {'; '.join(open_)}: {why}")


def parse_flow_tables(
    lines: list[str], blocks: list[TableBlock], layout: Layout
) -> tuple[list[TableCell], list[TablePresence], list[ParseError], list[Ambiguity]]:
    """Parse every table block; a table that cannot be read is a problem, not the document's."""
    rows: list[Row] = []
    tables: dict[int, list[int]] = {}
    problems: list[ParseError] = []
    failed: dict[int, ParseError] = {}
    for b, block in enumerate(blocks):
        try:
            got = rows_of(lines, block, layout)
        except ParseError as exc:
            problems.append(exc)
            failed[b] = exc
            continue
        tables[b] = list(range(len(rows), len(rows) + len(got)))
        rows += got
    domains = place(rows, identities.within(rows, tables, blocks, layout),
                    identities.cross(rows, tables, blocks))
    cells: list[TableCell] = []
    ambiguities: list[Ambiguity] = []
    presence: list[TablePresence] = []
    for b, block in enumerate(blocks):
        if b in failed:
            presence.append(TablePresence(block.table_key, block.table_no, block.title, "failed",
                                          block.title_line, failed[b].reason))
            continue
        printed = False
        for r in tables[b]:
            row = rows[r]
            printed = printed or bool(row.values)
            got, ambiguity = _emit(row, block, [row.candidates[i] for i in domains[r]])
            cells += got
            if ambiguity:
                ambiguities.append(ambiguity)
        presence.append(TablePresence(block.table_key, block.table_no, block.title,
                                      "parsed" if printed else "empty", block.title_line))
    return cells, presence, problems, ambiguities
