"""The audit site's vocabulary: Chinese labels, number formatting and the records pages show."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup

SITE_DIR = Path(__file__).resolve().parent.parent / "site"

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
CATEGORY_ZH = {
    "within_table": "表内勾稽", "cross_table": "表间勾稽", "narrative_vs_table": "说明与表",
    "completion_rate": "完成率", "direction_wording": "增减表述", "cross_year": "跨年核对",
    "code_quality": "代码质量", "completeness": "完整性", "text_quality": "文字质量",
}
SCOPE_ZH = {"department": "部门决算", "unit": "单位决算"}
LAYOUT_ZH = {
    "tab_separated": "文本（制表符分隔表格）", "pdftotext_flow": "文本（pdftotext 流式排版）",
    "narrative_only": "文本（仅情况说明，表格为图片）", "pdf_ruled": "PDF（按表格线读取）",
}
# The nine tables when the warehouse has no reference.layout_tables: key → (公开NN表, 2020 表N, title).
NINE_TABLES = {
    "summary": ("01", 1, "收入支出决算总表"), "income": ("02", 2, "收入决算表"),
    "expenditure": ("03", 3, "支出决算表"), "fiscal_summary": ("04", 4, "财政拨款收入支出决算总表"),
    "gpb_expenditure": ("05", 5, "一般公共预算财政拨款支出决算表"),
    "gpb_basic_econ": ("06", 6, "一般公共预算财政拨款基本支出决算明细表"),
    "gov_fund": ("07", 8, "政府性基金预算财政拨款收入支出决算表"),
    "soe_capital": ("08", 9, "国有资本经营预算财政拨款支出决算表"),
    "three_public": ("09", 7, "财政拨款“三公”经费支出决算表"),
}
OTHER_SOURCES = {
    "narrative": "情况说明", "budget_execution": "情况说明·预算执行情况",
    "project_performance": "附件·项目绩效自评", "unit_overall": "附件·部门整体绩效自评",
}
TABLE_STATUS_ZH = {"parsed": "已读取", "empty": "空表（未列金额）", "absent": "缺失", "failed": "读取失败"}
RATE_STATUS_ZH = {
    "consistent": "一致", "inconsistent": "不一致", "truncated": "截尾（非四舍五入）", "not_stated": "未列示",
    "zero_budget_with_rate": "年初预算为 0 却列示完成率", "not_evaluable": "无法复核",
}
# English left in loader notes and repair methods, as a reader should see them.
PHRASES_ZH = [
    (re.compile(r"tables were images: only headings survive"), "表格以图片印刷，只留下标题"),
    (re.compile(r"title not found"), "未找到表标题"),
    (re.compile(r"same name in this report, line (\d+)"), r"本报告第 \1 行的同名科目"),
    (re.compile(r"code list: name under the same 类"), "代码表中同一类下的同名科目"),
    (re.compile(r"code list: name cut short\)"), "代码表：名称被截断）"),
    (re.compile(r"budget execution: (\S+) name '([^']*)' not found under (\d+) \(([^)]*)\); span '([^']*)'"),
     r"预算执行：\1名称「\2」在 \3（\4）下未找到；原文「\5」"),
    (re.compile(r"（narrative）"), "（情况说明）"),
]
PHRASES_ZH += [
    (re.compile(r"\s*\(all spending is general public budget\)"), "（全部支出均为一般公共预算支出）"),
    (re.compile(r"\bamounts: "), "金额："), (re.compile(r" could be "), " 可能属于 "), (re.compile(r" or "), " 或 "),
    (re.compile(r" and "), " 且 "), (re.compile(r" allow each"), " 两种归属均成立"),
]
SIDE_ZH = {"income": "收入", "expenditure": "支出"}
FUND_ZH = {"general_public_budget": "一般公共预算财政拨款", "government_fund": "政府性基金预算财政拨款",
           "state_capital": "国有资本经营预算财政拨款"}
KEY_TOKEN = re.compile(r"\b[a-z][a-z_0-9]*(?:[:.+][a-z_0-9]+)+\b|\b(?:general_public_budget|government_fund|state_capital)\b")
VALUE_CATEGORIES = {"within_table", "cross_table", "narrative_vs_table", "cross_year", "completion_rate"}
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
WORDING = re.compile(r"大于|小于|持平|等于|高于|低于|增加|减少")


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return None if d.is_nan() else d


def fmt_num(value: Any) -> str:
    d = _dec(value)
    if d is None:
        return ""
    text = f"{d.quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}


# --------------------------------------------------------------------------- data


@dataclass
class Document:
    document_id: str
    unit_id: str
    unit_name: str
    fiscal_year: int
    report_scope: str
    layout: str
    source_file: str
    is_current: bool = True
    published_on: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    waived: int = 0

    @property
    def title(self) -> str:
        return f"{self.unit_name} {self.fiscal_year} 年度{SCOPE_ZH.get(self.report_scope, self.report_scope)}"

    @property
    def page(self) -> str:
        return f"{self.document_id}.html"


@dataclass
class Cell:
    text: str
    cls: str = ""
    numeric: bool = False


@dataclass
class ExcerptRow:
    loc: str
    cells: list[Cell]
    cls: str = ""
    gap: bool = False


@dataclass
class Excerpt:
    title: str
    note: str
    rows: list[ExcerptRow]
    width: int


@dataclass
class Finding:
    key: str
    document_id: str
    rule_id: str
    category: str
    severity: str
    title_zh: str
    table_key: str | None
    table_label: str
    subject_code: str | None
    subject_label: str
    expected: Any
    actual: Any
    difference: Any
    message: str
    source_line: int | None
    source_page: int | None
    waived: bool
    location: str = ""
    sentence: Markup | None = None
    excerpts: list[Excerpt] = field(default_factory=list)
    rate_table: Excerpt | None = None

    @property
    def has_figures(self) -> bool:
        """Completeness, code and wording rules carry flags (1/0, ±1) in the figure columns, not amounts."""
        return self.category in VALUE_CATEGORIES and (self.expected is not None or self.actual is not None)

    @property
    def anchor(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.key)


class Catalog:
    """Names a reader sees: tables in Chinese with their number, subjects with their name."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.tables = dict(NINE_TABLES)
        if _columns(con, "reference", "layout_tables") >= {"table_key", "title_zh", "std_no", "no_2020"}:
            for key, title, std_no, no_2020 in con.execute(
                    "select table_key, title_zh, std_no, no_2020 from reference.layout_tables").fetchall():
                self.tables[key] = (str(std_no).zfill(2), int(no_2020), title)
        self.numbers: dict[tuple[str, str], str] = {}  # (document, table) → number as printed
        if _columns(con, "raw", "table_presence") >= {"document_id", "table_key", "table_no"}:
            for doc, key, no in con.execute("select document_id, table_key, table_no from raw.table_presence "
                                            "where table_no is not null").fetchall():
                self.numbers[(doc, key)] = str(no).zfill(2)
        self.columns: dict[str, str] = {}  # "table.column" and bare column keys → header
        self.lines: dict[str, str] = {}  # "side:line_key" → 收入/支出·label
        try:
            headers: dict[tuple[str, str], set[str]] = defaultdict(set)
            for key, col, header in con.execute(
                    "select table_key, column_key, header_zh from reference.layout_columns").fetchall():
                headers[(key, col)].add(header)
            for (key, col), names in headers.items():
                # one key for two printed columns (表01 收入金额 / 支出金额): say only 金额
                self.columns[f"{key}.{col}"] = f"{self._short(key)}·{names.pop() if len(names) == 1 else '金额'}"
                if ":" in col:
                    self.columns.setdefault(col, self.columns[f"{key}.{col}"].split("·", 1)[1])
            for side, line, label in con.execute(
                    "select side, line_key, label_zh from reference.layout_summary_lines").fetchall():
                self.lines.setdefault(f"{side}:{line}", f"{SIDE_ZH.get(side, side)}·{label}")
        except duckdb.Error:
            pass  # a warehouse without the reference seeds: keys stay as they are
        self.subjects: dict[str, str] = {}
        for sql in ("select subject_code, subject_name from marts.dim_function_subject",
                    "select econ_code, econ_name from marts.dim_econ_class"):
            try:
                self.subjects.update({str(c): str(n) for c, n in con.execute(sql).fetchall() if n})
            except duckdb.Error:
                pass

    def table(self, doc: Document | None, key: str | None) -> str:
        if not key:
            return ""
        if key in self.tables:
            std_no, no_2020, title = self.tables[key]
            number = (self.numbers.get((doc.document_id, key)) if doc else None) or (
                str(no_2020).zfill(2) if doc and doc.fiscal_year <= 2020 else std_no)
            return f"表{number} {title}"
        return OTHER_SOURCES.get(key, "其他")

    def _short(self, key: str) -> str:
        return f"表{self.tables[key][0]}" if key in self.tables else OTHER_SOURCES.get(key, key)

    def _key(self, m: re.Match[str]) -> str:
        token = m.group(0)
        if token in self.columns:
            return self.columns[token]
        if token in self.lines:
            return self.lines[token]
        side, _, rest = token.partition(":")
        if rest.startswith("class:") and side in SIDE_ZH:
            return f"{SIDE_ZH[side]}·类 {rest[6:]}"
        table, _, rest = token.partition(".")
        if table in self.tables and rest:
            return f"{self._short(table)}·" + "+".join(
                self.lines.get(p) or self.columns.get(f"{table}.{p}", "·").split("·", 1)[1] or
                ("金额" if p == "amount" else p) for p in rest.split("+"))
        return FUND_ZH.get(token, token)

    def subject(self, code: str | None) -> str:
        if not code:
            return ""
        name = self.subjects.get(code)
        return f"{code} {name}" if name else code

    def message(self, text: str, doc: Document | None) -> str:
        def table_ref(m: re.Match[str]) -> str:
            key = m.group(1)
            return f"［{self.table(doc, key)}］" if key in self.tables or key in OTHER_SOURCES else m.group(0)

        text = re.sub(r"\s*\[([a-z_]+)\]", table_ref, text or "")
        for pattern, repl in PHRASES_ZH:
            text = pattern.sub(repl, text)
        return KEY_TOKEN.sub(self._key, text)
