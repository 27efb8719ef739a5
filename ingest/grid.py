"""One generic parser for ruled tables: a grid of cells (from a PDF's ruling lines) → TableCell.

Columns are recognised by their header text, never by position: the header rows are
flattened into one path per column ('本年支出/基本支出', '公务接待费/预算数') and matched
against ``seeds/layout_column_headers.csv``. Rows are recognised by their label: a 功能分类
code (in one column, or split over 类/款/项 columns), 合计/总计, an 01/04 line label, an
经济分类 code. A blank cell is "not printed" and yields nothing; a printed ``0.00`` is kept.
Anything the seeds do not explain is a ParseError naming the page, row and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from ingest.layout import Layout
from ingest.records import ParseError, TableCell
from ingest.tables import SUBJECT_TABLES, SUMMARY_TABLES, TOTAL_LABELS, SummaryLines
from ingest.text import compact, is_amount, parse_amount
from ingest.vocab import name_key, strip_numbering

_LABEL_HEADERS = ("科目编码", "科目名称")
_CODE = re.compile(r"^(\d{3,7})(.*)$")
_CODE_PART = re.compile(r"^\d{2,3}$")
_ECON_TOTALS = {"人员经费合计": "personnel", "公用经费合计": "public", "人员经费": "personnel", "公用经费": "public"}
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class GridCell:
    """One printed cell. ``text`` is '' for a blank cell; merged slots hold the owning cell."""

    text: str
    row: int  # first row and column the cell covers (0-based, within its grid)
    col: int
    box: Box | None = None  # x0, top, x1, bottom in PDF points


@dataclass
class Grid:
    """A ruled table: ``cells[r][c]`` is the cell covering row r, column c (the same object for
    every slot of a merged cell), None where nothing is drawn. A table continued over several
    pages is one grid whose rows remember their page."""

    cells: list[list[GridCell | None]]
    row_lines: list[int]  # 1-based source line of each row (the page-text line it is printed on)
    row_text: list[str]  # the row as printed, cells joined by TAB
    row_pages: list[int | None]
    row_nos: list[int]  # 1-based row number within its page's table

    @property
    def page(self) -> int | None:
        return self.row_pages[0] if self.row_pages else None

    def extend(self, other: Grid) -> None:
        """Append a continuation (same columns) below this grid."""
        offset = len(self.cells)
        moved: dict[int, GridCell] = {}
        for row in other.cells:
            self.cells.append([None if c is None else moved.setdefault(id(c), replace(c, row=c.row + offset))
                               for c in row])
        self.row_lines += other.row_lines
        self.row_text += other.row_text
        self.row_pages += other.row_pages
        self.row_nos += other.row_nos

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def text(self, r: int, c: int) -> str:
        cell = self.cells[r][c] if c < len(self.cells[r]) else None
        return cell.text if cell is not None else ""

    def owns(self, r: int, c: int) -> bool:
        """True for the slot where a cell starts (a merged cell's value is read once)."""
        cell = self.cells[r][c] if c < len(self.cells[r]) else None
        return cell is not None and cell.row == r and cell.col == c


@dataclass(frozen=True)
class Column:
    index: int
    key: str  # column_key of layout_columns, or a role: @code @class @section @item @name @label @line_no
    side: str | None
    header: str


def header_paths(grid: Grid, header_rows: int) -> list[list[str]]:
    """Per column, the header texts from top to bottom (merged cells repeat; repeats dropped)."""
    paths: list[list[str]] = []
    for c in range(grid.n_cols):
        path: list[str] = []
        for r in range(header_rows):
            seg = name_key(grid.text(r, c), keep_quotes=False)
            if seg in TOTAL_LABELS and any(p == "项目" or p.endswith(_LABEL_HEADERS) for p in path):
                continue  # the 2024 template prints the 合计 row label inside its header rows
            if seg and (not path or path[-1] != seg):
                path.append(seg)
        paths.append(path)
    return paths


def _is_subsequence(needle: Sequence[str], hay: Sequence[str]) -> bool:
    it = iter(hay)
    return all(any(n == h for h in it) for n in needle)


def match_columns(table_key: str, paths: list[list[str]], layout: Layout, where: str) -> list[Column | None]:
    """Each column's key from its header path: the most specific alias whose segments appear in
    order in the path. Ambiguity is an error; a column no alias explains is None (ignored unless
    it holds amounts, see :func:`_values`)."""
    aliases = layout.column_headers.get(table_key, [])
    out: list[Column | None] = []
    for c, path in enumerate(paths):
        best: list[tuple[int, str, str | None]] = []
        for segments, key, side in aliases:
            if _is_subsequence(segments, path):
                best.append((len(segments), key, side))
        if not best:
            out.append(None)
            continue
        top = max(n for n, _, _ in best)
        keys = {(k, s) for n, k, s in best if n == top}
        if len(keys) > 1:
            raise ParseError(None, f"{where}: column {c + 1} header {'/'.join(path)!r} matches several columns "
                             f"({', '.join(sorted(k for k, _ in keys))}); make its alias in "
                             "seeds/layout_column_headers.csv more specific")
        key, side = keys.pop()
        out.append(Column(c, key, side, "/".join(path)))
    return out


def _amount_text(text: str) -> bool:
    return bool(text) and is_amount(compact(text))


def first_body_row(grid: Grid) -> int:
    """Header rows end where the first row prints an amount or a code; an empty table is all header."""
    for r in range(len(grid.cells)):
        texts = [compact(grid.text(r, c)) for c in range(grid.n_cols) if grid.owns(r, c)]
        if any(_amount_text(t) for t in texts) or (texts and _CODE.match(texts[0]) and not is_amount(texts[0])):
            return r
        if texts and texts[0] in TOTAL_LABELS and any(_amount_text(t) for t in texts[1:]):
            return r
    return len(grid.cells)


@dataclass(frozen=True)
class _Ctx:
    table_key: str
    table_no: str
    title: str
    grid: Grid


def _cell(ctx: _Ctx, r: int, c: int, kind: str, column: str, amount: Decimal, *, code: str | None = None,
          name: str = "", side: str | None = None, line_no: int | None = None) -> TableCell:
    cell = ctx.grid.cells[r][c]
    g = ctx.grid
    return TableCell(ctx.table_key, ctx.table_no, g.row_lines[r], g.row_text[r], kind, code, code, name, side,
                     line_no, column, amount, page_no=g.row_pages[r], row_no=g.row_nos[r], col_no=c + 1,
                     cell_box=cell.box if cell else None)


def _values(ctx: _Ctx, r: int, columns: list[Column | None], keys: set[str] | None = None,
            side: str | None = None) -> list[tuple[int, str, Decimal]]:
    """(column index, column key, amount) of the printed amounts of row r; text where an amount
    belongs, or an amount under a header the seeds do not name, is an error."""
    out = []
    for c in range(ctx.grid.n_cols):
        if not ctx.grid.owns(r, c):
            continue
        text = compact(ctx.grid.text(r, c))
        col = columns[c] if c < len(columns) else None
        if col is not None and (col.key.startswith("@") or (side and col.side != side)):
            continue
        if keys is not None and col is not None and col.key not in keys:
            continue
        if not text:
            continue
        where = f"{ctx.title} {_at(ctx.grid, r)} column {c + 1}"
        if col is None:
            if _amount_text(text):
                raise ParseError(ctx.grid.row_lines[r], f"{where}: amount {text!r} under a header no alias in "
                                 "seeds/layout_column_headers.csv names")
            continue
        if not is_amount(text):
            raise ParseError(ctx.grid.row_lines[r], f"{where}: expected an amount under {col.header!r}, "
                             f"found {text!r}")
        out.append((c, col.key, parse_amount(text)))
    return out


def _role(columns: list[Column | None], role: str, start: int = 0) -> int | None:
    return next((c.index for c in columns[start:] if c is not None and c.key == role), None)


class _SplitCode:
    """Codes printed over 类 | 款 | 项 columns; parents left blank on child rows are carried down."""

    def __init__(self) -> None:
        self.cls = self.sec = ""

    def read(self, cls: str, sec: str, item: str) -> str | None:
        if not (cls or sec or item):
            return None
        if cls:
            self.cls, self.sec = cls, ""
        if sec:
            self.sec = sec
        if not all(_CODE_PART.match(p) for p in (cls, sec, item) if p):
            return None
        if item:
            return self.cls + self.sec + item if self.cls and self.sec else None
        if sec:
            return self.cls + sec if self.cls else None
        return cls


def _subject_rows(ctx: _Ctx, columns: list[Column | None], body: int) -> list[TableCell]:
    code_col, name_col = _role(columns, "@code"), _role(columns, "@name")
    split = [_role(columns, k) for k in ("@class", "@section", "@item")]
    splitter = _SplitCode()
    label_col = code_col if code_col is not None else split[0]
    if label_col is None:
        raise ParseError(None, f"{ctx.title} page {ctx.grid.page}: no 科目编码 column in the header "
                         "(expected 功能分类科目编码, or 类/款/项)")
    out: list[TableCell] = []
    for r in range(body, len(ctx.grid.cells)):
        label = compact(ctx.grid.text(r, label_col))
        name = compact(ctx.grid.text(r, name_col)) if name_col is not None else ""
        code: str | None
        if label in TOTAL_LABELS or (not label and name in TOTAL_LABELS):
            kind, code, name = "total", None, label or name
        elif code_col is not None:
            m = _CODE.match(label)
            code = m.group(1) if m else None
            if m and m.group(2) and not name:  # '310资本性支出': code glued to its name
                name = m.group(2)
            kind = "subject"
        else:
            parts = [compact(ctx.grid.text(r, k)) if k is not None else "" for k in split]
            code, kind = splitter.read(*parts), "subject"
        values = _values(ctx, r, columns)
        if not values:
            continue
        if kind == "subject" and code is None:
            raise ParseError(ctx.grid.row_lines[r], f"{ctx.title} {_at(ctx.grid, r)}: a row with "
                             f"amounts but no 功能分类 code: {ctx.grid.row_text[r]!r}")
        for c, key, amount in values:
            out.append(_cell(ctx, r, c, kind, key, amount, code=code, name=name))
    return out


def _summary_rows(ctx: _Ctx, columns: list[Column | None], body: int, layout: Layout) -> list[TableCell]:
    """Two-sided 01/04 tables: lines named by their label (行次 drifts by year, 2024 prints none)."""
    out: list[TableCell] = []
    names = SummaryLines(layout, ctx.table_key)
    for r in range(body, len(ctx.grid.cells)):
        for side in ("income", "expenditure"):
            label_col = next((c.index for c in columns if c and c.key == "@label" and c.side == side), None)
            if label_col is None:
                continue
            label = compact(ctx.grid.text(r, label_col))
            no_col = next((c.index for c in columns if c and c.key == "@line_no" and c.side == side), None)
            no_text = compact(ctx.grid.text(r, no_col)) if no_col is not None else ""
            line_no = int(no_text) if no_text.isdecimal() and len(no_text) <= 3 else None
            key = names.key(side, label)
            values = _values(ctx, r, columns, side=side)
            if not values:
                continue
            if key is None:
                raise ParseError(ctx.grid.row_lines[r], f"{ctx.title} {_at(ctx.grid, r)}: unknown "
                                 f"{side} line label {label!r}; add it to seeds/layout_summary_lines.csv")
            for c, col_key, amount in values:
                out.append(_cell(ctx, r, c, "line", col_key, amount, code=key, name=strip_numbering(label),
                                 side=side, line_no=line_no))
    return out


def _econ_rows(ctx: _Ctx, columns: list[Column | None], body: int) -> list[TableCell]:
    """Table 06: blocks of (code, name, amount) side by side; 人员/公用经费合计 name their block's total."""
    blocks = []
    for col in columns:
        if col is not None and col.key == "@code":
            name_col = _role(columns, "@name", col.index + 1)
            amount_col = _role(columns, "amount", col.index + 1)
            if name_col is not None and amount_col is not None:
                blocks.append((col.index, name_col, amount_col))
    if not blocks:
        raise ParseError(None, f"{ctx.title} page {ctx.grid.page}: expected blocks of 经济分类科目编码 | 科目名称 "
                         "| 决算数 in the header")
    out: list[TableCell] = []
    for r in range(body, len(ctx.grid.cells)):
        for k, (code_col, name_col, amount_col) in enumerate(blocks):
            label = compact(ctx.grid.text(r, code_col))
            group = _ECON_TOTALS.get(label)
            if group:
                end = blocks[k + 1][0] if k + 1 < len(blocks) else ctx.grid.n_cols
                # Wuhan's three-block table prints 公用经费合计 in block 2 and its amount in block 3.
                amounts = [(c, compact(ctx.grid.text(r, c))) for c in range(code_col + 1, ctx.grid.n_cols)
                           if ctx.grid.owns(r, c) and _amount_text(ctx.grid.text(r, c))]
                if amounts and (amounts[0][0] < end or k + 1 == len(blocks) or not compact(
                        ctx.grid.text(r, blocks[k + 1][0]))):
                    c, text = amounts[0]
                    out.append(_cell(ctx, r, c, "econ_total", "amount", parse_amount(text), code=group, name=label))
                continue
            m = _CODE.match(label)
            if not m:
                text = compact(ctx.grid.text(r, amount_col))
                if _amount_text(text) and ctx.grid.owns(r, amount_col):
                    raise ParseError(ctx.grid.row_lines[r], f"{ctx.title} {_at(ctx.grid, r)}: amount "
                                     f"{text!r} without an 经济分类 code")
                continue
            name = compact(ctx.grid.text(r, name_col)) or m.group(2)
            text = compact(ctx.grid.text(r, amount_col))
            if not text:
                continue
            if not is_amount(text):
                raise ParseError(ctx.grid.row_lines[r], f"{ctx.title} {_at(ctx.grid, r)}: expected "
                                 f"an amount for {m.group(1)} {name}, found {text!r}")
            out.append(_cell(ctx, r, amount_col, "econ", "amount", parse_amount(text), code=m.group(1), name=name))
    return out


def _three_public_rows(ctx: _Ctx, columns: list[Column | None], body: int) -> list[TableCell]:
    out: list[TableCell] = []
    for r in range(body, len(ctx.grid.cells)):
        for c, key, amount in _values(ctx, r, columns):
            out.append(_cell(ctx, r, c, "item", key, amount, name=key))
    return out


def _at(grid: Grid, r: int) -> str:
    return f"page {grid.row_pages[r]} row {grid.row_nos[r]}" if grid.row_pages[r] else f"row {grid.row_nos[r]}"


def parse_grid(table_key: str, table_no: str, title: str, grid: Grid, layout: Layout) -> list[TableCell]:
    """All cells of one table (continuation pages already appended below the first page's rows,
    whose header names the columns). Raises ParseError where the layout drifted."""
    body = first_body_row(grid)
    where = f"{title} page {grid.page}"
    columns = match_columns(table_key, header_paths(grid, body), layout, where)
    if body < len(grid.cells) and not any(c is not None and not c.key.startswith("@") for c in columns):
        raise ParseError(grid.row_lines[0] if grid.row_lines else None,
                         f"{where}: no column header recognised (read {header_paths(grid, body)}); "
                         "expected the headers in seeds/layout_column_headers.csv")
    ctx = _Ctx(table_key, table_no, title, grid)
    if table_key in SUBJECT_TABLES:
        return _subject_rows(ctx, columns, body)
    if table_key in SUMMARY_TABLES:
        return _summary_rows(ctx, columns, body, layout)
    if table_key == "gpb_basic_econ":
        return _econ_rows(ctx, columns, body)
    return _three_public_rows(ctx, columns, body)
