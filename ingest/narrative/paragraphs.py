"""Where the narrative is, and its paragraphs as one matchable string each.

The narrative part (第三部分 … 情况说明) and the 附件 part are found by their part headings;
the physical lines of each paragraph are joined (sentences run over lines, blank lines and
page breaks) keeping a char → line map, so a match position gives its source line. Matching
runs on a "compact" copy (whitespace removed, except between two digits) so ``年初预算 数``
still matches; ``span`` gives the sentence back with its printed spacing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ingest.text import compact, squeeze_cjk

_CN = "[一二三四五六七八九十]+"  # a Chinese numeral, as headings number parts and sections
_CN_NUMBERING = rf"{_CN}、|[（(]{_CN}[）)]"  # 一、 or （一）
# Part headings (第三部分 …) delimit the narrative; a table of contents repeats them, so the
# last heading naming 情况说明 is the real one.
PART = re.compile(rf"^第{_CN}部分")
# A line that opens a new paragraph: any numbering style the reports use.
_NUMBERING = re.compile(rf"^(?:{_CN_NUMBERING}|[（(]\d{{1,2}}[）)]|\d{{1,2}}[.、．](?!\d)|[①-⑳])\s*")
_CN_NUMBERED = re.compile(rf"^(?:{_CN_NUMBERING})")
# Top-level heading (一、…情况说明); other 一、 lines inside prose are list items.
_TOP_HEADING = re.compile(rf"^{_CN}、.*(?:说明|情况)[。.]?$")
# Heading-like lines end their paragraph, so the heading never swallows the first sentence.
_HEADING_END = re.compile(r"(?:说明|情况|[。：:])$")
# Page furniture that lands mid-sentence: "- 18 -", "第 3 页"; bare numbers handled apart.
_PAGE_MARK = re.compile(r"^(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页)$")
_BARE_INT = re.compile(r"^\d{1,3}$")
_UNIT_START = re.compile(r"^(?:万|元|%|个|辆|台|分|人)")
_FIGURE_CAPTION = re.compile(r"^图\s*\d*\s*[:：]")
_WHITESPACE = re.compile(r"\s+")
_SPACE = re.compile(" ")
_SENTENCE_STOP = re.compile("[。；;！!？?]")
# A project's self-evaluation paragraph can start mid-flow without numbering (002).
_PROJECT_OPENER = re.compile(r"^[^。；,，]*自评综述")

_SECTIONS: tuple[tuple[str, str], ...] = (
    ("three_public", "三公"),
    ("gov_fund", "政府性基金"),
    ("soe_capital", "国有资本经营"),
    ("operating_cost", "机关运行经费"),
    ("procurement", "政府采购"),
    ("assets", "国有资产"),
    ("performance", "绩效"),
    ("special", "专项"),
    ("basic", "基本支出"),
    ("fiscal", "财政拨款收入支出决算总体"),
    ("gpb", "一般公共预算财政拨款支出"),
    ("overview", "收入支出决算总体"),
    ("income", "收入决算"),
    ("expenditure", "支出决算"),
)


def _section_of_heading(text: str) -> str | None:
    text = compact(text)
    if len(text) > 40 or not _TOP_HEADING.match(text):
        return None
    for key, word in _SECTIONS:
        if word in text:
            return key
    return None


@dataclass(frozen=True)
class Paragraph:
    """One joined paragraph: compact text for matching, spaced text for spans."""

    section: str
    text: str  # compact: whitespace removed except one space between two digits
    spaced: str
    # text is spaced's runs between dropped spaces: run k starts at text_runs[k] in text and at
    # spaced_runs[k] in spaced (a map by runs, not by character: ~40 paragraphs a report)
    text_runs: tuple[int, ...]
    spaced_runs: tuple[int, ...]
    # spaced joins one piece per physical line (with the space kept before it, if any):
    # piece k starts at piece_starts[k] in spaced and comes from 1-based line piece_lines[k]
    piece_starts: tuple[int, ...]
    piece_lines: tuple[int, ...]
    body: int = 0  # where the text starts after its numbering

    def _spaced_pos(self, pos: int) -> int:
        k = bisect_right(self.text_runs, pos) - 1  # the last run starting at or before pos: never empty
        return self.spaced_runs[k] + pos - self.text_runs[k]

    def line(self, pos: int) -> int:
        """The source line of compact position ``pos`` (past the end: the last character's)."""
        at = self._spaced_pos(min(pos, len(self.text) - 1))
        return self.piece_lines[bisect_right(self.piece_starts, at) - 1]

    @cached_property
    def _stops(self) -> list[int]:
        """Where the text's sentences end: a paragraph's facts quote the same few sentences."""
        return [m.start() for m in _SENTENCE_STOP.finditer(self.text)]

    def span(self, pos: int) -> str:
        """The sentence holding compact position ``pos``, as printed (after joining)."""
        k = bisect_left(self._stops, pos)  # the first stop at or after pos
        start = self._stops[k - 1] + 1 if k else 0
        end = self._stops[k] if k < len(self._stops) else len(self.text)
        if end <= start:
            return ""
        return self.spaced[self._spaced_pos(start) : self._spaced_pos(end - 1) + 1].strip()


def part_heads(lines: Sequence[str]) -> list[int]:
    """The indexes of the lines that open a 第N部分 part."""
    return [i for i, line in enumerate(lines) if PART.match(line.strip())]


def find_part(lines: Sequence[str], word: str, heads: list[int] | None = None) -> tuple[int, int] | None:
    """[start, end) of the last 第N部分 part whose heading (maybe wrapped) names ``word``;
    ``heads``: :func:`part_heads` of ``lines``, when the caller looks for several parts."""
    heads = part_heads(lines) if heads is None else heads
    found = None
    for k, i in enumerate(heads):
        heading, start = lines[i], i + 1
        nxt = _next_nonblank(lines, i + 1)
        wrapped = nxt is not None and nxt < i + 4 and word not in compact(heading)
        if wrapped and not _NUMBERING.match(lines[nxt].strip()) and not PART.match(lines[nxt].strip()):
            # 002 wraps "第三部分 … 2020" / "年度部门决算情况说明", 2024 Shanghai PDFs "… 决算情况" /
            # "说明": the rest of the heading is no part of the body
            heading, start = heading + lines[nxt], nxt + 1
        if word in compact(heading):
            end = heads[k + 1] if k + 1 < len(heads) else len(lines)
            found = (start, end)
    return found


def _next_nonblank(lines: Sequence[str], start: int) -> int | None:
    for j in range(start, len(lines)):
        if lines[j].strip():
            return j
    return None


def _is_page_furniture(lines: Sequence[str], i: int) -> bool:
    text = lines[i].strip()
    if _PAGE_MARK.match(text) or _FIGURE_CAPTION.match(text):
        return True
    if _BARE_INT.match(text):
        nxt = _next_nonblank(lines, i + 1)
        # a bare number followed by its unit is a wrapped amount, otherwise a page number
        return nxt is None or not _UNIT_START.match(lines[nxt].strip())
    return False


def _group_lines(lines: Sequence[str], start: int, end: int) -> list[list[int]]:
    """Indices of the physical lines of each paragraph (blank lines and furniture dropped)."""
    groups: list[list[int]] = []
    close_after = True
    for i in range(start, end):
        text = lines[i].strip()
        if not text or _is_page_furniture(lines, i):
            continue
        squeezed = compact(text)
        opens = bool(_NUMBERING.match(text) or PART.match(text))
        opens = opens or (_PROJECT_OPENER.match(squeezed) is not None and not _continues_name(lines, groups, squeezed))
        if close_after or opens or not groups:
            groups.append([])
        groups[-1].append(i)
        close_after = bool(
            PART.match(text)
            or (_CN_NUMBERED.match(squeezed) and len(squeezed) <= 40 and _HEADING_END.search(squeezed))
        )
    return groups


def _continues_name(lines: Sequence[str], groups: list[list[int]], squeezed: str) -> bool:
    """A 自评综述 line that finishes a project name wrapped from the line before (004:
    "11.安全生产经费项目（武汉市…综合" / "服务管理办公室）绩效自评综述：")."""
    prefix = squeezed[: squeezed.index("自评综述")]
    if prefix.count("）") + prefix.count(")") > prefix.count("（") + prefix.count("("):
        return True
    if not groups:
        return False
    so_far = "".join(lines[i] for i in groups[-1])
    return bool(_NUMBERING.match(so_far.strip())) and not re.search(r"[。；;]", so_far)


def _join(lines: Sequence[str], group: list[int], section: str) -> Paragraph:
    pieces: list[str] = []
    piece_starts: list[int] = []
    piece_lines: list[int] = []
    at = 0
    last = ""
    for i in group:
        text = _WHITESPACE.sub(" ", squeeze_cjk(lines[i].strip()))
        if last[-1:].isascii() and last[-1:].isalnum() and text[:1].isascii() and text[:1].isalnum():
            text = " " + text  # keep two ASCII tokens apart across the line break
        pieces.append(text)
        piece_starts.append(at)
        piece_lines.append(i + 1)
        at += len(text)
        last = text
    spaced = "".join(pieces)
    # Spaces in ``spaced`` stand alone (each line is stripped, its runs squeezed). One survives
    # only between two digits, so "50 50" never reads as 5050; the text keeps the characters
    # between the others.
    text_runs: list[int] = []
    spaced_runs: list[int] = []
    kept: list[str] = []
    start = length = 0
    for m in _SPACE.finditer(spaced):
        k = m.start()
        if 0 < k < len(spaced) - 1 and spaced[k - 1].isdigit() and spaced[k + 1].isdigit():
            continue
        text_runs.append(length)
        spaced_runs.append(start)
        kept.append(spaced[start:k])
        length += k - start
        start = k + 1
    text_runs.append(length)
    spaced_runs.append(start)
    kept.append(spaced[start:])
    text = "".join(kept)
    numbering = _NUMBERING.match(text)
    return Paragraph(
        section=section,
        text=text,
        spaced=spaced,
        text_runs=tuple(text_runs),
        spaced_runs=tuple(spaced_runs),
        piece_starts=tuple(piece_starts),
        piece_lines=tuple(piece_lines),
        body=numbering.end() if numbering else 0,
    )


def paragraphs(lines: Sequence[str], start: int, end: int, fixed_section: str | None) -> list[Paragraph]:
    out: list[Paragraph] = []
    section = fixed_section or "preamble"
    for group in _group_lines(lines, start, end):
        if fixed_section is None:
            heading = _section_of_heading("".join(lines[i] for i in group))
            if heading is not None:
                section = heading
                continue
        out.append(_join(lines, group, section))
    return out
