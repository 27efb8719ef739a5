"""Rendering the audit site: the Jinja2 environment, the index and one page per document."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from juesuan import __version__
from juesuan.query import WarehouseMissing
from juesuan.report.evidence import RULE_TABLES, DocumentEvidence
from juesuan.report.load import (
    _by_document,
    _class_spending,
    _load_documents,
    _load_findings,
    _rate_rows,
    _split,
    _totals,
)
from juesuan.report.model import (
    CATEGORY_ZH,
    LAYOUT_ZH,
    SCOPE_ZH,
    SEVERITIES,
    SEVERITY_ZH,
    SITE_DIR,
    Catalog,
    Document,
    Finding,
    fmt_num,
)
from juesuan.site import charts

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
