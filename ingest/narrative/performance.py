"""Scanners for 绩效: evaluated projects, project self-evaluations, 整体 execution and the score."""

from __future__ import annotations

import re

from ingest.narrative.facts import (
    COMMA,
    NUM,
    UNIT,
    UNIT_COUNT,
    UNIT_PCT,
    UNIT_SCORE,
    UNIT_WAN,
    Out,
    unit_notes,
)
from ingest.narrative.paragraphs import Paragraph

_EVALUATED = re.compile(
    rf"共涉及(?:一级)?项目(?P<n>{NUM})个{COMMA}资金(?P<amt>{NUM})万元"
    rf"(?:{COMMA}占(?P<base>[^,，。；;\d%]{{0,24}}?)的?(?P<pct>{NUM})%)?"
)
# "安全生产经费项目绩效自评综述：项目全年预算数为 18 万元，执行数为 17.9 万元，完成预算 99.4%"
_PROJECT = re.compile(
    rf"(?P<name>[^。；;:：,，]+?)(?:项目)?(?:绩效)?自评综述[:：]"
    rf"项目(?:全年|年初)?预算数?为?(?P<b>{NUM})(?P<bu>{UNIT}){COMMA}"
    rf"执行数为?(?P<a>{NUM})(?P<au>{UNIT}){COMMA}"
    rf"(?:完成(?:年初|全年)?预算的?|执行率为?)(?P<r>{NUM})%"
)
_SCORE = re.compile(rf"整体(?:支出)?绩效(?:自评)?得分为?(?P<n>{NUM})分?")


def scan_performance(para: Paragraph, out: Out) -> None:
    for m in _EVALUATED.finditer(para.text):
        out.add(para, m.start("n"), "evaluated_project_count", m.group("n"), UNIT_COUNT)
        out.add(para, m.start("amt"), "evaluated_project_funds", m.group("amt"), UNIT_WAN)
        if m.group("pct"):
            out.add(para, m.start("pct"), "evaluated_project_funds_share", m.group("pct"), UNIT_PCT,
                    qualifier=m.group("base") or None)
    m = _PROJECT.match(para.text, para.body)
    if m:
        name = m.group("name")
        notes = unit_notes(m.group("bu"), m.group("au"))
        if notes is None:
            out.error(para, m.start("b"), f"project {name!r}: amounts printed in 元, unit unclear")
        else:
            out.add(para, m.start("b"), "project_budget", m.group("b"), UNIT_WAN, item=name, qualifier=notes[0])
            out.add(para, m.start("a"), "project_actual", m.group("a"), UNIT_WAN, item=name, qualifier=notes[1])
            out.add(para, m.start("r"), "project_rate", m.group("r"), UNIT_PCT, item=name)
    scan_unit_overall(para, out)
    scan_score(para, out)


# 整体绩效自评, 执行率情况: "2022 年单位整体预算收入 1115.75 万元，决算支出 1035.08 万元，整体
# 完成年初预算的 92.77%。单位整体共申报项目 10 个，项目预算资金 149.1 万元，项目实际支出 145.98
# 万元，执行率 97.91%。" (004; 000 prints 预算调整后收入 … 元 and no overall rate).
_OVERALL_SCOPE = {"单位": "本级", "部门": "部门"}
_OVERALL_BUDGET = re.compile(
    rf"(?P<scope>单位|部门)整体(?:年初)?预算(?:调整后)?(?:收入|数)?(?:总额)?为?(?P<b>{NUM})(?P<bu>{UNIT}){COMMA}?"
    rf"(?:整体)?(?:决算支出|支出决算)(?:数|总额)?为?(?P<f>{NUM})(?P<fu>{UNIT})"
    rf"(?:{COMMA}?(?:整体)?(?:完成(?:年初|全年|调整后)?预算数?的?|(?:预算)?(?:执行|完成)率为?)(?P<r>{NUM})%)?"
)
_OVERALL_PROJECTS = re.compile(
    rf"(?:(?P<scope>单位|部门)整体)?共?申报项目(?P<n>{NUM})个{COMMA}?"
    rf"项目预算(?:资金|数)?为?(?P<b>{NUM})(?P<bu>{UNIT}){COMMA}?"
    rf"项目(?:实际支出|执行数|支出决算)为?(?P<a>{NUM})(?P<au>{UNIT})"
    rf"(?:{COMMA}?(?:执行率|完成率)为?(?P<r>{NUM})%)?"
)


def scan_unit_overall(para: Paragraph, out: Out) -> None:
    """整体 budget, 决算 and project totals; figures of one paragraph share the scope the
    budget sentence names when the project sentence names none."""
    scope: str | None = None
    for m in _OVERALL_BUDGET.finditer(para.text):
        scope = _OVERALL_SCOPE[m.group("scope")]
        _emit_overall(para, out, m, scope, ("unit_overall_budget", "b", "bu"), ("unit_overall_final", "f", "fu"),
                      "unit_overall_rate")
    for m in _OVERALL_PROJECTS.finditer(para.text):
        own = _OVERALL_SCOPE[m.group("scope")] if m.group("scope") else scope
        if own is None:
            continue  # 申报项目 without 单位整体/部门整体: whose projects is unknown
        out.add(para, m.start("n"), "unit_overall_project_count", m.group("n"), UNIT_COUNT, qualifier=own)
        _emit_overall(para, out, m, own, ("unit_overall_project_budget", "b", "bu"),
                      ("unit_overall_project_actual", "a", "au"), "unit_overall_project_rate")


def _emit_overall(
    para: Paragraph, out: Out, m: re.Match[str], scope: str,
    budget: tuple[str, str, str], final: tuple[str, str, str], rate_metric: str,
) -> None:
    notes = unit_notes(m.group(budget[2]), m.group(final[2]))
    if notes is None:
        out.error(para, m.start(), f"整体 amounts printed in 元, unit unclear: {para.span(m.start())!r}")
        return
    for (metric, group, _), note in zip((budget, final), notes, strict=True):
        qualifier = "; ".join(q for q in (scope, note) if q)
        out.add(para, m.start(group), metric, m.group(group), UNIT_WAN, qualifier=qualifier)
    if m.group("r"):
        out.add(para, m.start("r"), rate_metric, m.group("r"), UNIT_PCT, qualifier=scope)


def scan_score(para: Paragraph, out: Out) -> None:
    for m in _SCORE.finditer(para.text):
        out.add(para, m.start("n"), "self_evaluation_score", m.group("n"), UNIT_SCORE)
