"""What the scanners emit: the metric vocabulary and :class:`NarrativeFact` records.

Every scanner reports through :class:`Out`: ``add`` turns a match position in a joined
paragraph into a fact with its source line and sentence, ``error`` into a ParseError of the
narrative stage. The regex fragments the scanners share (numbers, commas, units) live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ingest.narrative.paragraphs import Paragraph
from ingest.records import NarrativeFact, ParseError
from ingest.text import parse_amount

STAGE = "narrative"

UNIT_WAN = "wan"
UNIT_PCT = "pct"
UNIT_COUNT = "count"
UNIT_SCORE = "score"
# Direction facts (1 大于, -1 小于, 0 持平) are dimensionless; the contract's unit list is
# wan | pct | count | score, so they carry "count".
UNIT_DIRECTION = UNIT_COUNT

QUALIFIER_OVERALL = "overall"

METRICS: dict[str, str] = {
    # totals (+ <metric>_change in 万元, <metric>_change_pct, <metric>_previous when printed)
    "total_income_expenditure": "收、支总计",
    "income_total": "收入合计",
    "expenditure_total": "支出合计",
    "fiscal_total": "财政拨款收、支总计",
    "gpb_income": "一般公共预算财政拨款收入",
    "gov_fund_income": "政府性基金预算财政拨款收入",
    "soe_capital_income": "国有资本经营预算财政拨款收入",
    "gpb_expenditure": "一般公共预算财政拨款支出 (share: 占本年支出合计)",
    "gpb_expenditure_basic": "一般公共预算财政拨款支出中 基本支出",
    "gpb_expenditure_project": "一般公共预算财政拨款支出中 项目支出",
    # composition (+ <metric>_share, qualifier = the base printed after 占)
    "income_fiscal": "财政拨款收入",
    "income_upper_grant": "上级补助收入",
    "income_business": "事业收入",
    "income_operating": "经营收入",
    "income_subsidiary": "附属单位上缴收入",
    "income_other": "其他收入",
    "expenditure_basic": "基本支出",
    "expenditure_project": "项目支出",
    "expenditure_upper_remit": "上缴上级支出",
    "expenditure_operating": "经营支出",
    "expenditure_subsidiary": "对附属单位补助支出",
    "class_expenditure": "结构情况: X（类）支出 (+ class_expenditure_share)",
    # budget execution, per subject (class/section/item) or overall (subject_code None)
    "budget": "年初预算, or 全年预算 where the report pairs that with 支出决算 (qualifier says so)",
    "budget_initial": "年初预算 printed before the 全年预算 the figures pair with (年初预算为 0，全年预算为 …)",
    "final": "支出决算",
    "stated_rate": "完成年初/全年预算(数)的 C%",
    "direction": "支出决算数 大于(1)/小于(-1)/持平(0) 年初/全年预算数, 与…预算数持平; qualifier = wording",
    # basic expenditure split
    "basic_total": "一般公共预算财政拨款基本支出",
    "basic_personnel": "人员经费",
    "basic_public": "公用经费",
    # 三公, item = total | abroad | vehicle | vehicle_purchase | vehicle_operation | reception
    "three_public_budget": "(全年)预算",
    "three_public_final": "支出决算",
    "three_public_rate": "完成(全年)预算的 C%",
    "three_public_direction": "决算数 大于/小于/持平 (全年)预算数",
    "three_public_change": "较上年 增加/减少 (万元)",
    "three_public_change_pct": "较上年 增长/下降 %",
    "vehicles_purchased": "购置(更新)公务用车 N 辆",
    "vehicles_held": "公务用车保有量 N 辆",
    # 政府采购
    "procurement_total": "政府采购支出总额",
    "procurement_goods": "政府采购货物支出",
    "procurement_works": "政府采购工程支出",
    "procurement_services": "政府采购服务支出",
    "procurement_sme": "授予中小企业合同金额 (+ _share)",
    "procurement_small_micro": "授予小微企业合同金额 (+ _share; qualifier = base)",
    "procurement_goods_sme_share": "货物采购授予中小企业合同金额占货物支出金额的 %",
    "procurement_works_sme_share": "工程采购 …",
    "procurement_services_sme_share": "服务采购 …",
    # 国有资产
    "vehicles_total": "共有车辆 N 辆",
    "equipment_over_1m": "单位价值 100 万元以上设备 N 台（套）",
    # 绩效
    "evaluated_project_count": "共涉及项目 N 个",
    "evaluated_project_funds": "资金 X 万元 (+ evaluated_project_funds_share)",
    "project_budget": "项目 全年/年初 预算数, item = project name",
    "project_actual": "执行数",
    "project_rate": "完成预算 / 执行率 %",
    "self_evaluation_score": "部门整体绩效(自评)得分",
    # 整体绩效自评 执行率情况 (附件 or 绩效 section); qualifier 本级 (单位整体: the unit itself,
    # in a department report its own unit) or 部门 (部门整体), plus a unit note when 元 stands for 万元
    "unit_overall_budget": "单位/部门整体 预算收入 / 年初预算 / 预算调整后收入",
    "unit_overall_final": "整体 决算支出 / 支出决算",
    "unit_overall_rate": "整体完成年初预算的 C% / 预算执行率",
    "unit_overall_project_count": "整体共申报项目 N 个",
    "unit_overall_project_budget": "项目预算资金",
    "unit_overall_project_actual": "项目实际支出",
    "unit_overall_project_rate": "项目 执行率 / 完成率",
}


NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
COMMA = "[,，]"  # normalize_line turns ， into , — accept both
UNIT = r"(?:万元|万|元)"
_TYPO_YUAN = "unit printed 元, read as 万元"
_ABBREV_WAN = "unit printed 万, read as 万元"


@dataclass
class Out:
    facts: list[NarrativeFact] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    def add(
        self, para: Paragraph, pos: int, metric: str, value: Decimal | str, unit: str, **extra: str | None
    ) -> None:
        amount = value if isinstance(value, Decimal) else parse_amount(value)
        self.facts.append(
            NarrativeFact(
                section=para.section, metric=metric, value=amount, unit=unit,
                source_line=para.line(pos), span=para.span(pos), **extra,
            )
        )

    def error(self, para: Paragraph, pos: int, reason: str) -> None:
        self.errors.append(ParseError(para.line(pos), reason, stage=STAGE))


def signed(word: str | None, amount: str) -> Decimal:
    value = parse_amount(amount)
    return -value if word in {"减少", "下降", "降低"} else value


def unit_notes(*units: str) -> tuple[str | None, ...] | None:
    """A qualifier per amount; None when every amount is in 元 (the typo needs a 万元 beside it)."""
    if all(u == "元" for u in units):
        return None
    return tuple(_TYPO_YUAN if u == "元" else _ABBREV_WAN if u == "万" else None for u in units)


# 决算数 大于/小于/持平 预算数 → the sign of 决算 − 预算
DIRECTION_SIGN = {
    "大于": 1, "高于": 1, "超过": 1, "小于": -1, "少于": -1, "低于": -1,
    "持平": 0, "等于": 0, "相等": 0, "一致": 0,
}
