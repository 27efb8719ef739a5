"""PDF reports: pages → text lines and ruled grids (pdfplumber), then the nine tables by title.

Only pages with ruling lines go through the table finder (the narrative pages have none,
and the finder is most of the cost). Tables are found by the title printed above them and
by their header text, never by page or position; a grid with no title above it that opens
a page continues the previous page's table when it has the same number of columns. A page
without a text layer is recorded, never OCR'd.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field

from ingest import tables as _tables
from ingest.grid import Grid, GridCell
from ingest.layout import Layout
from ingest.text import compact, normalize_line

log = logging.getLogger("juesuan")

MAX_PAGES = 500  # a department report has 20–60 pages; thousands are no report
_TITLE_WINDOW = 6  # text lines above a grid searched for its title
# Printed between a title and its table, or on a continuation page: not a reason to stop looking.
_FURNITURE = re.compile(r"^(?:(?:金额)?单位[:：].*|续表\d*|[-—–]?\d{1,3}[-—–]?|第\d+页(?:共\d+页)?|\d+/\d+)$")


@dataclass
class PageLine:
    number: int  # 1-based line number in the document's text (all pages in order)
    text: str
    top: float
    bottom: float


@dataclass
class PlacedGrid:
    grid: Grid
    top: float
    bottom: float


@dataclass
class Page:
    number: int
    lines: list[PageLine]
    grids: list[PlacedGrid] = field(default_factory=list)
    images: int = 0

    @property
    def has_text(self) -> bool:
        return bool(self.lines)


@dataclass
class PdfText:
    pages: list[Page]

    @property
    def lines(self) -> list[str]:
        return [ln.text for p in self.pages for ln in p.lines]

    @property
    def line_pages(self) -> list[int]:
        return [p.number for p in self.pages for _ in p.lines]


def _grid(table: object, page_no: int, lines: list[PageLine]) -> Grid:
    """pdfplumber Table → Grid: merged cells fill every slot they cover (read from the boxes)."""
    texts: list[list[str | None]] = table.extract()  # type: ignore[attr-defined]
    rows = table.rows  # type: ignore[attr-defined]
    lefts = sorted({c[0] for row in rows for c in row.cells if c is not None})
    tops = [row.bbox[1] for row in rows]
    n_cols = len(lefts)
    cells: list[list[GridCell | None]] = [[None] * n_cols for _ in rows]
    for r, row in enumerate(rows):
        for box in row.cells:
            if box is None:
                continue
            x0, top, x1, bottom = box
            c = lefts.index(x0)
            raw = texts[r][c] if c < len(texts[r]) else None
            cell = GridCell(normalize_line("".join((raw or "").split("\n"))) if raw else "", r, c,
                            (round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)))
            for rr in range(r, len(rows)):
                if rr > r and tops[rr] >= bottom - 1:
                    break
                for cc in range(c, n_cols):
                    if cc > c and lefts[cc] >= x1 - 1:
                        break
                    cells[rr][cc] = cell
    row_lines, row_text = [], []
    for r, row in enumerate(rows):
        top, bottom = row.bbox[1], row.bbox[3]
        inside = [ln.number for ln in lines if top - 1 <= (ln.top + ln.bottom) / 2 <= bottom + 1]
        above = [ln.number for ln in lines if ln.bottom <= bottom]
        row_lines.append(inside[0] if inside else (above[-1] if above else (lines[0].number if lines else 0)))
        row_text.append("\t".join(c.text if c is not None and c.row == r and c.col == k else ""
                                  for k, c in enumerate(cells[r])).rstrip("\t"))
    return Grid(cells, row_lines, row_text, [page_no] * len(rows), list(range(1, len(rows) + 1)))


def read_pdf(data: bytes) -> PdfText:
    """Bytes → pages with their text lines (reading order) and ruled grids.

    Raises whatever pdfplumber raises for an unreadable file; :func:`ingest.parse` turns that
    into a clear ParseError.
    """
    import pdfplumber  # imported here: text corpora never pay for it

    pages: list[Page] = []
    next_line = 1
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise ValueError(f"{len(pdf.pages)} pages (limit {MAX_PAGES}): not one report")
        for number, page in enumerate(pdf.pages, 1):
            lines = []
            for raw in page.extract_text_lines(strip=True, return_chars=False):
                text = normalize_line(raw["text"])
                if text:
                    lines.append(PageLine(next_line, text, raw["top"], raw["bottom"]))
                    next_line += 1
            out = Page(number, lines, images=len(page.images))
            if lines and (page.objects.get("rect") or page.objects.get("line")):
                for table in page.find_tables():
                    out.grids.append(PlacedGrid(_grid(table, number, lines), table.bbox[1], table.bbox[3]))
            pages.append(out)
            page.close()  # frees the page's parsed objects: a 500-page file stays small
    return PdfText(pages)


def pdf_error_reason(exc: Exception) -> str:
    """A clear reason for what pdfplumber/pdfminer raise on a file they cannot read."""
    # pdfplumber wraps pdfminer's error as PdfminerException(e): the real one is args[0]
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    exc, name = inner, type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return f"encrypted PDF (needs a password): not read ({name})"
    if isinstance(exc, ValueError) and "pages (limit" in str(exc):
        return f"PDF has {exc}"
    return f"not a readable PDF (corrupt or truncated?): {name}: {exc}"[:500]


def match_title(text: str, layout: Layout) -> tuple[str, str | None] | None:
    """'收入支出决算总表', '2024年度收入决算表（公开02表）', '表1 收入支出决算总表' → (table_key, no):
    :func:`ingest.tables.match_title` as for a title read above its ruled table."""
    return _tables.match_title(text, layout, year_first=False)


def _title_above(page: Page, grid: PlacedGrid, floor: float, layout: Layout) -> tuple[str, str | None, PageLine] | None:
    """The title printed above ``grid`` (below ``floor``, the previous grid's bottom)."""
    above = [ln for ln in page.lines if floor - 1 <= ln.top and ln.bottom <= grid.top + 1]
    seen = 0
    for k in range(len(above) - 1, -1, -1):
        ln = above[k]
        if _FURNITURE.match(compact(ln.text)):
            continue
        for text in (ln.text, above[k - 1].text + ln.text if k else None):
            hit = match_title(text, layout) if text else None
            if hit:
                return hit[0], hit[1], ln
        seen += 1
        if seen >= _TITLE_WINDOW:
            break
    return None


@dataclass
class FoundTable:
    table_key: str
    table_no: str | None
    title: str
    title_line: int
    page: int
    grid: Grid
    last_page: int


@dataclass
class Located:
    tables: list[FoundTable]
    image_pages: list[int]  # pages without a text layer
    image_titles: dict[str, int]  # table_key → page where its title stands over no ruled table
    others: list[Grid] = field(default_factory=list)  # ruled tables that are none of the nine (单位构成 …)


def locate_tables(doc: PdfText, layout: Layout) -> Located:
    """The nine tables by title; continuation pages joined; extra tables (机构设置) skipped."""
    tables: list[FoundTable] = []
    image_titles: dict[str, int] = {}
    others: list[Grid] = []
    for page in doc.pages:
        floor = 0.0
        for k, placed in enumerate(page.grids):
            hit = _title_above(page, placed, floor, layout)
            floor = placed.bottom
            if hit:
                key, no, ln = hit
                tables.append(FoundTable(key, no, compact(ln.text), ln.number, page.number, placed.grid, page.number))
                continue
            prev = tables[-1] if tables else None
            if (k == 0 and prev is not None and prev.last_page == page.number - 1
                    and prev.grid.n_cols == placed.grid.n_cols):
                prev.grid.extend(placed.grid)
                prev.last_page = page.number
                continue
            log.debug("page %d: a ruled table without a known title skipped", page.number)
            others.append(placed.grid)
        if not page.grids and page.images:
            for ln in page.lines:
                hit = match_title(ln.text, layout)
                if hit and compact(ln.text)[:1] not in "一二三四五六七八九十":
                    image_titles.setdefault(hit[0], page.number)
    return Located(tables, [p.number for p in doc.pages if not p.has_text], image_titles, others)


# a trailing note on the unit's kind, not part of its name: （本级）, （下属事业单位）, （下属参公事业单位）
_KIND_NOTE = re.compile(r"(?:[（(](?:本级|[^（()）]*单位)[）)]|本级)$")


def member_units(grids: list[Grid]) -> list[tuple[str, int]]:
    """Units a department report lists in its 单位构成 table (序号 | 单位名称 | 备注): (name, line).
    The department's own 本级 row is kept, 本级 stripped, as the text layouts do; a note on the
    unit's kind (（下属事业单位）) is dropped from the name."""
    out: list[tuple[str, int]] = []
    for grid in grids:
        header = [compact(grid.text(0, c)) for c in range(grid.n_cols)] if grid.cells else []
        if "单位名称" not in header:
            continue
        col = header.index("单位名称")
        for r in range(1, len(grid.cells)):
            name = _KIND_NOTE.sub("", compact(grid.text(r, col)))
            if len(name) >= 4 and grid.owns(r, col):
                out.append((name, grid.row_lines[r]))
    return out
