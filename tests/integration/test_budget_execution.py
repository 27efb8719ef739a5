"""Budget execution, 三公 and project marts; completion-rate (CR01–CR07) and direction-wording
(DW01) rules — on the built samples and, rule by rule, through the Great Expectations runner
with a must-fire and a must-pass fixture (DESIGN §4, §6)."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest

from juesuan.audit import Expectation, Validator, evaluate
from juesuan.audit.expectations import RowValidator
from juesuan.audit.remote import ValidatorProcess

RULES = ("CR01", "CR02", "CR03", "CR04", "CR05", "CR06", "CR07", "DW01")


def _doc(wh, key: str) -> str:
    (doc,) = wh.execute(
        "select document_id from marts.dim_document where regexp_matches(source_file, ?)", [f"(^|/){key}_[^/]*$"]
    ).fetchone()
    return doc


def _execution(wh, key: str, subject_code: str | None) -> dict:
    cur = wh.execute(
        "select * from marts.fct_budget_execution where document_id = ? and execution_key = ?",
        [_doc(wh, key), subject_code or "overall"],
    )
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (key, subject_code, rows)
    return dict(zip(cols, rows[0], strict=True))


def _rows(wh, relation: str, key: str, rule_id: str) -> list[dict]:
    """Rows of audit.findings or audit.checks (a constant name) for one sample report and rule."""
    cur = wh.execute(f"select * from {relation} where document_id = ? and rule_id = ? order by source_line",
                     [_doc(wh, key), rule_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _findings(wh, key: str, rule_id: str) -> list[dict]:
    return _rows(wh, "audit.findings", key, rule_id)


def _checks(wh, key: str, rule_id: str) -> list[dict]:
    return _rows(wh, "audit.checks", key, rule_id)


# ---- fct_budget_execution: the figures the issue names ------------------------------------


def test_004_overall_rate_is_an_error(wh):
    row = _execution(wh, "004", None)
    assert row["subject_code"] is None and row["subject_level"] is None
    assert (row["budget_wan"], row["final_wan"]) == (Decimal("1236.24"), Decimal("1272.19"))
    assert row["stated_rate_pct"] == Decimal("97.20")
    assert row["recomputed_rate_pct"] == Decimal("102.91")
    assert row["rate_status"] == "inconsistent"
    (finding,) = _findings(wh, "004", "CR02")
    assert finding["severity"] == "error"
    assert finding["category"] == "completion_rate"
    # actual: the stated rate; expected: the rate 1272.19 ÷ 1236.24 gives (DESIGN §3)
    assert finding["actual"] == Decimal("97.2") and finding["expected"] == Decimal("102.91")
    assert finding["source_line"] == 215
    assert "97.2%" in finding["message"] and "102.91%" in finding["message"]


def test_004_2060199_is_a_truncation(wh):
    # 683.85 ÷ 645.42 = 105.954…; the printed amounts allow [105.9527, 105.9558], which does not
    # meet 105.9's [105.85, 105.95): the report truncated instead of rounding — info, not a warning.
    row = _execution(wh, "004", "2060199")
    assert (row["budget_wan"], row["final_wan"]) == (Decimal("645.42"), Decimal("683.85"))
    assert row["stated_rate_pct"] == Decimal("105.90")
    assert row["recomputed_rate_pct"] == Decimal("105.95")
    assert row["rate_status"] == "truncated"
    assert row["stated_direction"] == "more" and row["direction_wording"] == "大于"
    (finding,) = [f for f in _findings(wh, "004", "CR01") if f["subject_code"] == "2060199"]
    assert finding["severity"] == "info"


@pytest.mark.parametrize(
    ("key", "code", "level", "budget", "final", "stated"),
    [
        ("000", "2080505", "item", "48.00", "83.55", "174.10"),
        ("001", "2210202", "item", "5.78", "5.72", "99.00"),
        ("002", "201", "class", "184.48", "181.99", "98.70"),
        ("000", None, None, "1010.13", "1133.54", "112.20"),
    ],
)
def test_consistent_rates_raise_nothing(wh, key, code, level, budget, final, stated):
    row = _execution(wh, key, code)
    assert row["subject_level"] == level
    assert (row["budget_wan"], row["final_wan"]) == (Decimal(budget), Decimal(final))
    assert row["stated_rate_pct"] == Decimal(stated)
    assert row["rate_status"] == "consistent"
    rule = "CR02" if code is None else "CR01"
    checks = [c for c in _checks(wh, key, rule) if c["subject_code"] == code]
    assert len(checks) == 1 and checks[0]["rate_status"] == "consistent"
    assert not [f for f in _findings(wh, key, rule) if f["subject_code"] == code]


def test_001_rent_subsidy_narrated_under_its_alias(wh):
    assert _execution(wh, "001", "2210202")["subject_name"] == "房租补贴"


def test_zero_budget_subjects_state_no_rate_and_raise_nothing(wh):
    rows = wh.execute(
        "select document_id, subject_code, stated_rate_pct, recomputed_rate_pct, rate_status "
        "from marts.fct_budget_execution where budget_wan = 0"
    ).fetchall()
    assert len(rows) >= 9  # 004: 2010450, 2080801, 2101199; 000: 2011308, 2080506, 2080801, 2100799, …
    assert all(r[2] is None and r[3] is None and r[4] == "not_stated" for r in rows)
    zero = {(r[0], r[1]) for r in rows}
    # each is checked by CR05 (it must not state a rate) and passes
    checked = set(wh.execute(
        "select document_id, subject_code from audit.checks where rule_id = 'CR05' and table_key = 'budget_execution'"
    ).fetchall())
    assert checked == zero
    flagged = wh.execute(
        "select document_id, subject_code from audit.findings where category = 'completion_rate' "
        "and subject_code is not null"
    ).fetchall()
    assert not zero & set(flagged)


def test_every_stated_rate_is_checked_once(wh):
    stated = wh.execute("""
        select (select count(*) from marts.fct_budget_execution where stated_rate_pct is not null)
             + (select count(*) from marts.fct_three_public where stated_rate_pct is not null)
             + (select count(*) from marts.fct_project_performance where stated_rate_pct is not null)
             + (select count(*) from marts.fct_narrative_fact
                where metric in ('unit_overall_rate', 'unit_overall_project_rate'))
    """).fetchone()[0]
    checked = wh.execute(
        "select count(*) from audit.checks where rule_id like 'CR%' and actual is not null"
    ).fetchone()[0]
    assert stated == checked > 50


def test_no_consistent_rate_becomes_a_finding(wh):
    leaked = wh.execute("""
        select c.check_id from audit.checks c join audit.findings f on f.finding_key = c.check_id
        where c.rate_status in ('consistent', 'not_stated')
    """).fetchall()
    assert leaked == []


# ---- fct_three_public, fct_project_performance, fct_procurement, fct_narrative_fact ----------


def test_000_three_public_total(wh):
    row = wh.execute(
        "select budget_wan, final_wan, stated_rate_pct, recomputed_rate_pct, rate_status, stated_direction, "
        "value_source from marts.fct_three_public where document_id = ? and item = 'total'",
        [_doc(wh, "000")],
    ).fetchone()
    assert row == (Decimal("4.40"), Decimal("2.90"), Decimal("65.90"), Decimal("65.91"), "consistent", "less",
                   "narrative")


def test_000_three_public_items_without_budget_are_not_evaluable(wh):
    # 公务用车购置及运行费 2.9 万元，完成全年预算的 65.9%: the item's 预算 is printed nowhere
    rows = dict(wh.execute(
        "select item, rate_status from marts.fct_three_public where document_id = ?", [_doc(wh, "000")]
    ).fetchall())
    assert rows["vehicle"] == rows["vehicle_operation"] == "not_evaluable"
    flagged = {f["source_line"] for f in _findings(wh, "000", "CR06")}
    assert {357, 363} <= flagged
    assert all(f["category"] == "completeness" for f in _findings(wh, "000", "CR06"))


def test_project_rates(wh):
    rows = wh.execute(
        "select project_name, budget_wan, actual_wan, stated_rate_pct, recomputed_rate_pct, rate_status "
        "from marts.fct_project_performance where document_id = ? order by project_seq", [_doc(wh, "001")]
    ).fetchall()
    assert rows[0][1:] == (Decimal("2.87"), Decimal("2.84"), Decimal("98.00"), Decimal("98.95"), "truncated")
    assert rows[1][1:] == (Decimal("3.80"), Decimal("2.66"), Decimal("70.00"), Decimal("70.00"), "consistent")
    statuses = {r[0] for r in wh.execute(
        "select distinct rate_status from marts.fct_project_performance where document_id = ?", [_doc(wh, "000")]
    ).fetchall()}
    assert statuses == {"consistent"}


def test_procurement_and_generic_facts(wh):
    row = wh.execute(
        "select total_wan, goods_wan, works_wan, services_wan, sme_wan, sme_share_pct "
        "from marts.fct_procurement where document_id = ?", [_doc(wh, "004")]
    ).fetchone()
    assert row == (Decimal("83.86"), Decimal("3.74"), Decimal("0.00"), Decimal("80.12"), Decimal("78.76"),
                   Decimal("93.90"))
    personnel, public = (wh.execute(
        "select fact_value from marts.fct_narrative_fact where document_id = ? and metric = ? order by fact_seq",
        [_doc(wh, "004"), m],
    ).fetchone()[0] for m in ("basic_personnel", "basic_public"))
    assert (personnel, public) == (Decimal("1017.75"), Decimal("85.16"))
    assert wh.execute("select count(*) from marts.fct_narrative_fact where source_line is null").fetchone()[0] == 0


# ---- direction wording -----------------------------------------------------------------------


def test_001_2101102_wording_contradicts_the_amounts(wh):
    row = _execution(wh, "001", "2101102")
    assert (row["budget_wan"], row["final_wan"]) == (Decimal("11.63"), Decimal("13.20"))
    assert row["stated_direction"] == "less" and row["direction_wording"] == "小于"
    found = {f["subject_code"]: f for f in _findings(wh, "001", "DW01")}
    finding = found["2101102"]
    assert finding["severity"] == "warning" and finding["category"] == "direction_wording"
    assert (finding["expected"], finding["actual"]) == (None, None)  # a wording: no figures of its own
    assert finding["source_line"] == 446
    assert "小于" in finding["message"] and "13.20" in finding["message"] and "11.63" in finding["message"]


# ---- every CR / DW finding of the samples ----------------------------------------------------


def test_all_rate_and_wording_findings_of_the_samples(wh):
    docs = {_doc(wh, k): k for k in ("000", "001", "002", "004")}
    rows = wh.execute(
        "select f.document_id, f.rule_id, f.table_key, coalesce(f.subject_code, c.column_key), f.severity "
        "from audit.findings f join audit.checks c on c.check_id = f.finding_key "
        "where f.rule_id in ('CR01', 'CR02', 'CR04', 'CR07', 'DW01') "
        "or (f.rule_id in ('CR05', 'CR06') and f.table_key != 'three_public')"
    ).fetchall()
    got = {(docs[d], rule, table, key.split(":")[0], sev) for d, rule, table, key, sev in rows}
    assert got == {
        ("004", "CR02", "budget_execution", "stated_rate", "error"),
        ("004", "CR01", "budget_execution", "2060199", "info"),
        ("001", "CR01", "budget_execution", "2080505", "warning"),
        ("001", "CR01", "budget_execution", "2101103", "warning"),
        ("001", "CR01", "budget_execution", "2210201", "warning"),
        ("001", "CR04", "project_performance", "1", "info"),
        ("000", "CR07", "unit_overall", "projects", "warning"),
        ("001", "DW01", "budget_execution", "2101102", "warning"),
        ("001", "DW01", "budget_execution", "2101103", "warning"),
        ("001", "DW01", "budget_execution", "2210201", "warning"),
    }
    # 002 states every rate and every wording correctly
    assert not [r for r in rows if docs[r[0]] == "002"]


def test_three_public_placeholder_rates_on_zero_budgets_are_info(wh):
    rows = wh.execute(
        "select f.severity, c.actual, c.note from audit.findings f join audit.checks c on c.check_id = f.finding_key "
        "where f.rule_id = 'CR05'"
    ).fetchall()
    assert rows, "0 万元 budgets with 完成全年预算的 0% are reported"
    assert all(sev == "info" and exp == 0 for sev, exp, _ in rows)


# ---- the GE runner: each rule must fire and must pass ------------------------------------------


@pytest.fixture(scope="module", params=["in process", "in a child"])
def validator(request) -> Iterator[RowValidator]:
    """GE in this process (full builds) and in a forked child (builds that replay SQL)."""
    if request.param == "in process":
        yield Validator()
        return
    with ValidatorProcess() as remote:
        yield remote


def test_an_error_in_the_child_is_raised_here():
    with ValidatorProcess() as remote, pytest.raises(ValueError, match="unknown expectation type 'expect_nothing'"):
        remote.failing_rows("t", [Expectation("expect_nothing", {})], pd.DataFrame({"actual": [1.0]}))


def test_a_child_that_validated_nothing_is_stopped_not_awaited():
    # a build with nothing to audit must not wait seconds for GE's import to finish
    before = set(multiprocessing.active_children())
    remote = ValidatorProcess()
    (child,) = set(multiprocessing.active_children()) - before
    remote.close()
    assert child.exitcode == -signal.SIGTERM  # stopped during the import; 0 had it finished


@pytest.fixture()
def rules(wh) -> pd.DataFrame:
    frame = wh.execute(
        f"select * from audit.rules where rule_id in ({', '.join('?' * len(RULES))}) order by rule_id", list(RULES)
    ).df()
    assert sorted(frame["rule_id"]) == sorted(RULES)
    return frame


def _check(rule_id: str, name: str, **kw) -> dict:
    row = dict(check_id=f"{rule_id}-{name}", document_id="d", rule_id=rule_id, category=None, rule_severity=None,
               title_zh="t", table_key="budget_execution", subject_code="2010101", column_key="stated_rate",
               source_line=1, actual=100.0, expected=100.0, difference=0.0, abs_difference=0.0, tolerance=0.5,
               lower_bound=None, upper_bound=None, rate_status=None, row_severity=None, note="n", message=None)
    row.update(kw)
    if row["expected"] is not None and row["actual"] is not None:
        row["difference"] = row["actual"] - row["expected"]
        row["abs_difference"] = abs(row["difference"])
    else:
        row["difference"] = row["abs_difference"] = None
    return row


# actual: the stated rate; expected: the recomputed one; the suite tests actual against the bounds
FIXTURES = {
    # rule: (must pass, must fire, severity the fire must carry)
    **{rule: (dict(rate_status="consistent", actual=114.0, expected=113.83, lower_bound=113.32, upper_bound=114.34),
              dict(rate_status="inconsistent", actual=97.2, expected=102.91, lower_bound=102.857, upper_bound=102.959,
                   row_severity="error"), "error")
       for rule in ("CR01", "CR02", "CR03", "CR04", "CR07")},
    "CR05": (dict(rate_status="not_stated", actual=None, expected=None),
             dict(rate_status="zero_budget_with_rate", actual=12.0, expected=None, row_severity="error"), "error"),
    "CR06": (dict(rate_status="consistent", actual=65.9, expected=65.91),
             dict(rate_status="not_evaluable", actual=65.9, expected=None), "info"),
    "DW01": (dict(actual=None, expected=None, column_key="direction"),
             dict(actual=None, expected=None, column_key="direction",
                  message="情况说明第 446 行「事业单位医疗（2101102）」：决算 13.20 万元 > 年初预算 11.63 万元，文中却称决算数“小于”"),
             "warning"),
}


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_fires_and_passes_through_ge(rule_id, rules, validator):
    passing, failing, severity = FIXTURES[rule_id]
    checks = pd.DataFrame([_check(rule_id, "pass", **passing), _check(rule_id, "fire", **failing)])
    findings = evaluate(checks, rules, validator)
    assert list(findings["finding_key"]) == [f"{rule_id}-fire"]
    assert findings.iloc[0]["severity"] == severity
    assert findings.iloc[0]["category"] == rules.set_index("rule_id").loc[rule_id, "category"]


def test_row_severity_grades_each_rate(rules, validator):
    checks = pd.DataFrame([
        _check("CR01", "truncated", rate_status="truncated", actual=105.9, expected=105.95, lower_bound=105.9027,
               upper_bound=106.0058, row_severity="info"),
        _check("CR01", "small-gap", rate_status="inconsistent", actual=114.0, expected=113.42, lower_bound=112.881,
               upper_bound=113.962, row_severity="warning"),
        _check("CR01", "big-gap", rate_status="inconsistent", actual=97.2, expected=102.91, lower_bound=102.857,
               upper_bound=102.959, row_severity="error"),
    ])
    got = dict(zip(*[evaluate(checks, rules, validator)[c] for c in ("finding_key", "severity")], strict=True))
    assert got == {"CR01-truncated": "info", "CR01-small-gap": "warning", "CR01-big-gap": "error"}


@pytest.mark.parametrize(
    ("rule_id", "fires", "passes"),
    [
        ("CR01", ("004", "2060199"), ("000", "2080505")),
        ("CR02", ("004", None), ("000", None)),
        ("CR04", ("001", None), ("000", None)),
        ("CR05", ("004", None), ("004", "2010450")),
        ("CR06", ("000", None), None),
        ("CR07", ("000", None), ("004", None)),
        ("DW01", ("001", "2101102"), ("001", "2011308")),
    ],
)
def test_rule_fires_and_passes_on_the_samples(wh, rule_id, fires, passes):
    key, code = fires
    assert [f for f in _findings(wh, key, rule_id) if code is None or f["subject_code"] == code]
    if passes is None:  # CR06 rows exist only where data is missing; 000's 三公 total is evaluated by CR03
        assert not [c for c in _checks(wh, "000", "CR06") if c["column_key"] == "total"]
        return
    key, code = passes
    passing = [c for c in _checks(wh, key, rule_id) if c["subject_code"] == code]
    assert passing, (rule_id, passes)
    ids = {f["finding_key"] for f in _findings(wh, key, rule_id)}
    assert not {c["check_id"] for c in passing} & ids


def test_unit_overall_rates_of_the_samples(wh):
    """004's 附件 (本级): 1035.08 ÷ 1115.75 = 92.77% and 145.98 ÷ 149.1 = 97.91% as stated; 000's
    项目执行率 96.24% for 166 ÷ 172.28 = 96.35% is 0.10 points outside what the amounts allow."""
    got = {(c["column_key"], c["rate_status"], c["actual"], round(c["expected"], 2), c["source_line"])
           for key in ("000", "004") for c in _checks(wh, key, "CR07")}
    assert got == {
        ("overall:本级", "consistent", Decimal("92.77"), Decimal("92.77"), 1542),
        ("projects:本级", "consistent", Decimal("97.91"), Decimal("97.91"), 1546),
        ("projects:本级", "inconsistent", Decimal("96.24"), Decimal("96.35"), 1488),
    }
    (finding,) = _findings(wh, "000", "CR07")
    assert finding["severity"] == "warning" and "166.00" in finding["message"] and "172.28" in finding["message"]
    assert not _findings(wh, "004", "CR07")


def test_cr03_passes_on_the_samples(wh):
    checks = [c for c in _checks(wh, "000", "CR03") if c["column_key"] == "total"]
    assert len(checks) == 1 and checks[0]["rate_status"] == "consistent"
    assert not _findings(wh, "000", "CR03")
