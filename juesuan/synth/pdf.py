"""Synthetic reports as PDF in the 2024 national template (`juesuan synth --format pdf`).

``render_pdf(report, tables, narrative, rng, options=…)`` draws one report of ``juesuan.synth``
the way the 2024 national template (附件2：部门决算模板) lays it out: a cover page, 第一部分 概况,
the nine tables each on its own page(s) — title line and ``单位：万元`` above a fully ruled
table whose header rows and merged header cells copy the template, portrait or landscape as
there — then 第三部分 情况说明 as flowing paragraphs, 名词解释 and 附件. Everything is drawn
with reportlab and its built-in CID font ``STSong-Light`` (no font file, not embedded).

The printed figures are exactly the ``Tables`` values (``None`` = a cell left blank) and the
narrative is ``synth.narrative_paragraphs``, so the labels of injected errors hold unchanged.

Variants (``PdfOptions``, drawn per document by ``draw_options`` from the seed, each one
forcible by keyword): codes in one column or split over 类 | 款 | 项; thousands separators;
blank cells vs printed ``0.00``; 合计 on top or at the bottom; 24 or 26 expenditure lines in
the summary tables; numbers centred or right-aligned with padding; a table continued on the
next page without title or header (long tables do so by themselves); tables drawn as raster
images (that page has no text layer). A report of the narrative-only layout has all its
tables as images — the PDF counterpart of samples 000/004, whose tables were images.

The variants and the tables' cells are ``pdf_grid``; image pages are ``pdf_raster``; this
module lays the pages out with reportlab.
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from juesuan.synth.fmt import scope_word, yr
from juesuan.synth.model import Report
from juesuan.synth.narrative import Narrative, narrative_paragraphs
from juesuan.synth.pdf_grid import (
    FS,
    OPTION_FIELDS,
    TABLE_ORDER,
    TITLES,
    Grid,
    PdfOptions,
    build_grids,
    draw_options,
)
from juesuan.synth.pdf_raster import raster_table
from juesuan.synth.tables import Tables

__all__ = ["OPTION_FIELDS", "TABLE_ORDER", "TITLES", "PdfOptions", "draw_options", "render_pdf"]

FONT = "STSong-Light"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


# ----------------------------------------------------------------------------------------------
# reportlab


PAD = 3.0
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=11, leading=16, alignment=TA_CENTER)
_PART = ParagraphStyle("part", fontName=FONT, fontSize=14, leading=22, alignment=TA_CENTER, spaceAfter=6)
_UNIT = ParagraphStyle("unit", fontName=FONT, fontSize=FS, leading=12, alignment=2)  # right
_NOTE = ParagraphStyle("note", fontName=FONT, fontSize=FS, leading=12, alignment=TA_LEFT, wordWrap="CJK")
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=FS, leading=FS + 1.5, alignment=TA_LEFT, wordWrap="CJK")
_COVER = ParagraphStyle("cover", fontName=FONT, fontSize=24, leading=44, alignment=TA_CENTER)
_HEAD = ParagraphStyle("head", fontName=FONT, fontSize=12.5, leading=24, alignment=TA_LEFT, spaceBefore=4)
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, alignment=TA_JUSTIFY, firstLineIndent=24,
                       wordWrap="CJK")
_CHAPTER = ParagraphStyle("chapter", fontName=FONT, fontSize=15, leading=26, alignment=TA_CENTER, spaceAfter=10)


@lru_cache(maxsize=4096)
def _width(text: str) -> float:
    return pdfmetrics.stringWidth(text, FONT, FS)


def _rl_table(g: Grid, o: PdfOptions, start: int, end: int) -> Table:
    """Rows ``start:end`` of the grid as a ruled reportlab table."""
    data: list[list[object]] = []
    nh = g.header_rows
    for r in range(start, end):
        row: list[object] = list(g.rows[r])
        if r >= nh:
            for c in g.wrap_cols:
                text = row[c]
                if isinstance(text, str) and text and _width(text) > g.widths[c] - 2 * PAD:
                    row[c] = Paragraph(text, _CELL)
        data.append(row)
    top, bottom = (1.2, 1.8) if g.compact else (PAD + 1, PAD + 1.5)
    style: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), FONT, FS, FS + 1.5),
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
    ]
    first_body = max(nh - start, 0)
    if start < nh:
        style.append(("ALIGN", (0, 0), (-1, first_body - 1), "CENTER"))
    if first_body < end - start:
        for c in g.num_cols:
            if o.num_align == "right":
                style += [("ALIGN", (c, first_body), (c, -1), "RIGHT"),
                          ("RIGHTPADDING", (c, first_body), (c, -1), o.num_padding)]
            else:
                style.append(("ALIGN", (c, first_body), (c, -1), "CENTER"))
    for c0, r0, c1, r1 in g.spans:
        if start <= r0 and r1 < end:
            style.append(("SPAN", (c0, r0 - start), (c1, r1 - start)))
    for c, r in g.centered:
        if start <= r < end:
            style.append(("ALIGN", (c, r - start), (c, r - start), "CENTER"))
    return Table(data, colWidths=g.widths, style=TableStyle(style), repeatRows=0)


class _Raster(Flowable):
    """A PIL image filling the frame: the page has an image and no text."""

    def __init__(self, image, width: float, height: float) -> None:
        super().__init__()
        self.image, self.w, self.h = image, width, height

    def wrap(self, aw, ah):
        return self.w, self.h

    def draw(self) -> None:
        from reportlab.lib.utils import ImageReader

        self.canv.drawImage(ImageReader(self.image), 0, 0, self.w, self.h)


def _table_flowables(g: Grid, o: PdfOptions, first: bool, heading: str) -> list:
    story: list = [NextPageTemplate("landscape" if g.landscape else "portrait"), PageBreak()]
    frame_w, frame_h = (_LAND_FRAME if g.landscape else _PORT_FRAME)
    if g.key in o.image_tables:
        story.append(_Raster(raster_table(g, frame_w, frame_h - 1), frame_w, frame_h - 1))
        return story
    if first:
        story.append(Paragraph(heading, _PART))
    story += [Paragraph(g.title, _TITLE), Paragraph("单位：万元", _UNIT)]
    nh, n = g.header_rows, len(g.rows)
    body = n - nh
    if g.key in o.continued and body >= 2:
        cut = nh + body // 2
        story += [_rl_table(g, o, 0, cut), PageBreak(), _rl_table(g, o, cut, n)]
    else:
        story.append(_rl_table(g, o, 0, n))
    story += [Paragraph(note, _NOTE) for note in g.notes]
    return story


_PORT_MARGINS = (50, 50, 56, 56)  # left, right, top, bottom
_LAND_MARGINS = (40, 40, 48, 40)
_PORT_FRAME = (A4[0] - 100, A4[1] - 112)
_LAND_FRAME = (A4[1] - 80, A4[0] - 88)


def _doc(buf: io.BytesIO, title: str) -> BaseDocTemplate:
    lw, lh = landscape(A4)
    port = Frame(50, 56, *_PORT_FRAME, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="p")
    land = Frame(40, 40, *_LAND_FRAME, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="l")
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1, title=title, creator="juesuan synth",
                          author="juesuan synth", pageCompression=1)
    doc.addPageTemplates([PageTemplate("portrait", [port], pagesize=A4),
                          PageTemplate("landscape", [land], pagesize=(lw, lh))])
    return doc


def render_pdf(report: Report, tables: Tables, narrative: Narrative, rng: random.Random, *,
               options: PdfOptions | None = None) -> bytes:
    """The report as PDF bytes (deterministic for the same inputs and ``rng`` state).

    Without ``options`` the variants are drawn from ``rng`` first (``draw_options``); ``rng``
    then feeds ``narrative_paragraphs`` exactly as the text renderers do.
    """
    r, u = report, report.unit
    o = options if options is not None else draw_options(rng, report)
    sw = scope_word(r)
    story: list = []
    # cover
    story += [Spacer(1, 190), Paragraph(u.name, _COVER), Paragraph(yr(r), _COVER), Paragraph(f"{sw}决算", _COVER)]
    # 第一部分 概况
    story += [PageBreak(), Paragraph(f"第一部分 {u.name}概况", _CHAPTER), Paragraph(f"一、{sw}主要职责", _HEAD),
              Paragraph(f"{u.name}的主要职能：", _BODY), Paragraph(f"（一）{u.duty}。", _BODY),
              Paragraph("（二）按规定承担全面从严治党、安全生产、保密等主体责任。", _BODY),
              Paragraph("（三）完成上级交办的其他任务。", _BODY), Paragraph("二、机构设置情况", _HEAD)]
    if u.members:
        story.append(Paragraph(f"从单位构成看，{u.name}部门决算由实行独立核算的{u.name}本级决算和 "
                               f"{len(u.members) - 1} 个下属单位决算组成。{u.name} {yr(r)}{sw}决算编制范围包括：", _BODY))
        story += [Paragraph(f"{k}.{m}", _BODY) for k, m in enumerate(u.members, 1)]
    else:
        story.append(Paragraph(f"从单位构成看，{u.short.lstrip('区县市')}{sw}决算由实行独立核算的单位本级决算组成。", _BODY))
    # 第二部分 the nine tables
    heading = f"第二部分 {u.name} {yr(r)}{sw}决算表"
    for k, g in enumerate(build_grids(r, tables, o)):
        story += _table_flowables(g, o, k == 0, heading)
    # 第三部分 情况说明
    story += [NextPageTemplate("portrait"), PageBreak(),
              Paragraph(f"第三部分 {u.name} {yr(r)}{sw}决算情况说明", _CHAPTER)]
    for para in narrative_paragraphs(r, narrative, rng):
        story.append(Paragraph(para[1:], _HEAD) if para.startswith("#") else Paragraph(para, _BODY))
    story += [Paragraph("第四部分 名词解释", _CHAPTER),
              Paragraph("(一)一般公共预算财政拨款收入：指本级财政一般公共预算当年拨付的资金。", _BODY),
              Paragraph("(二)基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。", _BODY),
              Paragraph("(三)项目支出：指在基本支出之外为完成特定行政任务或事业发展目标所发生的支出。", _BODY),
              Paragraph("(四)“三公”经费：指用财政拨款安排的因公出国(境)费、公务用车购置及运行维护费和公务接待费。", _BODY),
              Paragraph("第五部分 附件", _CHAPTER),
              Paragraph(f"{u.name} {r.year} 年度{sw}整体支出绩效自评表（略）", _BODY)]
    buf = io.BytesIO()
    _doc(buf, f"{u.name} {r.year} 年度{sw}决算").build(story)
    return buf.getvalue()
