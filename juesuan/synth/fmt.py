"""How the generator prints amounts, rates, years and the report's scope word."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from juesuan.synth.model import Report


def wan(c: int) -> str:
    """分 → '365.17' (fixed two decimals)."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def trim(c: int) -> str:
    """分 → '30', '5.5', '13.2' (as most narratives print amounts)."""
    s = wan(c)
    return s.rstrip("0").rstrip(".") if "." in s else s


def pct(num: int, den: int, places: int) -> str:
    """num / den × 100 rounded half-up at ``places`` decimals."""
    if den == 0:
        return "0"
    q = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return str(q)


def sp(r: Report) -> str:
    return " " if r.style["spaced"] else ""


def yr(r: Report, year: int | None = None) -> str:
    y = r.year if year is None else year
    return f"{y} 年度" if r.style["spaced"] else f"{y}年度"


def scope_word(r: Report) -> str:
    return "单位" if r.unit.own_level or r.unit.kind == "单位" else "部门"
