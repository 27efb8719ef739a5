"""The Chinese message of a finding, from its audit.checks row (DESIGN §3).

A rule without figures words its own message in SQL (``message``: set exactly when the check
fails). A figure rule gives what and where each figure is (models/audit/checks.sql:
actual_place / source_line / actual_label, expected_place / expected_lines / expected_label,
unit, detail); the message names both figures with their table (表NN《title》, or 情况说明) and
line, the difference and what the rule allows:

    表01《收入支出决算总表》第 127 行「本年收入合计」365.27 万元；表01《收入支出决算总表》第 101–126 行
    各项收入之和 365.07 万元；差额 0.20 万元（容差 0.05 万元）
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def _value(row: dict[str, Any], key: str) -> Any:
    """A field of the row, None when absent or missing (NaN from pandas)."""
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _text(row: dict[str, Any], key: str) -> str:
    value = _value(row, key)
    return str(value) if value is not None else ""


def _line_text(lines: Any) -> str:
    if lines is None:
        return ""
    if isinstance(lines, float):
        lines = int(lines)
    return f"第 {lines} 行"


def _amount(value: Any, unit: str, *, as_printed: bool = False) -> str:
    """2 decimals for 万元 and recomputed rates; a stated rate as printed (114%, 97.2%)."""
    if value is None:
        return "—"
    if unit == "%":
        if as_printed:
            text = format(Decimal(str(round(float(value), 4))).normalize(), "f")
            return f"{text}%"
        return f"{float(value):.2f}%"
    return f"{float(value):.2f} {unit}"


def figure_message(row: dict[str, Any]) -> str:
    """The message of a finding of a figure rule: both figures, where they are printed, the gap."""
    unit = _text(row, "unit") or "万元"
    actual, expected = _value(row, "actual"), _value(row, "expected")
    place = _text(row, "actual_place") + _line_text(_value(row, "source_line"))
    other = _text(row, "expected_place") + _line_text(_value(row, "expected_lines"))
    parts = [
        f"{place}{_text(row, 'actual_label') or '列示数'} {_amount(actual, unit, as_printed=unit == '%')}",
        f"{other}{_text(row, 'expected_label') or '对照数'} {_amount(expected, unit)}",
    ]
    difference = _value(row, "difference")
    if difference is None and actual is not None and expected is not None:
        difference = float(actual) - float(expected)
    if difference is not None:
        gap = f"差额 {float(difference):.2f} {'个百分点' if unit == '%' else unit}"
        tolerance = _value(row, "tolerance")
        if _value(row, "upper_bound") is None and _value(row, "lower_bound") is None and tolerance is not None:
            gap += f"（容差 {float(tolerance):.3g} {unit}）" if unit != "%" else ""
        parts.append(gap)
    if _text(row, "detail"):
        parts.append(_text(row, "detail"))
    return "；".join(parts)


def finding_message(row: dict[str, Any]) -> str:
    """The rule's own sentence when it has one (rules without figures), else the figures'."""
    return _text(row, "message") or figure_message(row)
