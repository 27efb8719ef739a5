"""Reading the warehouse for the audit site: documents, findings and the figures the charts draw."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from juesuan.report.model import SEVERITY_ORDER, Catalog, Document, Finding, _columns, _rows
from juesuan.site import charts


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
