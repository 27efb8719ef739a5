"""Server-side SVG charts for the audit site: plain inline ``<svg>``, no JavaScript, no assets.

Each function returns SVG markup (already escaped) sized by its ``viewBox`` so it scales with
the page. Labels are Chinese: the text inherits the page's CJK font stack. An empty input
gives an empty string, so a template can skip the chart.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

SEVERITY_COLORS = {"error": "#c62828", "warning": "#e08a00", "info": "#4f7fbf"}
FONT_SIZE = 12
ROW_H = 22
WIDTH = 640


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Approximate rendered width: CJK characters are one em wide, others about 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _clip(text: str, max_width: float) -> str:
    if text_width(text) <= max_width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…") > max_width:
            break
        out += ch
    return out + "…"


def fmt_amount(value: float | Decimal | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,f}"


def fmt_pct(value: float | Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(str(value)).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_e(label)}" '
            f'preserveAspectRatio="xMinYMin meet"><title>{_e(label)}</title>' + "".join(body) + "</svg>")


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for label, color in items:
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{x + 14:.1f}" y="{y:.1f}">{_e(label)}</text>')
        x += 14 + text_width(label) + 16
    return out


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str


def stacked_bars(rows: Sequence[tuple[str, dict[str, float]]], series: Sequence[Series], label: str,
                 unit: str = "", value_fmt=None, links: Sequence[str | None] | None = None) -> str:
    """Horizontal bars, one per row, stacked by series; the row total is printed after the bar."""
    rows = [(name, values) for name, values in rows if sum(values.get(s.key, 0) or 0 for s in series) > 0]
    if not rows:
        return ""
    value_fmt = value_fmt or (lambda v: f"{v:g}")
    label_w = min(220.0, max(text_width(name) for name, _ in rows) + 8)
    legend_h = 22 if len(series) > 1 else 4
    total_w = 96.0
    plot_w = WIDTH - label_w - total_w
    top = legend_h + 4
    height = top + ROW_H * len(rows) + 6
    vmax = max(sum(values.get(s.key, 0) or 0 for s in series) for _, values in rows)
    body = _legend([(s.label, s.color) for s in series], label_w, 14) if len(series) > 1 else []
    for i, (name, values) in enumerate(rows):
        y = top + i * ROW_H
        row = [f'<text x="{label_w - 6:.1f}" y="{y + 15:.1f}" text-anchor="end">{_e(_clip(name, label_w - 8))}'
               f"</text>"]
        x = label_w
        total = 0.0
        for s in series:
            v = float(values.get(s.key, 0) or 0)
            if v <= 0:
                continue
            w = plot_w * v / vmax
            row.append(f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{max(w, 1):.1f}" height="{ROW_H - 8}" '
                       f'fill="{s.color}"><title>{_e(name)} · {_e(s.label)}：{_e(value_fmt(v))}{_e(unit)}</title>'
                       f"</rect>")
            x += w
            total += v
        row.append(f'<text x="{x + 5:.1f}" y="{y + 15:.1f}" class="val">{_e(value_fmt(total))}{_e(unit)}</text>')
        link = links[i] if links else None
        body.append(f'<a href="{_e(link)}">{"".join(row)}</a>' if link else "".join(row))
    return _svg(WIDTH, height, label, body)


def share_bar(parts: Sequence[tuple[str, float, str]], label: str, unit: str = "万元") -> str:
    """One 100 % bar split into parts (name, value, colour), each labelled with amount and share."""
    parts = [(n, float(v), c) for n, v, c in parts if v is not None and float(v) > 0]
    total = sum(v for _, v, _ in parts)
    if not parts or total <= 0:
        return ""
    height = 74
    body: list[str] = []
    x = 0.0
    for i, (name, v, color) in enumerate(parts):
        w = WIDTH * v / total
        share = 100 * v / total
        body.append(f'<rect x="{x:.1f}" y="6" width="{w:.1f}" height="26" fill="{color}">'
                    f"<title>{_e(name)}：{fmt_amount(v)} {unit}（{share:.1f}%）</title></rect>")
        anchor, tx = ("start", 2.0) if i == 0 else ("end", WIDTH - 2.0) if i == len(parts) - 1 else \
            ("middle", x + w / 2)
        body.append(f'<text x="{tx:.1f}" y="52" text-anchor="{anchor}">{_e(name)}</text>'
                    f'<text x="{tx:.1f}" y="68" text-anchor="{anchor}" class="val">{fmt_amount(v)} {unit}'
                    f"（{share:.1f}%）</text>")
        x += w
    return _svg(WIDTH, height, label, body)


@dataclass(frozen=True)
class RateRow:
    label: str
    stated: float | None
    recomputed: float | None
    flagged: bool  # a finding says the stated rate does not fit the amounts


def rate_dots(rows: Sequence[RateRow], label: str, width: float = 1000) -> str:
    """Stated (hollow) and recomputed (filled) completion rates per row against a 100 % line.

    Rows without a recomputed rate (年初预算 0, amounts not printed) are left out: there is
    nothing to compare; their findings say so."""
    rows = [r for r in rows if r.stated is not None and r.recomputed is not None]
    if not rows:
        return ""
    values = [v for r in rows for v in (r.stated, r.recomputed) if v is not None] + [100.0]
    lo = max(0.0, (min(values) // 10) * 10 - 5)
    hi = (max(values) // 10) * 10 + 15
    label_w = min(220.0, max(text_width(r.label) for r in rows) + 8)
    value_w = 170.0
    plot_w = width - label_w - value_w - 10
    top = 30
    height = top + ROW_H * len(rows) + 24

    def px(v: float) -> float:
        return label_w + plot_w * (v - lo) / (hi - lo)

    body = _legend([("列示完成率", "#ffffff"), ("按金额复核", "#37474f")], label_w, 14)
    body[0] = body[0].replace('fill="#ffffff"', 'fill="#ffffff" stroke="#37474f"')
    x100 = px(100.0)
    axis_y = top + ROW_H * len(rows)
    body.append(f'<line x1="{x100:.1f}" y1="{top - 4}" x2="{x100:.1f}" y2="{axis_y:.1f}" class="ref"/>'
                f'<text x="{x100:.1f}" y="{axis_y + 16:.1f}" text-anchor="middle" class="axis">100%</text>')
    step = next(s for s in (5, 10, 20, 50, 100, 200, 500) if plot_w * s / (hi - lo) >= 48)
    for tick in range(int(lo // step + 1) * step, int(hi), step):
        if abs(px(tick) - x100) >= 40:
            body.append(f'<text x="{px(tick):.1f}" y="{axis_y + 16:.1f}" text-anchor="middle" class="axis">'
                        f"{tick}%</text>")
    for i, r in enumerate(rows):
        y = top + i * ROW_H + ROW_H / 2
        color = SEVERITY_COLORS["error"] if r.flagged else "#37474f"
        cls = ' class="flagged"' if r.flagged else ""
        parts = [f'<text x="{label_w - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">'
                 f"{_e(_clip(r.label, label_w - 8))}</text>"]
        if r.stated is not None and r.recomputed is not None:
            parts.append(f'<line x1="{px(r.stated):.1f}" y1="{y:.1f}" x2="{px(r.recomputed):.1f}" y2="{y:.1f}" '
                         f'stroke="{color}" stroke-width="2"/>')
        if r.recomputed is not None:
            parts.append(f'<circle cx="{px(r.recomputed):.1f}" cy="{y:.1f}" r="5" fill="{color}">'
                         f"<title>按金额复核 {fmt_pct(r.recomputed)}</title></circle>")
        if r.stated is not None:
            parts.append(f'<circle cx="{px(r.stated):.1f}" cy="{y:.1f}" r="5" fill="#fff" stroke="{color}" '
                         f'stroke-width="2"><title>列示 {fmt_pct(r.stated)}</title></circle>')
        parts.append(f'<text x="{width - value_w:.1f}" y="{y + 4:.1f}" class="val" fill="{color}">'
                     f"列示 {fmt_pct(r.stated)} · 复核 {fmt_pct(r.recomputed)}</text>")
        body.append(f"<g{cls}>{''.join(parts)}</g>")
    return _svg(width, height, label, body)


def year_bars(years: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]], label: str,
              unit: str = "万元", width: float = 1000) -> str:
    """Grouped vertical bars: one group per year label, one bar per series (label, colour, values)."""
    if len(years) < 2 or not any(v for _, _, values in series for v in values if v):
        return ""
    height = 230
    top, bottom = 30, 40
    plot_h = height - top - bottom
    vmax = max(float(v) for _, _, values in series for v in values if v is not None)
    group_w = (width - 20) / len(years)
    bar_w = min(56.0, (group_w - 24) / len(series))
    body = _legend([(s, c) for s, c, _ in series], 10, 14)
    base_y = top + plot_h
    body.append(f'<line x1="10" y1="{base_y}" x2="{width - 10}" y2="{base_y}" class="ref-solid"/>')
    for g, year in enumerate(years):
        gx = 10 + g * group_w + (group_w - bar_w * len(series)) / 2
        for k, (name, color, values) in enumerate(series):
            v = values[g]
            if v is None:
                continue
            h = plot_h * float(v) / vmax
            x = gx + k * bar_w
            body.append(f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                        f'fill="{color}"><title>{_e(year)} {_e(name)}：{fmt_amount(v)} {unit}</title></rect>'
                        f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{base_y - h - 4:.1f}" text-anchor="middle" '
                        f'class="val small">{fmt_amount(v)}</text>')
        body.append(f'<text x="{10 + g * group_w + group_w / 2:.1f}" y="{base_y + 18:.1f}" '
                    f'text-anchor="middle">{_e(year)}</text>')
    return _svg(width, height, label, body)
