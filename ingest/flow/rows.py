"""Logical rows of the pdftotext flow layout: one reader per table kind.

pdftotext splits cells by spaces, wraps names and headers over several lines and drops
empty cells. Each reader joins the wrapped lines of a row and gives its printed numbers
every column placement they allow (in print order, so left-to-right order is kept); which
placement is right is for the tables' arithmetic to say (``ingest.flow.solve``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from ingest.layout import Layout
from ingest.records import ParseError
from ingest.tables import (
    ECON_CODE,
    SUBJECT_CODE,
    SUBJECT_TABLES,
    SUMMARY_TABLES,
    TOTAL_LABELS,
    SummaryLines,
    TableBlock,
)
from ingest.text import compact, is_amount, line_number, parse_amount
from ingest.vocab import name_key, strip_numbering

_ECON_TOTALS = {"人员经费合计": "personnel", "公用经费合计": "public"}

_FOOTER = re.compile(r"^(?:注|说明)[：:]|^本(?:部门|单位)(?:本年度)?(?:无|没有)|本表无数据")
_HEADER_WORDS = ("科目编码", "科目名称", "单位：万元", "单位:万元", "年度")
# page numbers ('- 12 -', '第 8 页') and the table number printed under a title ('公开 02 表')
_NOT_DATA = re.compile(r"^[-—－]\d{1,4}[-—－]$|^第\d{1,4}页(?:共\d{1,4}页)?$|^公开\d{2}表$")


@dataclass(frozen=True)
class Row:
    """One logical row: its printed numbers and every column placement they allow."""

    line: int  # 1-based line the row (or its 行次) starts on
    raw: str
    kind: str  # subject | total | line | econ | econ_total | item
    code: str | None
    name: str
    values: tuple[Decimal, ...]
    candidates: tuple[tuple[str, ...], ...]  # one column key per value, per placement
    side: str | None = None
    line_no: int | None = None


@dataclass
class _Draft:
    """A subject row while its wrapped lines are being collected."""

    first: int  # 0-based line index
    kind: str
    code: str | None
    name: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    value_line: int | None = None
    last: int = 0


def _is_footer(c: str) -> bool:
    return bool(_FOOTER.search(c))


def _is_header(c: str) -> bool:
    """Header words (also repeated after a page break), page and table numbers are not data."""
    return ("栏次" in c or c in ("类款项", "项目") or any(w in c for w in _HEADER_WORDS)
            or bool(_NOT_DATA.match(c)))


def _lanci(lines: list[str], block: TableBlock) -> int | None:
    """Index of the 栏次 row (column numbers), the last header line when a table prints one."""
    return next((i for i in range(block.start, block.end) if "栏次" in compact(lines[i])), None)


def _column_numbers(tokens: list[str]) -> bool:
    return bool(tokens) and tokens == [str(n) for n in range(1, len(tokens) + 1)]


def _body(lines: list[str], block: TableBlock) -> list[int]:
    """Non-blank data lines: after the 栏次 row when there is one, up to the notes (注：)."""
    lanci = _lanci(lines, block)
    after = block.start if lanci is None else lanci + 1
    out = []
    for i in range(after, block.end):
        c = compact(lines[i])
        if not c:
            continue
        if _is_footer(c):
            break
        if not _is_header(c):
            out.append(i)
    return out


def _raw(lines: list[str], first: int, last: int) -> str:
    """The physical lines of one logical row, '|' marking where the extractor wrapped them."""
    return " | ".join(lines[i].strip() for i in range(first, last + 1) if lines[i].strip())


def _after_total(columns: tuple[str, ...], k: int) -> tuple[tuple[str, ...], ...]:
    """Placements when the first printed number is the row total (a total is never blank)."""
    if k == 0:
        return ((),)
    return tuple((columns[0], *rest) for rest in combinations(columns[1:], k - 1))


def _any_order(columns: tuple[str, ...], k: int) -> tuple[tuple[str, ...], ...]:
    return tuple(combinations(columns, k))


def _subject_candidates(table_key: str, columns: tuple[str, ...], k: int) -> tuple[tuple[str, ...], ...]:
    # 07's first column is 年初结转, which may be blank while 本年收入 is printed.
    return _any_order(columns, k) if table_key == "gov_fund" else _after_total(columns, k)


def _class_codes(layout: Layout) -> set[str]:
    return {c for c, (level, _) in layout.subjects.items() if level == "class"}


def _row_start(tokens: list[str], following: list[str], draft: _Draft | None,
               classes: set[str]) -> tuple[str, str | None, list[str]] | None:
    """(kind, code, remaining tokens) when a line opens a new row, else None.

    A code followed by its name is a row on its own evidence; a lone code, or a code
    followed only by amounts, could be a number, so it needs a known 类 prefix and a name
    on the next line, or a previous row whose numbers are complete.
    """
    label = next((k for k, t in enumerate(tokens) if is_amount(t)), len(tokens))
    if compact("".join(tokens[:label])) in TOTAL_LABELS:  # '合计' or '合 计'
        return "total", None, tokens[label:]
    head = compact(tokens[0])
    if not SUBJECT_CODE.match(head) or not head.startswith("2"):
        return None
    rest = tokens[1:]
    if rest and not is_amount(rest[0]):
        return "subject", head, rest
    if head[:3] not in classes:
        return None
    if not rest and following and not is_amount(following[0]):
        return "subject", head, rest
    if rest and (draft is None or draft.values):
        return "subject", head, rest
    return None


def _name_done(draft: _Draft, layout: Layout) -> bool:
    """True when the row already carries its code-list name: more text belongs to the next row."""
    if draft.kind == "total":
        return True
    known = layout.subjects.get(draft.code or "")
    return bool(known) and name_key("".join(draft.name)) == name_key(known[1])


def _subject_rows(lines: list[str], block: TableBlock, columns: tuple[str, ...],
                  layout: Layout) -> list[Row]:
    """Rows 'code name numbers', with the name and the numbers possibly on their own lines."""
    classes = _class_codes(layout)
    body = _body(lines, block)
    drafts: list[_Draft] = []
    pending: list[str] = []  # name text printed above its code (a vertically centred cell)
    for pos, i in enumerate(body):
        tokens = lines[i].split()
        following = lines[body[pos + 1]].split() if pos + 1 < len(body) else []
        start = _row_start(tokens, following, drafts[-1] if drafts else None, classes)
        if start:
            kind, code, tokens = start
            drafts.append(_Draft(i, kind, code, name=pending))
            pending = []
        elif not drafts:
            if any(is_amount(t) for t in tokens) and not _column_numbers(tokens):
                raise ParseError(i + 1, f"{block.title}: amounts before the first row (合计 or a 功能分类 code): "
                                 f"{lines[i].strip()!r}")
            continue
        draft = drafts[-1]
        draft.last = i
        numbers = [t for t in tokens if is_amount(t)]
        words = [t for t in tokens if not is_amount(t)]
        if numbers:
            if draft.value_line is not None:
                raise ParseError(i + 1, f"{block.title}: amounts with no 功能分类 code (the row of line "
                                 f"{draft.first + 1} already has its amounts): {lines[i].strip()!r}")
            draft.values, draft.value_line = numbers, i
        if words and not start and _name_done(draft, layout):
            pending.extend(words)
        elif words:
            draft.name.extend(words)
    rows = []
    for d in drafts:
        if len(d.values) > len(columns):
            raise ParseError((d.value_line or d.first) + 1, f"{block.title}: {len(d.values)} amounts, "
                             f"more than the {len(columns)} columns of the table")
        name = "合计" if d.kind == "total" else compact("".join(d.name))
        values = tuple(parse_amount(v) for v in d.values)
        rows.append(Row(d.first + 1, _raw(lines, d.first, d.last), d.kind, d.code, name, values,
                         _subject_candidates(block.table_key, columns, len(values))))
    return rows


@dataclass
class _Side:
    label: str = ""
    line_no: int | None = None
    at: int = -1  # line index of the 行次 token
    values: list[str] = field(default_factory=list)


@dataclass
class _Pair:
    income: _Side = field(default_factory=_Side)
    expenditure: _Side = field(default_factory=_Side)
    first: int = -1
    last: int = -1


def _tokens(lines: list[str], indexes: Iterable[int]) -> list[tuple[str, int]]:
    return [(t, i) for i in indexes for t in lines[i].split()]


def _two_sided(lines: list[str], block: TableBlock) -> list[_Pair]:
    """01/04 rows: '[income label] 行次 [amount] [expenditure label] 行次 [amounts…]'.

    Labels wrap over lines of their own, so the tokens are read as one stream. An amount
    belongs to the 行次 printed before it on the same line. Both sides number their lines
    consecutively, so the gap between a row's two 行次 is fixed: it tells a bare
    expenditure 行次 from an income amount.
    """
    pairs: list[_Pair] = []
    row, state, gap = _Pair(), "income_label", None
    stream = _tokens(lines, _body(lines, block))
    k = 0
    while k < len(stream):
        tok, i = stream[k]
        number = is_amount(tok)
        row.first = i if row.first < 0 else row.first
        if state == "income_label":
            if not number:
                row.income.label += tok
            elif line_number(tok) is None:
                raise ParseError(i + 1, f"{block.title}: expected a 行次 number, found {tok!r}")
            else:
                row.income.line_no, row.income.at, state = line_number(tok), i, "income_amount"
        elif state == "income_amount":
            bare_line_no = gap is not None and tok == str((row.income.line_no or 0) + gap) and (
                k + 1 == len(stream) or is_amount(stream[k + 1][0]) or stream[k + 1][1] != i)
            if not number:
                row.expenditure.label, state = tok, "expenditure_label"
            elif bare_line_no or i != row.income.at:
                state = "expenditure_label"
                continue
            else:
                row.income.values.append(tok)
                state = "expenditure_label"
        elif state == "expenditure_label":
            if not number:
                row.expenditure.label += tok
            elif (line_no := line_number(tok)) is None:
                raise ParseError(i + 1, f"{block.title}: expected an expenditure 行次, found {tok!r}")
            else:
                expected = None if gap is None or row.income.line_no is None else row.income.line_no + gap
                if expected is not None and line_no != expected:
                    raise ParseError(i + 1, f"{block.title}: expected 行次 {expected} beside income 行次 "
                                     f"{row.income.line_no}, found {line_no}")
                gap = gap if gap is not None else line_no - (row.income.line_no or 0)
                row.expenditure.line_no, row.expenditure.at, state = line_no, i, "expenditure_amounts"
        elif number and i == row.expenditure.at:
            row.expenditure.values.append(tok)
        else:
            pairs.append(row)
            row, state = _Pair(), "income_label"
            continue
        row.last = i
        k += 1
    if row.first >= 0:
        pairs.append(row)
    return pairs


def _summary_rows(lines: list[str], block: TableBlock, columns: tuple[str, ...],
                  layout: Layout) -> list[Row]:
    """Name each side's line by its label (as ``tabular`` does) and give its amounts placements."""
    rows: list[Row] = []
    names = SummaryLines(layout, block.table_key)
    for pair in _two_sided(lines, block):
        for side, part in (("income", pair.income), ("expenditure", pair.expenditure)):
            if part.line_no is None:
                continue
            key = names.key(side, part.label)
            if not part.values:
                continue
            if key is None:
                raise ParseError(part.at + 1, f"{block.title}: unknown {side} line label {part.label!r} "
                                 f"(行次 {part.line_no}); add it to seeds/layout_summary_lines.csv")
            side_columns = columns[:1] if side == "income" else (columns[1:] or columns[:1])
            if len(part.values) > len(side_columns):
                raise ParseError(part.at + 1, f"{block.title}: {len(part.values)} amounts on {side} 行次 "
                                 f"{part.line_no}, more than its {len(side_columns)} columns")
            values = tuple(parse_amount(v) for v in part.values)
            rows.append(Row(part.at + 1, _raw(lines, pair.first, pair.last), "line", key,
                             strip_numbering(part.label), values, _after_total(side_columns, len(values)),
                             side, part.line_no))
    return rows


@dataclass
class _Entry:
    """One code of table 06 (or one of its two totals) while its stream is read."""

    kind: str  # econ | econ_total
    code: str
    first: int  # 0-based line index
    name: list[str] = field(default_factory=list)
    amount: str | None = None
    last: int = 0


def _econ_rows(lines: list[str], block: TableBlock, layout: Layout) -> list[Row]:
    """Table 06: two or three side-by-side blocks read as one stream of 'code name [amount]'.

    Wrapping interleaves the blocks ('0.27 31007' ends 电费 and opens the next code), but
    the stream keeps each amount right after the name of its own code.
    """
    stream = _tokens(lines, _body(lines, block))
    entries: list[_Entry] = []

    def is_code(k: int) -> bool:
        """A code is followed by its name; a bare code-like number needs the code list and a
        previous entry that already has its amount (else it is that entry's amount)."""
        tok = stream[k][0]
        if not (ECON_CODE.match(tok) and tok.startswith("3")):
            return False
        following = stream[k + 1][0] if k + 1 < len(stream) else ""
        if following and not is_amount(following) and compact(following) not in _ECON_TOTALS:
            return True
        known = any(code.startswith(tok) for code in layout.econ)
        return known and (not entries or entries[-1].amount is not None)

    for k, (tok, i) in enumerate(stream):
        c = compact(tok)
        if c in _ECON_TOTALS:
            entries.append(_Entry("econ_total", _ECON_TOTALS[c], i, [c], last=i))
        elif is_code(k):
            entries.append(_Entry("econ", tok, i, last=i))
        elif not entries:
            if is_amount(tok):
                raise ParseError(i + 1, f"{block.title}: amount {tok!r} before any 经济分类 code")
        elif is_amount(tok):
            if entries[-1].amount is not None:
                raise ParseError(i + 1, f"{block.title}: second amount {tok!r} for {entries[-1].code}; "
                                 "expected a 经济分类 code before it")
            entries[-1].amount, entries[-1].last = tok, i
        else:
            entries[-1].name.append(tok)
            entries[-1].last = i
    return [Row(e.first + 1, _raw(lines, e.first, e.last), e.kind, e.code, compact("".join(e.name)),
                 (parse_amount(e.amount),), (("amount",),)) for e in entries if e.amount is not None]


def _three_public_rows(lines: list[str], block: TableBlock, columns: tuple[str, ...]) -> list[Row]:
    """The 三公 table: one row of up to 12 amounts after the 栏次 numbers '1 2 … 12'."""
    stream = _tokens(lines, _body(lines, block))
    numbering = [str(n) for n in range(1, len(columns) + 1)]
    words = [t for t, _ in stream]
    at = next((k + len(numbering) for k in range(len(words)) if words[k:k + len(numbering)] == numbering),
              None if _lanci(lines, block) is None else 0)
    if at is None:
        stray = next(((t, i) for t, i in stream if is_amount(t)), None)
        if stray:
            raise ParseError(stray[1] + 1, f"{block.title}: expected the 栏次 row 1 … {len(columns)} "
                             f"before the amounts, found {stray[0]!r}")
        return []
    values = stream[at:]
    text = next(((t, i) for t, i in values if not is_amount(t)), None)
    if text:
        raise ParseError(text[1] + 1, f"{block.title}: expected only amounts after the 栏次 row, found {text[0]!r}")
    if not values:
        return []
    if len(values) > len(columns):
        raise ParseError(values[0][1] + 1, f"{block.title}: {len(values)} amounts, more than {len(columns)}")
    first, last = values[0][1], values[-1][1]
    return [Row(first + 1, _raw(lines, first, last), "item", None, "",
                 tuple(parse_amount(t) for t, _ in values), _any_order(columns, len(values)))]


def rows_of(lines: list[str], block: TableBlock, layout: Layout) -> list[Row]:
    columns = layout.tables[block.table_key].columns
    if block.table_key in SUBJECT_TABLES:
        return _subject_rows(lines, block, columns, layout)
    if block.table_key in SUMMARY_TABLES:
        return _summary_rows(lines, block, columns, layout)
    if block.table_key == "gpb_basic_econ":
        return _econ_rows(lines, block, layout)
    return _three_public_rows(lines, block, columns)

