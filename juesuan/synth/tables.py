"""The nine tables as printed rows, derived from the model (the error injection edits these)."""

from __future__ import annotations

from dataclasses import dataclass, field

from juesuan.synth.model import Report
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


def build_tables(r: Report) -> Tables:
    zero = lambda _x: 0  # noqa: E731
    income = _subject_rows(r, [lambda x: x.fiscal_inc + x.business + x.other, lambda x: x.fiscal_inc, zero,
                               lambda x: x.business, zero, zero, lambda x: x.other])
    expenditure = _subject_rows(r, [lambda x: x.gpb + x.nb + x.np, lambda x: x.gb + x.nb, lambda x: x.gp + x.np,
                                    zero, zero, zero])
    gpb = _subject_rows(r, [lambda x: x.gpb, lambda x: x.gb, lambda x: x.gp])
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
        tp = [r.tp(stage, item) for stage in ("budget", "final")
              for item in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")]
    return Tables(summary, income, expenditure, gpb, fiscal, blocks, (r.personnel, r.public), tp)


# Table order and numbering: 2020 prints 表1–表9 with 三公 as 表7; later years 公开01–09表.
_TABLE_ORDER_2020 = ("summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
                     "three_public", "gov_fund", "soe_capital")
_TABLE_ORDER = ("summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
                "gov_fund", "soe_capital", "three_public")
_TITLES = {"summary": "收入支出决算总表", "income": "收入决算表", "expenditure": "支出决算表",
           "fiscal_summary": "财政拨款收入支出决算总表", "gpb_expenditure": "一般公共预算财政拨款支出决算表",
           "gpb_basic_econ": "一般公共预算财政拨款基本支出决算明细表", "gov_fund": "政府性基金预算财政拨款收入支出决算表",
           "soe_capital": "国有资本经营预算财政拨款支出决算表", "three_public": "财政拨款“三公”经费支出决算表"}
_TITLES_2020 = dict(_TITLES, gpb_basic_econ="一般公共预算财政拨款基本支出决算表",
                    three_public="一般公共预算财政拨款“三公”经费支出决算表")


def table_titles(r: Report) -> list[tuple[str, str, str]]:
    """(table key, title, number as printed) in the year's order."""
    if r.year == 2020:
        return [(k, _TITLES_2020[k], str(n)) for n, k in enumerate(_TABLE_ORDER_2020, 1)]
    return [(k, _TITLES[k], f"{n:02d}") for n, k in enumerate(_TABLE_ORDER, 1)]
