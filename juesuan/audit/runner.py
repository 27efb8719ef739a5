"""Run the rule catalog as Great Expectations suites and write audit.findings.

dbt builds ``audit.checks`` (one row per evaluated identity or comparison). For each rule,
its checks are validated by the expectations the rule names in ``expectations/templates.yml``
(juesuan/audit/expectations.py); every failing check becomes a finding. ``evaluate_rules`` is
the one path from checks to findings: ``run_audit`` (the build) and ``evaluate`` (frames made
by hand in the tests) both go through it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from juesuan.audit.expectations import Expectation, RowValidator, Validator, columns_read, load_templates
from juesuan.audit.messages import finding_message
from juesuan.waivers import apply_waivers, waivers_path

log = logging.getLogger("juesuan")

SEVERITIES = ("error", "warning", "info")

FINDINGS_DDL = """
create or replace table audit.findings (
    finding_key varchar primary key, document_id varchar not null, rule_id varchar not null,
    category varchar not null, severity varchar not null, subject_code varchar, expected decimal(18,4),
    actual decimal(18,4), difference decimal(18,4), message varchar not null, source_line integer,
    table_key varchar, title_zh varchar, expectation varchar not null, source_page integer,
    waived boolean not null default false, waived_by varchar, waived_reason varchar, waived_at varchar)
"""

# What audit.findings and its columns mean, as DuckDB comments (constant text: no input reaches
# it; COMMENT ON takes no parameters).
FINDINGS_TABLE_DOC = ("审核发现 (audit findings): one row per failing check of audit.checks, validated by the "
                      "Great Expectations template its rule names.")
FINDINGS_COLUMN_DOCS = {
    "finding_key": "发现键 (finding key): stable across rebuilds of the same report content (hash of document, "
                   "rule, table, subject, column and the check's note); what juesuan waive takes.",
    "waived": "已豁免 (waived): an auditor accepted this finding (juesuan waive; audit.waivers).",
    "waived_by": "审核人 (who waived it).",
    "waived_reason": "豁免理由 (why it was accepted).",
    "waived_at": "豁免时间 (UTC, ISO 8601).",
    "document_id": "文件标识 (key of marts.dim_document).",
    "rule_id": "规则编号 (key of audit.rules).",
    "category": "类别: within_table, cross_table, narrative_vs_table, completion_rate, direction_wording, "
                "cross_year, completeness, code_quality, text_quality.",
    "severity": "严重程度: error (the report contradicts itself), warning (likely wrong or misworded), info "
                "(noted, e.g. a repaired code or a figure not printed); at most audit.rules.severity.",
    "subject_code": "科目编码 the finding is about (functional or economic code), null for whole-report checks.",
    "actual": "核对数 (万元 or %): the figure the report prints at the place under test — the printed total, the "
              "narrated amount, the stated rate, the summarising table's cell; null for rules without figures.",
    "expected": "对照数 (万元 or %): what the report's other printed figures imply — the sum of the parts, the "
                "table's amount, the rate recomputed from the amounts, the other table's cell; null for rules "
                "without figures or when it cannot be computed.",
    "difference": "差额 (actual − expected).",
    "message": "说明: names both figures with their table (表NN《title》 or 情况说明) and line, the gap and what "
               "the rule allows; for a rule without figures, what is wrong.",
    "source_line": "源行号 (line of the report text actual is printed on).",
    "source_page": "页码 (PDF page of source_line; null for text reports).",
    "table_key": "表键 (which of the nine tables, or narrative).",
    "title_zh": "规则名称 (the rule's Chinese title).",
    "expectation": "Great Expectations template that failed (expectations/templates.yml).",
}


def _comments(table: str, doc: str, columns: dict[str, str]) -> str:
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return "\n".join([f"comment on table {table} is {quoted(doc)};"]
                     + [f"comment on column {table}.{c} is {quoted(d)};" for c, d in columns.items()])


FINDINGS_COMMENTS = _comments("audit.findings", FINDINGS_TABLE_DOC, FINDINGS_COLUMN_DOCS)


# audit.checks' DECIMAL columns as DOUBLE: the values a pandas frame of them held (constant SQL)
FIGURES_AS_DOUBLE = ", ".join(f"cast({c} as double) as {c}"
                              for c in ("actual", "expected", "difference", "abs_difference", "tolerance"))

FINDING_COLUMNS = ["finding_key", "document_id", "rule_id", "category", "severity", "subject_code", "expected",
                   "actual", "difference", "message", "source_line", "table_key", "title_zh", "expectation"]


def _findings(failing: list[dict[str, Any]], rules: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings from failing checks (full audit.checks rows as dicts, in check order); ``rules`` by rule_id."""
    out: list[dict[str, Any]] = []
    for row in failing:
        rule = rules[row["rule_id"]]
        severity = row.get("row_severity")
        out.append(dict(
            finding_key=row["check_id"], document_id=row["document_id"], rule_id=rule.rule_id,
            category=rule.category, severity=severity if isinstance(severity, str) else rule.severity,
            subject_code=row["subject_code"], expected=row["expected"], actual=row["actual"],
            difference=row["difference"], message=finding_message(row), source_line=row["source_line"],
            table_key=row["table_key"],
            title_zh=rule.title_zh, expectation=rule.expectation))
    return out


def evaluate_rules(rules: list[Any], checks: pd.DataFrame, validator: RowValidator, expectations: list[Expectation],
                   whole_rows: Callable[[pd.Series], list[dict[str, Any]]] | None = None) -> pd.DataFrame:
    """Findings of rules that share one template, in one validation: ``checks`` (their audit.checks
    rows, at least ``check_id``, ``rule_id`` and the columns the template reads) validated by its
    expectations; ``whole_rows(check_ids)`` gives the failing checks' full rows in that order
    (default: the rows of ``checks`` themselves). Every expectation judges a row by itself, so
    validating rules together finds what validating each alone would. Findings come rule by rule
    (``rules`` order), each rule's in check order."""
    read = columns_read(expectations)
    checks = checks.reset_index(drop=True)
    bad = validator.failing_rows(rules[0].expectation, expectations, checks[read])
    if not bad:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    order = {r.rule_id: k for k, r in enumerate(rules)}
    rule_of = checks["rule_id"]
    bad_rows = sorted(bad, key=lambda i: (order[rule_of.iat[i]], i))
    # not .iloc per row (170 µs each, 10⁵ findings at 10⁴ reports)
    failing = (checks.iloc[bad_rows].to_dict("records") if whole_rows is None
               else whole_rows(checks["check_id"].iloc[bad_rows]))
    return pd.DataFrame(_findings(failing, {r.rule_id: r for r in rules}), columns=FINDING_COLUMNS)


def by_template(rules: pd.DataFrame, counts: dict[str, int], max_rows: int = 250_000) -> list[list[Any]]:
    """Rules grouped by the template they name, in rule_id order, for one validation per group:
    a GE run costs ~40 ms however few rows it sees, so 65 runs were most of a small build's audit.
    Rules without checks (``counts``: checks per rule) are left out, and a group is split so that
    one frame holds at most ``max_rows`` checks (frames stay small at 10⁴ reports)."""
    groups: dict[str, list[list[Any]]] = {}
    sizes: dict[str, int] = {}
    for rule in rules.sort_values("rule_id").itertuples(index=False):
        n = counts.get(rule.rule_id, 0)
        if not n:
            continue
        batches = groups.setdefault(rule.expectation, [[]])
        if batches[-1] and sizes.get(rule.expectation, 0) + n > max_rows:
            batches.append([])
            sizes[rule.expectation] = 0
        batches[-1].append(rule)
        sizes[rule.expectation] = sizes.get(rule.expectation, 0) + n
    return [batch for batches in groups.values() for batch in batches]


def evaluate(checks: pd.DataFrame, rules: pd.DataFrame, validator: RowValidator | None = None) -> pd.DataFrame:
    """Validate every rule's checks (a frame of audit.checks rows); return the findings frame."""
    templates = load_templates()
    validator = Validator() if validator is None else validator
    counts = checks["rule_id"].value_counts().to_dict()
    found = [evaluate_rules(batch, rows, validator, templates[batch[0].expectation])
             for batch in by_template(rules, counts, max_rows=len(checks) + 1)
             if not (rows := checks[checks["rule_id"].isin([r.rule_id for r in batch])]).empty]
    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=FINDING_COLUMNS)


def run_audit(db_path: Path, *, incremental: bool = False, waivers: Path | None = None,
              validator: RowValidator | None = None) -> dict[str, int]:
    """Validate audit.checks of a freshly built warehouse and write audit.findings.

    ``incremental``: only the checks of the documents in raw.rebuild_scope are validated; their
    findings are replaced and the other documents' are kept (juesuan/incremental.py). Every
    expectation judges a check row by itself, so a document's findings do not depend on the rest.

    Checks are pulled into pandas one template's rules at a time (:func:`by_template`), at most
    250,000 rows a frame: at 10⁴ reports audit.checks holds ~4·10⁶ rows, ~3.6 GB as one frame
    (scripts/bench.py). GE sees only the columns its expectations read
    (it hashes every column of a frame it is given: half the audit's time when given all 19);
    the failing checks are then fetched whole by ``check_id``, a key (dbt test on audit.checks).
    ``validator``: GE already started elsewhere (juesuan/audit/remote.py); by default, one here.
    """
    templates = load_templates()
    with duckdb.connect(str(db_path)) as con:
        rules = con.execute("select * from audit.rules order by rule_id").df()
        if incremental:
            con.execute("delete from audit.findings where document_id in (select document_id from raw.rebuild_scope)")
            # The scope's checks, read once: each query below scanned all of audit.checks for them
            # (at 10,000 reports 4 million rows; 0.38 of the audit's 0.78 s for one unit's scope).
            # Found by rowid first: DuckDB then fetches whole rows for those alone (0.09 against
            # 0.34 s for the same 1,691 rows read with select * and the filter).
            con.execute("create temp table scoped_checks as select * from audit.checks where rowid in ("
                        "select rowid from audit.checks "
                        "where document_id in (select document_id from raw.rebuild_scope))")
            checks_table = "scoped_checks"
        else:
            con.execute(FINDINGS_DDL)
            con.execute(FINDINGS_COMMENTS)
            checks_table = "audit.checks"
        # checks_table is one of the two names above, never input
        counts = dict(con.execute(f"select rule_id, count(*) from {checks_table} group by 1").fetchall())
        validator = Validator() if validator is None else validator
        n_checks = n_findings = 0
        for batch in by_template(rules, counts):
            expectations = templates[batch[0].expectation]
            ids = [r.rule_id for r in batch]
            # column names come from expectations/templates.yml, not from input
            checks = con.execute(f"select check_id, rule_id, {', '.join(columns_read(expectations))} "
                                 f"from {checks_table} where list_contains(?, rule_id)", [ids]).df()
            n_checks += len(checks)

            def whole_rows(check_ids: pd.Series) -> list[dict[str, Any]]:
                # as tuples, not a frame: pandas' to_dict of the 81,608 failing rows at 10,000
                # reports took 1.2 s. Figures come as float, as a frame gave them (the messages
                # format them; audit.findings stores them at DECIMAL(18,4) either way).
                wanted = pd.DataFrame({"check_id": check_ids.to_numpy(), "pos": range(len(check_ids))})  # noqa: F841
                cur = con.execute(f"select c.* replace ({FIGURES_AS_DOUBLE}) from {checks_table} c "
                                  "join wanted using (check_id) order by wanted.pos")
                names = [d[0] for d in cur.description]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

            findings = evaluate_rules(batch, checks, validator, expectations, whole_rows)  # noqa: F841 - read by DuckDB
            if len(findings):
                n_findings += len(findings)
                con.execute("insert into audit.findings by name select * from findings")
            del checks
        # a PDF report's line is on a page (raw.document_lines): findings name it. The findings an
        # incremental build keeps were given theirs by the build that made them, from the same lines.
        in_scope = " and f.document_id in (select document_id from raw.rebuild_scope)" if incremental else ""
        con.execute("update audit.findings f set source_page = l.page_no from raw.document_lines l "
                    "where l.document_id = f.document_id and l.line_no = f.source_line and f.source_page is null"
                    + in_scope)
        waiver_path = waivers or waivers_path(db_path)
        statuses = apply_waivers(con, waiver_path)
        if statuses:
            log.info("waivers (%s): %s", waiver_path, ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
        counts = dict(con.execute("select severity, count(*) from audit.findings where not waived group by 1").fetchall())
        waived = con.execute("select count(*) from audit.findings where waived").fetchone()
    log.info("audit: %d checks, %d findings%s", n_checks, n_findings, " (incremental)" if incremental else "")
    return {**{s: int(counts.get(s, 0)) for s in SEVERITIES}, "waived": int(waived[0]) if waived else 0}
