"""Offline HTML audit site: ``index.html`` plus one page per document (``<document_id>.html``).

The index ranks the reports by errors, then warnings, with totals by severity and category,
charts and filters (severity, category, rule, unit, year, waived, version) and a search that
run in the page itself, without a server. A report page shows each finding with the rule's
Chinese title, both figures, the page and line, and the evidence: the table rows as printed
with the compared cells highlighted, the narrative sentence with its figures marked, or the
stated and recomputed rates side by side. Charts are SVG drawn here in Python
(:mod:`juesuan.site.charts`); pages come from the Jinja2 templates in ``juesuan/site/templates``
with the CSS and the small filter script inlined, so every page is one self-contained file that
loads nothing from the network.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from juesuan import __version__
from juesuan.query import WarehouseMissing
from juesuan.site import charts

SITE_DIR = Path(__file__).resolve().parent / "site"

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


# --------------------------------------------------------------------------- evidence


def _split_row(raw_text: str) -> list[str]:
    if "\t" in raw_text:
        return [c.strip() for c in raw_text.split("\t")]
    return raw_text.split()


def _mark_class(value: Decimal | None, targets: dict[str, Decimal]) -> str:
    if value is None:
        return ""
    return " ".join(f"hl {cls}" for cls, t in targets.items() if value == t)


def _targets(f: Finding) -> dict[str, Decimal]:
    if f.category not in VALUE_CATEGORIES:
        return {}
    out = {}
    for cls, value in (("hl-actual", f.actual), ("hl-expected", f.expected)):
        d = _dec(value)
        if d is not None:
            out[cls] = d
    return out


def _mark_sentence(text: str, targets: dict[str, Decimal], inputs: set[Decimal], wording: bool) -> Markup:
    out: list[str] = []
    pos = 0
    pattern = re.compile(NUMBER.pattern + "|" + WORDING.pattern) if wording else NUMBER
    for m in pattern.finditer(text):
        token = m.group(0)
        cls = ""
        if WORDING.fullmatch(token):
            cls = "hl hl-actual"
        else:
            value = _dec(token)
            cls = _mark_class(value, targets) or ("hl hl-input" if value is not None and value in inputs else "")
        if not cls:
            continue
        out.append(str(escape(text[pos:m.start()])))
        out.append(f'<mark class="{cls}">{escape(token)}</mark>')
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


@dataclass
class TableRow:
    line: int
    page: int | None
    raw_text: str
    codes: set[str]
    code_printed: set[str]


def _table_excerpt(title: str, rows: list[TableRow], f: Finding, targets: dict[str, Decimal],
                   context: int = 2) -> Excerpt:
    cells = [_split_row(r.raw_text) for r in rows]
    focus = {i for i, r in enumerate(rows) if r.line == f.source_line}
    if f.subject_code:
        focus |= {i for i, r in enumerate(rows) if f.subject_code in r.codes}
    marks: dict[tuple[int, int], str] = {}
    for i in sorted(focus):
        for j, text in enumerate(cells[i]):
            cls = _mark_class(_dec(text) if NUMBER.fullmatch(text.replace(",", "")) else None, targets)
            if cls:
                marks[(i, j)] = cls
    found = {cls.split()[-1] for cls in marks.values()}
    for cls, target in targets.items():  # a compared figure outside the focus rows (e.g. NT without subject)
        if cls in found or target == 0:
            continue
        hits = [(i, j) for i, row in enumerate(cells) for j, text in enumerate(row)
                if NUMBER.fullmatch(text.replace(",", "")) and _dec(text) == target][:2]
        for hit in hits:
            marks[hit] = (marks.get(hit, "") + f" hl {cls}").strip()
    if f.category == "code_quality":
        for i in focus:
            for j, text in enumerate(cells[i]):
                if text and (text in rows[i].code_printed or text == f.subject_code):
                    marks[(i, j)] = "hl hl-actual"
    keep = focus | {i for i, _ in marks}
    if len(rows) > 14:
        shown = sorted({k for i in keep for k in range(i - context, i + context + 1) if 0 <= k < len(rows)})
    else:
        shown = list(range(len(rows)))
    width = max((len(c) for c in cells), default=1)
    out: list[ExcerptRow] = []
    prev = -1
    for i in shown:
        if prev >= 0 and i != prev + 1:
            out.append(ExcerptRow("", [], gap=True))
        r = rows[i]
        loc = f"{r.page} 页 · {r.line} 行" if r.page else f"{r.line} 行"
        row_cells = [Cell(t, marks.get((i, j), ""), bool(NUMBER.fullmatch(t.replace(",", ""))))
                     for j, t in enumerate(cells[i])]
        row_cells += [Cell("")] * (width - len(row_cells))
        out.append(ExcerptRow(loc, row_cells, "hl-row" if i in focus else ""))
        prev = i
    pages = sorted({r.page for r in rows if r.page})
    note = (f"第 {pages[0]}–{pages[-1]} 页" if len(pages) > 1 else f"第 {pages[0]} 页") if pages else ""
    if len(shown) < len(rows):
        note = (note + "，" if note else "") + f"共 {len(rows)} 行，显示相关的 {len(shown)} 行"
    return Excerpt(title, note, out, width)


class DocumentEvidence:
    """What the warehouse kept of one document's text: table rows, narrative sentences, lines."""

    def __init__(self, con: duckdb.DuckDBPyConnection, doc: Document, catalog: Catalog,
                 rates: dict[str, list[dict[str, Any]]]) -> None:
        self.doc = doc
        self.catalog = catalog
        self.rates = rates
        self.tables: dict[str, list[TableRow]] = {}
        by_table: dict[str, dict[int, TableRow]] = defaultdict(dict)
        for key, line, page, raw_text, code, code_printed in con.execute("""
                select table_key, source_line, page_no, raw_text, code, code_printed from raw.table_cells
                where document_id = ? and source_line is not null order by source_line""",
                                                                        [doc.document_id]).fetchall():
            row = by_table[key].setdefault(int(line), TableRow(int(line), page, raw_text or "", set(), set()))
            if code:
                row.codes.add(str(code))
            if code_printed:
                row.code_printed.add(str(code_printed))
        self.tables = {k: sorted(v.values(), key=lambda r: r.line) for k, v in by_table.items()}
        self.table_lines = {r.line for rows in self.tables.values() for r in rows}
        self.spans: dict[int, tuple[str, int | None]] = {}
        page_col = "source_page" if "source_page" in _columns(con, "raw", "narrative_facts") else "null"
        for line, span, page in con.execute(f"""
                select source_line, any_value(span), any_value({page_col}) from raw.narrative_facts
                where document_id = ? and source_line is not null group by 1""", [doc.document_id]).fetchall():
            if span:
                self.spans[int(line)] = (str(span), page)
        self.lines: dict[int, tuple[str, int | None]] = {
            int(n): (str(t), p) for n, p, t in con.execute(
                "select line_no, page_no, text from raw.document_lines where document_id = ?",
                [doc.document_id]).fetchall() if t is not None}
        self._file_lines: list[str] | None = None
        self._file_read = False

    def line_text(self, line: int) -> tuple[str, int | None]:
        if line in self.spans:
            return self.spans[line]
        if line in self.lines:
            return self.lines[line]
        if not self._file_read:
            self._file_read = True
            try:
                from ingest.text import decode, split_lines

                if not self.doc.source_file.lower().endswith(".pdf"):
                    self._file_lines = split_lines(decode(Path(self.doc.source_file).read_bytes())[0])
            except (OSError, ValueError, ImportError):
                self._file_lines = None
        if self._file_lines and 0 < line <= len(self._file_lines):
            return self._file_lines[line - 1].strip(), None
        return "", None

    def rate_row(self, f: Finding) -> tuple[str, dict[str, Any]] | None:
        if f.source_line is None:
            return None
        for kind in ("budget_execution", "three_public", "project_performance"):
            if f.table_key not in (kind, None) and not (kind == "budget_execution" and f.table_key == "narrative"):
                continue
            for row in self.rates.get(kind, []):
                lines = {row.get("source_line"), row.get("rate_source_line"), row.get("direction_source_line")}
                if f.source_line in lines and (f.subject_code is None or row.get("subject_code") in
                                                (None, f.subject_code)):
                    return kind, row
        return None

    def attach(self, f: Finding) -> None:
        """Fill the finding's location and evidence."""
        targets = _targets(f)
        page = f.source_page
        if f.source_line is not None:
            text, text_page = ("", None)
            if f.source_line not in self.table_lines or f.table_key not in self.tables:
                text, text_page = self.line_text(f.source_line)
            page = page or text_page
            if text:
                inputs: set[Decimal] = set()
                rate = self.rate_row(f)
                if rate:
                    row = rate[1]
                    inputs = {d for d in (_dec(row.get("budget_wan")), _dec(row.get("final_wan")),
                                          _dec(row.get("actual_wan"))) if d is not None}
                f.sentence = _mark_sentence(text, targets, inputs, f.category == "direction_wording")
        if page is None and f.source_line is not None:
            for rows in self.tables.values():
                for r in rows:
                    if r.line == f.source_line and r.page:
                        page = r.page
        if f.source_line is not None:
            f.location = f"第 {page} 页 · 文本第 {f.source_line} 行" if page else f"第 {f.source_line} 行"
        if f.category in ("completion_rate", "direction_wording"):
            rate = self.rate_row(f)
            if rate:
                f.rate_table = self._rate_excerpt(rate[0], rate[1], f, targets)
        tables = []
        if f.table_key in self.tables:
            tables.append(f.table_key)
        if f.category == "cross_table":
            tables += [k for k in RULE_TABLES.get(f.rule_id, ()) if k in self.tables and k not in tables]
        for key in tables:
            f.excerpts.append(_table_excerpt(self.catalog.table(self.doc, key), self.tables[key], f, targets))

    def _rate_excerpt(self, kind: str, row: dict[str, Any], f: Finding, targets: dict[str, Decimal]) -> Excerpt:
        name = row.get("item_zh") or row.get("project_name") or row.get("subject_name") or "一般公共预算财政拨款支出"
        if kind == "budget_execution" and row.get("subject_code"):
            name = f"{row['subject_code']} {name}"
        final = row.get("final_wan") if kind != "project_performance" else row.get("actual_wan")
        budget_label = "年初预算" if kind == "budget_execution" else "预算数"
        header = [budget_label + "（万元）", "决算（万元）", "列示完成率", "按金额复核", "复核结论"]
        rate_targets = targets or {}
        values = [row.get("budget_wan"), final, row.get("stated_rate_pct"), row.get("recomputed_rate_pct")]
        cells = [Cell(name)]
        for k, v in enumerate(values):
            text = fmt_num(v) + ("%" if k >= 2 and v is not None else "")
            cls = _mark_class(_dec(v), rate_targets) if k >= 2 else ""
            if f.category == "direction_wording" and k < 2:
                cls = "hl hl-input"
            if f.category == "completion_rate" and k == 2 and not cls:
                cls = "hl hl-actual"
            cells.append(Cell(text or "—", cls, True))
        cells.append(Cell(RATE_STATUS_ZH.get(str(row.get("rate_status")), str(row.get("rate_status") or ""))))
        if f.category == "direction_wording":
            header.append("文中措辞")
            cells.append(Cell(str(row.get("direction_wording") or row.get("stated_direction") or ""),
                              "hl hl-actual"))
        head = ExcerptRow("", [Cell("项目")] + [Cell(h) for h in header], "head")
        src = self.catalog.table(self.doc, kind)
        return Excerpt(src, "金额与完成率均取自报告原文", [head, ExcerptRow(f.location, cells, "hl-row")],
                       len(header) + 1)


RULE_TABLES: dict[str, tuple[str, ...]] = {}


# --------------------------------------------------------------------------- site


@dataclass
class FindingGroup:
    """Several findings of one rule without evidence to show (e.g. the nine missing tables)."""
    findings: list[Finding]
    rule_id: str = ""  # empty: the template tells a group from a finding by it


def group_plain(findings: list[Finding], at_least: int = 3) -> list[Finding | FindingGroup]:
    """Runs of ``at_least`` or more findings of one rule with nothing but a message become one group."""
    out: list[Finding | FindingGroup] = []
    run: list[Finding] = []

    def flush() -> None:
        if len(run) >= at_least:
            out.append(FindingGroup(list(run)))
        else:
            out.extend(run)
        run.clear()

    for f in findings:
        plain = not (f.sentence or f.excerpts or f.rate_table or f.has_figures)
        if plain and run and run[-1].rule_id == f.rule_id and run[-1].severity == f.severity:
            run.append(f)
            continue
        flush()
        if plain:
            run.append(f)
        else:
            out.append(f)
    flush()
    return out


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(SITE_DIR / "templates")),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_num
    env.filters["group_plain"] = group_plain
    env.filters["amount"] = charts.fmt_amount
    env.globals.update(SEVERITIES=SEVERITIES, SEVERITY_ZH=SEVERITY_ZH, CATEGORY_ZH=CATEGORY_ZH,
                       SCOPE_ZH=SCOPE_ZH, LAYOUT_ZH=LAYOUT_ZH, version=__version__,
                       css=Markup((SITE_DIR / "static" / "site.css").read_text(encoding="utf-8")),
                       js=Markup((SITE_DIR / "static" / "site.js").read_text(encoding="utf-8")))
    return env


def _load_documents(con: duckdb.DuckDBPyConnection) -> list[Document]:
    cols = _columns(con, "marts", "dim_document")
    extra = ", ".join(c if c in cols else f"null as {c}" for c in ("is_current", "published_on"))
    docs = [Document(**r) for r in _rows(con, f"""
        select document_id, unit_id, unit_name, fiscal_year, report_scope, layout, source_file, {extra}
        from marts.dim_document order by unit_name, fiscal_year, report_scope, document_id""")]
    for d in docs:
        d.is_current = d.is_current is not False
    return docs


def _load_findings(con: duckdb.DuckDBPyConnection, docs: dict[str, Document], catalog: Catalog) -> tuple[
        list[Finding], bool]:
    cols = _columns(con, "audit", "findings")
    key = "finding_key" if "finding_key" in cols else "finding_id"
    has_waived = "waived" in cols
    page = "f.source_page" if "source_page" in cols else "null"
    waived = "coalesce(f.waived, false)" if has_waived else "false"
    title = "coalesce(f.title_zh, r.title_zh)" if "title_zh" in cols else "r.title_zh"
    table = "f.table_key" if "table_key" in cols else "null"
    rows = _rows(con, f"""
        select f.{key} as key, f.document_id, f.rule_id, f.category, f.severity, {title} as title_zh,
               {table} as table_key, f.subject_code, f.expected, f.actual, f.difference, f.message,
               f.source_line, {page} as source_page, {waived} as waived
        from audit.findings f left join audit.rules r on r.rule_id = f.rule_id""")
    out = []
    for r in rows:
        doc = docs.get(r["document_id"])
        out.append(Finding(
            key=str(r["key"]), document_id=r["document_id"], rule_id=r["rule_id"], category=r["category"],
            severity=r["severity"], title_zh=r["title_zh"] or "", table_key=r["table_key"],
            table_label=catalog.table(doc, r["table_key"]), subject_code=r["subject_code"],
            subject_label=catalog.subject(r["subject_code"]), expected=r["expected"], actual=r["actual"],
            difference=r["difference"], message=catalog.message(r["message"], doc),
            source_line=int(r["source_line"]) if r["source_line"] is not None else None,
            source_page=int(r["source_page"]) if r["source_page"] is not None else None,
            waived=bool(r["waived"])))
        if out[-1].source_line is not None and out[-1].source_page:
            out[-1].location = f"第 {out[-1].source_page} 页 · 文本第 {out[-1].source_line} 行"
        elif out[-1].source_line is not None:
            out[-1].location = f"第 {out[-1].source_line} 行"
    out.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.table_label,
                            f.source_line if f.source_line is not None else 0, f.key))
    return out, has_waived


def _by_document(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    try:
        for r in _rows(con, sql):
            out[r["document_id"]].append(r)
    except duckdb.Error:
        pass  # an older warehouse without that mart: the chart is left out
    return out


def _class_spending(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list[tuple[str, dict[str, float]]]]]:
    """document → (source, [(类 name, {basic, project, other})]) from table 03, else the narrative."""
    out: dict[str, tuple[str, list[tuple[str, dict[str, float]]]]] = {}
    for doc, rows in _by_document(con, """
            select e.document_id, e.subject_code, coalesce(s.subject_name, e.subject_code) as name,
                   sum(e.amount_wan) filter (where e.expense_type = 'total') as total,
                   sum(e.amount_wan) filter (where e.expense_type = 'basic') as basic,
                   sum(e.amount_wan) filter (where e.expense_type = 'project') as project
            from marts.fct_expenditure e left join marts.dim_function_subject s using (subject_code)
            where e.fund_scope = 'all' and e.subject_level = 'class'
            group by all order by total desc nulls last""").items():
        bars = []
        for r in rows:
            total, basic, project = (float(r[k] or 0) for k in ("total", "basic", "project"))
            other = max(0.0, total - basic - project)
            bars.append((f"{r['subject_code']} {r['name']}", {"basic": basic, "project": project, "other": other}))
        out[doc] = ("表03 支出决算表", bars)
    for doc, rows in _by_document(con, """
            select n.document_id, n.subject_code, coalesce(s.subject_name, n.subject_name) as name,
                   max(n.fact_value) as total
            from marts.fct_narrative_fact n left join marts.dim_function_subject s using (subject_code)
            where n.metric = 'class_expenditure' and n.subject_code is not null
            group by all order by total desc""").items():
        if doc not in out:
            out[doc] = ("情况说明", [(f"{r['subject_code']} {r['name']}", {"other": float(r["total"] or 0)})
                                    for r in rows])
    return out


def _split(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, float | None, float | None]]:
    """document → (source, 基本支出, 项目支出)."""
    out: dict[str, tuple[str, float | None, float | None]] = {}
    for doc, rows in _by_document(con, """
            select document_id, max(fact_value) filter (where metric = 'expenditure_basic') as basic,
                   max(fact_value) filter (where metric = 'expenditure_project') as project
            from marts.fct_narrative_fact group by 1""").items():
        r = rows[0]
        if r["basic"] is not None or r["project"] is not None:
            out[doc] = ("情况说明", r["basic"], r["project"])
    for doc, rows in _by_document(con, """
            select document_id, sum(amount_wan) filter (where expense_type = 'basic') as basic,
                   sum(amount_wan) filter (where expense_type = 'project') as project
            from marts.fct_expenditure where fund_scope = 'all' and subject_level = 'class' group by 1""").items():
        r = rows[0]
        if r["basic"] is not None or r["project"] is not None:
            out[doc] = ("表03 支出决算表", r["basic"], r["project"])
    return out


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float | None]]:
    """document → 本年支出合计 and the general public budget's 年初预算 and 决算."""
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    for doc, rows in _by_document(con, """
            select document_id, max(fact_value) as v from marts.fct_narrative_fact
            where metric = 'expenditure_total' group by 1""").items():
        out[doc]["total"] = rows[0]["v"]
    for doc, rows in _by_document(con, """
            select document_id, max(amount_wan) as v from marts.fct_summary
            where table_key = 'summary' and line_key = 'total_expenditure' group by 1""").items():
        out[doc]["total"] = rows[0]["v"]
    for doc, rows in _by_document(con, """
            select document_id, max(budget_wan) as budget, max(final_wan) as final
            from marts.fct_budget_execution where subject_code is null group by 1""").items():
        out[doc]["budget"] = rows[0]["budget"]
        out[doc]["final"] = rows[0]["final"]
    return out


def _rate_rows(kind: str, rows: list[dict[str, Any]], flagged_lines: set[int]) -> list[charts.RateRow]:
    out = []
    for r in rows:
        if r.get("stated_rate_pct") is None:
            continue
        if kind == "budget_execution":
            label = (f"{r['subject_code']} {r['subject_name']}" if r.get("subject_code")
                     else "一般公共预算财政拨款支出（整体）")
        elif kind == "three_public":
            label = "三公·" + str(r.get("item_zh") or r.get("item")).replace("“三公”经费", "")
        else:
            label = "项目·" + str(r.get("project_name"))
        lines = {r.get("source_line"), r.get("rate_source_line")}
        flagged = bool(lines & flagged_lines) or r.get("rate_status") in ("inconsistent", "zero_budget_with_rate")
        stated = float(r["stated_rate_pct"])
        recomputed = float(r["recomputed_rate_pct"]) if r.get("recomputed_rate_pct") is not None else None
        out.append(charts.RateRow(label, stated, recomputed, flagged))
    return out


def write_reports(warehouse: Path, out_dir: Path, documents: list[str] | None = None) -> list[Path]:
    """Write ``<out_dir>/<document_id>.html`` for every (or the given) document and ``index.html``."""
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _env()
    written: list[Path] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalog = Catalog(con)
        all_docs = _load_documents(con)
        docs_by_id = {d.document_id: d for d in all_docs}
        if documents:
            unknown = set(documents) - set(docs_by_id)
            if unknown:
                raise KeyError(f"no such document in {warehouse}: {', '.join(sorted(unknown))}")
        findings, has_waived = _load_findings(con, docs_by_id, catalog)
        RULE_TABLES.clear()
        try:
            for rule, key in con.execute("select rule_id, table_key from reference.audit_rule_inputs").fetchall():
                RULE_TABLES[rule] = (*RULE_TABLES.get(rule, ()), key)
        except duckdb.Error:
            pass
        by_doc: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            by_doc[f.document_id].append(f)
        for d in all_docs:
            live = [f for f in by_doc[d.document_id] if not f.waived]
            d.counts = {s: sum(1 for f in live if f.severity == s) for s in SEVERITIES}
            d.waived = sum(1 for f in by_doc[d.document_id] if f.waived)
        rates = {kind: _by_document(con, f"select * from marts.fct_{kind}")
                 for kind in ("budget_execution", "three_public", "project_performance")}
        spending, split, totals = _class_spending(con), _split(con), _totals(con)
        checks = _by_document(con, """select document_id, category, count(distinct rule_id) as rules,
                                      count(*) as checks from audit.checks group by all order by 1, 2""")
        built = None
        try:
            built = con.execute("select max(run_finished_at) from audit.build_runs").fetchone()[0]
        except duckdb.Error:
            pass

        page_tpl = env.get_template("report.html.j2")
        for d in all_docs:
            if documents and d.document_id not in documents:
                continue
            evidence = DocumentEvidence(con, d, catalog,
                                        {k: v.get(d.document_id, []) for k, v in rates.items()})
            doc_findings = by_doc[d.document_id]
            for f in doc_findings:
                evidence.attach(f)
            path = out_dir / d.page
            path.write_text(page_tpl.render(
                doc=d, findings=doc_findings, has_waived=has_waived, built=built,
                checks=_checks_summary(checks.get(d.document_id, []), doc_findings),
                charts=_document_charts(d, all_docs, doc_findings, spending, split, totals,
                                        {k: v.get(d.document_id, []) for k, v in rates.items()}),
                siblings=[s for s in all_docs if s.unit_id == d.unit_id and s.document_id != d.document_id],
                current=next((s for s in all_docs if s.is_current and s.unit_id == d.unit_id
                              and s.fiscal_year == d.fiscal_year and s.report_scope == d.report_scope), None),
            ), encoding="utf-8")
            written.append(path)
        (out_dir / "index.html").write_text(_render_index(env, all_docs, findings, has_waived, built),
                                            encoding="utf-8")
    return written


def _checks_summary(rows: list[dict[str, Any]], findings: list[Finding]) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.category] += 1
    return [dict(r, findings=counts.get(r["category"], 0)) for r in rows]


def _document_charts(d: Document, all_docs: list[Document], findings: list[Finding], spending, split, totals,
                     rates: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    if d.document_id in spending:
        source, bars = spending[d.document_id]
        series = [charts.Series("basic", "基本支出", "#3f6fa8"), charts.Series("project", "项目支出", "#8fb3de"),
                  charts.Series("other", "支出" if source == "情况说明" else "其他支出", "#9aa5b1")]
        used = [s for s in series if any(v.get(s.key) for _, v in bars)]
        svg = charts.stacked_bars(bars, used, "支出按功能分类（类）", " 万元", charts.fmt_amount)
        if svg:
            out.append({"title": "支出按功能分类（类）", "source": source, "svg": Markup(svg)})
    if d.document_id in split:
        source, basic, project = split[d.document_id]
        svg = charts.share_bar([("基本支出", basic, "#3f6fa8"), ("项目支出", project, "#8fb3de")],
                               "基本支出与项目支出")
        if svg:
            out.append({"title": "基本支出与项目支出", "source": source, "svg": Markup(svg)})
    flagged = {f.source_line for f in findings if f.category == "completion_rate" and f.severity != "info"
               and f.source_line is not None}
    rate_rows = [r for kind, rows in rates.items() for r in _rate_rows(kind, rows, flagged)]
    rate_rows.sort(key=lambda r: (not r.flagged, -abs((r.stated or 0) - (r.recomputed or r.stated or 0))))
    svg = charts.rate_dots(rate_rows[:30], "完成率：列示与按金额复核")
    if svg:
        out.append({"title": "完成率：列示与按金额复核（对照 100%）", "source": "情况说明、附件",
                    "svg": Markup(svg), "wide": True})
    mine = [s for s in all_docs if s.unit_id == d.unit_id and s.is_current]
    years = sorted({s.fiscal_year for s in mine})
    if len(years) > 1:
        # a department report where there is one (it consolidates the unit's own 本级 report)
        per_year = {s.fiscal_year: s for s in sorted(mine, key=lambda s: s.report_scope != "department")[::-1]}
        picked = [per_year[y] for y in years]
        values = [totals.get(s.document_id, {}) for s in picked]
        series = [("一般公共预算财政拨款 年初预算", "#b0bec5", [v.get("budget") for v in values]),
                  ("一般公共预算财政拨款 决算", "#3f6fa8", [v.get("final") for v in values]),
                  ("本年支出合计", "#2e7d32", [v.get("total") for v in values])]
        labels = [f"{s.fiscal_year} 年" + (f"（{SCOPE_ZH.get(s.report_scope, s.report_scope)}）"
                                          if len({p.report_scope for p in picked}) > 1 else "") for s in picked]
        svg = charts.year_bars(labels, [s for s in series if any(v is not None for v in s[2])],
                               f"{d.unit_name} 历年金额（万元）")
        if svg:
            out.append({"title": "本单位历年金额（万元）", "source": "各年度报告", "svg": Markup(svg), "wide": True})
    return out


def _render_index(env: Environment, docs: list[Document], findings: list[Finding], has_waived: bool,
                  built: Any) -> str:
    ranked = sorted(docs, key=lambda d: (not d.is_current, -d.counts.get("error", 0), -d.counts.get("warning", 0),
                                         -d.counts.get("info", 0), d.unit_name, d.fiscal_year, d.document_id))
    docs_by_id = {d.document_id: d for d in docs}
    current = [f for f in findings if not f.waived and docs_by_id.get(f.document_id, None) is not None
               and docs_by_id[f.document_id].is_current]
    totals = {s: sum(1 for f in current if f.severity == s) for s in SEVERITIES}
    severity_series = [charts.Series(s, SEVERITY_ZH[s], charts.SEVERITY_COLORS[s]) for s in SEVERITIES]
    by_cat: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in current:
        by_cat[f.category][f.severity] += 1
    cat_rows = sorted(by_cat.items(), key=lambda kv: tuple(-kv[1].get(s, 0) for s in SEVERITIES))
    cat_chart = charts.stacked_bars([(CATEGORY_ZH.get(c, c), v) for c, v in cat_rows], severity_series,
                                    "按类别的审计发现", " 条", lambda v: f"{v:.0f}")
    by_unit: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    unit_names: dict[str, str] = {}
    for f in current:
        d = docs_by_id[f.document_id]
        by_unit[d.unit_id][f.severity] += 1
        unit_names[d.unit_id] = d.unit_name
    unit_rows = sorted(by_unit.items(), key=lambda kv: tuple(-kv[1].get(s, 0) for s in SEVERITIES))[:20]
    unit_chart = charts.stacked_bars([(unit_names[u], v) for u, v in unit_rows], severity_series,
                                     "按单位的审计发现", " 条", lambda v: f"{v:.0f}",
                                     links=[f"#unit={u}" for u, _ in unit_rows])
    rules = sorted({(f.rule_id, f.title_zh) for f in findings})
    units = sorted({(d.unit_id, d.unit_name) for d in docs}, key=lambda u: u[1])
    years = sorted({d.fiscal_year for d in docs})
    categories = [c for c in CATEGORY_ZH if any(f.category == c for f in findings)] + sorted(
        {f.category for f in findings} - set(CATEGORY_ZH))
    return env.get_template("index.html.j2").render(
        docs=ranked, docs_by_id=docs_by_id, findings=findings, totals=totals, has_waived=has_waived,
        waived_total=sum(1 for f in findings if f.waived), cat_chart=Markup(cat_chart),
        unit_chart=Markup(unit_chart), rules=rules, units=units, years=years, categories=categories,
        current_docs=[d for d in docs if d.is_current], superseded=sum(1 for d in docs if not d.is_current),
        built=built)
