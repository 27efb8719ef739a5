"""Offline HTML audit report, one self-contained page per document (``reports/audit/<id>.html``).

Each page lists the document's findings (audit.findings) with the rule's Chinese title, both
numbers, the source line and that line's text: the table row as printed (raw.table_cells),
else the narrative sentence (raw.narrative_facts), else the line of the source file when it is
still readable. Inline CSS only, no scripts, no assets from the internet; an ``index.html``
links the pages.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from juesuan.query import WarehouseMissing

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CATEGORY_ZH = {
    "within_table": "表内勾稽", "cross_table": "表间勾稽", "narrative_vs_table": "说明与表",
    "completion_rate": "完成率", "direction_wording": "增减表述", "cross_year": "跨年",
    "code_quality": "代码质量", "completeness": "完整性",
}
SCOPE_ZH = {"department": "部门决算", "unit": "单位决算"}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
  margin:2em;color:#1d1d1f;background:#fff;font-size:14px}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}
.meta{color:#555;margin:.2em 0 1em}.meta code{font-size:.95em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #d0d0d0;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f2f2f2;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.error td.sev{background:#fde2e1;color:#8a1c17;font-weight:600}
tr.warning td.sev{background:#fff1d6;color:#7a4b00;font-weight:600}
tr.info td.sev{background:#e6f0fb;color:#1c4f8a}
td.src{font-family:"Noto Sans Mono CJK SC",monospace;white-space:pre-wrap;font-size:.9em;color:#333;max-width:32em}
.counts span{display:inline-block;margin-right:1.2em;padding:2px 8px;border-radius:3px}
.counts .error{background:#fde2e1}.counts .warning{background:#fff1d6}.counts .info{background:#e6f0fb}
.none{color:#2d6a2d;font-weight:600}
footer{color:#777;font-size:.85em;margin-top:2em}
"""


@dataclass(frozen=True)
class Document:
    document_id: str
    unit_name: str
    fiscal_year: int
    report_scope: str
    layout: str
    source_file: str


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, Decimal | float | int):
        text = f"{Decimal(str(value)).quantize(Decimal('0.0001')).normalize():f}"
        return text
    return str(value)


def _e(value: Any) -> str:
    return html.escape(_fmt(value))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _source_texts(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[int, str]:
    """source line → text the warehouse keeps for it (table row, else narrative sentence)."""
    texts: dict[int, str] = {}
    for sql in (
        "select source_line, any_value(span) from raw.narrative_facts where document_id = ? group by 1",
        "select source_line, any_value(raw_text) from raw.ambiguities where document_id = ? group by 1",
        "select source_line, any_value(raw_text) from raw.table_cells where document_id = ? group by 1",
    ):
        for line, text in con.execute(sql, [document_id]).fetchall():
            if line is not None and text:
                texts[int(line)] = str(text)  # later queries win: the printed table row first
    return texts


def _file_lines(path: str) -> list[str] | None:
    try:
        from ingest.text import decode, split_lines

        return split_lines(decode(Path(path).read_bytes())[0])
    except (OSError, ValueError, ImportError):
        return None


def _page(doc: Document, findings: list[dict[str, Any]], checks: list[dict[str, Any]],
          texts: dict[int, str], file_lines: list[str] | None) -> str:
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITY_ORDER}
    scope = SCOPE_ZH.get(doc.report_scope, doc.report_scope)
    title = f"{doc.unit_name} {doc.fiscal_year} 年度{scope} 审计报告"
    out = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">文件标识 <code>{html.escape(doc.document_id)}</code> · 版式 {html.escape(doc.layout)} · '
        f"源文件 <code>{html.escape(doc.source_file)}</code></p>",
        '<p class="counts">'
        + "".join(f'<span class="{s}">{SEVERITY_ZH[s]} {counts[s]}</span>' for s in SEVERITY_ORDER)
        + "</p>",
        "<h2>审计发现</h2>",
    ]
    if not findings:
        out.append('<p class="none">未发现问题（所有已评估的核对均在容差之内）。</p>')
    else:
        out.append("<table><thead><tr><th>严重程度</th><th>规则</th><th>类别</th><th>名称</th><th>表</th>"
                   "<th>科目</th><th>应为</th><th>实际</th><th>差额</th><th>说明</th><th>源行号</th>"
                   "<th>原文</th></tr></thead><tbody>")
        for f in findings:
            line = f["source_line"]
            text = ""
            if line is not None and line == line:  # not NaN
                line = int(line)
                text = texts.get(line) or (file_lines[line - 1] if file_lines and 0 < line <= len(file_lines) else "")
            sev = f["severity"]
            out.append(
                f'<tr class="{html.escape(sev)}"><td class="sev">{SEVERITY_ZH.get(sev, sev)}</td>'
                f"<td>{_e(f['rule_id'])}</td><td>{html.escape(CATEGORY_ZH.get(f['category'], f['category']))}</td>"
                f"<td>{_e(f['title_zh'])}</td><td>{_e(f['table_key'])}</td><td>{_e(f['subject_code'])}</td>"
                f'<td class="num">{_e(f["expected"])}</td><td class="num">{_e(f["actual"])}</td>'
                f'<td class="num">{_e(f["difference"])}</td><td>{_e(f["message"])}</td>'
                f'<td class="num">{_e(line)}</td><td class="src">{html.escape(text.strip())}</td></tr>')
        out.append("</tbody></table>")
    out.append("<h2>已评估的核对</h2><table><thead><tr><th>类别</th><th>规则数</th><th>核对数</th>"
               "<th>发现数</th></tr></thead><tbody>")
    for c in checks:
        out.append(f"<tr><td>{html.escape(CATEGORY_ZH.get(c['category'], c['category']))}</td>"
                   f'<td class="num">{c["rules"]}</td><td class="num">{c["checks"]}</td>'
                   f'<td class="num">{c["findings"]}</td></tr>')
    out.append("</tbody></table>")
    out.append("<footer>容差：每个印刷金额按 0.01 万元四舍五入（±0.005）；n 个加数的恒等式允许 |差额| ≤ 0.005·(n+1)，"
               "且不小于 0.01；比率按印刷金额允许的区间加减其印刷精度的半个单位。juesuan 生成，离线可读。</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _index(docs: list[Document], counts: dict[str, dict[str, int]]) -> str:
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>审计报告目录</title><style>{CSS}</style></head><body><h1>审计报告目录</h1>",
           "<table><thead><tr><th>单位</th><th>年度</th><th>口径</th><th>错误</th><th>警告</th><th>提示</th>"
           "</tr></thead><tbody>"]
    for d in docs:
        c = counts.get(d.document_id, {})
        out.append(f'<tr><td><a href="{html.escape(d.document_id)}.html">{html.escape(d.unit_name)}</a></td>'
                   f"<td>{d.fiscal_year}</td><td>{html.escape(SCOPE_ZH.get(d.report_scope, d.report_scope))}</td>"
                   + "".join(f'<td class="num">{c.get(s, 0)}</td>' for s in SEVERITY_ORDER) + "</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def write_reports(warehouse: Path, out_dir: Path, documents: list[str] | None = None) -> list[Path]:
    """Write ``<out_dir>/<document_id>.html`` for every (or the given) document and an index."""
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        docs = [Document(**r) for r in _rows(con, """
            select document_id, unit_name, fiscal_year, report_scope, layout, source_file
            from marts.dim_document order by unit_name, fiscal_year, report_scope, document_id""")]
        if documents:
            wanted = set(documents)
            unknown = wanted - {d.document_id for d in docs}
            if unknown:
                raise KeyError(f"no such document in {warehouse}: {', '.join(sorted(unknown))}")
            docs = [d for d in docs if d.document_id in wanted]
        counts: dict[str, dict[str, int]] = {}
        for d in docs:
            findings = _rows(con, """
                select rule_id, category, severity, title_zh, table_key, subject_code, expected, actual,
                       difference, message, source_line
                from audit.findings where document_id = ?""", [d.document_id])
            findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule_id"],
                                         f["source_line"] if f["source_line"] is not None else 0))
            checks = _rows(con, """
                select c.category, count(distinct c.rule_id) as rules, count(*) as checks,
                       count(f.finding_id) as findings
                from audit.checks c left join audit.findings f on c.check_id = f.finding_id
                where c.document_id = ? group by 1 order by 1""", [d.document_id])
            counts[d.document_id] = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITY_ORDER}
            page = _page(d, findings, checks, _source_texts(con, d.document_id), _file_lines(d.source_file))
            path = out_dir / f"{d.document_id}.html"
            path.write_text(page, encoding="utf-8")
            written.append(path)
    (out_dir / "index.html").write_text(_index(docs, counts), encoding="utf-8")
    return written
