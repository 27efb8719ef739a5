"""Run the rule catalog as Great Expectations suites and write audit.findings.

dbt builds ``audit.checks`` (one row per evaluated identity or comparison). For each rule,
its checks are pulled into pandas and validated by the expectations the rule names in
``expectations/templates.yml``. GE through a SQLAlchemy DuckDB datasource silently fails
every expectation (DESIGN §6), so validation runs on pandas frames; the tests prove with
must-fire fixtures that each expectation really evaluates.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from juesuan.config import REPO_ROOT
from juesuan.query import WarehouseMissing
from juesuan.waivers import apply_waivers, waivers_path

log = logging.getLogger("juesuan")

TEMPLATES = REPO_ROOT / "expectations" / "templates.yml"
SEVERITIES = ("error", "warning", "info")

FINDINGS_DDL = """
create or replace table audit.findings (
    finding_key varchar primary key, document_id varchar not null, rule_id varchar not null,
    category varchar not null, severity varchar not null, subject_code varchar, expected decimal(18,4),
    actual decimal(18,4), difference decimal(18,4), message varchar not null, source_line integer,
    table_key varchar, title_zh varchar, expectation varchar not null, source_page integer,
    waived boolean not null default false, waived_by varchar, waived_reason varchar, waived_at varchar)
"""

# Constant text (no input reaches it); DuckDB's COMMENT ON takes no parameters.
FINDINGS_COMMENTS = """
comment on table audit.findings is '审核发现 (audit findings): one row per failing check of audit.checks, validated by the Great Expectations template its rule names.';
comment on column audit.findings.finding_key is '发现键 (finding key): stable across rebuilds of the same report content (hash of document, rule, table, subject and column); what juesuan waive takes.';
comment on column audit.findings.waived is '已豁免 (waived): an auditor accepted this finding (juesuan waive; audit.waivers).';
comment on column audit.findings.waived_by is '审核人 (who waived it).';
comment on column audit.findings.waived_reason is '豁免理由 (why it was accepted).';
comment on column audit.findings.waived_at is '豁免时间 (UTC, ISO 8601).';
comment on column audit.findings.document_id is '文件标识 (key of marts.dim_document).';
comment on column audit.findings.rule_id is '规则编号 (key of audit.rules).';
comment on column audit.findings.category is '类别: within_table, cross_table, narrative_table, completion_rate, direction_wording, cross_year, completeness, code_quality.';
comment on column audit.findings.severity is '严重程度: error (the report contradicts itself), warning (likely wrong or misworded), info (noted, e.g. a repaired code or a figure not printed).';
comment on column audit.findings.subject_code is '科目编码 the finding is about (functional or economic code), null for whole-report checks.';
comment on column audit.findings.expected is '对照数 (reference figure, 万元 or %): the printed total for an identity, the stated figure for narrative and completion-rate rules; each rule''s description says which.';
comment on column audit.findings.actual is '核对数 (figure checked against it, 万元 or %): the sum of the parts, the table figure, or the rate recomputed from the amounts.';
comment on column audit.findings.difference is '差额 (actual − expected).';
comment on column audit.findings.message is '说明 (Chinese message with both numbers).';
comment on column audit.findings.source_line is '源行号 (line of the report text the stated figure is on).';
comment on column audit.findings.source_page is '页码 (PDF page of source_line; null for text reports).';
comment on column audit.findings.table_key is '表键 (which of the nine tables, or narrative).';
comment on column audit.findings.title_zh is '规则名称 (the rule''s Chinese title).';
comment on column audit.findings.expectation is 'Great Expectations template that failed (expectations/templates.yml).';
"""


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]


def load_templates(path: Path = TEMPLATES) -> dict[str, list[Expectation]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: [Expectation(e["type"], dict(e["kwargs"])) for e in items] for name, items in data.items()}


def _ge_expectation(exp: Expectation) -> Any:
    import great_expectations as gx

    cls_name = "".join(part.capitalize() for part in exp.type.split("_"))
    cls = getattr(gx.expectations, cls_name, None)
    if cls is None:
        raise ValueError(f"unknown expectation type {exp.type!r} in {TEMPLATES}")
    return cls(**exp.kwargs)


class Validator:
    """One ephemeral GE context for a build; validates pandas frames rule by rule."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self._gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = self.ctx.data_sources.add_pandas("juesuan")
        self.batch = source.add_dataframe_asset("checks").add_batch_definition_whole_dataframe("rule")
        self._suites: dict[str, Any] = {}

    def failing_rows(self, template: str, expectations: list[Expectation], frame: pd.DataFrame) -> set[int]:
        """Row positions of ``frame`` that any of the expectations reports as unexpected."""
        if frame.empty:
            return set()
        gx = self._gx
        if template not in self._suites:
            suite = self.ctx.suites.add(gx.ExpectationSuite(
                name=template, expectations=[_ge_expectation(e) for e in expectations]))
            self._suites[template] = self.ctx.validation_definitions.add(
                gx.ValidationDefinition(name=template, data=self.batch, suite=suite))
        frame = frame.reset_index(drop=True)
        result = self._suites[template].run(batch_parameters={"dataframe": frame},
                                            result_format={"result_format": "COMPLETE"})
        bad: set[int] = set()
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"expectation {r.expectation_config.type} raised: "
                                   f"{r.exception_info.get('exception_message')}")
            if not r.success:
                bad.update(int(i) for i in r.result.get("unexpected_index_list") or [])
        return bad


def _message(row: dict[str, Any]) -> str:
    subject = f" 科目 {row['subject_code']}" if isinstance(row["subject_code"], str) else ""
    table = f" [{row['table_key']}]" if isinstance(row["table_key"], str) else ""
    if isinstance(row["note"], str) and row["note"]:
        # The rule's own sentence names both figures and what they are (列示/复核, 表/说明);
        # a generic 应为/实际 prefix would read backwards for rate rules (expected = stated rate).
        return f"{row['title_zh']}{table}{subject}：{row['note']}"
    return (f"{row['title_zh']}{table}{subject}: 应为 {_num(row['expected'])}，实际 {_num(row['actual'])}，"
            f"差额 {_num(row['difference'])}（容差 {_num(row['tolerance'])}）")


def _num(value: Any) -> str:
    """A figure for a message; a missing one (no recomputed rate, say) shows as —."""
    return "—" if value is None or pd.isna(value) else str(value)


FINDING_COLUMNS = ["finding_key", "document_id", "rule_id", "category", "severity", "subject_code", "expected",
                   "actual", "difference", "message", "source_line", "table_key", "title_zh", "expectation"]


def _findings(failing: pd.DataFrame, rule: Any) -> list[dict[str, Any]]:
    """Findings of a rule from its failing checks (full audit.checks rows, in check order)."""
    out: list[dict[str, Any]] = []
    for row in failing.to_dict("records"):  # not .iloc per row: 170 µs each, 10⁵ findings at 10⁴ reports
        severity = row.get("row_severity")
        out.append(dict(
            finding_key=row["check_id"], document_id=row["document_id"], rule_id=rule.rule_id,
            category=rule.category, severity=severity if isinstance(severity, str) else rule.severity,
            subject_code=row["subject_code"], expected=row["expected"], actual=row["actual"],
            difference=row["difference"], message=row.get("message") if isinstance(row.get("message"), str)
            else _message(row), source_line=row["source_line"], table_key=row["table_key"],
            title_zh=rule.title_zh, expectation=rule.expectation))
    return out


def evaluate(checks: pd.DataFrame, rules: pd.DataFrame, validator: Validator | None = None) -> pd.DataFrame:
    """Validate every rule's checks; return the findings frame (DESIGN §3 columns)."""
    templates = load_templates()
    validator = validator or Validator()
    out: list[dict[str, Any]] = []
    for rule in rules.itertuples(index=False):
        rows = checks[checks["rule_id"] == rule.rule_id].reset_index(drop=True)
        if rows.empty:
            continue
        bad = sorted(validator.failing_rows(rule.expectation, templates[rule.expectation], rows))
        out.extend(_findings(rows.iloc[bad], rule))
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


def _columns_read(expectations: list[Expectation]) -> list[str]:
    """The audit.checks columns a template's expectations look at."""
    names = (e.kwargs.get(k) for e in expectations for k in ("column", "column_A", "column_B"))
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


def run_audit(db_path: Path, *, incremental: bool = False, waivers: Path | None = None) -> dict[str, int]:
    """Validate audit.checks of a freshly built warehouse and write audit.findings.

    ``incremental``: only the checks of the documents in raw.rebuild_scope are validated; their
    findings are replaced and the other documents' are kept (juesuan/incremental.py). Every
    expectation judges a check row by itself, so a document's findings do not depend on the rest.

    Checks are pulled into pandas one rule at a time: at 10⁴ reports audit.checks holds ~4·10⁶
    rows, ~3.6 GB as one frame (scripts/bench.py). GE sees only the columns its expectations read
    (it hashes every column of a frame it is given: half the audit's time when given all 19);
    the failing checks are then fetched whole by ``check_id``, a key (dbt test on audit.checks).
    """
    templates = load_templates()
    with duckdb.connect(str(db_path)) as con:
        rules = con.execute("select * from audit.rules order by rule_id").df()
        if incremental:
            con.execute("delete from audit.findings where document_id in (select document_id from raw.rebuild_scope)")
            scope = "and document_id in (select document_id from raw.rebuild_scope)"
        else:
            con.execute(FINDINGS_DDL)
            con.execute(FINDINGS_COMMENTS)
            scope = ""
        validator = Validator()
        n_checks = n_findings = 0
        for rule in rules.itertuples(index=False):
            expectations = templates[rule.expectation]
            read = _columns_read(expectations)
            # column names come from expectations/templates.yml, not from input
            checks = con.execute(f"select check_id, {', '.join(read)} from audit.checks where rule_id = ? {scope}",
                                 [rule.rule_id]).df()
            n_checks += len(checks)
            bad = sorted(validator.failing_rows(rule.expectation, expectations, checks[read]))
            if bad:
                wanted = pd.DataFrame({"check_id": checks["check_id"].iloc[bad].to_numpy(),  # noqa: F841 - read by DuckDB
                                      "pos": range(len(bad))})
                failing = con.execute("select c.* from audit.checks c join wanted using (check_id) "
                                      "where c.rule_id = ? order by wanted.pos", [rule.rule_id]).df()
                findings = pd.DataFrame(_findings(failing, rule), columns=FINDING_COLUMNS)  # noqa: F841
                n_findings += len(bad)
                con.execute("insert into audit.findings by name select * from findings")
            del checks
        # a PDF report's line is on a page (raw.document_lines): findings name it
        con.execute("update audit.findings f set source_page = l.page_no from raw.document_lines l "
                    "where l.document_id = f.document_id and l.line_no = f.source_line and f.source_page is null")
        waiver_path = waivers or waivers_path(db_path)
        statuses = apply_waivers(con, waiver_path)
        if statuses:
            log.info("waivers (%s): %s", waiver_path, ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
        counts = dict(con.execute("select severity, count(*) from audit.findings where not waived group by 1").fetchall())
        waived = con.execute("select count(*) from audit.findings where waived").fetchone()
    log.info("audit: %d checks, %d findings%s", n_checks, n_findings, " (incremental)" if incremental else "")
    return {**{s: int(counts.get(s, 0)) for s in SEVERITIES}, "waived": int(waived[0]) if waived else 0}


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
