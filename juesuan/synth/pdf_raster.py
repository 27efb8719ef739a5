"""Image pages (PIL): the table drawn as pixels. No CJK font is assumed on the machine, so Chinese
characters are drawn as grey glyph blocks (a page of a scan as a parser sees it: no text);
digits and ASCII use Pillow's built-in font, so the bytes do not depend on installed fonts."""

from __future__ import annotations

from functools import lru_cache

from juesuan.synth.pdf_grid import FS, Grid

RASTER_SCALE = 1.25  # pixels per point (90 dpi)


@lru_cache(maxsize=8)
def _pil_font(px: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _draw_text(draw, x: float, y: float, text: str, px: int) -> None:
    """``text`` at (x, y) top-left; CJK characters as glyph blocks."""
    font = _pil_font(px)
    k = 0
    while k < len(text):
        ch = text[k]
        if ord(ch) < 0x2000:
            j = k
            while j < len(text) and ord(text[j]) < 0x2000:
                j += 1
            run = text[k:j]
            draw.text((x, y), run, fill=0, font=font)
            x += font.getlength(run)
            k = j
        else:
            m = max(1, px // 8)
            draw.rectangle((x + m, y + m, x + px - m, y + px - m), fill=110)
            x += px
            k += 1


def _text_px(text: str, px: int) -> float:
    font = _pil_font(px)
    w = 0.0
    for ch in text:
        w += font.getlength(ch) if ord(ch) < 0x2000 else px
    return w


def _wrap_px(text: str, width: float, px: int) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for ch in part:
            if line and _text_px(line + ch, px) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def raster_table(g: Grid, width_pt: float, height_pt: float):
    """The table page (title, 单位：万元, ruled grid, notes) as a greyscale PIL image."""
    from PIL import Image, ImageDraw

    s = RASTER_SCALE
    wpx, hpx = int(width_pt * s), int(height_pt * s)
    img = Image.new("L", (wpx, hpx), 255)
    draw = ImageDraw.Draw(img)
    px = max(8, int(FS * s))
    title_px = int(11 * s)
    _draw_text(draw, (wpx - _text_px(g.title, title_px)) / 2, 0, g.title, title_px)
    y0 = title_px * 2
    _draw_text(draw, wpx - _text_px("单位：万元", px), y0, "单位：万元", px)
    y0 += px * 1.6
    cols = [w * s for w in g.widths]
    xs = [0.0]
    for w in cols:
        xs.append(xs[-1] + w)
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    origin: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for c0, r0, c1, r1 in g.spans:
        origin[(c0, r0)] = (c0, r0, c1, r1)
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                if (cc, rr) != (c0, r0):
                    covered[(cc, rr)] = (c0, r0, c1, r1)
    line_h = px + 3
    heights = []
    for r, row in enumerate(g.rows):
        n = 1
        for c, text in enumerate(row):
            if text and (c, r) not in covered and (c, r) not in origin:
                n = max(n, len(_wrap_px(text, cols[c] - 6, px)))
            elif text and (c, r) in origin and origin[(c, r)][3] == r:
                c0, _, c1, _ = origin[(c, r)]
                n = max(n, len(_wrap_px(text, xs[c1 + 1] - xs[c0] - 6, px)))
        heights.append(n * line_h + 8)
    notes_h = len(g.notes) * (px + 6) + 6
    avail = hpx - y0 - notes_h - 2
    if sum(heights) > avail:  # squeeze rows to fit one page
        f = avail / sum(heights)
        heights = [h * f for h in heights]
    ys = [y0]
    for h in heights:
        ys.append(ys[-1] + h)
    for r, row in enumerate(g.rows):
        for c, text in enumerate(row):
            if (c, r) in covered:
                continue
            c0, r0, c1, r1 = origin.get((c, r), (c, r, c, r))
            x_a, x_b, y_a, y_b = xs[c0], xs[c1 + 1], ys[r0], ys[r1 + 1]
            draw.rectangle((x_a, y_a, x_b, y_b), outline=0, width=1)
            if not text:
                continue
            lines = _wrap_px(text, x_b - x_a - 6, px)
            block = len(lines) * line_h
            ty = (y_a + y_b - block) / 2
            for line in lines:
                lw = _text_px(line, px)
                if r < g.header_rows or (c, r) in g.centered:
                    tx = (x_a + x_b - lw) / 2
                elif c in g.num_cols:
                    tx = x_b - lw - 6
                else:
                    tx = x_a + 3
                _draw_text(draw, tx, ty, line, px)
                ty += line_h
    y = ys[-1] + 6
    for note in g.notes:
        _draw_text(draw, 0, y, note[: int(wpx / px)], px)
        y += px + 6
    return img
