"""Scanners for "LABEL X 万元[，占…P%][，比上年…]": totals, composition, the basic split,
procurement amounts, and procurement shares per kind."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.narrative.facts import COMMA, NUM, UNIT_PCT, UNIT_WAN, Out, signed
from ingest.narrative.paragraphs import Paragraph

_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "overview": (("total_income_expenditure", r"收、?支总计"),),
    "income": (
        ("income_total", r"收入合计"),
        ("income_fiscal", r"(?<!预算)财政拨款收入"),
        ("income_upper_grant", r"上级补助收入"),
        ("income_business", r"事业收入"),
        ("income_operating", r"经营收入"),
        ("income_subsidiary", r"附属单位上缴收入"),
        ("income_other", r"其他收入"),
    ),
    "expenditure": (
        ("expenditure_total", r"支出合计"),
        ("expenditure_basic", r"基本支出"),
        ("expenditure_project", r"项目支出"),
        ("expenditure_upper_remit", r"上缴上级支出"),
        ("expenditure_operating", r"(?<!对附属单位补助)经营支出"),
        ("expenditure_subsidiary", r"对附属单位补助支出"),
    ),
    "fiscal": (
        ("fiscal_total", r"财政拨款收、?支总计"),
        ("gpb_income", r"一般公共预算财政拨款收入"),
        ("gov_fund_income", r"政府性基金预算财政拨款收入"),
        ("soe_capital_income", r"国有资本经营预算财政拨款收入"),
    ),
    "gpb": (
        ("gpb_expenditure", r"(?:一般公共预算)?财政拨款支出"),
        ("gpb_expenditure_basic", r"(?<!财政拨款)基本支出"),
        ("gpb_expenditure_project", r"项目支出"),
    ),
    "basic": (
        ("basic_total", r"基本支出"),
        ("basic_personnel", r"人员经费"),
        ("basic_public", r"公用经费"),
    ),
    "procurement": (
        ("procurement_total", r"政府采购支出总额"),
        ("procurement_goods", r"政府采购货物支出"),
        ("procurement_works", r"政府采购工程支出"),
        ("procurement_services", r"政府采购服务支出"),
        ("procurement_sme", r"授予中小企业合同金额"),
        ("procurement_small_micro", r"授予小微企业合同金额"),
    ),
}

# Comparison with last year, after a level figure: "，比 2022 年度决算数增加 98.46 万元，增长 9.5%"
# (or "与 2023 年度决算数持平"); a previous-year figure may be printed before the change.
_VERSUS = (
    rf"(?:{COMMA}?(?:与|比|较)(?:上年度?|\d{{4}}年度?)(?:决算数?)?(?:(?P<prev>{NUM})万元)?(?:相比)?{COMMA}?各?"
    rf"(?:(?P<cdir>增加|减少)(?P<camt>{NUM})万元(?:{COMMA}(?P<pdir>增长|下降)(?P<cpct>{NUM})%)?"
    rf"|(?P<flat>持平)))?"
)
# "占本年收入 100%", "占本年支出合计的 100%", "占授予中小企业合同金额的 100%": the base is kept.
_SHARE = rf"(?:{COMMA}?占(?P<base>[^,，。；;\d%]{{0,24}}?)的?(?P<share>{NUM})%)?"


def _level_pattern(label: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<label>{label})(?:均为|各为|为|共计)?(?P<amt>{NUM})万元{_SHARE}{_VERSUS}")


def _change_pattern(label: str) -> re.Pattern[str]:
    # second mention, change only: "收、支总计各增加 98.46 万元，增长 9.5%"
    return re.compile(
        rf"(?P<label>{label})各?(?P<cdir>增加|减少)(?P<camt>{NUM})万元(?:{COMMA}(?P<pdir>增长|下降)(?P<cpct>{NUM})%)?"
    )


_LEVEL_PATTERNS = {
    section: tuple((metric, _level_pattern(label), _change_pattern(label)) for metric, label in labels)
    for section, labels in _LABELS.items()
}


def _emit_change(out: Out, para: Paragraph, m: re.Match[str], metric: str) -> None:
    if m.group("cdir"):
        out.add(para, m.start("camt"), f"{metric}_change", signed(m.group("cdir"), m.group("camt")),
                UNIT_WAN, qualifier=m.group("cdir"))
    if m.group("cpct"):
        out.add(para, m.start("cpct"), f"{metric}_change_pct", signed(m.group("pdir"), m.group("cpct")),
                UNIT_PCT, qualifier=m.group("pdir"))


def scan_levels(para: Paragraph, out: Out) -> None:
    for metric, level, change in _LEVEL_PATTERNS.get(para.section, ()):
        for m in level.finditer(para.text):
            out.add(para, m.start("amt"), metric, m.group("amt"), UNIT_WAN)
            if m.group("share"):
                out.add(para, m.start("share"), f"{metric}_share", m.group("share"), UNIT_PCT,
                        qualifier=m.group("base") or None)
            if m.group("prev"):
                out.add(para, m.start("prev"), f"{metric}_previous", m.group("prev"), UNIT_WAN)
            if m.group("flat"):
                out.add(para, m.start("flat"), f"{metric}_change", Decimal(0), UNIT_WAN, qualifier="持平")
            _emit_change(out, para, m, metric)
        for m in change.finditer(para.text):
            _emit_change(out, para, m, metric)


_PROCUREMENT_KIND_SHARE = re.compile(
    rf"(?P<kind>货物|工程|服务)采购授予中小企业合同金额占(?:货物|工程|服务)?支出金额的(?P<pct>{NUM})%"
)
_PROCUREMENT_KINDS = {"货物": "goods", "工程": "works", "服务": "services"}


def scan_procurement(para: Paragraph, out: Out) -> None:
    for m in _PROCUREMENT_KIND_SHARE.finditer(para.text):
        metric = f"procurement_{_PROCUREMENT_KINDS[m.group('kind')]}_sme_share"
        out.add(para, m.start("pct"), metric, m.group("pct"), UNIT_PCT)
