"""Layout-independent table logic: the table groups, recognising a table's title, finding
the nine tables in text, naming 01/04 lines, and repairing codes the extractor cut short.

Every layout parser (tab-separated, pdftotext flow, PDF grids) recognises titles, names
summary lines and groups tables here, and hands its cells to the repair functions, so a
title, a line or a code is read the same way whatever the layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ingest.layout import Layout
from ingest.records import CodeRepair, ParseError, TableCell
from ingest.text import compact
from ingest.vocab import name_key, strip_numbering

SUBJECT_TABLES = ("income", "expenditure", "gpb_expenditure", "gov_fund", "soe_capital")  # 02 03 05 07 08
SUMMARY_TABLES = ("summary", "fiscal_summary")  # 01 and 04, two-sided
FUND_TABLES = ("gpb_expenditure", "gov_fund", "soe_capital")  # 05 07 08, one per fund
FUND_ORDER = ("gpb_grant", "gov_fund_grant", "soe_grant")  # 01/04 fund lines, in print order
TOTAL_LABELS = frozenset({"合计", "总计"})

# A table title as printed: [list numbering] [unit name] [<year>年度] TITLE [（表N）|（公开NN表）]
_TABLE_NUMBER = r"(?:表(?P<no>\d{1,2})|公开(?P<public_no>\d{2})表)"
_YEAR_FIRST = "20"  # how a year-first title begins: find_table_blocks tries no other line
_TITLE_YEAR_FIRST = re.compile(rf"^{_YEAR_FIRST}\d\d年度?(?P<title>.+?)(?:[（(]{_TABLE_NUMBER}[）)])?$")
_TITLE_ANY = re.compile(
    r"^(?:附?表[一二三四五六七八九十\d]+[、.：:]?|[一二三四五六七八九十]+、|\d+[.、])?"
    rf"(?:.{{0,40}}?20\d\d年度?)?(?P<title>.+?)(?:[（(]?{_TABLE_NUMBER}[）)]?)?$")
_TABLE_NO = re.compile(r"^公开(?P<no>\d{2})表$")
_NARRATIVE_START = re.compile(r"^第三部分|决算情况说明$")

SUBJECT_CODE = re.compile(r"^\d{3,7}$")
ECON_CODE = re.compile(r"^\d{3,5}$")


@dataclass(frozen=True)
class TableBlock:
    table_key: str
    table_no: str | None
    title: str
    title_line: int  # 1-based
    start: int  # 0-based index of the first line after the title
    end: int  # 0-based exclusive


def match_title(text: str, layout: Layout, *, year_first: bool = True) -> tuple[str, str | None] | None:
    """A table title → (table_key, number as printed or None); the title text is looked up in
    seeds/layout_table_titles.csv.

    ``year_first`` (text layouts, where titles are found among all lines): the title must
    start with its year ("2024 年度收入决算表", "2020 年度收入决算表（表 2）", "2021 年度收入决算表
    （公开02表）"); that is what tells it from the table of contents ("二、收入决算表"). False
    (PDF, where the title is read just above its ruled table): list numbering ("表1 ", "一、"),
    a unit name before the year, no year, and a number without brackets are allowed too.
    """
    return _match_compact(compact(text), layout, _TITLE_YEAR_FIRST if year_first else _TITLE_ANY)


def _match_compact(text: str, layout: Layout, pattern: re.Pattern[str]) -> tuple[str, str | None] | None:
    m = pattern.match(text)
    if not m:
        return None
    key = layout.table_for_title(m.group("title"))
    return (key, m.group("no") or m.group("public_no")) if key else None


def find_table_blocks(lines: list[str], layout: Layout) -> list[TableBlock]:
    """Title lines of the nine tables, in document order, each up to the next title.

    pdftotext wraps long titles ("2020 年度政府性基金预算财政拨款" / "收入支出决算表（表 8）"):
    a line that is no title alone is tried joined to the previous non-blank line.
    """
    found: list[tuple[int, int, str, str | None, str]] = []  # (first line, last line, key, no, title)
    narrative_at = len(lines)
    previous: tuple[int, str] | None = None  # last non-blank line that was not part of a title
    for i, line in enumerate(lines):
        c = compact(line)
        if not c:
            continue
        if found and _NARRATIVE_START.search(c):
            narrative_at = i
            break
        # the lines are compacted once; most do not begin as a year-first title can
        first, title = i, c
        hit = _match_compact(c, layout, _TITLE_YEAR_FIRST) if c.startswith(_YEAR_FIRST) else None
        if (not hit and previous and i - previous[0] <= 2 and previous[1].startswith(_YEAR_FIRST)
                and not _TABLE_NO.match(c)):
            first, title = previous[0], previous[1] + c
            hit = _match_compact(title, layout, _TITLE_YEAR_FIRST)
        if hit:
            found.append((first, i, hit[0], hit[1], title))
            previous = None
            continue
        previous = (i, c)
        m = _TABLE_NO.match(c)
        if m and found and found[-1][3] is None and i - found[-1][1] <= 4:
            i0, i1, key, _, title = found[-1]
            found[-1] = (i0, i1, key, m.group("no"), title)
    blocks = []
    for k, (first, last, key, no, title) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else narrative_at
        blocks.append(TableBlock(key, no, title, first + 1, last + 1, end))
    return blocks


class SummaryLines:
    """Names the lines of one 01/04 table by their labels, not their 行次 (which drift by year),
    as its rows are read top to bottom, one side (income, expenditure) at a time.

    A label names its line through seeds/layout_summary_lines.csv; on the expenditure side a
    functional 类 name gives ``class:<code>``. After 04's 年初/年末结转 line (``carryover_begin``,
    ``carryover_end``) the fund lines belong to it: a labelled one is ``carryover_end:gpb_grant``,
    and the unlabelled sub-lines 04 prints under 年末结转 take the fund order.
    """

    def __init__(self, layout: Layout, table_key: str) -> None:
        self.layout, self.table_key = layout, table_key
        self._group: dict[str, str | None] = {"income": None, "expenditure": None}
        self._unlabelled = {"income": 0, "expenditure": 0}

    def key(self, side: str, label: str) -> str | None:
        """The line key of the next line printed on ``side``; None for a label no seed names."""
        group = self._group[side]
        key = self._label_key(side, label, group)
        if key is None and not strip_numbering(label) and group:
            idx = self._unlabelled[side]
            self._unlabelled[side] += 1
            key = f"{group}:{FUND_ORDER[idx]}" if idx < len(FUND_ORDER) else None
        if key in ("carryover_begin", "carryover_end") and self.table_key == "fiscal_summary":
            self._group[side], self._unlabelled[side] = key, 0
        return key

    def _label_key(self, side: str, label: str, group: str | None) -> str | None:
        clean = strip_numbering(label)
        if not clean:
            return None
        hit = self.layout.summary_lines.get((self.table_key, side, name_key(clean)))
        if hit and group and not hit[1] and hit[0] in FUND_ORDER:
            return f"{group}:{hit[0]}"
        if hit:
            return hit[0]
        if side == "expenditure":
            code = self.layout.class_by_name.get(name_key(clean))
            if code:
                return f"class:{code}"
        return None


def _names_by_code(cells: Iterable[TableCell]) -> dict[tuple[str, str], tuple[str, int]]:
    """(parent 款 code, name) → (full 7-digit code, line) from rows whose code is complete."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for c in cells:
        if c.row_kind == "subject" and c.code_printed and len(c.code_printed) == 7:
            out.setdefault((c.code_printed[:5], name_key(c.name)), (c.code_printed, c.source_line))
    return out


def repair_subject_codes(
    cells: list[TableCell], layout: Layout
) -> tuple[list[TableCell], list[CodeRepair], list[ParseError]]:
    """Repair 功能分类 codes cut short by the extractor (201130 → 2011308).

    A code is repaired only when the report's own complete rows (another table, same
    name under the same 款) or the code list (same name under the same prefix) prove it;
    otherwise the row is reported and keeps no code.
    """
    known = _names_by_code(cells)
    repaired: dict[tuple[str, int], str | None] = {}
    repairs: list[CodeRepair] = []
    problems: list[ParseError] = []
    section_of_line: dict[tuple[str, int], str] = {}
    current_section: dict[str, str] = {}
    for c in cells:
        if c.row_kind != "subject" or not c.code_printed:
            continue
        if len(c.code_printed) == 5:
            current_section[c.table_key] = c.code_printed
        section_of_line[(c.table_key, c.source_line)] = current_section.get(c.table_key, "")
    for c in cells:
        key = (c.table_key, c.source_line)
        if c.row_kind != "subject" or not c.code_printed or len(c.code_printed) in (3, 5, 7) or key in repaired:
            continue
        printed, name = c.code_printed, name_key(c.name)
        section = section_of_line.get(key) or printed[:5]
        hit = known.get((section, name))
        if hit and hit[0].startswith(printed):
            code, method = hit[0], f"same name in this report, line {hit[1]}"
        else:
            options = [code for code, n in layout.subject_children(printed, 7) if name_key(n) == name]
            if len(options) == 1:
                code, method = options[0], "code list: only 项 under this prefix with this name"
            else:
                repaired[key] = None
                problems.append(ParseError(c.source_line, f"{c.table_key}: code {printed} {c.name} is cut "
                                           f"short and no complete row or code-list entry proves it "
                                           f"({len(options)} candidates)", stage="code_repair"))
                continue
        repaired[key] = code
        repairs.append(CodeRepair(c.table_key, c.source_line, printed, code, c.name, method))
    out = []
    for c in cells:
        key = (c.table_key, c.source_line)
        if key in repaired:
            out.append(replace(c, code=repaired[key]))
        else:
            out.append(c)
    return out, repairs, problems


def repair_econ_codes(
    cells: list[TableCell], layout: Layout
) -> tuple[list[TableCell], list[CodeRepair], list[ParseError]]:
    """Repair 经济分类 codes cut to 4 digits (3010 基本工资 → 30101) by name within the 类.

    A name the extractor also cut ('机关事业单位基本养老保险缴') matches by prefix when
    exactly one code under the 类 starts with it.
    """
    out: list[TableCell] = []
    repairs: list[CodeRepair] = []
    problems: list[ParseError] = []
    for c in cells:
        printed = c.code_printed
        if c.row_kind != "econ" or not printed or len(printed) in (3, 5):
            out.append(c)
            continue
        name = name_key(c.name)
        family = layout.econ_children(printed[:3], 5)
        exact = [code for code, n in family if name_key(n) == name and code.startswith(printed)]
        exact = exact or [code for code, n in family if name_key(n) == name]
        options = exact or [code for code, n in family if name_key(n).startswith(name) and len(name) >= 4]
        if len(options) == 1:
            repairs.append(CodeRepair(c.table_key, c.source_line, printed, options[0], c.name,
                                      "code list: name under the same 类" + ("" if exact else " (name cut short)")))
            out.append(replace(c, code=options[0]))
        else:
            problems.append(ParseError(c.source_line, f"{c.table_key}: economic code {printed} {c.name} is cut "
                                       f"short and the code list has {len(options)} candidates",
                                       stage="code_repair"))
            out.append(replace(c, code=None))
    return out, repairs, problems
