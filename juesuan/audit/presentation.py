"""Findings for people: the filters of ``juesuan findings`` and its text.

A filter that names nothing in the warehouse (an unknown category, severity or rule, a unit or
year without a report) is a usage error (FilterError, exit 2), never "no findings". Waived
findings and superseded report versions are hidden unless ``include_all``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from juesuan.audit.runner import SEVERITIES
from juesuan.query import WarehouseMissing


class FilterError(ValueError):
    """A findings filter that names nothing in the warehouse: a usage error listing valid values."""


@dataclass(frozen=True)
class FindingFilter:
    unit: str | None = None
    year: int | None = None
    severity: str | None = None
    category: str | None = None
    rule: str | None = None  # a rule id (CR02) or a family (CR)
    include_all: bool = False  # waived findings and superseded report versions too


def _check_filter(con: duckdb.DuckDBPyConnection, flt: FindingFilter) -> None:
    """Every filter must name something that exists; a typo is not 'no findings'."""
    def values(sql: str) -> list[str]:
        return [str(r[0]) for r in con.execute(sql).fetchall()]

    if flt.severity is not None and flt.severity not in SEVERITIES:
        raise FilterError(f"unknown severity {flt.severity!r}; valid: {', '.join(SEVERITIES)}")
    if flt.category is not None:
        cats = values("select distinct category from audit.rules order by 1")
        if flt.category not in cats:
            raise FilterError(f"unknown category {flt.category!r}; valid: {', '.join(cats)}")
    if flt.rule is not None:
        ids = values("select rule_id from audit.rules order by 1")
        families = sorted({i.rstrip("0123456789") for i in ids})
        if flt.rule.upper() not in ids and flt.rule.upper() not in families:
            raise FilterError(f"unknown rule {flt.rule!r}; valid: a family ({', '.join(families)}) or a rule id "
                              f"({', '.join(ids)})")
    if flt.unit is not None and not con.execute(
            "select 1 from marts.dim_document where unit_name like '%' || ? || '%' limit 1", [flt.unit]).fetchone():
        units = values("select distinct unit_name from marts.dim_document order by 1")
        raise FilterError(f"--unit {flt.unit!r} matches no report; units: {'; '.join(units)}")
    if flt.year is not None and not con.execute(
            "select 1 from marts.dim_document where fiscal_year = ? and (? is null or unit_name like '%' || ? || '%') "
            "limit 1", [flt.year, flt.unit, flt.unit]).fetchone():
        years = [str(r[0]) for r in con.execute(
            "select distinct fiscal_year from marts.dim_document where ? is null or unit_name like '%' || ? || '%' "
            "order by 1", [flt.unit, flt.unit]).fetchall()]
        raise FilterError(f"--year {flt.year} matches no report{' of ' + repr(flt.unit) if flt.unit else ''}; "
                          f"years: {', '.join(years)}")


def load_findings(warehouse: Path, flt: FindingFilter | None = None) -> list[dict[str, Any]]:
    """Findings for people: current report versions and unwaived findings unless ``include_all``.
    Raises FilterError for a filter that names nothing (DESIGN §3: a usage error)."""
    flt = flt or FindingFilter()
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first")
    rule = flt.rule.upper() if flt.rule else None
    sql = """
        select d.unit_name, d.fiscal_year, d.report_scope, d.is_current, f.finding_key, f.severity, f.rule_id,
               f.category, f.title_zh, f.subject_code, f.expected, f.actual, f.difference, f.message, f.source_line,
               f.source_page, f.waived, f.waived_by, f.waived_reason, d.source_file
        from audit.findings f join marts.dim_document d using (document_id)
        where (? is null or d.unit_name like '%' || ? || '%')
          and (? is null or d.fiscal_year = ?)
          and (? is null or f.severity = ?)
          and (? is null or f.category = ?)
          and (? is null or f.rule_id = ? or regexp_replace(f.rule_id, '[0-9]+$', '') = ?)
          and (? or (d.is_current and not f.waived))
        order by d.unit_name, d.fiscal_year, d.is_current desc, d.document_id,
                 case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, f.rule_id, f.source_line"""
    params = [flt.unit, flt.unit, flt.year, flt.year, flt.severity, flt.severity, flt.category, flt.category,
              rule, rule, rule, flt.include_all]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _check_filter(con, flt)
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        if flt.include_all:
            stale = con.execute("select finding_key, rule_id, status, reason, waived_by from audit.waivers "
                                "where status <> 'applied' order by finding_key").fetchall()
            rows += [dict(stale_waiver=True, finding_key=k, rule_id=r, status=st, waived_reason=why, waived_by=by)
                     for k, r, st, why, by in stale]
    return rows


_STALE = {"report_changed": "the report changed: no longer applies", "not_raised": "finding no longer raised",
          "report_missing": "no such report in the warehouse"}


def format_findings(rows: list[dict[str, Any]]) -> str:
    findings = [r for r in rows if not r.get("stale_waiver")]
    stale = [r for r in rows if r.get("stale_waiver")]
    if not findings and not stale:
        return "no findings (未发现问题) for this selection"
    out: list[str] = []
    current = None
    for r in findings:
        head = (r["unit_name"], r["fiscal_year"], r["report_scope"], r["source_file"])
        if head != current:
            current = head
            scope = "部门决算" if r["report_scope"] == "department" else "单位决算"
            version = "" if r["is_current"] else "  [superseded version 旧版本]"
            out.append(f"\n{r['unit_name']} {r['fiscal_year']} 年度{scope}  ({r['source_file']}){version}")
        line = f"line {r['source_line']}" if r["source_line"] is not None else "no line"
        if r.get("source_page") is not None:
            line = f"page {r['source_page']}, {line}"
        waived = f"  [waived 已豁免 by {r['waived_by'] or '?'}: {r['waived_reason']}]" if r["waived"] else ""
        out.append(f"  [{r['severity']:<7}] {r['rule_id']} {r['category']}: {r['message']}  ({line})  "
                   f"key {r['finding_key']}{waived}")
    live = [r for r in findings if not r["waived"] and r["is_current"]]
    counts = {s: sum(1 for r in live if r["severity"] == s) for s in SEVERITIES}
    hidden = len(findings) - len(live)
    out.append(f"\n{len(live)} findings: {counts['error']} error, {counts['warning']} warning, {counts['info']} info"
               + (f"; {hidden} waived or on superseded versions shown too" if hidden else ""))
    if stale:
        out.append("\nwaivers that no longer apply (豁免失效):")
        out += [f"  {r['finding_key']} {r['rule_id']}: {_STALE.get(r['status'], r['status'])} "
                f"(waived by {r['waived_by'] or '?'}: {r['waived_reason']})" for r in stale]
    return "\n".join(out).lstrip("\n")
