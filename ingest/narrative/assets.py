"""Scanners for 国有资产占有使用情况: vehicles and equipment over 100 万元."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.narrative.facts import NUM, UNIT_COUNT, Out
from ingest.narrative.paragraphs import Paragraph

_VEHICLES_TOTAL = re.compile(rf"共有车辆(?P<n>{NUM})辆")
_NO_VEHICLES = re.compile(r"无公务用车")
_EQUIPMENT = re.compile(
    rf"单位价值100万元(?:[（(]含[）)])?以上(?:专用)?设备(?:[（(]不含车辆[）)])?(?P<n>{NUM})台"
)
_NO_EQUIPMENT = re.compile(r"无(?:单价|单位价值)100万元(?:[（(]含[）)])?以上(?:专用)?设备")


def scan_assets(para: Paragraph, out: Out) -> None:
    for m in _VEHICLES_TOTAL.finditer(para.text):
        out.add(para, m.start("n"), "vehicles_total", m.group("n"), UNIT_COUNT)
    for m in _NO_VEHICLES.finditer(para.text):
        out.add(para, m.start(), "vehicles_total", Decimal(0), UNIT_COUNT, qualifier=m.group())
    for m in _EQUIPMENT.finditer(para.text):
        out.add(para, m.start("n"), "equipment_over_1m", m.group("n"), UNIT_COUNT)
    for m in _NO_EQUIPMENT.finditer(para.text):
        out.add(para, m.start(), "equipment_over_1m", Decimal(0), UNIT_COUNT, qualifier=m.group())
