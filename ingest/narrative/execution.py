"""Scanners for 一般公共预算财政拨款支出: structure by 类 and budget execution by subject
(年初/全年预算, 决算, the stated rate and the 大于/小于/持平 wording)."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.narrative.facts import (
    COMMA,
    DIRECTION_SIGN,
    NUM,
    QUALIFIER_OVERALL,
    UNIT,
    UNIT_DIRECTION,
    UNIT_PCT,
    UNIT_WAN,
    Out,
    unit_notes,
)
from ingest.narrative.paragraphs import Paragraph
from ingest.narrative.resolver import SubjectResolver, UnresolvedSubject

# A subject name: no punctuation or digits, but bracketed words that are not the level
# marker are part of it (政府办公厅（室）及相关机构事务).
_SUBJECT_NAME = r"(?:[^（）()。；;:：,，、\s\d%.]|[（(](?![类款项][）)])[^（）()。；\d]{1,12}[）)])+?"
# "社会保障和就业（类）支出 221.9 万元，占 …" and the 2024 template's "一般公共服务支出（类）
# 264.87 万元，占 86.05%"; a bare 类 (no brackets) needs its 支出 to be a level marker.
_CLASS_SHARE = re.compile(
    rf"(?P<name>[^（）()。；;:：,，、\s\d%.]+)(?:[（(]类[）)](?:支出)?|类支出)(?P<amt>{NUM})万元{COMMA}?占比?(?P<pct>{NUM})%"
)
_PATH = re.compile(
    rf"(?P<c>{_SUBJECT_NAME})[（(]类[）)]"
    rf"(?:(?P<s>{_SUBJECT_NAME})[（(]款[）)])?"
    rf"(?:(?P<i>{_SUBJECT_NAME})[（(]项[）)])?"
)
# "年初预算为 B 万元，支出决算为 F 万元，完成年初预算的 C%"; 2024 Shanghai reports print 全年预算
# instead (the rate then says 完成全年预算数的), some with the 年初预算 first ("年初预算为 0 万元，
# 全年预算为 321.02 万元，支出决算为 …"): the budget is the one printed beside 支出决算. Many
# items state no rate at all, and one report puts a 。 before 完成.
_EXECUTION = re.compile(
    rf"(?:年初预算数?为?(?P<b0>{NUM})(?P<b0u>{UNIT}){COMMA}?(?=全年预算))?"
    rf"(?P<basis>年初|全年)预算数?为?(?P<b>{NUM})(?P<bu>{UNIT}){COMMA}?"
    rf"(?:支出)?决算数?为?(?P<f>{NUM})(?P<fu>{UNIT})"
    rf"(?:[,，。；;]?完成(?:年初|全年)预算数?的?(?P<r>{NUM})%)?"
)
_BASIS_FULL_YEAR = "budget printed as 全年预算"
_DIRECTION_WORD = "大于|小于|少于|低于|高于|超过|持平|等于"
# "决算数小于（全年/年初）预算数" or "决算数与/同（全年/年初）预算数持平"; the template's
# "大于（小于）" names no direction and does not match.
_DIRECTION = re.compile(
    rf"决算数?(?:(?P<dir>{_DIRECTION_WORD})(?:年初|全年)?预算数?"
    rf"|(?:与|同|和)(?:年初|全年)?预算数?(?P<dir_eq>持平|相等|一致))"
)
_OVERALL_TAIL = re.compile(r"财政拨款支出$")


def scan_class_shares(para: Paragraph, resolver: SubjectResolver, out: Out) -> None:
    if "类" not in para.text:  # the pattern's leading name run is tried at every position: slow where it cannot match
        return
    for m in _CLASS_SHARE.finditer(para.text, para.body):
        try:
            subject = resolver.resolve(m.group("name"))
        except UnresolvedSubject as exc:
            out.error(para, m.start("name"), f"class expenditure: {exc}; span {para.span(m.start())!r}")
            continue
        extra = {"subject_name": m.group("name"), "subject_code": subject.code, "subject_level": subject.level}
        out.add(para, m.start("amt"), "class_expenditure", m.group("amt"), UNIT_WAN, **extra)
        out.add(para, m.start("pct"), "class_expenditure_share", m.group("pct"), UNIT_PCT, **extra)


def scan_execution(para: Paragraph, resolver: SubjectResolver, out: Out) -> None:
    matches = list(_EXECUTION.finditer(para.text, para.body))
    segment_start = para.body
    for k, m in enumerate(matches):
        next_start = matches[k + 1].start() if k + 1 < len(matches) else len(para.text)
        extra = _execution_subject(para, segment_start, m, resolver, out)
        segment_start = m.end()
        if extra is not None and _emit_execution(para, m, extra, out):
            _emit_direction(para, m.end(), next_start, extra, out)


def _qualifier(*parts: str | None) -> str | None:
    return "; ".join(q for q in parts if q) or None


def _emit_execution(para: Paragraph, m: re.Match[str], extra: dict[str, str | None], out: Out) -> bool:
    """Budget, final and (when printed) rate of one execution sentence; False when the amounts
    are all in 元 (the unit is unclear, reported as a problem)."""
    overall = QUALIFIER_OVERALL if extra.get("subject_code") is None else None
    initial = (m.group("b0u"),) if m.group("b0") else ()
    notes = unit_notes(m.group("bu"), m.group("fu"), *initial)
    if notes is None:
        out.error(para, m.start(), f"budget execution amounts printed in 元, unit unclear: {para.span(m.start())!r}")
        return False
    # the overall 决算's qualifier stays exactly "overall": the narrative-vs-table check keys on it
    basis = _BASIS_FULL_YEAR if m.group("basis") == "全年" else None
    out.add(para, m.start("b"), "budget", m.group("b"), UNIT_WAN, qualifier=_qualifier(overall, basis, notes[0]), **extra)
    out.add(para, m.start("f"), "final", m.group("f"), UNIT_WAN, qualifier=_qualifier(overall, notes[1]), **extra)
    if m.group("b0"):
        out.add(para, m.start("b0"), "budget_initial", m.group("b0"), UNIT_WAN,
                qualifier=_qualifier(overall, notes[2]), **extra)
    if m.group("r"):
        out.add(para, m.start("r"), "stated_rate", m.group("r"), UNIT_PCT, qualifier=overall, **extra)
    return True


def _emit_direction(para: Paragraph, start: int, end: int, extra: dict[str, str | None], out: Out) -> None:
    d = _DIRECTION.search(para.text, start, end)
    if d:
        group = "dir" if d.group("dir") else "dir_eq"
        word = d.group(group)
        out.add(para, d.start(group), "direction", Decimal(DIRECTION_SIGN[word]), UNIT_DIRECTION,
                qualifier=word, **extra)


def _execution_subject(
    para: Paragraph, start: int, m: re.Match[str], resolver: SubjectResolver, out: Out
) -> dict[str, str | None] | None:
    """Subject fields for one execution sentence: the last path narrated before it, or the
    whole general public budget when the figures follow 一般公共预算财政拨款支出."""
    paths = list(_PATH.finditer(para.text, start, m.start()))
    if paths:
        path = paths[-1]
        try:
            subject = resolver.resolve(path.group("c"), path.group("s"), path.group("i"))
        except UnresolvedSubject as exc:
            out.error(para, path.start(), f"budget execution: {exc}; span {para.span(path.start())!r}")
            return None
        narrated = path.group("i") or path.group("s") or path.group("c")
        return {"subject_name": narrated, "subject_code": subject.code, "subject_level": subject.level}
    if _OVERALL_TAIL.search(para.text, start, m.start()):
        return {"subject_name": "一般公共预算财政拨款支出"}
    out.error(para, m.start(), f"budget execution figures without a narrated subject: {para.span(m.start())!r}")
    return None
