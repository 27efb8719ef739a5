"""What the PDF renderer prints: the variants (``PdfOptions``, ``draw_options``) and each of
the nine tables of the 2024 national template as a ``Grid`` — header rows, merged cells,
printed cells, widths — which ``pdf`` draws with reportlab and ``pdf_raster`` as an image."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, fields, replace

from reportlab.lib.pagesizes import A4

from ingest.layout import load_layout
from juesuan.synth.fmt import wan
from juesuan.synth.model import LAYOUT_NARRATIVE, Report
from juesuan.synth.reference import CN_NUM
from juesuan.synth.tables import SubjectRow, Tables, checked_titles

FS = 8.5  # table font size

# The nine tables in the 2024 order, with the titles the template prints (no year, no 公开NN表):
# the layout seeds' titles but for two the 2024 template words differently (aliases of their
# table in seeds/layout_table_titles.csv).
TABLE_ORDER = ("summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
               "three_public", "gov_fund", "soe_capital")
TITLES_2024 = checked_titles({"gpb_basic_econ": "一般公共预算财政拨款基本支出决算表",
                              "soe_capital": "国有资本经营预算财政拨款收入支出决算表"})
TITLES = {key: TITLES_2024.get(key, load_layout().tables[key].title_zh) for key in TABLE_ORDER}
SUBJECT_TABLES = ("income", "expenditure", "gpb_expenditure")
LANDSCAPE = frozenset(("income", "expenditure", "fiscal_summary", "three_public", "gov_fund", "soe_capital"))


@dataclass(frozen=True)
class PdfOptions:
    """How one report is drawn. Every field is a variant real reports show.

    split_codes   功能分类 codes over three columns 类 | 款 | 项 (``201 | 06 | 01``) instead of one
                  column (``2010601``); tables 02, 03, 05 and the two empty fund tables.
    thousands     amounts with thousands separators (``2,106.66``).
    zeros         ``"blank"``: a ``None`` cell is left blank; ``"zero"``: in tables 02, 03, 05
                  and 06 a ``None`` cell of a column that holds any amount prints ``0.00`` (the
                  pattern of the real reports); other blank cells stay blank either way.
    total_row     ``"template"`` (合计 on top in 02/03, at the bottom in 05, as the template),
                  ``"top"`` or ``"bottom"`` (all three subject tables).
    summary_lines 24 (2024 template: no 债务还本/债务付息 lines) or 26 expenditure lines in
                  tables 01 and 04 (the dropped lines never hold an amount here).
    num_align     ``"center"`` (the real reports) or ``"right"`` (off-centre, right-aligned
                  with ``num_padding`` points of padding).
    num_padding   right padding of right-aligned amounts, in points.
    continued     table keys forced to continue on a second page after half their body rows,
                  without title or header (tables too long for one page continue anyway).
    image_tables  table keys drawn as a raster image: that page has no text layer at all.
    """

    split_codes: bool = False
    thousands: bool = False
    zeros: str = "blank"
    total_row: str = "template"
    summary_lines: int = 24
    num_align: str = "center"
    num_padding: float = 6.0
    continued: frozenset[str] = frozenset()
    image_tables: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.zeros not in ("blank", "zero"):
            raise ValueError(f"zeros must be 'blank' or 'zero', not {self.zeros!r}")
        if self.total_row not in ("template", "top", "bottom"):
            raise ValueError(f"total_row must be 'template', 'top' or 'bottom', not {self.total_row!r}")
        if self.summary_lines not in (24, 26):
            raise ValueError("summary_lines must be 24 or 26")
        if self.num_align not in ("center", "right"):
            raise ValueError(f"num_align must be 'center' or 'right', not {self.num_align!r}")
        for name in ("continued", "image_tables"):
            keys = frozenset(getattr(self, name))
            if keys - set(TABLE_ORDER):
                raise ValueError(f"{name}: unknown table keys {sorted(keys - set(TABLE_ORDER))}")
            object.__setattr__(self, name, keys)


OPTION_FIELDS = tuple(f.name for f in fields(PdfOptions))


def draw_options(rng: random.Random, report: Report | None = None, *, allow_image: bool = True,
                 **overrides: object) -> PdfOptions:
    """The variants of one document, drawn from ``rng``; ``overrides`` force fields.

    A report of the narrative-only layout gets all its tables as images; otherwise one table in
    ten documents is an image page when ``allow_image`` (``iter_docs`` allows it only on reports
    without an injected error, so an image never hides the table an error was put in).
    """
    unknown = set(overrides) - set(OPTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown PDF options: {sorted(unknown)}")
    split_codes = rng.random() < 0.3
    thousands = rng.random() < 0.3
    zeros = "zero" if rng.random() < 0.4 else "blank"
    total_row = rng.choices(("template", "top", "bottom"), (0.6, 0.2, 0.2))[0]
    summary_lines = 24 if rng.random() < 0.7 else 26
    right = rng.random() < 0.4
    padding = float(rng.randint(3, 12))
    continued: frozenset[str] = frozenset()
    if rng.random() < 0.25:
        continued = frozenset((rng.choice(SUBJECT_TABLES),))
    image: frozenset[str] = frozenset()
    pick_image = rng.random() < 0.1
    image_key = rng.choice(TABLE_ORDER)
    if report is not None and report.layout == LAYOUT_NARRATIVE:
        image = frozenset(TABLE_ORDER)
    elif allow_image and pick_image:
        image = frozenset((image_key,))
    opts = PdfOptions(split_codes, thousands, zeros, total_row, summary_lines, "right" if right else "center",
                      padding, continued, image)
    return replace(opts, **overrides) if overrides else opts  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# Printed cells


def amount(v: int, thousands: bool) -> str:
    """分 → '2106.66' or '2,106.66'."""
    s = wan(v)
    if not thousands:
        return s
    sign, s = ("-", s[1:]) if s.startswith("-") else ("", s)
    whole, frac = s.split(".")
    return f"{sign}{int(whole):,}.{frac}"


def split_code(code: str) -> tuple[str, str, str]:
    """'2010601' → ('201', '06', '01'); '20106' → ('201', '06', ''); '201' → ('201', '', '')."""
    return code[:3], code[3:5], code[5:]


_CN_PREFIX = re.compile(r"^[一二三四五六七八九十]+、")


# ----------------------------------------------------------------------------------------------
# Grids: one table as rows of printed cells, merged cells and alignment; drawn by reportlab
# (text layer) or by PIL (image page) alike.


@dataclass
class Grid:
    key: str
    title: str
    widths: list[float]  # points
    rows: list[list[str]]  # header rows then body rows
    header_rows: int
    spans: list[tuple[int, int, int, int]]  # (c0, r0, c1, r1), absolute rows
    num_cols: tuple[int, ...]  # body columns holding amounts
    wrap_cols: tuple[int, ...]  # body columns whose text may wrap (names)
    centered: list[tuple[int, int]] = field(default_factory=list)  # body cells centred (合计, 总计)
    notes: list[str] = field(default_factory=list)
    compact: bool = False  # tighter rows (table 06: the template fits its ~47 rows on one page)

    @property
    def landscape(self) -> bool:
        return self.key in LANDSCAPE


PORTRAIT_W = A4[0] - 2 * 50
LANDSCAPE_W = A4[1] - 2 * 40


def _fit(widths: list[float], total: float) -> list[float]:
    s = sum(widths)
    return [w * total / s for w in widths]


class _Cells:
    """Amount cells of one table under the options (``None`` → blank or ``0.00``)."""

    def __init__(self, o: PdfOptions, columns: list[list[int | None]] | None = None) -> None:
        self.o = o
        self.in_use = [any(v is not None for v in col) for col in columns] if columns and o.zeros == "zero" else None

    def __call__(self, v: int | None, col: int | None = None) -> str:
        if v is None:
            if self.in_use is not None and col is not None and self.in_use[col]:
                return "0.00"
            return ""
        return amount(v, self.o.thousands)


def _code_head(o: PdfOptions, first: str = "项目") -> tuple[list[list[str]], int, list[tuple[int, int, int, int]]]:
    """Header rows of the code and name columns: (rows, code columns, spans) — the value columns'
    header cells are appended by the caller."""
    if o.split_codes:
        rows = [[first, "", "", ""], ["功能分类科目编码", "", "", "科目名称"], ["类", "款", "项", ""]]
        return rows, 3, [(0, 0, 3, 0), (0, 1, 2, 1), (3, 1, 3, 2)]
    return [[first, ""], ["功能分类\n科目编码", "科目名称"]], 1, [(0, 0, 1, 0)]


def _code_cells(o: PdfOptions, code: str) -> list[str]:
    return list(split_code(code)) if o.split_codes else [code]


def _subject_grid(key: str, rows: list[SubjectRow], heads: list[str], o: PdfOptions, code_w: float,
                  name_w: float, total_on_top: bool, note: str) -> Grid:
    head, ncode, spans = _code_head(o)
    nh = len(head)
    nv = len(heads)
    for r, hrow in enumerate(head):
        hrow += [heads[c] if r == 0 else "" for c in range(nv)]
    left = ncode + 1
    for c in range(nv):  # value headers span all header rows
        spans.append((left + c, 0, left + c, nh - 1))
    cells = _Cells(o, [[row.values[c] for row in rows if row.kind != "total"] for c in range(nv)])
    total = [row for row in rows if row.kind == "total"]
    subjects = [row for row in rows if row.kind != "total"]
    ordered = (total + subjects) if total_on_top else (subjects + total)
    body: list[list[str]] = []
    centered: list[tuple[int, int]] = []
    for row in ordered:
        values = [cells(v, c) for c, v in enumerate(row.values)]
        if row.kind == "total":
            r = nh + len(body)
            body.append([row.name] + [""] * ncode + values)
            spans.append((0, r, ncode, r))
            centered.append((0, r))
        else:
            body.append(_code_cells(o, row.code or "") + [row.name] + values)
    ws = [code_w / ncode] * ncode if o.split_codes else [code_w]
    total_w = LANDSCAPE_W if key in LANDSCAPE else PORTRAIT_W
    value_w = (total_w - code_w - name_w) / nv
    return Grid(key, TITLES[key], ws + [name_w] + [value_w] * nv, head + body, nh, spans,
                tuple(range(left, left + nv)), (ncode,), centered, [note])


def _total_on_top(key: str, o: PdfOptions) -> bool:
    if o.total_row == "template":
        return key != "gpb_expenditure"
    return o.total_row == "top"


def _summary_rows(rows, lines: int):
    """Table 01/04 rows with 24 or 26 expenditure lines, renumbered."""
    out = []
    k = 0
    for il, _ino, iv, el, _eno, ev in rows:
        is_class = bool(_CN_PREFIX.match(el))
        name = _CN_PREFIX.sub("", el)
        if is_class and lines == 24 and name in ("债务还本支出", "债务付息支出") and not any(ev) and not iv[0]:
            continue
        if is_class:
            el = f"{CN_NUM[k]}、{name}"
            k += 1
        out.append((il, iv, el, ev))
    return out


def _summary_grid(t: Tables, o: PdfOptions) -> Grid:
    cells = _Cells(o)
    head = [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]]
    body: list[list[str]] = []
    centered: list[tuple[int, int]] = []
    for il, iv, el, ev in _summary_rows(t.summary, o.summary_lines):
        r = len(head) + len(body)
        body.append([il, cells(iv[0]), el, cells(ev[0])])
        if il in ("本年收入合计", "总计"):
            centered += [(0, r), (2, r)]
    w = _fit([160, 87.5, 160, 87.5], PORTRAIT_W)
    return Grid("summary", TITLES["summary"], w, head + body, 2, [(0, 0, 1, 0), (2, 0, 3, 0)], (1, 3), (0, 2),
                centered, ["注：本表反映部门本年度的总收支和年末结转结余情况。"])


def _fiscal_summary_grid(t: Tables, o: PdfOptions) -> Grid:
    cells = _Cells(o)
    head = [["收入", "", "支出", "", "", "", ""],
            ["项目", "决算数", "项目", "合计", "一般公共\n预算财政\n拨款", "政府性基\n金预算财\n政拨款", "国有资本\n经营预算\n财政拨款"]]
    body: list[list[str]] = []
    centered: list[tuple[int, int]] = []
    carry = {"一般公共预算财政拨款": "一、", "政府性基金预算财政拨款": "二、", "国有资本经营预算财政拨款": "三、"}
    for il, iv, el, ev in _summary_rows(t.fiscal_summary, o.summary_lines):
        r = len(head) + len(body)
        label = carry.get(il, "") + il if not el else il
        values = (list(ev) + [None] * 4)[:4]
        body.append([label, cells(iv[0]), el] + [cells(v) for v in values])
        if il == "总计":
            centered += [(0, r), (2, r)]
    w = _fit([190, 90, 190, 73, 73, 73, 73], LANDSCAPE_W)
    return Grid("fiscal_summary", TITLES["fiscal_summary"], w, head + body, 2, [(0, 0, 1, 0), (2, 0, 6, 0)],
                (1, 3, 4, 5, 6), (0, 2), centered, ["注：本表反映部门本年度财政拨款总收支和结转结余情况。"])


def _econ_grid(t: Tables, o: PdfOptions) -> Grid:
    left = t.econ[0]
    right = [*t.econ[1], *t.econ[2]]
    cells = _Cells(o, [[v for _, _, v in left], [v for _, _, v in right]])
    head = [["经济分类\n科目编码", "科目名称", "决算数", "经济分类\n科目编码", "科目名称", "决算数"]]
    body: list[list[str]] = []
    for k in range(max(len(left), len(right))):
        row: list[str] = []
        for col, block in enumerate((left, right)):
            if k < len(block):
                code, name, v = block[k]
                row += [code, name, cells(v, col)]
            else:
                row += ["", "", ""]
        body.append(row)
    pe, pu = t.econ_totals
    r = 1 + len(body)
    body.append(["人员经费合计", "", amount(pe, o.thousands), "公用经费合计", "", amount(pu, o.thousands)])
    w = _fit([48, 118, 81, 48, 118, 81], PORTRAIT_W)
    return Grid("gpb_basic_econ", TITLES["gpb_basic_econ"], w, head + body, 1, [(0, r, 1, r), (3, r, 4, r)],
                (2, 5), (1, 4), [(0, r), (3, r)], ["注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。"],
                compact=True)


def _three_public_grid(r: Report, t: Tables, o: PdfOptions) -> Grid:
    head = [["财政拨款“三公”经费"] + [""] * 11,
            ["合计", "", "因公出国\n（境）费", "", "公务用车购置及运行维护费", "", "", "", "", "", "公务接待费", ""],
            ["", "", "", "", "小计", "", "公务用车\n购置费", "", "公务用车\n运行维护费", "", "", ""],
            ["预算数", "决算数"] * 6]
    spans = [(0, 0, 11, 0), (0, 1, 1, 2), (2, 1, 3, 2), (4, 1, 9, 1), (10, 1, 11, 2), (4, 2, 5, 2), (6, 2, 7, 2),
             (8, 2, 9, 2)]
    notes = ["注：本表反映部门本年度“三公”经费支出预决算情况。"]
    if t.three_public is None:
        body = [[""] * 12]
        notes.append(f"说明：{r.unit.name}本年度没有财政拨款“三公”经费支出，故本表无数据。")
    else:
        tp = t.three_public
        body = [[amount(tp[stage * 6 + i], o.thousands) for i in range(6) for stage in (0, 1)]]
    return Grid("three_public", TITLES["three_public"], [LANDSCAPE_W / 12] * 12, head + body, 4, spans,
                tuple(range(12)), (), [], notes)


def _fund_grid(key: str, r: Report, o: PdfOptions) -> Grid:
    head, ncode, spans = _code_head(o)
    nh = len(head)
    heads = ["年初结转和\n结余", "本年收入", "本年支出", "", "", "年末结转和\n结余"]
    for k, hrow in enumerate(head):
        hrow += heads if k == 0 else [""] * 6
    left = ncode + 1
    for c in (0, 1, 5):
        spans.append((left + c, 0, left + c, nh - 1))
    spans.append((left + 2, 0, left + 4, nh - 1))
    total = ["合计"] + [""] * ncode + ["", "", "合计", "基本支出", "项目支出", ""]
    spans.append((0, nh, ncode, nh))
    body = [total, [""] * (left + 6), [""] * (left + 6)]
    code_w, name_w = 60.0, 110.0
    ws = [code_w / ncode] * ncode if o.split_codes else [code_w]
    fund = "政府性基金预算" if key == "gov_fund" else "国有资本经营预算"
    return Grid(key, TITLES[key], ws + [name_w] + [(LANDSCAPE_W - code_w - name_w) / 6] * 6, head + body, nh + 1,
                spans, tuple(range(left, left + 6)), (ncode,), [],
                [f"注：本表反映部门本年度{fund}财政拨款收入、支出及结转和结余情况。",
                 f"说明：{r.unit.name}本年度没有{fund}财政拨款收入和支出，故本表无数据。"])


def build_grids(r: Report, t: Tables, o: PdfOptions) -> list[Grid]:
    """The tables to print (``t.dropped`` left out), in the 2024 order."""
    out: list[Grid] = []
    for key in TABLE_ORDER:
        if key in t.dropped:
            continue
        if key == "summary":
            out.append(_summary_grid(t, o))
        elif key == "income":
            out.append(_subject_grid(key, t.income, ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
                                                     "附属单位\n上缴收入", "其他收入"], o, 72, 150,
                                     _total_on_top(key, o), "注：本表反映部门本年度取得的各项收入情况。"))
        elif key == "expenditure":
            out.append(_subject_grid(key, t.expenditure, ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出",
                                                          "对附属单位补\n助支出"], o, 72, 160,
                                     _total_on_top(key, o), "注：本表反映部门本年度各项支出情况。"))
        elif key == "fiscal_summary":
            out.append(_fiscal_summary_grid(t, o))
        elif key == "gpb_expenditure":
            out.append(_subject_grid(key, t.gpb_expenditure, ["合计", "基本支出", "项目支出"], o,
                                     84 if o.split_codes else 64, 110, _total_on_top(key, o),
                                     "注：本表反映部门本年度一般公共预算财政拨款支出情况。"))
        elif key == "gpb_basic_econ":
            out.append(_econ_grid(t, o))
        elif key == "three_public":
            out.append(_three_public_grid(r, t, o))
        else:
            out.append(_fund_grid(key, r, o))
    return out
