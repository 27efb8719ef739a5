"""Parser for the pdftotext flow layout (sample 002).

pdftotext splits cells by spaces, wraps names and headers over several lines and drops
empty cells, so a printed number no longer says which column it sat in. Parsing is two steps:

1. rebuild logical rows from the wrapped lines, one reader per table kind;
2. place each row's numbers with the tables' own arithmetic. Every row starts with the
   column placements its numbers allow (in print order, so left-to-right order is kept);
   linear identities prune them: column totals and 类 = Σ 款 = Σ 项 inside a table, 04's
   per-fund flows, then ties to other tables of the report (02 合计 = 01 income lines,
   03 ≥ 05 + 07 + 08 per code, 05 基本 = 06 totals, 04 fund columns = 05/07/08). A number
   whose column the arithmetic leaves open becomes an Ambiguity, never a guessed cell.

The cells have exactly the shapes ``ingest.tabular`` emits, so the warehouse treats both
layouts alike.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from ingest.layout import Layout, norm_name, strip_numbering
from ingest.records import Ambiguity, ParseError, TableCell, TablePresence
from ingest.tables import ECON_CODE, SUBJECT_CODE, TableBlock, summary_line_key
from ingest.text import compact, is_amount, line_number, parse_amount

SUBJECT_TABLES = ("income", "expenditure", "gpb_expenditure", "gov_fund", "soe_capital")
SUMMARY_TABLES = ("summary", "fiscal_summary")
FUND_TABLES = ("gpb_expenditure", "gov_fund", "soe_capital")
FUND_ORDER = ("gpb_grant", "gov_fund_grant", "soe_grant")
FUND_COLUMNS = ("general_public_budget", "government_fund", "state_capital")  # 04's columns, same order
_TOTAL_LABELS = {"合计", "总计"}
_ECON_TOTALS = {"人员经费合计": "personnel", "公用经费合计": "public"}

_FOOTER = re.compile(r"^(?:注|说明)[：:]|^本(?:部门|单位)(?:本年度)?(?:无|没有)|本表无数据")
_HEADER_WORDS = ("科目编码", "科目名称", "单位：万元", "单位:万元", "年度")
# page numbers ('- 12 -', '第 8 页') and the table number printed under a title ('公开 02 表')
_NOT_DATA = re.compile(r"^[-—－]\d{1,4}[-—－]$|^第\d{1,4}页(?:共\d{1,4}页)?$|^公开\d{2}表$")
_DP_LIMIT = 50_000  # partial sums one identity may track before it gives up pruning


# ---------------------------------------------------------------------------------------------
# Logical rows


@dataclass(frozen=True)
class _Row:
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
    if compact("".join(tokens[:label])) in _TOTAL_LABELS:  # '合计' or '合 计'
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
    return bool(known) and norm_name("".join(draft.name)) == norm_name(known[1])


def _subject_rows(lines: list[str], block: TableBlock, columns: tuple[str, ...],
                  layout: Layout) -> list[_Row]:
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
        rows.append(_Row(d.first + 1, _raw(lines, d.first, d.last), d.kind, d.code, name, values,
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
                  layout: Layout) -> list[_Row]:
    """Name each side's line by its label (as ``tabular`` does) and give its amounts placements."""
    rows: list[_Row] = []
    groups: dict[str, str | None] = {"income": None, "expenditure": None}
    unlabelled = {"income": 0, "expenditure": 0}
    for pair in _two_sided(lines, block):
        for side, part in (("income", pair.income), ("expenditure", pair.expenditure)):
            if part.line_no is None:
                continue
            key = summary_line_key(layout, block.table_key, side, part.label, groups[side])
            if key is None and not strip_numbering(part.label) and groups[side]:
                # 04 leaves the fund sub-lines of 年末结转 unlabelled.
                idx = unlabelled[side]
                unlabelled[side] += 1
                key = f"{groups[side]}:{FUND_ORDER[idx]}" if idx < len(FUND_ORDER) else None
            if key in ("carryover_begin", "carryover_end") and block.table_key == "fiscal_summary":
                groups[side], unlabelled[side] = key, 0
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
            rows.append(_Row(part.at + 1, _raw(lines, pair.first, pair.last), "line", key,
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


def _econ_rows(lines: list[str], block: TableBlock, layout: Layout) -> list[_Row]:
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
    return [_Row(e.first + 1, _raw(lines, e.first, e.last), e.kind, e.code, compact("".join(e.name)),
                 (parse_amount(e.amount),), (("amount",),)) for e in entries if e.amount is not None]


def _three_public_rows(lines: list[str], block: TableBlock, columns: tuple[str, ...]) -> list[_Row]:
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
    return [_Row(first + 1, _raw(lines, first, last), "item", None, "",
                 tuple(parse_amount(t) for t, _ in values), _any_order(columns, len(values)))]


def _rows_of(lines: list[str], block: TableBlock, layout: Layout) -> list[_Row]:
    columns = layout.tables[block.table_key].columns
    if block.table_key in SUBJECT_TABLES:
        return _subject_rows(lines, block, columns, layout)
    if block.table_key in SUMMARY_TABLES:
        return _summary_rows(lines, block, columns, layout)
    if block.table_key == "gpb_basic_econ":
        return _econ_rows(lines, block, layout)
    return _three_public_rows(lines, block, columns)


# ---------------------------------------------------------------------------------------------
# Identities


@dataclass(frozen=True)
class _Sum:
    """Σ coef·cell = 0 (or ≥ 0), within the rounding tolerance of its printed addends."""

    terms: tuple[tuple[int, int, str], ...]  # (coef, row id, column key)
    at_least: bool = False
    family: tuple[object, ...] = ()  # identities that stand or fall together (one parent, all columns)


def _tolerance(con: _Sum) -> int:
    """DESIGN §4: n printed addends hold within 0.005·(n+1), at least 0.01 (in milli-万元)."""
    return max(10, 5 * len(con.terms))


def _equal(lhs: Iterable[tuple[int, str]], rhs: Iterable[tuple[int, str]], family: tuple[object, ...] = ()) -> _Sum:
    """lhs = rhs; by default one family per left-hand row (a parent and its children, every column)."""
    terms = tuple((1, r, c) for r, c in lhs) + tuple((-1, r, c) for r, c in rhs)
    return _Sum(terms, family=family or ("sum", terms[0][1]))


def _at_least(lhs: Iterable[tuple[int, str]], rhs: Iterable[tuple[int, str]]) -> _Sum:
    return _Sum(_equal(lhs, rhs).terms, at_least=True)


def _parent_of(rows: list[_Row], ids: list[int]) -> dict[int, int | None]:
    """Each subject row's nearest printed ancestor (款 for a 项, 类 for a 款 or an orphan 项)."""
    out: dict[int, int | None] = {}
    for pos, r in enumerate(ids):
        code = rows[r].code or ""
        out[r] = None
        for length in (5, 3):
            if len(code) <= length:
                continue
            same = [q for q in ids if rows[q].code == code[:length]]
            before = [q for q in ids[:pos] if rows[q].code == code[:length]]
            if same:
                out[r] = (before or same)[-1]
                break
    return out


def _hierarchy(rows: list[_Row], ids: list[int], columns: tuple[str, ...]) -> list[_Sum]:
    """合计 = Σ 类, 类 = Σ 款, 款 = Σ 项, column by column."""
    subjects = [r for r in ids if rows[r].kind == "subject"]
    total = next((r for r in ids if rows[r].kind == "total"), None)
    children: dict[int | None, list[int]] = {}
    for r, parent in _parent_of(rows, subjects).items():
        children.setdefault(parent if parent is not None else total, []).append(r)
    return [_equal([(parent, c)], [(k, c) for k in kids])
            for parent, kids in children.items() if parent is not None for c in columns]


def _row_identities(table_key: str, r: int) -> list[_Sum]:
    row = ("row", r)
    if table_key == "gov_fund":
        return [_equal([(r, "total")], [(r, "basic"), (r, "project")], row),
                _equal([(r, "carryover_end"), (r, "total")], [(r, "carryover_begin"), (r, "income")], row)]
    if table_key == "three_public":
        return [s for stage in ("budget", "final") for s in (
            _equal([(r, f"{stage}:total")], [(r, f"{stage}:abroad"), (r, f"{stage}:vehicle"),
                                              (r, f"{stage}:reception")], row),
            _equal([(r, f"{stage}:vehicle")], [(r, f"{stage}:vehicle_purchase"),
                                                (r, f"{stage}:vehicle_operation")], row))]
    return []


def _line(rows: list[_Row], ids: list[int], side: str, key: str) -> int | None:
    return next((r for r in ids if rows[r].side == side and rows[r].code == key), None)


def _fiscal_summary(rows: list[_Row], ids: list[int]) -> list[_Sum]:
    """04: 本年支出合计 = Σ 类 and 总计 = 本年支出 + 年末结转 per column; per fund,
    年末结转 + 本年支出 = 年初结转 + 本年收入 (V33-119)."""
    spend = _line(rows, ids, "expenditure", "total_expenditure")
    end = _line(rows, ids, "expenditure", "carryover_end")
    grand = _line(rows, ids, "expenditure", "grand_total")
    classes = [r for r in ids if rows[r].side == "expenditure" and (rows[r].code or "").startswith("class:")]
    out = []
    for c in ("subtotal", *FUND_COLUMNS):
        if spend is not None:
            out.append(_equal([(spend, c)], [(r, c) for r in classes]))
        if grand is not None:
            out.append(_equal([(grand, c)], [(r, c) for r in (spend, end) if r is not None]))
    for fund, c in zip(FUND_ORDER, FUND_COLUMNS, strict=True):
        sources = [_line(rows, ids, "income", k) for k in (fund, f"carryover_begin:{fund}")]
        out.append(_equal([(r, c) for r in (spend, end) if r is not None],
                          [(r, "amount") for r in sources if r is not None], family=("flow", fund)))
    return out


def _within(rows: list[_Row], tables: dict[int, list[int]], blocks: list[TableBlock], layout: Layout) -> list[_Sum]:
    out: list[_Sum] = []
    for b, ids in tables.items():
        key = blocks[b].table_key
        if key in SUBJECT_TABLES:
            out += _hierarchy(rows, ids, layout.tables[key].columns)
        if key == "fiscal_summary":
            out += _fiscal_summary(rows, ids)
        out += [s for r in ids for s in _row_identities(key, r)]
    return out


def _index(rows: list[_Row], ids: list[int]) -> dict[object, int]:
    """Rows of a subject table by code (by code and name where the extractor duplicated a code)."""
    counts = Counter(rows[r].code for r in ids)
    out: dict[object, int] = {}
    for r in ids:
        row = rows[r]
        if row.kind == "total":
            out["合计"] = r
        elif row.kind == "subject":
            out[row.code if counts[row.code] == 1 else (row.code, norm_name(row.name))] = r
    return out


def _cross(rows: list[_Row], tables: dict[int, list[int]], blocks: list[TableBlock]) -> list[_Sum]:
    """Ties between tables of the same report (DESIGN research X-01…X-05)."""
    first: dict[str, list[int]] = {}
    for b, ids in tables.items():
        # An empty 07/08 means no such fund; an empty 01/04/06 more likely lost its numbers.
        if blocks[b].table_key in FUND_TABLES or any(rows[r].values for r in ids):
            first.setdefault(blocks[b].table_key, ids)
    out: list[_Sum] = []
    summary, fiscal = first.get("summary"), first.get("fiscal_summary")
    income, spend, econ = first.get("income"), first.get("expenditure"), first.get("gpb_basic_econ")
    funds = {k: _index(rows, first[k]) for k in FUND_TABLES if k in first}
    income_total = _index(rows, income).get("合计") if income is not None else None
    if income_total is not None and summary is not None:
        for c, keys in (("total", ("total_income",)), ("fiscal_grant", FUND_ORDER),
                        *((c, (c,)) for c in ("upper_grant", "business", "operating", "subsidiary", "other"))):
            lines = [_line(rows, summary, "income", k) for k in keys]
            out.append(_equal([(income_total, c)], [(r, "amount") for r in lines if r is not None]))
    if income_total is not None and fiscal is not None:
        got = _line(rows, fiscal, "income", "total_income")
        out.append(_equal([(income_total, "fiscal_grant")], [(got, "amount")] if got is not None else []))
    if spend is not None and funds:
        for key, r in _index(rows, spend).items():
            matches = [idx[key] for idx in funds.values() if key in idx]
            out += [_at_least([(r, c)], [(m, c) for m in matches]) for c in ("basic", "project") if matches]
    gpb_total = funds.get("gpb_expenditure", {}).get("合计")
    if gpb_total is not None and econ is not None:
        totals = [r for r in econ if rows[r].kind == "econ_total"]
        if totals:
            out.append(_equal([(gpb_total, "basic")], [(r, "amount") for r in totals]))
    if fiscal is not None:
        targets = [(r, (rows[r].code or "").removeprefix("class:")) for r in fiscal
                   if rows[r].side == "expenditure" and (rows[r].code or "").startswith("class:")]
        targets += [(r, "合计") for r in fiscal if rows[r].side == "expenditure" and rows[r].code == "total_expenditure"]
        for table, c in zip(FUND_TABLES, FUND_COLUMNS, strict=True):
            if table in funds:
                out += [_equal([(r, c)], [(funds[table][key], "total")] if key in funds[table] else [])
                        for r, key in targets]
        fund_total = funds.get("gov_fund", {}).get("合计")
        for key, c in (("gov_fund_grant", "income"), ("carryover_begin:gov_fund_grant", "carryover_begin")):
            got = _line(rows, fiscal, "income", key)
            if fund_total is not None:
                out.append(_equal([(fund_total, c)], [(got, "amount")] if got is not None else []))
    return out


# ---------------------------------------------------------------------------------------------
# Placement: prune every row's placements until the identities have nothing more to say

Domains = dict[int, tuple[int, ...]]  # row id → indexes into its candidates
Amounts = list[list[dict[str, int]]]  # row id → candidate → column → milli-万元


def _milli(v: Decimal) -> int:
    return int((v * 1000).to_integral_value())


def _amounts(rows: list[_Row]) -> Amounts:
    """What each placement puts in each column, computed once for the whole search."""
    out: Amounts = []
    for row in rows:
        per: list[dict[str, int]] = []
        for candidate in row.candidates:
            cells: dict[str, int] = {}
            for v, c in zip(row.values, candidate, strict=True):
                cells[c] = cells.get(c, 0) + _milli(v)
            per.append(cells)
        out.append(per)
    return out


def _sums(options: list[list[int]]) -> list[set[int]] | None:
    """Partial sums reachable after each prefix of rows; None when there are too many to track."""
    out = [{0}]
    for opts in options:
        nxt = {p + x for p in out[-1] for x in opts}
        if len(nxt) > _DP_LIMIT:
            return None
        out.append(nxt)
    return out


def _fits(prefix: set[int], x: int, suffix: list[int], con: _Sum) -> bool:
    tol = _tolerance(con)
    if con.at_least:
        return max(prefix) + x + suffix[-1] >= -tol
    for p in prefix:
        target = -(p + x)
        k = bisect_left(suffix, target - tol)
        if k < len(suffix) and suffix[k] <= target + tol:
            return True
    return False


def _revise(con: _Sum, domains: Domains, amounts: Amounts) -> Domains | None:
    """Keep the placements of each row that some placement of the others satisfies.

    Returns the narrowed domains of the rows involved, {} when the identity is too large to
    check, None when no placement at all satisfies it.
    """
    order = list(dict.fromkeys(r for _, r, _ in con.terms))
    if order and all(len(domains[r]) == 1 for r in order):
        # Every row placed (most calls once the search has narrowed): the sets below would
        # reduce to this one sum, and nothing can narrow further.
        return {r: domains[r] for r in order} if _holds(con, sum(
            k * amounts[r][domains[r][0]].get(c, 0) for k, r, c in con.terms)) else None
    contributions = []
    for r in order:
        terms = [(k, c) for k, q, c in con.terms if q == r]
        contributions.append({i: sum(k * amounts[r][i].get(c, 0) for k, c in terms) for i in domains[r]})
    options = [sorted(set(m.values())) for m in contributions]
    # A row with one possible contribution only shifts every partial sum: folded into a constant,
    # the sets track the other rows (same sizes, same answers, fewer and cheaper set copies).
    const = sum(opts[0] for opts in options if len(opts) == 1)
    free = [n for n, opts in enumerate(options) if len(opts) != 1]
    if not free:
        return {r: domains[r] for r in order} if _holds(con, const) else None
    free_options = [options[n] for n in free]
    prefix = _sums(free_options)
    suffix = _sums(free_options[::-1])
    if prefix is None or suffix is None:
        return {}
    ok: dict[int, set[int]] = {}
    for m, n in enumerate(free):
        after = sorted(suffix[len(free) - m - 1])
        ok[n] = {x for x in options[n] if _fits(prefix[m], x + const, after, con)}
        if not ok[n]:
            return None
    # some placement satisfies the identity, so each single-contribution row keeps its own
    return {r: tuple(i for i in domains[r] if contributions[n][i] in ok[n]) if n in ok else domains[r]
            for n, r in enumerate(order)}


def _holds(con: _Sum, total: int) -> bool:
    return total >= -_tolerance(con) if con.at_least else abs(total) <= _tolerance(con)


@dataclass(frozen=True)
class _System:
    """The identities in force, and which of them each row appears in."""

    cons: tuple[_Sum, ...]
    watch: dict[int, tuple[int, ...]]

    @staticmethod
    def of(cons: Iterable[_Sum]) -> _System:
        cons = tuple(cons)
        watch: dict[int, list[int]] = {}
        for k, con in enumerate(cons):
            for r in dict.fromkeys(r for _, r, _ in con.terms):
                watch.setdefault(r, []).append(k)
        return _System(cons, {r: tuple(ks) for r, ks in watch.items()})

    def plus(self, con: _Sum) -> _System:
        """This system and one more identity (rebuilding it whole per tie was a quarter of the
        flow parser's time: scripts/bench.py)."""
        k, watch = len(self.cons), dict(self.watch)
        for r in dict.fromkeys(r for _, r, _ in con.terms):
            watch[r] = (*watch.get(r, ()), k)
        return _System((*self.cons, con), watch)


def _propagate(system: _System, domains: Domains, amounts: Amounts, queue: Iterable[int] | None = None) -> int | None:
    """Narrow ``domains`` in place to a fixpoint; the index of an identity nothing satisfies, if any."""
    todo = deque(range(len(system.cons)) if queue is None else queue)
    queued = set(todo)
    while todo:
        k = todo.popleft()
        queued.discard(k)
        narrowed = _revise(system.cons[k], domains, amounts)
        if narrowed is None:
            return k
        for r, dom in narrowed.items():
            if len(dom) < len(domains[r]):
                domains[r] = dom
                for k2 in system.watch[r]:
                    if k2 not in queued:
                        todo.append(k2)
                        queued.add(k2)
    return None


def _place(rows: list[_Row], within: list[_Sum], cross: list[_Sum]) -> Domains:
    """A table's own arithmetic first; then each tie to another table that does not contradict
    it; then each remaining placement is tried alone and dropped if it makes the identities fail.

    An identity the printed numbers break whatever the placement (a real error in the report,
    for the audit to find) is left out instead of forcing a placement.
    """
    amounts = _amounts(rows)
    start: Domains = {r: tuple(range(len(row.candidates))) for r, row in enumerate(rows)}
    families: dict[tuple[object, ...], list[_Sum]] = {}
    for con in within:
        families.setdefault(con.family, []).append(con)
    # A family no placement satisfies (a 款 whose printed 项 do not add up) is a printing
    # error: set aside whole, so that it cannot push numbers into wrong columns.
    active = [con for fam in families.values() if _propagate(_System.of(fam), dict(start), amounts) is None
              for con in fam]
    while True:
        domains = dict(start)
        bad = _propagate(_System.of(active), domains, amounts)
        if bad is None:
            break
        active = [con for con in active if con.family != active[bad].family]
    system = _System.of(active)
    for con in cross:
        trial, candidate = dict(domains), system.plus(con)
        if _propagate(candidate, trial, amounts, queue=[len(system.cons)]) is None:
            system, domains = candidate, trial
    changed = True
    while changed:
        changed = False
        for r in [r for r, dom in domains.items() if len(dom) > 1]:
            keep = tuple(i for i in domains[r]
                         if _propagate(system, {**domains, r: (i,)}, amounts, system.watch.get(r, ())) is None)
            if keep and keep != domains[r]:
                domains[r] = keep
                _propagate(system, domains, amounts, system.watch.get(r, ()))
                changed = True
    return domains


# ---------------------------------------------------------------------------------------------
# Output


_WHY = {
    "subject": "column totals, 类/款/项 sums and the report's other tables allow each",
    "gov_fund": "本年支出 = 基本 + 项目, 年末 = 年初 + 收入 − 支出, column totals and table 04 allow each",
    "fiscal_summary": "04's column totals, per-fund flows and tables 05/07/08 allow each",
    "three_public": "合计 = 出国 + 公务用车 + 接待 and 公务用车 = 购置 + 运行 allow each",
}


def _emit(row: _Row, block: TableBlock, options: list[tuple[str, ...]]) -> tuple[list[TableCell], Ambiguity | None]:
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
    rows: list[_Row] = []
    tables: dict[int, list[int]] = {}
    problems: list[ParseError] = []
    failed: dict[int, ParseError] = {}
    for b, block in enumerate(blocks):
        try:
            got = _rows_of(lines, block, layout)
        except ParseError as exc:
            problems.append(exc)
            failed[b] = exc
            continue
        tables[b] = list(range(len(rows), len(rows) + len(got)))
        rows += got
    domains = _place(rows, _within(rows, tables, blocks, layout), _cross(rows, tables, blocks))
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
