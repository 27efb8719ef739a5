"""The nine tables as printed rows, derived from the model (the error injection edits these).

Which tables there are, their keys, titles, numbering and the column order of the subject and
三公 tables come from the layout seeds the parsers read (``ingest.layout.load_layout()``:
``seeds/layout_tables.csv``, ``layout_columns.csv``, ``layout_table_titles.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.layout import load_layout
from juesuan.synth.model import Leaf, Report
from juesuan.synth.reference import CN_NUM, SUMMARY_CLASSES, code_lists


@dataclass
class SubjectRow:
    kind: str  # total | subject
    code: str | None
    name: str
    values: list[int | None]


@dataclass
class Tables:
    summary: list[tuple[str, int, list[int | None], str, int, list[int | None]]]
    income: list[SubjectRow]
    expenditure: list[SubjectRow]
    gpb_expenditure: list[SubjectRow]
    fiscal_summary: list[tuple[str, int, list[int | None], str, int, list[int | None]]]
    econ: list[list[tuple[str, str, int | None]]]  # three side-by-side blocks
    econ_totals: tuple[int, int]
    three_public: list[int] | None
    dropped: set[str] = field(default_factory=set)


def _nz(v: int) -> int | None:
    return v or None


def _subject_rows(r: Report, columns: list) -> list[SubjectRow]:
    names = code_lists().subjects
    sums = [r.by_code(f) for f in columns]
    total = [_nz(sum(f(x) for x in r.leaves)) for f in columns]
    rows = [SubjectRow("total", None, "合计", total)]
    for code in r.codes():
        if sums[0].get(code, 0) == 0:
            continue
        rows.append(SubjectRow("subject", code, names[code], [_nz(s.get(code, 0)) for s in sums]))
    return rows


# What each column of the subject tables holds, by column key; ``seeds/layout_columns.csv`` gives
# the columns and their order, and a column the model has no money for (上级补助收入, 经营收入, …)
# prints blank.
_COLUMN_VALUES: dict[str, dict[str, Callable[[Leaf], int]]] = {
    "income": {"total": lambda x: x.fiscal_inc + x.business + x.other, "fiscal_grant": lambda x: x.fiscal_inc,
               "business": lambda x: x.business, "other": lambda x: x.other},
    "expenditure": {"total": lambda x: x.gpb + x.nb + x.np, "basic": lambda x: x.gb + x.nb,
                    "project": lambda x: x.gp + x.np},
    "gpb_expenditure": {"total": lambda x: x.gpb, "basic": lambda x: x.gb, "project": lambda x: x.gp},
}


def _zero(_leaf: Leaf) -> int:
    return 0


def _columns(key: str) -> list[Callable[[Leaf], int]]:
    values = _COLUMN_VALUES[key]
    return [values.get(column, _zero) for column in load_layout().tables[key].columns]


def build_tables(r: Report) -> Tables:
    income = _subject_rows(r, _columns("income"))
    expenditure = _subject_rows(r, _columns("expenditure"))
    gpb = _subject_rows(r, _columns("gpb_expenditure"))
    exp_by_class = r.by_code(lambda x: x.gpb + x.nb + x.np)
    gpb_by_class = r.by_code(lambda x: x.gpb)
    business = sum(x.business for x in r.leaves)
    other = sum(x.other for x in r.leaves)
    inc01 = [("一般公共预算财政拨款收入", r.fiscal_income), ("政府性基金预算财政拨款收入", 0),
             ("国有资本经营预算财政拨款收入", 0), ("上级补助收入", 0), ("事业收入", business), ("经营收入", 0),
             ("附属单位上缴收入", 0), ("其他收入", other)]
    summary = []
    for k, (code, cname) in enumerate(SUMMARY_CLASSES):
        label, amount = (f"{CN_NUM[k]}、{inc01[k][0]}", inc01[k][1]) if k < len(inc01) else ("", 0)
        summary.append((label, k + 1, [_nz(amount)], f"{CN_NUM[k]}、{cname}", k + 31,
                        [_nz(exp_by_class.get(code, 0))]))
    summary += [("本年收入合计", 27, [r.income_total], "本年支出合计", 57, [r.exp_total]),
                ("使用非财政拨款结余（含专用结余）", 28, [None], "结余分配", 58, [None]),
                ("年初结转和结余", 29, [_nz(r.cb)], "年末结转和结余", 59, [_nz(r.ce)]),
                ("总计", 30, [r.grand_total], "总计", 60, [r.grand_total])]
    inc04 = [("一、一般公共预算财政拨款", r.fiscal_income), ("二、政府性基金预算财政拨款", 0),
             ("三、国有资本经营预算财政拨款", 0)]
    fiscal = []
    for k, (code, cname) in enumerate(SUMMARY_CLASSES):
        label, amount = inc04[k] if k < len(inc04) else ("", 0)
        v = _nz(gpb_by_class.get(code, 0))
        fiscal.append((label, k + 1, [_nz(amount)], f"{CN_NUM[k]}、{cname}", k + 33, [v, v, None]))
    fiscal += [("本年收入合计", 27, [r.fiscal_income], "本年支出合计", 59, [r.gpb_total, r.gpb_total, None]),
               ("年初财政拨款结转和结余", 28, [_nz(r.cb)], "年末财政拨款结转和结余", 60, [_nz(r.ce), _nz(r.ce), None]),
               ("一般公共预算财政拨款", 29, [_nz(r.cb)], "", 61, [None]),
               ("政府性基金预算财政拨款", 30, [None], "", 62, [None]),
               ("国有资本经营预算财政拨款", 31, [None], "", 63, [None]),
               ("总计", 32, [r.fiscal_grand], "总计", 64, [r.fiscal_grand, r.fiscal_grand, None])]
    econ_names = code_lists().econ
    blocks: list[list[tuple[str, str, int | None]]] = [[], [], []]
    children = code_lists().econ_children
    for block, classes in ((0, ("301", "303")), (1, ("302",)), (2, ("310",))):
        for cls in classes:
            sections = children.get(cls, ())
            cls_total = sum(r.econ.get(s, 0) for s in sections)
            blocks[block].append((cls, econ_names[cls], _nz(cls_total)))
            for s in sections:
                blocks[block].append((s, econ_names[s], _nz(r.econ.get(s, 0))))
    tp = None
    if r.tp("budget", "total") or r.tp("final", "total"):
        tp = [r.tp(*column.split(":")) for column in load_layout().tables["three_public"].columns]  # budget:total, …
    return Tables(summary, income, expenditure, gpb, fiscal, blocks, (r.personnel, r.public), tp)


# Titles the 2020 template prints where the later ones differ (aliases of their table in
# seeds/layout_table_titles.csv); every other title, the order and the numbering are the seeds'.
TITLES_2020 = {"gpb_basic_econ": "一般公共预算财政拨款基本支出决算表",
               "three_public": "一般公共预算财政拨款“三公”经费支出决算表"}


def checked_titles(titles: dict[str, str]) -> dict[str, str]:
    """``titles`` (table key → printed title), each checked to name its table in the layout seeds."""
    layout = load_layout()
    wrong = {key: title for key, title in titles.items() if layout.table_for_title(title) != key}
    if wrong:
        raise ValueError(f"titles not in seeds/layout_table_titles.csv for their table: {wrong}")
    return titles


@lru_cache(maxsize=2)
def _titles(template_2020: bool) -> tuple[tuple[str, str, str], ...]:
    specs = load_layout().tables.values()
    if template_2020:
        titles = checked_titles(TITLES_2020)
        return tuple((s.table_key, titles.get(s.table_key, s.title_zh), s.no_2020)
                     for s in sorted(specs, key=lambda s: int(s.no_2020)))
    return tuple((s.table_key, s.title_zh, s.std_no) for s in sorted(specs, key=lambda s: s.std_no))


def titles_for_year(year: int) -> tuple[tuple[str, str, str], ...]:
    """(table key, title, number as printed) in the order of ``year``'s template: 2020 prints
    表1–表9 with 三公 as 表7 (``no_2020``), later years 公开01–09表 (``std_no``)."""
    return _titles(year == 2020)


def table_titles(r: Report) -> list[tuple[str, str, str]]:
    """``titles_for_year`` of the report's year."""
    return list(titles_for_year(r.year))
