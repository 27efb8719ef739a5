"""Parser for the tab-separated layout (sample 001): one table row per line, cells split by TAB."""

from __future__ import annotations

from decimal import Decimal

from ingest.layout import Layout
from ingest.records import ParseError, TableCell, TablePresence
from ingest.tables import ECON_CODE, SUBJECT_CODE, SUBJECT_TABLES, SUMMARY_TABLES, SummaryLines, TableBlock
from ingest.text import compact, is_amount, line_number, parse_amount
from ingest.vocab import strip_numbering


def _amount(cell: str, line: int, what: str) -> Decimal | None:
    cell = cell.strip()
    if not cell:
        return None
    if not is_amount(cell):
        raise ParseError(line, f"expected an amount in {what}, found {cell!r}")
    return parse_amount(cell)


def _cell(block: TableBlock, line: int, raw: str, kind: str, column: str, amount: Decimal, *,
          code: str | None = None, name: str = "", side: str | None = None, line_no: int | None = None) -> TableCell:
    return TableCell(block.table_key, block.table_no or "", line, raw, kind, code, code, name, side, line_no,
                     column, amount)


def _subject_table(block: TableBlock, lines: list[str], columns: tuple[str, ...]) -> list[TableCell]:
    """Rows 'code, name, values…'; the 合计 row shows where values start (the 项 column may add a cell)."""
    offset = None
    out: list[TableCell] = []
    for i in range(block.start, block.end):
        raw = lines[i]
        cells = raw.split("\t")
        labels = [compact(c) for c in cells]
        if offset is None:
            # The 合计 row, not a header cell named 合计 (08's header has one).
            if "合计" in labels and all(is_amount(c) or not c.strip() for c in cells[labels.index("合计") + 1:]):
                offset = labels.index("合计") + 1
                values, code, name, kind = cells[offset:], None, "合计", "total"
            else:
                continue
        elif SUBJECT_CODE.match(labels[0]) and len(cells) > 1:
            code, name, kind = labels[0], compact(cells[1]), "subject"
            values = cells[offset:]
        else:
            if any(is_amount(c) for c in cells):
                raise ParseError(i + 1, f"{block.title}: a row with amounts but no 功能分类 code: {raw!r}")
            continue
        if any(v.strip() for v in values[len(columns):]):
            raise ParseError(i + 1, f"{block.title}: more values than the {len(columns)} columns expected")
        for column, v in zip(columns, values, strict=False):
            amount = _amount(v, i + 1, f"{block.title} column {column}")
            if amount is not None:
                out.append(_cell(block, i + 1, raw, kind, column, amount, code=code, name=name))
    return out


def _summary_table(block: TableBlock, lines: list[str], layout: Layout, columns: tuple[str, ...]) -> list[TableCell]:
    """Two-sided 01/04 tables: 'label, 行次, amount | label, 行次, amounts…'."""
    out: list[TableCell] = []
    names = SummaryLines(layout, block.table_key)
    for i in range(block.start, block.end):
        raw = lines[i]
        cells = [c.strip() for c in raw.split("\t")]
        if len(cells) < 3 or not any(is_amount(c) for c in cells[1:]) or compact(cells[0]) == "栏次":
            continue
        for side, part in (("income", cells[:3]), ("expenditure", cells[3:])):
            line_no = line_number(part[1]) if len(part) >= 2 else None
            if line_no is None:
                continue
            label, values = part[0], part[2:]
            key = names.key(side, label)
            side_columns = columns[:1] if side == "income" else (columns[1:] or columns[:1])
            amounts = [(col, _amount(v, i + 1, f"{block.title} line {line_no}"))
                       for col, v in zip(side_columns, values, strict=False)]
            amounts = [(c, a) for c, a in amounts if a is not None]
            if not amounts:
                continue
            if key is None:
                raise ParseError(i + 1, f"{block.title}: unknown {side} line label {label!r} (行次 {line_no}); "
                                 "add it to seeds/layout_summary_lines.csv")
            for col, amount in amounts:
                out.append(_cell(block, i + 1, raw, "line", col, amount, code=key, name=strip_numbering(label),
                                 side=side, line_no=line_no))
    return out


def _econ_table(block: TableBlock, lines: list[str]) -> list[TableCell]:
    """Table 06: three side-by-side blocks of (code, name, amount); totals at the bottom."""
    out: list[TableCell] = []
    for i in range(block.start, block.end):
        raw = lines[i]
        cells = [c.strip() for c in raw.split("\t")]
        labels = [compact(c) for c in cells]
        totals = [k for k, c in enumerate(labels) if c in ("人员经费合计", "公用经费合计")]
        if totals:
            for k in totals:
                nxt = next((c for c in cells[k + 1:] if c), None)
                if nxt is None:
                    continue
                amount = _amount(nxt, i + 1, f"{block.title} {labels[k]}")
                group = "personnel" if labels[k].startswith("人员") else "public"
                out.append(_cell(block, i + 1, raw, "econ_total", "amount", amount, code=group, name=labels[k]))
            continue
        for k in range(0, len(cells) - 1, 3):
            code, name = labels[k], compact(cells[k + 1])
            if not ECON_CODE.match(code):
                continue
            value = cells[k + 2] if k + 2 < len(cells) else ""
            amount = _amount(value, i + 1, f"{block.title} {code} {name}")
            if amount is not None:
                out.append(_cell(block, i + 1, raw, "econ", "amount", amount, code=code, name=name))
    return out


def _three_public(block: TableBlock, lines: list[str], columns: tuple[str, ...]) -> list[TableCell]:
    """Table 09: one row of up to 12 amounts under the 栏次 row '1 … 12'."""
    out: list[TableCell] = []
    seen_numbers = False
    for i in range(block.start, block.end):
        cells = [c.strip() for c in lines[i].split("\t")]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if [n for c in filled if (n := line_number(c)) is not None] == list(range(1, len(columns) + 1)):
            seen_numbers = True
            continue
        if seen_numbers and all(is_amount(c) for c in filled):
            if len(cells) > len(columns) and any(cells[len(columns):]):
                raise ParseError(i + 1, f"{block.title}: more than {len(columns)} amounts")
            for column, v in zip(columns, cells, strict=False):
                amount = _amount(v, i + 1, f"{block.title} {column}")
                if amount is not None:
                    out.append(_cell(block, i + 1, lines[i], "item", column, amount, name=column))
            break
    return out


def parse_tab_tables(
    lines: list[str], blocks: list[TableBlock], layout: Layout
) -> tuple[list[TableCell], list[TablePresence], list[ParseError]]:
    """Parse every table block; one table's failure is a problem, not the document's."""
    cells: list[TableCell] = []
    presence: list[TablePresence] = []
    problems: list[ParseError] = []
    for block in blocks:
        columns = layout.tables[block.table_key].columns
        try:
            if block.table_key in SUBJECT_TABLES:
                got = _subject_table(block, lines, columns)
            elif block.table_key in SUMMARY_TABLES:
                got = _summary_table(block, lines, layout, columns)
            elif block.table_key == "gpb_basic_econ":
                got = _econ_table(block, lines)
            else:
                got = _three_public(block, lines, columns)
        except ParseError as exc:
            problems.append(exc)
            presence.append(TablePresence(block.table_key, block.table_no, block.title, "failed",
                                          block.title_line, exc.reason))
            continue
        cells.extend(got)
        presence.append(TablePresence(block.table_key, block.table_no, block.title,
                                      "parsed" if got else "empty", block.title_line))
    return cells, presence, problems
