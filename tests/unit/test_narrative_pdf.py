"""Narrative (情况说明) phrasings of 2024 PDF reports: real values from two Shanghai Putuo
reports (page text excerpts in fixtures/narrative_pdf), the national template, and the
budget-execution pivot the facts feed (run on DuckDB without dbt)."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import jinja2
import pytest

from ingest.narrative import (
    SubjectResolver,
    UnresolvedSubject,
    _narrative_range,
    extract_facts,
    own_subjects_from_rows,
)
from ingest.records import NarrativeFact, ParseError
from ingest.text import decode, split_lines
from tests.helpers import subject_rows

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "narrative_pdf"
SHEHUI = "shanghai_putuo_shehui_gongzuobu_2024"
GUIHUA = "shanghai_putuo_guihua_ziranziyuan_2024"
EXECUTION = {"budget", "final", "stated_rate", "direction"}

# Hand-built from the 支出决算表 rows each report prints (科目编码 科目名称); 社会工作事务 (20139)
# and its 项 are not all in seeds/function_subjects.csv.
SHEHUI_OWN = {
    "一般公共服务支出": "201",
    "社会工作事务": "20139",
    "社会工作事务/行政运行": "2013901",
    "社会工作事务/事业运行": "2013950",
    "社会工作事务/其他社会工作事务支出": "2013999",
    "社会保障和就业支出": "208",
    "行政事业单位养老支出": "20805",
    "行政事业单位养老支出/机关事业单位基本养老保险缴费支出": "2080505",
    "行政事业单位养老支出/机关事业单位职业年金缴费支出": "2080506",
    "卫生健康支出": "210",
    "行政事业单位医疗": "21011",
    "行政事业单位医疗/行政单位医疗": "2101101",
    "行政事业单位医疗/事业单位医疗": "2101102",
    "住房保障支出": "221",
    "住房改革支出": "22102",
    "住房改革支出/住房公积金": "2210201",
    "住房改革支出/购房补贴": "2210203",
}
GUIHUA_OWN = {
    "社会保障和就业支出": "208",
    "行政事业单位养老支出": "20805",
    "行政事业单位养老支出/行政单位离退休": "2080501",
    "行政事业单位养老支出/事业单位离退休": "2080502",
    "行政事业单位养老支出/机关事业单位基本养老保险缴费支出": "2080505",
    "行政事业单位养老支出/机关事业单位职业年金缴费支出": "2080506",
    "行政事业单位养老支出/其他行政事业单位养老支出": "2080599",
    "卫生健康支出": "210",
    "行政事业单位医疗": "21011",
    "行政事业单位医疗/行政单位医疗": "2101101",
    "行政事业单位医疗/事业单位医疗": "2101102",
    "城乡社区支出": "212",
    "城乡社区管理事务": "21201",
    "城乡社区管理事务/行政运行": "2120101",
    "城乡社区规划与管理": "21202",
    "城乡社区规划与管理/城乡社区规划与管理": "2120201",
    "自然资源海洋气象等支出": "220",
    "自然资源事务": "22001",
    "自然资源事务/事业运行": "2200150",
    "自然资源事务/其他自然资源事务支出": "2200199",
    "住房保障支出": "221",
    "住房改革支出": "22102",
    "住房改革支出/住房公积金": "2210201",
    "住房改革支出/购房补贴": "2210203",
}

Report = tuple[list[NarrativeFact], list[ParseError], list[str]]


@pytest.fixture(scope="module")
def resolver() -> SubjectResolver:
    return SubjectResolver.from_seeds(ROOT / "seeds")


def _lines(name: str) -> list[str]:
    text, _ = decode((FIXTURES / f"{name}.txt").read_bytes())
    return split_lines(text)


@pytest.fixture(scope="module")
def shehui(resolver: SubjectResolver) -> Report:
    lines = _lines(SHEHUI)
    return (*extract_facts(lines, resolver, SHEHUI_OWN), lines)


@pytest.fixture(scope="module")
def guihua(resolver: SubjectResolver) -> Report:
    lines = _lines(GUIHUA)
    return (*extract_facts(lines, resolver, GUIHUA_OWN), lines)


def _executions(facts: list[NarrativeFact]) -> dict[str | None, dict[str, NarrativeFact]]:
    out: dict[str | None, dict[str, NarrativeFact]] = {}
    for f in facts:
        if f.metric in EXECUTION:
            assert f.metric not in out.setdefault(f.subject_code, {}), f  # each subject narrated once
            out[f.subject_code][f.metric] = f
    return out


def _figures(ex: dict[str, NarrativeFact]) -> tuple[Decimal | None, ...]:
    return tuple(ex[m].value if m in ex else None for m in ("budget", "final", "stated_rate", "direction"))


def _line_of(lines: list[str], needle: str, nth: int = 0) -> int:
    """Source line (1-based) of the nth line holding ``needle``."""
    return [i + 1 for i, line in enumerate(lines) if needle in line][nth]


# ---- 中共上海市普陀区委社会工作部: 全年预算, rates mostly absent, 与全年预算数持平 -------------------

SHEHUI_ITEMS = {
    # code: (全年预算, 支出决算, 完成全年预算数的 %, direction)
    "2013901": ("52.00", "51.32", "98.69", -1),
    "2013950": ("17.68", "11.31", None, -1),
    "2013999": ("202.24", "202.24", None, 0),
    "2080505": ("9.00", "6.18", None, -1),
    "2080506": ("5.74", "4.64", None, -1),
    "2101101": ("2.23", "2.22", "99.55", -1),
    "2101102": ("2.29", "0.49", None, -1),
    "2210201": ("18.12", "17.70", "97.68", -1),
    "2210203": ("11.72", "11.72", None, 0),
}


def _expected(row: tuple[str, str, str | None, int]) -> tuple[Decimal | None, ...]:
    budget, final, rate, direction = row
    return Decimal(budget), Decimal(final), Decimal(rate) if rate else None, Decimal(direction)


def test_shehui_items_full_year_budget_with_and_without_rate(shehui: Report) -> None:
    facts, errors, _ = shehui
    assert errors == []
    items = {code: ex for code, ex in _executions(facts).items() if code is not None}
    assert {code: _figures(ex) for code, ex in items.items()} == {
        code: _expected(row) for code, row in SHEHUI_ITEMS.items()
    }
    assert sum("stated_rate" in ex for ex in items.values()) == 3
    assert sum("stated_rate" not in ex for ex in items.values()) == 6
    assert {ex["budget"].qualifier for ex in items.values()} == {"budget printed as 全年预算"}
    assert {ex["final"].qualifier for ex in items.values()} == {None}
    assert all(ex["budget"].subject_level == "item" for ex in items.values())


def test_shehui_item_lines_and_wording(shehui: Report) -> None:
    facts, _, lines = shehui
    ex = _executions(facts)
    # "…全年预算为 52.00 万元，" / "支出决算为 51.32 万元，完成全年预算数的 98.69%。决算数小于全" / "年预算数的主要原因"
    first = ex["2013901"]
    assert first["budget"].subject_name == "行政运行"
    assert first["budget"].source_line == _line_of(lines, "全年预算为 52.00 万元")
    assert first["stated_rate"].source_line == _line_of(lines, "完成全年预算数的 98.69%")
    assert first["direction"].qualifier == "小于" and "决算数小于全年预算数的主要原因" in first["direction"].span
    flat = ex["2013999"]["direction"]  # "决算数与全年预算数持平。"
    assert flat.qualifier == "持平" and flat.source_line == _line_of(lines, "决算数与全年预算数持平")
    assert ex["2210203"]["direction"].source_line == _line_of(lines, "决算数与全年预算数持平", nth=1)
    assert ex["2013999"]["budget"].subject_name == "其他社会工作事务支出"  # name wrapped over two lines
    # 5、 says "决算数小于预算数" (no 全年)
    assert ex["2080506"]["direction"].qualifier == "小于"


def test_shehui_overall_pairs_the_full_year_budget(shehui: Report) -> None:
    # "一般公共预算财政拨款支出年初预算为 0 万元，全年预算为 / 321.02 万元，支出决算为 307.82 万元，完成年初预算的 95.89%。"
    facts, _, lines = shehui
    overall = _executions(facts)[None]
    assert _figures(overall) == (Decimal("321.02"), Decimal("307.82"), Decimal("95.89"), Decimal(-1))
    assert overall["budget"].qualifier == "overall; budget printed as 全年预算"
    assert overall["final"].qualifier == "overall"  # the narrative-vs-table check keys on it
    (initial,) = [f for f in facts if f.metric == "budget_initial"]
    assert (initial.value, initial.qualifier) == (Decimal("0"), "overall")
    assert initial.source_line == _line_of(lines, "年初预算为 0 万元")


def test_shehui_class_shares_amount_before_share(shehui: Report) -> None:
    # "一般公共服务支出（类）264.87 万元，占 86.05%；社会保障和就业 / 支出（类）10.82 万元，占 3.52%；…"
    facts, _, lines = shehui
    got = {f.subject_code: f.value for f in facts if f.metric == "class_expenditure"}
    share = {f.subject_code: f.value for f in facts if f.metric == "class_expenditure_share"}
    assert got == {"201": Decimal("264.87"), "208": Decimal("10.82"), "210": Decimal("2.71"), "221": Decimal("29.42")}
    assert share == {"201": Decimal("86.05"), "208": Decimal("3.52"), "210": Decimal("0.88"), "221": Decimal("9.55")}
    first = next(f for f in facts if f.metric == "class_expenditure")
    assert first.source_line == _line_of(lines, "一般公共服务支出（类）264.87")


def test_shehui_narrative_starts_after_the_wrapped_heading() -> None:
    # "第三部分 中共上海市普陀区委社会工作部 2024 年度部门决算情况" / "说明", in the contents and again
    # before the narrative: the range is the second one, without the heading's tail "说明"
    lines = _lines(SHEHUI)
    heads = [i for i, line in enumerate(lines) if line.startswith("第三部分")]
    assert len(heads) == 2 and lines[heads[1] + 1] == "说明"
    start, end = _narrative_range(lines)
    assert start == heads[1] + 2 and lines[start] == "一、收入支出决算总体情况说明"
    assert lines[end].startswith("第四部分")


@pytest.fixture(scope="module")
def list_without_2013901(tmp_path_factory: pytest.TempPathFactory) -> SubjectResolver:
    """The code list as it was before the Putuo codes were added: 2013901 and 2013950 unknown."""
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    out = tmp_path_factory.mktemp("seeds")
    lines = (seeds / "function_subjects.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "function_subjects.csv").write_text(
        "".join(ln for ln in lines if not ln.startswith(("2013901,", "2013950,"))), encoding="utf-8")
    shutil.copy(seeds / "subject_aliases.csv", out / "subject_aliases.csv")
    return SubjectResolver.from_seeds(out)


def test_shehui_without_own_subjects_keeps_code_list_behaviour(list_without_2013901: SubjectResolver) -> None:
    # with 2013901 and 2013950 missing from the code list and no report rows, they stay problems,
    # while 2013999 (in the list) resolves
    resolver = list_without_2013901
    facts, errors = extract_facts(_lines(SHEHUI), resolver)
    assert sorted(e.reason.split("'")[1] for e in errors) == ["事业运行", "行政运行"]
    assert all("not found under 20139" in e.reason for e in errors)
    assert "2013999" in _executions(facts) and "2013901" not in _executions(facts)


def test_own_subjects_from_table_rows_resolve_alike(list_without_2013901: SubjectResolver, shehui: Report) -> None:
    resolver = list_without_2013901  # the report's own rows must stand in for the missing codes
    rows = [  # the 支出决算表 rows as printed (codes and names, wrapped names joined)
        ("201", "一般公共服务支出"), ("20139", "社会工作事务"), ("2013901", "行政运行"),
        ("2013950", "事业运行"), ("2013999", "其他社会工作事务支出"), ("208", "社会保障和就业支出"),
        ("20805", "行政事业单位养老支出"), ("2080505", "机关事业单位基本养老保险缴费支出"),
        ("2080506", "机关事业单位职业年金缴费支出"), ("210", "卫生健康支出"), ("21011", "行政事业单位医疗"),
        ("2101101", "行政单位医疗"), ("2101102", "事业单位医疗"), ("221", "住房保障支出"),
        ("22102", "住房改革支出"), ("2210201", "住房公积金"), ("2210203", "购房补贴"),
    ]
    own = own_subjects_from_rows(rows)
    assert own["社会工作事务/行政运行"] == "2013901"
    assert own["一般公共服务支出/社会工作事务/行政运行"] == "2013901"
    assert own["行政运行"] == "2013901" and own["一般公共服务支出"] == "201"
    facts, errors = extract_facts(_lines(SHEHUI), resolver, own)
    assert errors == []
    assert facts == shehui[0]


# ---- 上海市普陀区规划和自然资源局: 年初预算 with 年 / 初 wrapped, 决算数同预算数持平 -------------------

GUIHUA_ITEMS = {
    "2080501": ("54.53", "54.53", "100.00", 0),
    "2080502": ("28.11", "28.11", "100.00", 0),
    "2080505": ("452.40", "446.11", "98.61", -1),
    "2080506": ("226.25", "225.12", "99.50", -1),
    "2101101": ("42.73", "40.35", "94.43", -1),
    "2101102": ("196.40", "196.29", "99.94", -1),
    "2120101": ("1115.48", "1092.80", "97.97", -1),
    "2120201": ("3110.14", "2739.56", "88.08", -1),
    "2200150": ("4477.33", "4416.67", "98.65", -1),
}


def test_guihua_items(guihua: Report) -> None:
    facts, _, lines = guihua
    ex = _executions(facts)
    items = {code: e for code, e in ex.items() if code is not None}
    assert {code: _figures(e) for code, e in items.items()} == {
        code: _expected(row) for code, row in GUIHUA_ITEMS.items()
    }
    assert all("stated_rate" in e for e in items.values())  # 9 with a rate, none without
    assert {e["budget"].qualifier for e in items.values()} == {None}  # 年初预算: no basis note
    # "…主要用于：行政单位退休人员支出。年" / "初预算为 54.53 万元，…"; "决算数同预算数持平。"
    assert ex["2080501"]["budget"].source_line == _line_of(lines, "初预算为 54.53 万元")
    assert ex["2080501"]["direction"].qualifier == "持平"
    assert ex["2120201"]["budget"].subject_name == "城乡社区规划与管理"  # 款 and 项 share the name
    assert _figures(ex[None]) == (Decimal("10210.34"), Decimal("9746.50"), Decimal("95.45"), Decimal(-1))


def test_guihua_names_its_tables_do_not_print_stay_problems(guihua: Report) -> None:
    # The narrative names subjects its own tables print otherwise: 2080599 is 其他行政事业单位养老支出,
    # 2200199 其他自然资源事务支出, and 住房公积金 / 购房补贴 sit under 住房改革支出, not 住房保障支出.
    _, errors, lines = guihua
    assert [(e.line, e.reason.split("'")[1]) for e in errors] == [
        (_line_of(lines, "5、社会保障和就业支出（类）"), "机关事业单位退休人员活动费支出"),
        (_line_of(lines, "11、自然资源海洋气象等支出（类）"), "其他国土资源事务支出"),
        (_line_of(lines, "12、住房保障支出（类）"), "住房保障支出"),
        (_line_of(lines, "13、住房保障支出（类）"), "住房保障支出"),
    ]


def test_guihua_class_shares(guihua: Report) -> None:
    facts, _, _ = guihua
    amount = {f.subject_code: f.value for f in facts if f.metric == "class_expenditure"}
    share = {f.subject_code: f.value for f in facts if f.metric == "class_expenditure_share"}
    assert {code: (amount[code], share.get(code)) for code in amount} == {
        "208": (Decimal("754.75"), Decimal("7.74")),
        "210": (Decimal("236.63"), Decimal("2.43")),
        "212": (Decimal("3832.36"), Decimal("39.32")),
        "220": (Decimal("4461.67"), Decimal("45.78")),
        "221": (Decimal("461.08"), Decimal("4.73")),
    }


def test_template_placeholders_state_nothing(resolver: SubjectResolver) -> None:
    # "决算数大于（小于）预算数" names no direction; "XXX 万元" no amount
    facts, errors = extract_facts(_lines("template_2024_national"), resolver)
    assert facts == [] and errors == []


# ---- synthetic variants -------------------------------------------------------------------

SUBJECTS = subject_rows({  # one 类 per line
    "201": "一般公共服务支出", "20139": "社会工作事务",
    "208": "社会保障和就业支出",
    "210": "卫生健康支出",
    "212": "城乡社区支出", "21201": "城乡社区管理事务", "2120101": "行政运行",
})
ITEM = "1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。"


@pytest.fixture()
def small() -> SubjectResolver:
    return SubjectResolver(SUBJECTS)


def _doc(*body: str) -> list[str]:
    head = ["第三部分 2024 年度部门决算情况", "说明", "五、一般公共预算财政拨款支出决算情况说明"]
    return split_lines("\n".join([*head, *body, "第四部分 名词解释"]))


@pytest.mark.parametrize(
    ("wording", "sign"),
    [
        ("决算数大于全年预算数的主要原因：x。", 1),
        ("决算数小于年初预算数的主要原因：x。", -1),
        ("决算数等于全年预算数。", 0),
        ("决算数与全年预算数持平。", 0),
        ("决算数与年初预算数持平。", 0),
        ("决算数同预算数持平。", 0),
        ("决算数大于（小于）预算数的主要原因：x。", None),
    ],
)
def test_direction_wordings(small: SubjectResolver, wording: str, sign: int | None) -> None:
    own = {"社会工作事务/行政运行": "2013901"}
    lines = _doc(ITEM + "全年预算为 5 万元，支出决算为 5 万元。" + wording)
    facts, errors = extract_facts(lines, small, own)
    assert errors == []
    ex = _executions(facts)["2013901"]
    assert "stated_rate" not in ex
    assert (ex["direction"].value if "direction" in ex else None) == (None if sign is None else Decimal(sign))


def test_rate_after_a_full_stop(small: SubjectResolver) -> None:
    # 规划和自然资源局 5、: "年初预算为 0.88 万元，支出决算为 0.88 万元。完成年初预算的 100.00%。"
    lines = _doc(ITEM + "年初预算为 0.88 万元，支出决算为 0.88 万元。", "完成年初预算的 100.00%。决算数同预算数持平。")
    facts, errors = extract_facts(lines, small, {"社会工作事务/行政运行": "2013901"})
    assert errors == []
    assert _figures(_executions(facts)["2013901"]) == (Decimal("0.88"), Decimal("0.88"), Decimal("100.00"), 0)


@pytest.mark.parametrize(
    "sentence",
    [
        "卫生健康支出(类)44.68万元，占 12.5%。",
        "卫生健康支出（类）44.68 万元，占 12.5%。",
        "卫生健康(类)支出44.68万元，占12.5%。",
        "卫生健康支出类支出 44.68 万元，占 12.5%。",
    ],
)
def test_class_share_forms(small: SubjectResolver, sentence: str) -> None:
    facts, errors = extract_facts(_doc("（二）结构情况", sentence), small)
    assert errors == []
    assert [(f.metric, f.subject_code, f.value) for f in facts] == [
        ("class_expenditure", "210", Decimal("44.68")), ("class_expenditure_share", "210", Decimal("12.5")),
    ]


def test_own_subjects_are_checked_against_level_and_parent(small: SubjectResolver) -> None:
    assert small.with_own_subjects({"社会工作事务/行政运行": "2013901"}).resolve(
        "一般公共服务支出", "社会工作事务", "行政运行").code == "2013901"
    # lenient on the 支出 suffix, like the code list
    assert small.with_own_subjects({"一般公共服务支出/社会工作事务/行政运行": "2013901"}).resolve(
        "一般公共服务", "社会工作事务", "行政运行").code == "2013901"
    # a bare name mapped under another 款 is not taken; the code list then decides
    wrong_parent = small.with_own_subjects({"行政运行": "2120101"})
    with pytest.raises(UnresolvedSubject, match="not found under 20139"):
        wrong_parent.resolve("一般公共服务支出", "社会工作事务", "行政运行")
    assert wrong_parent.resolve("城乡社区支出", "城乡社区管理事务", "行政运行").code == "2120101"
    # a 类 code is no 款: "住房保障支出（款）" stays unresolved even though the name is a 类 of the report
    with pytest.raises(UnresolvedSubject):
        small.with_own_subjects({"卫生健康支出": "210"}).resolve("卫生健康支出", "卫生健康支出", "x")
    # the shared resolver is not changed
    with pytest.raises(UnresolvedSubject):
        small.resolve("一般公共服务支出", "社会工作事务", "行政运行")


# ---- the budget-execution pivot and mart, rendered without dbt ------------------------------


def _render(model: str, macros: jinja2.runtime.TemplateModule) -> str:
    env = jinja2.Environment()
    exported = {name: getattr(macros, name) for name in dir(macros) if not name.startswith("_")}
    sql = (ROOT / "models" / model).read_text(encoding="utf-8")
    return env.from_string(sql).render(scoped_ref=lambda name: name, **exported)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def test_rateless_items_reach_fct_budget_execution(shehui: Report) -> None:
    facts, _, _ = shehui
    macros = jinja2.Environment().from_string("".join(  # the models call macros of both files
        (ROOT / "macros" / name).read_text(encoding="utf-8") for name in ("completion_rate.sql", "audit.sql"))).module
    con = duckdb.connect()
    con.execute(
        "create table stg_reports__narrative_facts (document_id varchar, fact_seq integer, metric varchar, "
        "fact_value decimal(18, 4), value_decimals integer, subject_name varchar, subject_code varchar, "
        "subject_level varchar, qualifier varchar, source_line integer, span varchar)")
    con.executemany(
        "insert into stg_reports__narrative_facts values ('d', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(k, f.metric, f.value, _decimals(f.value), f.subject_name, f.subject_code, f.subject_level,
          f.qualifier, f.source_line, f.span) for k, f in enumerate(facts)])
    con.execute("create table int_budget_execution_pivoted as "
                + _render("intermediate/int_budget_execution_pivoted.sql", macros))
    rows = con.execute(
        "select execution_key, budget_wan, final_wan, stated_rate_pct, rate_status, stated_direction, amount_note "
        "from (" + re.sub(r";\s*$", "", _render("marts/fct_budget_execution.sql", macros)) + ")"
    ).fetchall()
    got = {r[0]: r[1:] for r in rows}
    assert len(got) == 10  # overall + 9 items
    assert got["2013950"] == (Decimal("17.68"), Decimal("11.31"), None, "not_stated", "less",
                              "budget printed as 全年预算")
    assert got["2210203"][2:5] == (None, "not_stated", "equal")
    assert got["2013901"][2:4] == (Decimal("98.69"), "consistent")
    assert got["overall"][:4] == (Decimal("321.02"), Decimal("307.82"), Decimal("95.89"), "consistent")
    # DW01 takes every row with a direction and both amounts, rate or not
    assert sum(1 for r in got.values() if r[4] is not None and r[0] is not None and r[1] is not None) == 10
