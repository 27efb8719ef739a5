"""Scanners for the 三公 paragraph: budget, 决算, rate, wording and change per item, vehicles."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.narrative.facts import (
    COMMA,
    DIRECTION_SIGN,
    NUM,
    UNIT_COUNT,
    UNIT_DIRECTION,
    UNIT_PCT,
    UNIT_WAN,
    Out,
)
from ingest.narrative.paragraphs import Paragraph
from ingest.text import parse_amount

_THREE_PUBLIC_ITEM = re.compile(
    r"(?P<total>[“\"”]?三公[”\"“]?经费(?:财政拨款)?支出)"
    r"|(?P<vehicle>公务用车购置及运行(?:维护)?费(?:支出)?)"
    r"|(?P<vehicle_purchase>公务用车购置费(?:支出)?)"
    r"|(?P<vehicle_operation>公务用车运行(?:维护)?费(?:支出)?)"
    r"|(?P<abroad>因公出国[（(]境[）)]费(?:支出)?)"
    r"|(?P<reception>公务接待费(?:支出)?)"
)
# Figures right after an item label: "[全年]预算为 B 万元，支出决算为 F 万元，完成[全年]预算的 R%"
# or just "F 万元，完成全年预算的 R%".
_THREE_PUBLIC_FIGURES = re.compile(
    rf"(?:(?:全年)?预算数?为(?P<b>{NUM})万元{COMMA}?)?(?:支出)?(?:决算数?为)?(?P<f>{NUM})万元"
    rf"(?:{COMMA}?完成(?:全年)?预算的?(?P<r>{NUM})%)?"
)
_THREE_PUBLIC_DIRECTION = re.compile(r"决算数(?P<dir>大于|小于|少于|低于|高于|超过|持平|等于)(?:全年)?预算数")
# "较上年增加 3.21 万元，增长 501.6%"; the template's "增加（减少）0 万元" keeps both words.
_CHANGE_WORD = r"增加[（(]减少[）)]|减少|增加"
_THREE_PUBLIC_CHANGE = re.compile(
    rf"较上年(?:决算数?)?(?:(?P<cdir>{_CHANGE_WORD})(?P<camt>{NUM})万元"
    rf"(?:{COMMA}(?P<pdir>增长[（(]下降[）)]|增长|下降)(?P<cpct>{NUM})%)?|(?P<flat>持平))"
)
_THREE_PUBLIC_NONE = re.compile(r"无[“\"”]?三公[”\"“]?经费预算和支出")
_VEHICLES_PURCHASED = re.compile(rf"购置[（(]更新[）)]公务用车(?P<n>{NUM})辆")
_VEHICLES_HELD = re.compile(rf"公务用车保有量为?(?P<n>{NUM})辆")


def _change_value(para: Paragraph, word: str, amount: str, out: Out, pos: int) -> Decimal | None:
    value = parse_amount(amount)
    if "（" in word or "(" in word:  # template wording with both signs
        if value != 0:
            out.error(para, pos, f"change printed as {word!r} with a non-zero amount {amount}: sign unknown")
            return None
        return value
    return -value if word in {"减少", "下降"} else value


def scan_three_public(para: Paragraph, out: Out) -> None:
    labels = list(_THREE_PUBLIC_ITEM.finditer(para.text))
    for k, label in enumerate(labels):
        item = label.lastgroup or "total"
        seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(para.text)
        fig = _THREE_PUBLIC_FIGURES.match(para.text, label.end(), seg_end)
        if fig:
            if fig.group("b"):
                out.add(para, fig.start("b"), "three_public_budget", fig.group("b"), UNIT_WAN, item=item)
            out.add(para, fig.start("f"), "three_public_final", fig.group("f"), UNIT_WAN, item=item)
            if fig.group("r"):
                out.add(para, fig.start("r"), "three_public_rate", fig.group("r"), UNIT_PCT, item=item)
        start = fig.end() if fig else label.end()
        d = _THREE_PUBLIC_DIRECTION.search(para.text, start, seg_end)
        if d and fig:
            word = d.group("dir")
            out.add(para, d.start("dir"), "three_public_direction", Decimal(DIRECTION_SIGN[word]),
                    UNIT_DIRECTION, qualifier=word, item=item)
        c = _THREE_PUBLIC_CHANGE.search(para.text, start, seg_end)
        if c and fig:
            if c.group("flat"):
                out.add(para, c.start("flat"), "three_public_change", Decimal(0), UNIT_WAN, qualifier="持平", item=item)
            else:
                value = _change_value(para, c.group("cdir"), c.group("camt"), out, c.start("camt"))
                if value is not None:
                    out.add(para, c.start("camt"), "three_public_change", value, UNIT_WAN,
                            qualifier=c.group("cdir"), item=item)
                if c.group("cpct"):
                    pct = _change_value(para, c.group("pdir"), c.group("cpct"), out, c.start("cpct"))
                    if pct is not None:
                        out.add(para, c.start("cpct"), "three_public_change_pct", pct, UNIT_PCT,
                                qualifier=c.group("pdir"), item=item)
    for m in _THREE_PUBLIC_NONE.finditer(para.text):
        for metric in ("three_public_budget", "three_public_final"):
            out.add(para, m.start(), metric, Decimal(0), UNIT_WAN, qualifier=m.group(), item="total")
    for m in _VEHICLES_PURCHASED.finditer(para.text):
        out.add(para, m.start("n"), "vehicles_purchased", m.group("n"), UNIT_COUNT, item="vehicle_purchase")
    for m in _VEHICLES_HELD.finditer(para.text):
        out.add(para, m.start("n"), "vehicles_held", m.group("n"), UNIT_COUNT, item="vehicle_operation")
