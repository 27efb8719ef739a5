"""Every rule of the catalog this module owns fires on a fixture made to break it and passes on
one that does not (DESIGN §4: a rule that can never fail is a defect; §6: prove each
expectation really evaluates).

The fixture corpus (tests/fixtures/audit/corpus, made by generate.py from samples 001/002,
README.md lists the deliberate changes) is built ONCE per session through the real CLI build:
ingest → dbt → Great Expectations → audit.findings. Pure GE-runner tests with hand-made frames
check the expectation templates these rules use. The real samples must raise no error-severity
finding for a rounding gap within policy.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from juesuan.audit import evaluate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fixtures" / "audit" / "corpus"
RULES_CSV = REPO / "seeds" / "audit_rules.csv"

# rules of the catalog owned by other modules (tables 02/03/05 identities; completion rates
# and direction wording; text quality, tests/integration/test_text_quality.py): their fixtures live with them
OTHER_OWNERS = ("WT01", "WT02", "WT03", "CR", "DW", "TQ")

# rule → (fixture where it must fire, fixture where it must be evaluated and pass)
CASES: dict[str, tuple[str, str]] = {
    "WT04": ("t01_errors", "clean_2024"),
    "WT05": ("t01_errors", "clean_2024"),
    "WT06": ("t01_errors", "clean_2024"),
    "WT07": ("t01_errors", "clean_2024"),
    "WT08": ("t01_errors", "clean_2024"),
    "WT09": ("t04_errors", "clean_2024"),
    "WT10": ("t04_errors", "clean_2024"),
    "WT11": ("t04_errors", "clean_2024"),
    "WT12": ("t04_errors", "clean_2024"),
    "WT13": ("t04_errors", "clean_2024"),
    "WT14": ("t04_errors", "clean_2024"),
    "WT15": ("t04_errors", "clean_2024"),
    "WT16": ("t04_errors", "clean_2024"),
    "WT17": ("t06_t09_errors", "clean_2024"),
    "WT18": ("t06_t09_errors", "clean_2024"),
    "WT19": ("t06_t09_errors", "clean_2024"),
    "WT20": ("t06_t09_errors", "clean_2024"),
    "WT21": ("t06_t09_errors", "clean_2024"),
    "WT22": ("funds_errors", "funds_ok"),
    "WT23": ("funds_errors", "funds_ok"),
    "WT24": ("funds_errors", "funds_ok"),
    "XT01": ("t01_errors", "clean_2024"),
    "XT02": ("cross_errors", "clean_2024"),
    "XT03": ("t01_errors", "clean_2024"),
    "XT04": ("t01_errors", "clean_2024"),
    "XT05": ("cross_errors", "clean_2024"),
    "XT06": ("t04_errors", "clean_2024"),
    "XT07": ("cross_errors", "clean_2024"),
    "XT08": ("cross_errors", "clean_2024"),
    "XT09": ("funds_ok", "clean_2024"),
    "NT01": ("narrative_errors", "clean_2024"),
    "NT02": ("narrative_errors", "clean_2024"),
    "NT03": ("narrative_errors", "clean_2024"),
    "NT04": ("narrative_errors", "clean_2024"),
    "NT05": ("t06_t09_errors", "clean_2024"),
    "NT06": ("narrative_errors", "clean_2024"),
    "CY01": ("untidy_2024", "clean_2024"),
    "CY02": ("narrative_errors", "clean_2024"),
    "CP01": ("clean_2023_narrative", "clean_2024"),
    "CP02": ("narrative_errors", "clean_2024"),
    "CP03": ("clean_2023_narrative", "clean_2024"),
    "CP04": ("code_errors", "clean_2024"),
    "CQ01": ("untidy_2024", "clean_2024"),
    "CQ02": ("code_errors", "clean_2024"),
    "CQ03": ("code_errors", "clean_2024"),
    "CQ04": ("flow_ambiguity", "clean_2024"),
    "CQ05": ("untidy_2024", "clean_2024"),
}


def _catalog() -> list[dict[str, str]]:
    with RULES_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _owned() -> list[str]:
    return [r["rule_id"] for r in _catalog() if not r["rule_id"].startswith(OTHER_OWNERS)]


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The audit fixture corpus built once through the real CLI build."""
    from juesuan.cli import main

    out = tmp_path_factory.mktemp("audit_fx") / "juesuan.duckdb"
    assert main(["-q", "build", "--corpus", str(CORPUS), "--warehouse", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def audit_frames(fixture_warehouse: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        names = "select document_id, regexp_extract(source_file, '([^/]+)\\.txt$', 1) as fixture from raw.documents"
        return {
            "checks": con.execute(f"select c.*, n.fixture from audit.checks c join ({names}) n using (document_id)").df(),
            "findings": con.execute(
                f"select f.*, n.fixture from audit.findings f join ({names}) n using (document_id)").df(),
        }


def _findings(frames: dict[str, pd.DataFrame], rule: str, fixture: str) -> pd.DataFrame:
    f = frames["findings"]
    return f[(f["rule_id"] == rule) & (f["fixture"] == fixture)]


def _checks(frames: dict[str, pd.DataFrame], rule: str, fixture: str) -> pd.DataFrame:
    c = frames["checks"]
    return c[(c["rule_id"] == rule) & (c["fixture"] == fixture)]


def test_every_owned_rule_has_fixtures():
    owned = set(_owned())
    assert owned == set(CASES), (f"rules without fixtures: {sorted(owned - set(CASES))}; "
                                 f"fixtures for unknown rules: {sorted(set(CASES) - owned)}")


def test_fixture_corpus_is_built_from_every_file(audit_frames):
    docs = set(audit_frames["checks"]["fixture"])
    assert docs == {p.stem for p in CORPUS.glob("*.txt")}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires(audit_frames, rule):
    fire, _ = CASES[rule]
    got = _findings(audit_frames, rule, fire)
    assert len(got) > 0, f"{rule} did not fire on fixture {fire}"
    assert got["message"].str.len().min() > 0


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_passes(audit_frames, rule):
    _, ok = CASES[rule]
    evaluated = _checks(audit_frames, rule, ok)
    assert len(evaluated) > 0, f"{rule} was not evaluated on fixture {ok}"
    fired = _findings(audit_frames, rule, ok)
    assert fired.empty, f"{rule} fired on {ok}: {fired['message'].tolist()}"


def test_clean_fixture_has_no_finding_from_owned_rules(audit_frames):
    f = audit_frames["findings"]
    owned = set(_owned())
    got = f[(f["fixture"] == "clean_2024") & f["rule_id"].isin(owned)]
    assert got.empty, got[["rule_id", "message"]].to_string()


# --- the numbers and grading of representative findings ------------------------------------

def _one(frames, rule, fixture, **where) -> pd.Series:
    f = _findings(frames, rule, fixture)
    for k, v in where.items():
        f = f[f[k] == v]
    assert len(f) == 1, f"{rule} on {fixture} where {where}: {len(f)} findings"
    return f.iloc[0]


def test_table01_income_total_numbers(audit_frames):
    row = _one(audit_frames, "WT04", "t01_errors")
    # actual: the printed 本年收入合计; expected: the sum of the income lines (DESIGN §3)
    assert (Decimal(str(row["actual"])), Decimal(str(row["expected"]))) == (Decimal("365.27"), Decimal("365.07"))
    assert row["severity"] == "error" and row["source_line"] > 0


def test_table04_per_fund_balance_names_the_fund(audit_frames):
    row = _one(audit_frames, "WT16", "t04_errors")
    assert "政府性基金预算财政拨款" in row["message"]  # the fund's column, as table 04 heads it
    assert float(row["actual"]) == 5.0 and float(row["expected"]) == 0.0


def test_05_basic_against_06(audit_frames):
    row = _one(audit_frames, "XT07", "cross_errors")
    # actual: 05's 基本支出 (the figure under test); expected: 06's 人员经费 + 公用经费
    assert float(row["actual"]) == pytest.approx(359.97) and float(row["expected"]) == pytest.approx(359.68)


def test_share_gap_over_one_point_is_error(audit_frames):
    row = _one(audit_frames, "NT03", "narrative_errors")
    assert row["severity"] == "error"
    assert float(row["actual"]) == pytest.approx(72.54)
    assert float(row["expected"]) == pytest.approx(261.24 / 365.17 * 100, abs=1e-3)


def test_growth_rate_recomputed(audit_frames):
    f = _findings(audit_frames, "CY02", "narrative_errors")
    stated = {round(float(x), 1) for x in f["actual"]}
    assert 19.7 in stated  # 52.16 ÷ 313.01 = 16.66 %, stated 19.7 %


def test_cross_year_same_scope_mismatch(audit_frames):
    f = _findings(audit_frames, "CY01", "untidy_2024")
    assert set(f["severity"]) == {"warning"}  # same scope: not downgraded
    assert {float(x) for x in f["actual"]} == {313.01}  # 365.17 − 52.16
    assert {float(x) for x in f["expected"]} == {300.0}  # what the 2023 report states


def _keyed_findings(frames: dict[str, pd.DataFrame], rule: str, fixture: str) -> pd.DataFrame:
    """Findings with their check's column_key (which figure the finding is about)."""
    keys = frames["checks"][["check_id", "column_key"]].rename(columns={"check_id": "finding_key"})
    return _findings(frames, rule, fixture).merge(keys, on="finding_key")


def test_cross_year_own_unit_mismatch_fires(audit_frames):
    """A unit-scope report after a department report: its 支出合计 is compared, at full grade, with
    the 本级 决算支出 the department report's 附件 states (1045.08 in the fixture, 1035.08 implied)."""
    f = _keyed_findings(audit_frames, "CY01", "own_unit_2023")
    own = f[f["column_key"].isin(["expenditure_total", "total_income_expenditure"])]
    got = {r.column_key: (r.severity, float(r.expected), float(r.actual)) for r in own.itertuples()}
    assert got == {"expenditure_total": ("warning", 1045.08, 1035.08),
                   # 收、支总计 also holds 年末结转和结余: reported, as info
                   "total_income_expenditure": ("info", 1045.08, 1035.08)}
    assert all("本级决算支出" in m and "口径不同" not in m for m in own["message"])
    # the other metrics keep the department comparison, as info with the scope note
    rest = f[~f.index.isin(own.index)]
    assert len(rest) == 4 and set(rest["severity"]) == {"info"} and all("口径不同" in m for m in rest["message"])


def test_unit_overall_rates_fire_on_the_department_fixture(audit_frames):
    f = _keyed_findings(audit_frames, "CR07", "own_unit_2022_department")
    # actual: the stated rate; expected: the rate the amounts give
    got = {r.column_key: (r.severity, float(r.actual), round(float(r.expected), 2)) for r in f.itertuples()}
    assert got == {"overall:本级": ("warning", 92.77, 93.67),  # 1045.08 ÷ 1115.75
                   "projects:本级": ("error", 99.91, 97.91)}  # 145.98 ÷ 149.1


def test_cross_year_match_passes(audit_frames):
    c = _checks(audit_frames, "CY01", "clean_2024")
    keys = {"total_income_expenditure", "income_total", "expenditure_total", "fiscal_total", "gpb_income",
            "gpb_expenditure"}
    totals = c[c["column_key"].isin(keys)]
    assert set(totals["column_key"]) == keys
    assert {float(x) for x in totals["actual"]} == {313.01} and {float(x) for x in totals["expected"]} == {313.01}


def test_repaired_code_finding_shows_both_codes(audit_frames):
    row = _one(audit_frames, "CQ01", "untidy_2024", subject_code="2011308")
    assert row["severity"] == "info"
    assert "201130" in row["message"] and "2011308" in row["message"]


def _cq02(frames, fixture: str, code: str) -> pd.DataFrame:
    """CQ02's findings for one code: one per table that prints it (02, 03 and 05 here)."""
    f = _findings(frames, "CQ02", fixture)
    f = f[f["subject_code"] == code]
    assert set(f["table_key"]) == {"income", "expenditure", "gpb_expenditure"}, f[["table_key", "message"]]
    return f


def test_code_list_gap_is_info(audit_frames):
    """A 项 the code list lacks under a listed 款, its name contradicting nothing: our gap, info."""
    f = _cq02(audit_frames, "code_grades", "2011309")
    assert set(f["severity"]) == {"info"}
    assert all("招商服务" in m and "20113" in m and "代码表未收录" in m for m in f["message"])


def test_code_under_a_contradicting_name_is_warning(audit_frames):
    """A listed code printed under another name (2101101 is 行政单位医疗, printed 公务员医疗补助)."""
    f = _cq02(audit_frames, "code_grades", "2101101")
    assert set(f["severity"]) == {"warning"}
    assert all("公务员医疗补助" in m and "行政单位医疗" in m for m in f["message"])


def test_code_of_an_unknown_class_is_warning(audit_frames):
    for code in ("225", "22502", "2250201", "2250202"):
        f = _cq02(audit_frames, "code_grades", code)
        assert set(f["severity"]) == {"warning"}
        assert all("类 225 不在代码表中" in m for m in f["message"])


def test_unlisted_code_named_like_a_sibling_is_warning(audit_frames):
    """code_errors: 2101198 printed under the list's name of 2101199 (the must-fire case)."""
    f = _cq02(audit_frames, "code_errors", "2101198")
    assert set(f["severity"]) == {"warning"}
    assert all("2101199 的名称" in m for m in f["message"])


def test_unlisted_code_two_reports_name_differently_is_warning(audit_frames):
    """2101150: 事业运行 in code_grades, 医疗保障事务 in code_grades_peer (both 2024)."""
    for fixture, other in (("code_grades", "医疗保障事务"), ("code_grades_peer", "事业运行")):
        f = _cq02(audit_frames, fixture, "2101150")
        assert set(f["severity"]) == {"warning"}
        assert all(f"另一报告将该代码印作「{other}」" in m for m in f["message"])


def test_cq02_grades_no_higher_than_its_catalog_severity(audit_frames):
    """audit.rules.severity is the highest CQ02 gives; passing checks carry no grade."""
    rule = next(r for r in _catalog() if r["rule_id"] == "CQ02")
    assert rule["severity"] == "warning" and "info otherwise" in rule["description"]
    f = audit_frames["findings"]
    assert set(f[f["rule_id"] == "CQ02"]["severity"]) == {"info", "warning"}
    c = audit_frames["checks"]
    passing = c[(c["rule_id"] == "CQ02") & c["message"].isna()]  # a rule without figures: no message = pass
    assert len(passing) > 0 and passing["row_severity"].isna().all()


def test_name_drift_is_info(audit_frames):
    row = _one(audit_frames, "CQ05", "untidy_2024")
    assert row["severity"] == "info" and "房租补贴" in row["message"] and "提租补贴" in row["message"]


def test_ambiguous_table_is_not_audited_as_a_gap(audit_frames):
    """The flow fixture's 三公 row cannot be placed: WT20/WT21/NT05 are not evaluated there (CP03
    says so) instead of reporting a gap the placement would close."""
    for rule in ("WT20", "WT21", "NT05"):
        assert _checks(audit_frames, rule, "flow_ambiguity").empty
    cp03 = _findings(audit_frames, "CP03", "flow_ambiguity")
    blocked = {m.split()[1] for m in cp03["message"] if m.startswith("规则 ") and "归属不明" in m}
    assert {"WT20", "WT21", "NT05"} <= blocked


def test_narrative_only_report_gets_one_completeness_note(audit_frames):
    cp03 = _findings(audit_frames, "CP03", "clean_2023_narrative")
    assert len(cp03) == 1 and cp03.iloc[0]["severity"] == "info"
    # one note for the tables that were images, not one per table; info: nothing could be read
    (cp01,) = _findings(audit_frames, "CP01", "clean_2023_narrative").itertuples()
    assert cp01.severity == "info" and cp01.message.startswith("全部 9 张表未能读取")
    assert all(t in cp01.message for t in ("表01《收入支出决算总表》", "表09《财政拨款“三公”经费支出决算表》"))


def test_one_table_note_per_report(audit_frames):
    """CP01: one check per report, whatever the number of tables it lacks (a report with some tables
    read and others missing is a warning: unit test completeness_one_note_per_report)."""
    c = audit_frames["checks"]
    cp01 = c[c["rule_id"] == "CP01"]
    assert cp01.groupby("document_id").size().eq(1).all()
    assert set(cp01["fixture"]) == {p.stem for p in CORPUS.glob("*.txt")}


# --- the findings contract (DESIGN §3) ----------------------------------------------------

GRADES_CSV = REPO / "seeds" / "audit_rule_grades.csv"
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def test_catalog_severity_is_the_highest_a_rule_gives():
    """audit.rules.severity is the highest severity of a rule; a graded rule lists its grades."""
    with GRADES_CSV.open(encoding="utf-8", newline="") as f:
        grades = list(csv.DictReader(f))
    catalog = {r["rule_id"]: r for r in _catalog()}
    graded: dict[str, set[str]] = {}
    for g in grades:
        graded.setdefault(g["rule_id"], set()).add(g["severity"])
    for rule_id, severities in graded.items():
        assert rule_id in catalog, rule_id
        assert catalog[rule_id]["severity"] == min(severities, key=SEVERITY_RANK.get), rule_id
    # the rate rules grade up to error
    assert {r for r, sev in graded.items() if "error" in sev} >= {"CR01", "CR02", "CR03", "CR04", "CR07", "NT03", "CY02"}


def test_findings_never_exceed_their_rule_severity(audit_frames):
    f = audit_frames["findings"]
    catalog = {r["rule_id"]: r["severity"] for r in _catalog()}
    too_high = f[[SEVERITY_RANK[s] < SEVERITY_RANK[catalog[r]] for r, s in zip(f["rule_id"], f["severity"], strict=True)]]
    assert too_high.empty, too_high[["rule_id", "severity"]].to_string()


def test_rules_without_figures_carry_none(audit_frames):
    """Completeness, code quality and wording findings: expected, actual and difference are null (no 1/0/−1)."""
    figureless = {r["rule_id"] for r in _catalog() if r["expectation"] == "no_text_problem"}
    assert {"DW01", "CP02", "CQ01", "CQ03"} <= figureless
    f = audit_frames["findings"]
    f = f[f["rule_id"].isin(figureless)]
    assert len(f) > 0
    assert f["expected"].isna().all() and f["actual"].isna().all() and f["difference"].isna().all()


def test_rate_suites_test_the_stated_rate_against_the_bounds():
    """The suite itself encodes the recomputation: stated > lower bound and stated ≤ upper bound."""
    from juesuan.audit import load_templates

    exps = load_templates()["rate_within_bounds"]
    assert [(e.type, e.kwargs) for e in exps] == [
        ("expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "actual", "column_B": "lower_bound", "or_equal": False}),
        ("expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "upper_bound", "column_B": "actual", "or_equal": True}),
    ]
    rate_rules = {r["rule_id"] for r in _catalog() if r["expectation"] == "rate_within_bounds"}
    assert rate_rules == {"CR01", "CR02", "CR03", "CR04", "CR07", "NT03", "CY02"}


def _amount(value) -> str:
    return f"{float(value):.2f}"


def test_cross_table_messages_show_both_amounts_and_both_lines(audit_frames):
    f = audit_frames["findings"]
    xt = f[f["rule_id"].str.startswith("XT")]
    assert len(xt) > 0
    for row in xt.itertuples():
        m = row.message
        assert _amount(row.actual) in m and _amount(row.expected) in m, m
        assert len(re.findall(r"表\d{1,2}《[^》]+》", m)) == 2, m  # both tables, 表NN《title》
        assert m.count(f"第 {row.source_line} 行") >= 1, m


def test_figure_messages_name_both_places(audit_frames):
    """Every finding with figures names the figure under test and the one it is compared with, each with
    where it is printed (表NN《title》 or 情况说明, or the previous year's report) and a line."""
    f = audit_frames["findings"]
    f = f[f["actual"].notna() & f["expected"].notna()]
    for row in f.itertuples():
        m = row.message
        places = len(re.findall(r"表\d{1,2}《[^》]+》|情况说明第|年度(?:部门|单位)决算（", m))
        assert places >= 2 and f"第 {row.source_line} 行" in m, (row.rule_id, m)


# --- GE runner with hand-made frames -------------------------------------------------------

def _rules(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rule_id", "category", "severity", "expectation"]).assign(title_zh="t")


def _checks_frame(rows: list[dict]) -> pd.DataFrame:
    base = dict(document_id="d", table_key="summary", subject_code=None, column_key="amount", source_line=1,
                rate_status=None, row_severity=None, note=None, message=None, title_zh="t")
    out = [{**base, **r} for r in rows]
    frame = pd.DataFrame(out)
    frame["difference"] = frame["actual"].astype(float) - frame["expected"].astype(float)
    frame["abs_difference"] = frame["difference"].abs()
    return frame


def test_ge_difference_within_tolerance_rounding_band():
    checks = _checks_frame([
        dict(check_id="in", rule_id="WT18", actual=14.93, expected=14.94, tolerance=0.015),   # 001's 公用经费
        dict(check_id="edge", rule_id="WT18", actual=182.00, expected=181.99, tolerance=0.01),  # 002's 182
        dict(check_id="out", rule_id="WT18", actual=14.93, expected=15.93, tolerance=0.015),
    ])
    found = evaluate(checks, _rules(("WT18", "within_table", "error", "difference_within_tolerance")))
    assert list(found["finding_key"]) == ["out"]
    assert found.iloc[0]["severity"] == "error"


def test_ge_rule_without_figures_fails_exactly_with_its_message():
    """A rule without figures (DESIGN §3: expected / actual null) fails where its SQL wrote a message."""
    checks = _checks_frame([
        dict(check_id="ok", rule_id="CP02", expected=None, actual=None, tolerance=None),
        dict(check_id="miss", rule_id="CP02", expected=None, actual=None, tolerance=None, row_severity="info",
             message="表05 列示科目 2101199 情况说明未逐项说明"),
    ])
    found = evaluate(checks, _rules(("CP02", "completeness", "warning", "no_text_problem")))
    assert list(found["finding_key"]) == ["miss"]
    assert found.iloc[0]["severity"] == "info"
    assert found.iloc[0]["message"] == "表05 列示科目 2101199 情况说明未逐项说明"


def test_ge_rate_within_bounds_grades_each_row():
    """The suite tests the stated rate (actual) against the interval the amounts allow: > lower, ≤ upper."""
    checks = _checks_frame([
        dict(check_id="c", rule_id="NT03", expected=10.26, actual=10.27, lower_bound=10.2549, upper_bound=10.2726,
             tolerance=0.007, rate_status="consistent"),
        dict(check_id="t", rule_id="NT03", expected=5.15, actual=5.1, lower_bound=5.1043, upper_bound=5.2056,
             tolerance=0.05, rate_status="truncated", row_severity="info"),
        dict(check_id="x", rule_id="NT03", expected=71.54, actual=72.54, lower_bound=71.5332, upper_bound=71.5456,
             tolerance=0.006, rate_status="inconsistent", row_severity="error"),
        dict(check_id="edge", rule_id="NT03", expected=50.0, actual=50.0, lower_bound=50.0, upper_bound=50.1,
             tolerance=0.05, rate_status="inconsistent", row_severity="warning"),  # the lower bound is excluded
        dict(check_id="none", rule_id="NT03", expected=None, actual=3.0, lower_bound=None, upper_bound=None,
             tolerance=0, rate_status="not_evaluable", row_severity="info"),  # no bounds: fails
    ])
    found = evaluate(checks, _rules(("NT03", "narrative_vs_table", "error", "rate_within_bounds")))
    assert dict(zip(found["finding_key"], found["severity"], strict=True)) == {
        "t": "info", "x": "error", "edge": "warning", "none": "info"}


# --- the real samples ------------------------------------------------------------------------

def test_samples_raise_no_error_for_rounding_within_policy(wh):
    """Every error finding of a tolerance rule is a gap beyond the band (DESIGN §4)."""
    bad = wh.execute("""
        select f.rule_id, f.document_id, f.expected, f.actual, c.tolerance
        from audit.findings f join audit.checks c on f.finding_key = c.check_id
        join audit.rules r on f.rule_id = r.rule_id
        where f.severity = 'error' and r.expectation = 'difference_within_tolerance'
          and abs(f.actual - f.expected) <= c.tolerance""").fetchall()
    assert bad == []


def test_samples_known_rounding_gaps_are_evaluated_not_findings(wh):
    rows = wh.execute("""
        -- (actual: the printed figure, expected: what the other figures give)
        select c.rule_id, d.fiscal_year, c.actual, c.expected, f.finding_key is not null as fired
        from audit.checks c join marts.dim_document d using (document_id)
        left join audit.findings f on f.finding_key = c.check_id
        where (c.rule_id = 'WT18' and d.fiscal_year = 2024)                       -- 14.93 vs 13.41 + 1.53
           or (c.rule_id = 'XT07' and d.fiscal_year = 2024)                       -- 359.67 vs 344.75 + 14.93
           or (c.rule_id = 'XT06' and d.fiscal_year = 2020 and c.subject_code = '201')  -- 182 vs 181.99
        """).fetchall()
    got = {(r[0], r[1]): (Decimal(str(r[2])), Decimal(str(r[3])), r[4]) for r in rows}
    assert got[("WT18", 2024)] == (Decimal("14.93"), Decimal("14.94"), False)
    assert got[("XT07", 2024)] == (Decimal("359.67"), Decimal("359.68"), False)
    if ("XT06", 2020) in got:  # sample 002 parsed (pdftotext flow)
        assert got[("XT06", 2020)] == (Decimal("182.00"), Decimal("181.99"), False)


def test_samples_cross_year_falls_back_to_department_with_a_note(wh):
    rows = wh.execute("""
        select f.severity, f.actual, f.expected, f.message, c.column_key from audit.findings f
        join audit.checks c on c.check_id = f.finding_key join marts.dim_document d on d.document_id = f.document_id
        where f.rule_id = 'CY01' and d.fiscal_year = 2023""").fetchall()
    assert rows, "000 (2023 本级) states a previous-year figure; 004 (2022 部门) exists"
    assert {r[4] for r in rows} == {"income_total", "fiscal_total", "gpb_income", "gpb_expenditure"}
    assert {r[0] for r in rows} == {"info"}
    assert {Decimal(str(r[1])) for r in rows} == {Decimal("1035.08")}  # 1133.54 − 98.46
    assert all("口径不同" in r[3] for r in rows)


def test_samples_cross_year_own_unit_figure_passes(wh):
    """000's implied 2022 支出合计 and 收、支总计 (1133.54 − 98.46 = 1035.08) against the 本级 决算支出
    004's 附件 states (line 1542: 1035.08): evaluated at full grade, no finding."""
    rows = wh.execute("""
        select c.column_key, c.expected, c.actual, c.row_severity, f.finding_key is not null from audit.checks c
        join marts.dim_document d using (document_id) left join audit.findings f on f.finding_key = c.check_id
        where c.rule_id = 'CY01' and d.fiscal_year = 2023
          and c.column_key in ('expenditure_total', 'total_income_expenditure')""").fetchall()
    assert sorted(rows) == [
        ("expenditure_total", Decimal("1035.08"), Decimal("1035.08"), None, False),
        ("total_income_expenditure", Decimal("1035.08"), Decimal("1035.08"), "info", False),
    ]


def test_html_report_is_offline_and_shows_the_source_line(fixture_warehouse, tmp_path):
    from juesuan.cli import main

    out = tmp_path / "audit"
    assert main(["report", "--warehouse", str(fixture_warehouse), "--out", str(out)]) == 0
    pages = {p.name for p in out.glob("*.html")}
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        docs = {r[0] for r in con.execute("select document_id from marts.dim_document").fetchall()}
        doc = con.execute("""select document_id from raw.documents
                             where source_file like '%t01_errors.txt'""").fetchone()[0]
    assert pages == {f"{d}.html" for d in docs} | {"index.html"}
    page = (out / f"{doc}.html").read_text(encoding="utf-8")
    assert "收入支出决算总表本年收入合计等于各项收入之和" in page  # WT04's title
    assert "365.27" in page and "365.07" in page
    assert "一、一般公共预算财政拨款收入" in page  # the printed table row
    for text in (page, (out / "index.html").read_text(encoding="utf-8")):
        # the index's filter script is inline: nothing is fetched (no src=, no <link>)
        assert "http://" not in text and "https://" not in text and "<link" not in text
        assert " src=" not in text
