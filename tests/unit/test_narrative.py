"""Narrative (情况说明) facts: real values from the four samples, and one test per noise case."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.narrative import SubjectResolver, UnresolvedSubject, extract_facts
from ingest.records import NarrativeFact, ParseError
from ingest.text import decode, split_lines
from tests.helpers import subject_rows

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
SEEDS = ROOT / "seeds"



def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def resolver() -> SubjectResolver:
    return SubjectResolver.from_seeds(SEEDS)


def _sample_lines(prefix: str) -> list[str]:
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    text, _ = decode(path.read_bytes())
    return split_lines(text)


@pytest.fixture(scope="module")
def samples(resolver: SubjectResolver) -> dict[str, tuple[list[NarrativeFact], list[ParseError], list[str]]]:
    out = {}
    for prefix in ("000", "001", "002", "004"):
        lines = _sample_lines(prefix)
        facts, errors = extract_facts(lines, resolver)
        out[prefix] = (facts, errors, lines)
    return out


def _one(facts: list[NarrativeFact], metric: str, **match: object) -> NarrativeFact:
    found = [f for f in facts if f.metric == metric and all(getattr(f, k) == v for k, v in match.items())]
    assert len(found) == 1, (metric, match, found)
    return found[0]


def _execution(facts: list[NarrativeFact], code: str | None) -> dict[str, NarrativeFact]:
    return {
        f.metric: f for f in facts
        if f.metric in {"budget", "final", "stated_rate", "direction"} and f.subject_code == code
    }


def _figures(ex: dict[str, NarrativeFact], field: str = "value") -> tuple:
    """``field`` of an execution's budget, final and stated rate, to compare the three at once."""
    return tuple(getattr(ex[metric], field) for metric in ("budget", "final", "stated_rate"))


# ---- real samples ------------------------------------------------------------------------


def test_samples_parse_without_problems(samples) -> None:
    for prefix, (facts, errors, _) in samples.items():
        assert errors == [], (prefix, [(e.line, e.reason) for e in errors])
        assert len(facts) > 60, prefix


def test_004_overall_budget_execution(samples) -> None:
    facts, _, _ = samples["004"]
    ex = _execution(facts, None)
    assert _figures(ex) == (Decimal("1236.24"), Decimal("1272.19"), Decimal("97.2"))
    assert {f.qualifier for f in ex.values()} == {"overall"}
    assert _figures(ex, "source_line") == (213, 213, 215)


def test_004_item_2060199(samples) -> None:
    facts, _, _ = samples["004"]
    ex = _execution(facts, "2060199")
    assert _figures(ex) == (Decimal("645.42"), Decimal("683.85"), Decimal("105.9"))
    assert ex["budget"].subject_name == "其他科学技术管理事务支出"
    assert ex["budget"].subject_level == "item"
    assert ex["direction"].value == 1 and ex["direction"].qualifier == "大于"


def test_000_item_2080505_and_its_lines(samples) -> None:
    facts, _, lines = samples["000"]
    ex = _execution(facts, "2080505")
    assert _figures(ex) == (Decimal("48"), Decimal("83.55"), Decimal("174.1"))
    assert _figures(ex, "source_line") == (230, 230, 232)
    assert "174.1%" in lines[232 - 1]


def test_001_alias_fangzu_butie_is_2210202(samples) -> None:
    facts, _, _ = samples["001"]
    ex = _execution(facts, "2210202")
    assert ex["budget"].subject_name == "房租补贴"
    assert _figures(ex) == (Decimal("5.78"), Decimal("5.72"), Decimal("99"))
    assert ex["budget"].source_line == 456


def test_002_class_level_execution(samples) -> None:
    facts, _, _ = samples["002"]
    ex = _execution(facts, "201")
    assert ex["budget"].subject_level == "class"
    assert _figures(ex) == (Decimal("184.48"), Decimal("181.99"), Decimal("98.7"))
    assert (ex["budget"].source_line, ex["final"].source_line) == (905, 907)


def test_zero_budget_subjects_have_no_stated_rate(samples) -> None:
    zero_budget = 0
    for facts, _, _ in samples.values():
        for fact in facts:
            if fact.metric == "budget" and fact.value == 0:
                zero_budget += 1
                ex = _execution(facts, fact.subject_code)
                assert "stated_rate" not in ex, fact
                assert "final" in ex
    assert zero_budget >= 8  # 000 has six, 004 three


def test_000_three_public(samples) -> None:
    facts, _, _ = samples["000"]
    assert _one(facts, "three_public_budget", item="total").value == Decimal("4.4")
    final = _one(facts, "three_public_final", item="total")
    assert final.value == Decimal("2.9") and final.source_line == 343
    assert _one(facts, "three_public_rate", item="total").value == Decimal("65.9")
    assert _one(facts, "three_public_direction", item="total").qualifier == "小于"
    assert _one(facts, "vehicles_held").value == 1
    assert _one(facts, "three_public_change", item="vehicle_operation").value == Decimal("-0.95")


def test_004_basic_split(samples) -> None:
    facts, _, _ = samples["004"]
    assert _one(facts, "basic_total").value == Decimal("1102.91")
    personnel = _one(facts, "basic_personnel")
    public = _one(facts, "basic_public")
    assert (personnel.value, personnel.source_line) == (Decimal("1017.75"), 310)
    assert (public.value, public.source_line) == (Decimal("85.16"), 319)


def test_001_direction_wording_kept_as_printed(samples) -> None:
    facts, _, _ = samples["001"]
    ex = _execution(facts, "2101102")
    assert ex["final"].value > ex["budget"].value  # 13.2 > 11.63 …
    assert ex["direction"].qualifier == "小于"  # … yet the report says 小于
    assert ex["direction"].value == -1


def test_sentence_continues_after_blank_line_001(samples) -> None:
    # line 440 "…支出决算数大于年初预" / blank / line 442 "算数的主要原因"
    facts, _, _ = samples["001"]
    direction = _execution(facts, "2080505")["direction"]
    assert direction.source_line == 440
    assert "大于年初预算数的主要原因" in direction.span


def test_page_mark_inside_sentence_004(samples) -> None:
    # line 270 "…支出决算" / line 274 "- 18 -" / line 276 "为 25.87 万元"
    facts, _, lines = samples["004"]
    final = _execution(facts, "2101199")["final"]
    assert final.value == Decimal("25.87") and final.source_line == 276
    assert "18" not in final.span and "支出决算为 25.87" in final.span
    assert lines[274 - 1] == "- 18 -"


def test_structure_by_class(samples) -> None:
    facts, _, _ = samples["001"]  # "一般公共服务支出类支出 261.24 万元，占 71.54%"
    amount = _one(facts, "class_expenditure", subject_code="201")
    share = _one(facts, "class_expenditure_share", subject_code="201")
    assert (amount.value, share.value, amount.subject_level) == (Decimal("261.24"), Decimal("71.54"), "class")
    facts, _, _ = samples["000"]  # "科学技术（类）支出 676.92 万元，占 59.7%"
    assert _one(facts, "class_expenditure", subject_code="206").value == Decimal("676.92")


def test_totals_and_changes(samples) -> None:
    facts, _, _ = samples["000"]
    assert _one(facts, "total_income_expenditure").value == Decimal("1133.54")
    assert _one(facts, "total_income_expenditure_change").value == Decimal("98.46")
    assert _one(facts, "total_income_expenditure_change_pct").value == Decimal("9.5")
    assert _one(facts, "income_fiscal_share").value == 100
    assert _one(facts, "expenditure_basic").value == Decimal("967.53")
    assert _one(facts, "gpb_income_change").value == Decimal("98.46")


def test_procurement_and_assets(samples) -> None:
    facts, _, _ = samples["004"]
    assert _one(facts, "procurement_total").value == Decimal("83.86")
    assert _one(facts, "procurement_sme").value == Decimal("78.76")
    small = _one(facts, "procurement_small_micro_share")
    assert small.value == 100 and small.qualifier == "授予中小企业合同金额"  # base printed, not the total
    assert _one(facts, "procurement_services_sme_share").value == Decimal("98.3")
    assert _one(facts, "vehicles_total").value == 1
    assert _one(facts, "equipment_over_1m").value == 0


def test_001_project_actual_printed_in_yuan(samples) -> None:
    facts, _, _ = samples["001"]
    name = "硚口企业加油站系列政企、企企主题活动"
    actual = _one(facts, "project_actual", item=name)
    assert actual.value == Decimal("2.84") and actual.unit == "wan"
    assert "元" in actual.qualifier and "万元" in actual.qualifier
    assert _one(facts, "project_budget", item=name).qualifier is None
    assert _one(facts, "project_rate", item=name).value == 98


def test_004_project_name_wrapped_over_lines(samples) -> None:
    facts, _, _ = samples["004"]
    name = "安全生产经费项目（武汉市洪山区驻武钢地区综合服务管理办公室）"
    assert _one(facts, "project_budget", item=name).value == Decimal("22.80")
    assert len([f for f in facts if f.metric == "project_budget"]) == 12


def test_self_evaluation_scores(samples) -> None:
    assert _one(samples["002"][0], "self_evaluation_score").value == 98
    score = _one(samples["000"][0], "self_evaluation_score")  # from the 附件 part
    assert (score.value, score.source_line, score.section) == (Decimal("98.42"), 1478, "annex")


def test_004_annex_unit_overall_performance(samples) -> None:
    """004 (2022 部门决算, two units), 附件 整体绩效评价 of the unit itself: "2022 年单位整体预算收入
    1115.75 万元，决算支出 1035.08 万元，整体完成年初预算的 92.77%。单位整体共申报项目 10 个，项目预算资金
    149.1 万元，项目实际支出 145.98 万元，执行率 97.91%。" over lines 1540–1546 with blank lines between."""
    facts, _, _ = samples["004"]
    got = {f.metric: (f.value, f.unit, f.qualifier, f.source_line, f.section)
           for f in facts if f.metric.startswith("unit_overall_")}
    assert got == {
        "unit_overall_budget": (Decimal("1115.75"), "wan", "本级", 1540, "annex"),
        "unit_overall_final": (Decimal("1035.08"), "wan", "本级", 1542, "annex"),
        "unit_overall_rate": (Decimal("92.77"), "pct", "本级", 1542, "annex"),
        "unit_overall_project_count": (Decimal("10"), "count", "本级", 1544, "annex"),
        "unit_overall_project_budget": (Decimal("149.1"), "wan", "本级", 1544, "annex"),
        "unit_overall_project_actual": (Decimal("145.98"), "wan", "本级", 1546, "annex"),
        "unit_overall_project_rate": (Decimal("97.91"), "pct", "本级", 1546, "annex"),
    }
    assert "整体完成年初预算的 92.77%" in _one(facts, "unit_overall_rate").span
    score = _one(facts, "self_evaluation_score")  # "（一）部门整体绩效自评得分 98分。"
    assert (score.value, score.source_line, score.section) == (Decimal("98"), 1534, "annex")


def test_000_annex_unit_overall_with_yuan_typo_and_no_rate(samples) -> None:
    # "2023 年单位整体预算调整后收入 1133.53 元，决算支出 1133.53 万元。单位整体共申报项目 6 个，项目预算资金
    # 172.28 万元，项目实际支出 166 万元，执行率 96.24%。"
    facts, _, _ = samples["000"]
    budget = _one(facts, "unit_overall_budget")
    assert (budget.value, budget.source_line) == (Decimal("1133.53"), 1484)
    assert budget.qualifier == "本级; unit printed 元, read as 万元"
    assert (_one(facts, "unit_overall_final").value, _one(facts, "unit_overall_final").qualifier) == (
        Decimal("1133.53"), "本级")
    assert not [f for f in facts if f.metric == "unit_overall_rate"]
    assert [(f.value, f.source_line) for f in facts if f.metric.startswith("unit_overall_project_")] == [
        (Decimal("6"), 1486), (Decimal("172.28"), 1488), (Decimal("166"), 1488), (Decimal("96.24"), 1488),
    ]


def test_table_of_contents_is_skipped_001(samples) -> None:
    facts, _, _ = samples["001"]
    assert min(f.source_line for f in facts) > 370  # real 第三部分 starts at line 370


# ---- synthetic noise cases ---------------------------------------------------------------

SUBJECTS = subject_rows({  # one 类 per line
    "201": "一般公共服务支出", "20103": "政府办公厅（室）及相关机构事务", "2010350": "事业运行",
    "208": "社会保障和就业支出", "20805": "行政事业单位养老支出", "2080505": "机关事业单位基本养老保险缴费支出",
    "221": "住房保障支出", "22102": "住房改革支出", "2210201": "住房公积金", "2210202": "提租补贴",
})
ALIASES = [
    {"alias_name": "房租补贴", "subject_code": "2210202", "note": ""},
    {"alias_name": "行政事业单位离退休", "subject_code": "20805", "note": ""},
]
HOUSING = "住房保障支出（类）住房改革支出（款）住房公积金（项）。"


@pytest.fixture()
def small() -> SubjectResolver:
    return SubjectResolver(SUBJECTS, ALIASES)


PART_3 = "第三部分 2024 年度部门决算情况说明"


def _narrative(*lines: str) -> list[str]:
    """A report that opens on the narrative part's heading; lines[k] is source line k + 2."""
    return split_lines("\n".join([PART_3, *lines]))


def _doc(*body: str) -> list[str]:
    """A minimal report: narrative part + 五、 section; body line k is source line k + 5."""
    return _narrative("", "五、一般公共预算财政拨款支出决算情况说明", "", "（三）具体情况。", *body, "", "第四部分 其他")


def _line_of(lines: list[str], needle: str) -> int:
    return next(i + 1 for i, line in enumerate(lines) if needle in line)


def test_sentence_broken_over_lines_and_blank_lines(small) -> None:
    lines = _doc("1." + HOUSING + "年初预算为", "", "28.54 万元，支出决算为 31.76 万", "", "元，完成年初预", "算的 111.3%。")
    facts, errors = extract_facts(lines, small)
    assert errors == []
    ex = _execution(facts, "2210201")
    assert ex["budget"].value == Decimal("28.54") and ex["budget"].source_line == _line_of(lines, "28.54")
    assert ex["final"].value == Decimal("31.76") and ex["final"].source_line == _line_of(lines, "28.54")
    assert ex["stated_rate"].value == Decimal("111.3") and ex["stated_rate"].source_line == _line_of(lines, "111.3")
    assert "完成年初预算的 111.3%" in ex["stated_rate"].span


def test_spaces_inside_words_and_amounts(small) -> None:
    lines = _doc("1." + HOUSING + "年初预算 数为28.54万元，支出决 算数为 31.76 万 元，完成年初预算的111.3 %，支出决算数大 于年初预算 数。")
    facts, errors = extract_facts(lines, small)
    assert errors == []
    ex = _execution(facts, "2210201")
    assert _figures(ex) == (Decimal("28.54"), Decimal("31.76"), Decimal("111.3"))
    assert ex["direction"].qualifier == "大于"


@pytest.mark.parametrize("numbering", ["1.", "1、", "（一）", "(1)", "（1）", "1. ", "①"])
def test_numbering_styles_open_a_paragraph(small, numbering: str) -> None:
    lines = _doc(
        "1.社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）。",
        "年初预算为 10 万元，支出决算为 9 万元，完成年初预算的 90%。",
        numbering + HOUSING + "年初预算为 5 万元，支出决算为 6 万元，完成年初预算的 120%。",
    )
    facts, errors = extract_facts(lines, small)
    assert errors == []
    assert _execution(facts, "2080505")["final"].value == 9
    assert _execution(facts, "2210201")["final"].value == 6


def test_ascii_and_full_width_brackets(small) -> None:
    lines = _doc(
        "(1)住房保障支出(类)住房改革支出(款)房租补贴(项)。年初预算为5.78万元,支出决算为5.72万元,完成年初预算的99%。",
        "（2）一般公共服务支出（类）政府办公厅(室)及相关机构事务（款）事业运行（项）。年初预算为 1 万元，支出决算为 1 万元。",
    )
    facts, errors = extract_facts(lines, small)
    assert errors == []
    assert _execution(facts, "2210202")["final"].value == Decimal("5.72")
    assert _execution(facts, "2210202")["final"].subject_name == "房租补贴"
    assert _execution(facts, "2010350")["budget"].value == 1


def test_yuan_written_for_wan(small) -> None:
    lines = _doc("1." + HOUSING + "年初预算为 28.54 万元，支出决算为 31.76 元，完成年初预算的 111.3%。")
    facts, errors = extract_facts(lines, small)
    assert errors == []
    ex = _execution(facts, "2210201")
    assert ex["final"].value == Decimal("31.76") and ex["final"].unit == "wan"
    assert ex["final"].qualifier == "unit printed 元, read as 万元"
    assert ex["budget"].qualifier is None


def test_all_amounts_in_yuan_is_an_error_not_a_guess(small) -> None:
    lines = _doc("1." + HOUSING + "年初预算为 28.54 元，支出决算为 31.76 元。")
    facts, errors = extract_facts(lines, small)
    assert _execution(facts, "2210201") == {}
    assert len(errors) == 1 and "元" in errors[0].reason


def test_unresolvable_subject_is_a_parse_error(small) -> None:
    lines = _doc("1.住房保障支出（类）住房改革支出（款）物业补贴（项）。年初预算为 3 万元，支出决算为 2 万元。")
    facts, errors = extract_facts(lines, small)
    assert [f for f in facts if f.metric in {"budget", "final"}] == []
    (error,) = errors
    assert isinstance(error, ParseError) and error.stage == "narrative"
    assert error.line == _line_of(lines, "物业补贴")
    assert "物业补贴" in error.reason and "22102" in error.reason


def test_unresolvable_class_names_root(small) -> None:
    lines = _doc("1.国防支出（类）。年初预算为 3 万元，支出决算为 2 万元。")
    _, errors = extract_facts(lines, small)
    assert len(errors) == 1 and "国防支出" in errors[0].reason and "类" in errors[0].reason


def test_overall_and_class_structure_variants(small) -> None:
    lines = _doc(
        "2024 年度一般公共预算财政拨款支出年初预算为 100 万元，支出决算为 90 万元，完成年初预算的 90%。",
        "1.一般公共服务（类）支出 50 万元，占 55.6%。",
        "2.住房保障支出类支出 40 万元，占 44.4%。",
    )
    facts, errors = extract_facts(lines, small)
    assert errors == []
    overall = _execution(facts, None)
    assert overall["budget"].qualifier == "overall" and overall["stated_rate"].value == 90
    assert _one(facts, "class_expenditure", subject_code="201").value == 50
    assert _one(facts, "class_expenditure_share", subject_code="221").value == Decimal("44.4")


def test_decreases_are_negative_and_previous_year_kept(small) -> None:
    lines = _narrative(
        "一、收入支出决算总体情况说明",
        "2024 年度收、支总计均为 90 万元。与 2023 年度相比，收、支总计各减少 10 万元，下降 10%。",
        "四、财政拨款收入支出决算总体情况说明",
        "一般公共预算财政拨款收入 90 万元，较上年决算数 100 万元减少 10 万元，下降 10%。",
        "第四部分",
    )
    facts, errors = extract_facts(lines, small)
    assert errors == []
    assert _one(facts, "total_income_expenditure_change").value == -10
    assert _one(facts, "total_income_expenditure_change_pct").value == -10
    assert _one(facts, "gpb_income_previous").value == 100
    assert _one(facts, "gpb_income_change").value == -10


def test_three_public_template_wording(small) -> None:
    lines = _narrative(
        "九、财政拨款“三公”经费支出决算情况说明",
        "1.因公出国(境)费预算为 0 万元，支出决算为 0 万元，完成预算的 0%。决算数较上年增加（减少）0 万元。",
        "2.公务接待费预算为 2 万元，支出决算为 1 万元，完成预算的 50%。决算数较上年增加（减少）1 万元。",
        "第四部分",
    )
    facts, errors = extract_facts(lines, small)
    assert _one(facts, "three_public_change", item="abroad").value == 0
    assert [f for f in facts if f.metric == "three_public_change" and f.item == "reception"] == []
    assert len(errors) == 1 and "sign unknown" in errors[0].reason
    assert _one(facts, "three_public_rate", item="reception").value == 50


def test_contents_listing_is_not_the_narrative(small) -> None:
    lines = _narrative(
        "一、收入支出决算总体情况说明",
        "第四部分 名词解释",
        "第一部分 概况",
        PART_3,
        "一、收入支出决算总体情况说明",
        "2024 年度收、支总计均为 12.5 万元。",
        "第四部分 名词解释",
    )
    facts, errors = extract_facts(lines, small)
    assert errors == []
    assert [(f.metric, f.value, f.source_line) for f in facts] == [("total_income_expenditure", Decimal("12.5"), 7)]


def test_no_narrative_is_reported(small) -> None:
    facts, errors = extract_facts(["第一部分 概况", "", "一、单位主要职责"], small)
    assert facts == [] and len(errors) == 1 and "情况说明" in errors[0].reason


def test_bare_page_number_dropped_but_wrapped_amount_kept(small) -> None:
    lines = _doc("1." + HOUSING + "年初预算为", "12", "万元，支出决算为 13 万元。", "17", "第四部分")
    facts, errors = extract_facts(lines, small)
    assert errors == []
    assert _execution(facts, "2210201")["budget"].value == 12
    assert all(f.value != 17 for f in facts)


# ---- resolver ----------------------------------------------------------------------------


def test_resolver_levels_aliases_and_suffix(small) -> None:
    assert small.resolve("一般公共服务").code == "201"  # 类 printed without 支出
    assert small.resolve("社会保障和就业支出", "行政事业单位离退休").code == "20805"  # historic name
    assert small.resolve("住房保障支出", "住房改革支出", "房租补贴").code == "2210202"
    assert small.resolve("一般公共服务支出", "政府办公厅(室)及相关机构事务", "事业运行").level == "item"
    with pytest.raises(UnresolvedSubject, match="20805"):
        small.resolve("社会保障和就业支出", "行政事业单位养老支出", "房租补贴")  # alias only under 22102


def test_resolver_from_seeds_accepts_both_column_namings(tmp_path: Path) -> None:
    (tmp_path / "function_subjects.csv").write_text(
        "code,level,name,status,source\n221,类,住房保障支出,T,\n22102,款,住房改革支出,T,\n2210202,项,提租补贴,T,\n",
        encoding="utf-8",
    )
    (tmp_path / "subject_aliases.csv").write_text("alias_name,subject_code,note\n房租补贴,2210202,x\n", encoding="utf-8")
    old = SubjectResolver.from_seeds(tmp_path)
    assert old.resolve("住房保障支出", "住房改革支出", "房租补贴").code == "2210202"
    (tmp_path / "function_subjects.csv").write_text(
        "subject_code,subject_level,subject_name\n221,class,住房保障支出\n22102,section,住房改革支出\n"
        "2210202,item,提租补贴\n",
        encoding="utf-8",
    )
    new = SubjectResolver.from_seeds(tmp_path)
    assert new.resolve("住房保障支出", "住房改革支出", "提租补贴").code == "2210202"


def test_real_seeds_load() -> None:
    resolver = SubjectResolver.from_seeds(SEEDS)
    assert resolver.resolve("住房保障支出", "住房改革支出", "房租补贴").code == "2210202"
    assert resolver.resolve("社会保障和就业支出", "行政事业单位离退休").code == "20805"


def _annex(*body: str) -> list[str]:
    """A minimal report with a 附件 part; body line k is source line k + 6."""
    return _narrative("", "一、收入支出决算总体情况说明", "", "第六部分 附件", "", *body, "")


@pytest.mark.parametrize(
    ("sentence", "scope", "rate"),
    [
        ("2024 年部门整体年初预算 500 万元，支出决算 450 万元，预算执行率为 90%。", "部门", Decimal("90")),
        ("2024 年单位整体预算数为 500 万元，决算支出为 450 万元，完成率 90%。", "本级", Decimal("90")),
        ("2024 年部门整体预算调整后收入 500 万元，决算支出 450 万元。", "部门", None),
    ],
)
def test_unit_overall_sentence_shapes(small, sentence: str, scope: str, rate: Decimal | None) -> None:
    cut = sentence.index("，") + 1  # broken over two lines with a blank line between
    lines = _annex(sentence[:cut], "", sentence[cut:])
    facts, errors = extract_facts(lines, small)
    assert errors == []
    got = {f.metric: (f.value, f.qualifier) for f in facts}
    assert got["unit_overall_budget"] == (Decimal("500"), scope)
    assert got["unit_overall_final"] == (Decimal("450"), scope)
    assert got.get("unit_overall_rate") == ((rate, scope) if rate is not None else None)


def test_unit_overall_projects_take_the_scope_of_the_budget_sentence(small) -> None:
    lines = _annex("部门整体预算收入 500 万元，决算支出 450 万元。共申报项目 3 个，项目预算资金 40 万元，",
                   "项目执行数 38 万元，执行率 95%。")
    facts, errors = extract_facts(lines, small)
    assert errors == []
    got = {f.metric: (f.value, f.qualifier, f.source_line) for f in facts if "project" in f.metric}
    assert got == {
        "unit_overall_project_count": (Decimal("3"), "部门", 7),
        "unit_overall_project_budget": (Decimal("40"), "部门", 7),
        "unit_overall_project_actual": (Decimal("38"), "部门", 8),
        "unit_overall_project_rate": (Decimal("95"), "部门", 8),
    }


def test_projects_without_a_scope_are_not_claimed(small) -> None:
    lines = _annex("共申报项目 3 个，项目预算资金 40 万元，项目实际支出 38 万元，执行率 95%。")
    facts, errors = extract_facts(lines, small)
    assert errors == [] and not [f for f in facts if f.metric.startswith("unit_overall_")]
