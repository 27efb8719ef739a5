"""Every figure the 情况说明 (narrative) states, as typed :class:`NarrativeFact` records.

``extract_facts(lines, resolver)`` is pure: it reads the decoded document (``lines`` from
``ingest.text.split_lines``, index 0 = source line 1), finds the narrative part (第三部分 …
情况说明) and the 附件 part, joins the physical lines of each paragraph (sentences run over
lines, blank lines and page breaks), and matches the phrases the 决算公开 template prints.

Joining keeps a char → line map, so each fact's ``source_line`` is the line where its
number starts in the original file. Matching runs on a "compact" copy of each paragraph
(whitespace removed, except between two digits) so ``年初预算 数`` or ``支出决 算`` still
match; ``span`` is the sentence the figure came from, with its printed spacing.

Subjects narrated as ``X（类）Y（款）Z（项）`` are resolved to codes by
:class:`SubjectResolver`, level by level; a name that does not resolve yields a
:class:`ParseError`, never a guess. The caller may pass the report's own code ↔ name pairs
(``own_subjects``, see :func:`own_subjects_from_rows`): they are consulted first, because
reports print codes the bundled code list lacks (2024 Shanghai: 20139 社会工作事务).

Metric vocabulary (values are warehouse values; keep them stable) — see ``METRICS``.
"""

from __future__ import annotations

import copy
import csv
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.records import NarrativeFact, ParseError
from ingest.text import parse_amount, squeeze_cjk

log = logging.getLogger("juesuan")

STAGE = "narrative"

UNIT_WAN = "wan"
UNIT_PCT = "pct"
UNIT_COUNT = "count"
UNIT_SCORE = "score"
# Direction facts (1 大于, -1 小于, 0 持平) are dimensionless; the contract's unit list is
# wan | pct | count | score, so they carry "count".
UNIT_DIRECTION = UNIT_COUNT

QUALIFIER_OVERALL = "overall"

METRICS: dict[str, str] = {
    # totals (+ <metric>_change in 万元, <metric>_change_pct, <metric>_previous when printed)
    "total_income_expenditure": "收、支总计",
    "income_total": "收入合计",
    "expenditure_total": "支出合计",
    "fiscal_total": "财政拨款收、支总计",
    "gpb_income": "一般公共预算财政拨款收入",
    "gov_fund_income": "政府性基金预算财政拨款收入",
    "soe_capital_income": "国有资本经营预算财政拨款收入",
    "gpb_expenditure": "一般公共预算财政拨款支出 (share: 占本年支出合计)",
    "gpb_expenditure_basic": "一般公共预算财政拨款支出中 基本支出",
    "gpb_expenditure_project": "一般公共预算财政拨款支出中 项目支出",
    # composition (+ <metric>_share, qualifier = the base printed after 占)
    "income_fiscal": "财政拨款收入",
    "income_upper_grant": "上级补助收入",
    "income_business": "事业收入",
    "income_operating": "经营收入",
    "income_subsidiary": "附属单位上缴收入",
    "income_other": "其他收入",
    "expenditure_basic": "基本支出",
    "expenditure_project": "项目支出",
    "expenditure_upper_remit": "上缴上级支出",
    "expenditure_operating": "经营支出",
    "expenditure_subsidiary": "对附属单位补助支出",
    "class_expenditure": "结构情况: X（类）支出 (+ class_expenditure_share)",
    # budget execution, per subject (class/section/item) or overall (subject_code None)
    "budget": "年初预算, or 全年预算 where the report pairs that with 支出决算 (qualifier says so)",
    "budget_initial": "年初预算 printed before the 全年预算 the figures pair with (年初预算为 0，全年预算为 …)",
    "final": "支出决算",
    "stated_rate": "完成年初/全年预算(数)的 C%",
    "direction": "支出决算数 大于(1)/小于(-1)/持平(0) 年初/全年预算数, 与…预算数持平; qualifier = wording",
    # basic expenditure split
    "basic_total": "一般公共预算财政拨款基本支出",
    "basic_personnel": "人员经费",
    "basic_public": "公用经费",
    # 三公, item = total | abroad | vehicle | vehicle_purchase | vehicle_operation | reception
    "three_public_budget": "(全年)预算",
    "three_public_final": "支出决算",
    "three_public_rate": "完成(全年)预算的 C%",
    "three_public_direction": "决算数 大于/小于/持平 (全年)预算数",
    "three_public_change": "较上年 增加/减少 (万元)",
    "three_public_change_pct": "较上年 增长/下降 %",
    "vehicles_purchased": "购置(更新)公务用车 N 辆",
    "vehicles_held": "公务用车保有量 N 辆",
    # 政府采购
    "procurement_total": "政府采购支出总额",
    "procurement_goods": "政府采购货物支出",
    "procurement_works": "政府采购工程支出",
    "procurement_services": "政府采购服务支出",
    "procurement_sme": "授予中小企业合同金额 (+ _share)",
    "procurement_small_micro": "授予小微企业合同金额 (+ _share; qualifier = base)",
    "procurement_goods_sme_share": "货物采购授予中小企业合同金额占货物支出金额的 %",
    "procurement_works_sme_share": "工程采购 …",
    "procurement_services_sme_share": "服务采购 …",
    # 国有资产
    "vehicles_total": "共有车辆 N 辆",
    "equipment_over_1m": "单位价值 100 万元以上设备 N 台（套）",
    # 绩效
    "evaluated_project_count": "共涉及项目 N 个",
    "evaluated_project_funds": "资金 X 万元 (+ evaluated_project_funds_share)",
    "project_budget": "项目 全年/年初 预算数, item = project name",
    "project_actual": "执行数",
    "project_rate": "完成预算 / 执行率 %",
    "self_evaluation_score": "部门整体绩效(自评)得分",
    # 整体绩效自评 执行率情况 (附件 or 绩效 section); qualifier 本级 (单位整体: the unit itself,
    # in a department report its own unit) or 部门 (部门整体), plus a unit note when 元 stands for 万元
    "unit_overall_budget": "单位/部门整体 预算收入 / 年初预算 / 预算调整后收入",
    "unit_overall_final": "整体 决算支出 / 支出决算",
    "unit_overall_rate": "整体完成年初预算的 C% / 预算执行率",
    "unit_overall_project_count": "整体共申报项目 N 个",
    "unit_overall_project_budget": "项目预算资金",
    "unit_overall_project_actual": "项目实际支出",
    "unit_overall_project_rate": "项目 执行率 / 完成率",
}

# --------------------------------------------------------------------------------------
# Subject resolution
# --------------------------------------------------------------------------------------

_LEVEL_WORDS = {
    "类": "class", "款": "section", "项": "item",
    "class": "class", "section": "section", "item": "item",
}
_LEVEL_BY_LENGTH = {3: "class", 5: "section", 7: "item"}
_LENGTH_OF_LEVEL = {level: length for length, level in _LEVEL_BY_LENGTH.items()}
# Separates the names of an own_subjects key path: "社会工作事务/行政运行".
OWN_PATH_SEP = "/"
_LEVEL_ZH = {"class": "类", "section": "款", "item": "项"}


def normalize_name(name: str) -> str:
    """Name key for comparison: no whitespace, ASCII brackets, no quotes."""
    name = re.sub(r"\s+", "", name)
    return name.replace("（", "(").replace("）", ")").replace("“", "").replace("”", "").replace('"', "")


def _base_name(key: str) -> str:
    """Lenient key: the template sometimes drops (or adds) the generic suffix 支出."""
    return key[: -len("支出")] if key.endswith("支出") and len(key) > 2 else key


class UnresolvedSubject(LookupError):
    """A narrated subject name that the code list and aliases do not explain."""


@dataclass(frozen=True)
class Subject:
    code: str
    level: str  # class | section | item
    name: str


class SubjectResolver:
    """Narrated 类/款/项 names → 功能分类 codes, from the code list and the alias seed.

    ``subjects`` rows use either ``code,level,name`` (level 类/款/项) or
    ``subject_code,subject_level,subject_name`` (level class/section/item); ``aliases`` rows
    are ``alias_name,subject_code[,note]``. An alias applies at the level of its code, and
    only under the parent the narrative names.
    """

    def __init__(
        self,
        subjects: Iterable[Mapping[str, str]],
        aliases: Iterable[Mapping[str, str]] = (),
    ) -> None:
        self._subjects: dict[str, Subject] = {}
        for row in subjects:
            subject = _subject_from_row(row)
            self._subjects.setdefault(subject.code, subject)
        self._own: _OwnCodes | None = None
        self._aliases: dict[str, set[str]] = {}
        for row in aliases:
            alias = normalize_name(row.get("alias_name") or "")
            code = (row.get("subject_code") or "").strip()
            if not alias or not code:
                raise ValueError(f"alias row needs alias_name and subject_code: {dict(row)}")
            if code not in self._subjects:
                log.warning("alias %s → %s: code not in the subject list, alias unused", alias, code)
            self._aliases.setdefault(alias, set()).add(code)

    @classmethod
    def from_seeds(cls, seed_dir: Path) -> SubjectResolver:
        """Read ``function_subjects.csv`` and (if present) ``subject_aliases.csv``."""
        seed_dir = Path(seed_dir)
        subjects = _read_csv(seed_dir / "function_subjects.csv")
        alias_path = seed_dir / "subject_aliases.csv"
        aliases = _read_csv(alias_path) if alias_path.exists() else []
        return cls(subjects, aliases)

    def subject(self, code: str) -> Subject | None:
        return self._subjects.get(code)

    def with_own_subjects(self, own_subjects: Mapping[str, str]) -> SubjectResolver:
        """A resolver for one report that tries the report's own codes before the code list
        (the shared code list and aliases are not copied, and ``self`` is left unchanged)."""
        clone = copy.copy(self)
        clone._own = _OwnCodes(own_subjects)
        return clone

    def resolve(
        self, class_name: str, section_name: str | None = None, item_name: str | None = None
    ) -> Subject:
        """Resolve a narrated path level by level; raise UnresolvedSubject naming the gap."""
        parent: Subject | None = None
        names: list[str] = []
        for level, name in (("class", class_name), ("section", section_name), ("item", item_name)):
            if name is None:
                if level == "section" and item_name is not None:
                    raise UnresolvedSubject(f"项 {item_name!r} narrated without its 款")
                continue
            names.append(name)
            parent = self._own_child(level, names, parent) or self._child(level, name, parent)
        if parent is None:
            raise UnresolvedSubject("no subject name narrated")
        return parent

    def _own_child(self, level: str, names: Sequence[str], parent: Subject | None) -> Subject | None:
        code = self._own.find(names, level, parent) if self._own else None
        if code is None:
            return None
        return self._subjects.get(code) or Subject(code, level, names[-1])

    def _child(self, level: str, name: str, parent: Subject | None) -> Subject:
        key = normalize_name(name)
        siblings = [
            s for s in self._subjects.values()
            if s.level == level and (parent is None or s.code.startswith(parent.code))
        ]
        exact = [s for s in siblings if normalize_name(s.name) == key]
        if len(exact) == 1:
            return exact[0]
        sibling_codes = {s.code for s in siblings}
        aliased = sorted(self._aliases.get(key, set()) & sibling_codes)
        if len(aliased) == 1:
            return self._subjects[aliased[0]]
        lenient = [s for s in siblings if _base_name(normalize_name(s.name)) == _base_name(key)]
        if len(exact) == 0 and len(aliased) == 0 and len(lenient) == 1:
            return lenient[0]
        where = f"under {parent.code} ({parent.name})" if parent else "among 类 codes"
        found = exact or [self._subjects[c] for c in aliased] or lenient
        if found:
            codes = ", ".join(s.code for s in found)
            raise UnresolvedSubject(f"{_LEVEL_ZH[level]} name {name!r} is ambiguous {where}: {codes}")
        raise UnresolvedSubject(f"{_LEVEL_ZH[level]} name {name!r} not found {where}")


def _own_key(names: Sequence[str], loose: bool = False) -> str:
    keys = (normalize_name(n) for n in names)
    return OWN_PATH_SEP.join(_base_name(k) if loose else k for k in keys)


class _OwnCodes:
    """A report's own name path → code pairs (``own_subjects``), matched by the most specific
    suffix of the narrated path first (类/款/项, then 款/项, then 项) and accepted only at the
    narrated level and under the parent already resolved, so a bare name such as 行政运行
    never lands under another 款."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._exact: dict[str, str] = {}
        loose: dict[str, set[str]] = {}
        for key, raw_code in mapping.items():
            code = raw_code.strip()
            if not code.isdigit() or len(code) not in _LEVEL_BY_LENGTH:
                log.warning("own subject %r → %r: not a 3/5/7-digit code, ignored", key, raw_code)
                continue
            names = key.split(OWN_PATH_SEP)
            self._exact[_own_key(names)] = code
            loose.setdefault(_own_key(names, loose=True), set()).add(code)
        # the lenient (支出-suffix) key only where it names one code
        self._loose = {key: next(iter(codes)) for key, codes in loose.items() if len(codes) == 1}

    def find(self, names: Sequence[str], level: str, parent: Subject | None) -> str | None:
        length = _LENGTH_OF_LEVEL[level]
        for index, loose in ((self._exact, False), (self._loose, True)):
            for k in range(len(names)):
                code = index.get(_own_key(names[k:], loose))
                if code and len(code) == length and (parent is None or code.startswith(parent.code)):
                    return code
        return None


def own_subjects_from_rows(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(科目编码, 科目名称) pairs as a report's tables print them → ``own_subjects`` for
    :func:`extract_facts`: each code under its name path from the 类 (when the ancestors are
    printed), from the 款, and under its bare name when no other printed code has that name.
    The first printing of a code wins; codes that are not 3/5/7 digits are left out."""
    names: dict[str, str] = {}
    for raw_code, raw_name in rows:
        code, name = raw_code.strip(), normalize_name(raw_name)
        if code.isdigit() and len(code) in _LEVEL_BY_LENGTH and name:
            names.setdefault(code, name)
    bare_count: dict[str, int] = {}
    for name in names.values():
        bare_count[name] = bare_count.get(name, 0) + 1
    out: dict[str, str] = {}
    for code, name in names.items():
        chain = [names.get(code[:n]) for n in (3, 5, 7) if n <= len(code)]
        for k in range(len(chain)):
            suffix = chain[k:]
            bare = len(suffix) == 1 and len(chain) > 1  # a 款 or 项 name without its parents
            if all(suffix) and (not bare or bare_count[name] == 1):
                out.setdefault(OWN_PATH_SEP.join(n for n in suffix if n), code)
    return out


def _subject_from_row(row: Mapping[str, str]) -> Subject:
    code = (row.get("subject_code") or row.get("code") or "").strip()
    name = (row.get("subject_name") or row.get("name") or "").strip()
    level_raw = (row.get("subject_level") or row.get("level") or "").strip()
    if not code.isdigit() or not name:
        raise ValueError(f"subject row needs a numeric code and a name: {dict(row)}")
    level = _LEVEL_WORDS.get(level_raw) if level_raw else _LEVEL_BY_LENGTH.get(len(code))
    if level is None or _LEVEL_BY_LENGTH.get(len(code)) != level:
        raise ValueError(f"subject {code}: level {level_raw!r} does not fit a {len(code)}-digit code")
    return Subject(code, level, name)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------
# Locating the narrative and building paragraphs
# --------------------------------------------------------------------------------------

# Part headings (第三部分 …) delimit the narrative; a table of contents repeats them, so the
# last heading naming 情况说明 is the real one.
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
# A line that opens a new paragraph: any numbering style the reports use.
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|[（(]\d{1,2}[）)]"
    r"|\d{1,2}[.、．](?!\d)|[①-⑳])\s*"
)
_CN_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
# Top-level heading (一、…情况说明); other 一、 lines inside prose are list items.
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+、.*(?:说明|情况)[。.]?$")
# Heading-like lines end their paragraph, so the heading never swallows the first sentence.
_HEADING_END = re.compile(r"(?:说明|情况|[。：:])$")
# Page furniture that lands mid-sentence: "- 18 -", "第 3 页"; bare numbers handled apart.
_PAGE_MARK = re.compile(r"^(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页)$")
_BARE_INT = re.compile(r"^\d{1,3}$")
_UNIT_START = re.compile(r"^(?:万|元|%|个|辆|台|分|人)")
_FIGURE_CAPTION = re.compile(r"^图\s*\d*\s*[:：]")
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
    text = re.sub(r"\s+", "", text)
    if len(text) > 40 or not _TOP_HEADING.match(text):
        return None
    for key, word in _SECTIONS:
        if word in text:
            return key
    return None


@dataclass(frozen=True)
class _Paragraph:
    """One joined paragraph: compact text for matching, spaced text for spans."""

    section: str
    text: str  # compact: whitespace removed except one space between two digits
    line_of: tuple[int, ...]  # 1-based source line of each char of text
    spaced: str
    spaced_at: tuple[int, ...]  # index into spaced of each char of text
    body: int = 0  # where the text starts after its numbering

    def line(self, pos: int) -> int:
        return self.line_of[min(pos, len(self.line_of) - 1)]

    def span(self, pos: int) -> str:
        """The sentence holding compact position ``pos``, as printed (after joining)."""
        stops = "。；;！!？?"
        start = pos
        while start > 0 and self.text[start - 1] not in stops:
            start -= 1
        end = pos
        while end < len(self.text) and self.text[end] not in stops:
            end += 1
        if end <= start:
            return ""
        return self.spaced[self.spaced_at[start] : self.spaced_at[end - 1] + 1].strip()


def _find_part(lines: Sequence[str], word: str) -> tuple[int, int] | None:
    """[start, end) of the last 第N部分 part whose heading (maybe wrapped) names ``word``."""
    heads = [i for i, line in enumerate(lines) if _PART.match(line.strip())]
    found = None
    for k, i in enumerate(heads):
        heading, start = lines[i], i + 1
        nxt = _next_nonblank(lines, i + 1)
        wrapped = nxt is not None and nxt < i + 4 and word not in re.sub(r"\s+", "", heading)
        if wrapped and not _NUMBERING.match(lines[nxt].strip()) and not _PART.match(lines[nxt].strip()):
            # 002 wraps "第三部分 … 2020" / "年度部门决算情况说明", 2024 Shanghai PDFs "… 决算情况" /
            # "说明": the rest of the heading is no part of the body
            heading, start = heading + lines[nxt], nxt + 1
        if word in re.sub(r"\s+", "", heading):
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
        squeezed = re.sub(r"\s+", "", text)
        opens = bool(_NUMBERING.match(text) or _PART.match(text))
        opens = opens or (_PROJECT_OPENER.match(squeezed) is not None and not _continues_name(lines, groups, squeezed))
        if close_after or opens or not groups:
            groups.append([])
        groups[-1].append(i)
        close_after = bool(
            _PART.match(text)
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


def _join(lines: Sequence[str], group: list[int], section: str) -> _Paragraph:
    chars: list[str] = []
    line_no: list[int] = []
    for i in group:
        text = re.sub(r"\s+", " ", squeeze_cjk(lines[i].strip()))
        if chars and chars[-1].isascii() and chars[-1].isalnum() and text[:1].isascii() and text[:1].isalnum():
            chars.append(" ")  # keep two ASCII tokens apart across the line break
            line_no.append(i + 1)
        chars.extend(text)
        line_no.extend([i + 1] * len(text))
    spaced = "".join(chars)
    text_chars: list[str] = []
    text_lines: list[int] = []
    text_at: list[int] = []
    for k, ch in enumerate(spaced):
        if ch.isspace():
            # a space survives only between two digits, so "50 50" never reads as 5050
            before = text_chars[-1] if text_chars else ""
            after = spaced[k + 1 : k + 2]
            if not (before.isdigit() and after.isdigit()):
                continue
            ch = " "
        text_chars.append(ch)
        text_lines.append(line_no[k])
        text_at.append(k)
    text = "".join(text_chars)
    numbering = _NUMBERING.match(text)
    return _Paragraph(
        section=section,
        text=text,
        line_of=tuple(text_lines),
        spaced=spaced,
        spaced_at=tuple(text_at),
        body=numbering.end() if numbering else 0,
    )


def _paragraphs(lines: Sequence[str], start: int, end: int, fixed_section: str | None) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    section = fixed_section or "preamble"
    for group in _group_lines(lines, start, end):
        if fixed_section is None:
            heading = _section_of_heading("".join(lines[i] for i in group))
            if heading is not None:
                section = heading
                continue
        out.append(_join(lines, group, section))
    return out


# --------------------------------------------------------------------------------------
# Fact emission
# --------------------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_C = "[,，]"  # normalize_line turns ， into , — accept both
_TYPO_YUAN = "unit printed 元, read as 万元"
_ABBREV_WAN = "unit printed 万, read as 万元"


@dataclass
class _Out:
    facts: list[NarrativeFact] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    def add(
        self, para: _Paragraph, pos: int, metric: str, value: Decimal | str, unit: str, **extra: str | None
    ) -> None:
        amount = value if isinstance(value, Decimal) else parse_amount(value)
        self.facts.append(
            NarrativeFact(
                section=para.section, metric=metric, value=amount, unit=unit,
                source_line=para.line(pos), span=para.span(pos), **extra,
            )
        )

    def error(self, para: _Paragraph, pos: int, reason: str) -> None:
        self.errors.append(ParseError(para.line(pos), reason, stage=STAGE))


def _signed(word: str | None, amount: str) -> Decimal:
    value = parse_amount(amount)
    return -value if word in {"减少", "下降", "降低"} else value


# ---- totals, composition, basic split, procurement: "LABEL X 万元[，占…P%][，比上年…]" ----

_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "overview": (("total_income_expenditure", r"收、?支总计"),),
    "income": (
        ("income_total", r"收入合计"),
        ("income_fiscal", r"(?<!预算)财政拨款收入"),
        ("income_upper_grant", r"上级补助收入"),
        ("income_business", r"事业收入"),
        ("income_operating", r"经营收入"),
        ("income_subsidiary", r"附属单位上缴收入"),
        ("income_other", r"其他收入"),
    ),
    "expenditure": (
        ("expenditure_total", r"支出合计"),
        ("expenditure_basic", r"基本支出"),
        ("expenditure_project", r"项目支出"),
        ("expenditure_upper_remit", r"上缴上级支出"),
        ("expenditure_operating", r"(?<!对附属单位补助)经营支出"),
        ("expenditure_subsidiary", r"对附属单位补助支出"),
    ),
    "fiscal": (
        ("fiscal_total", r"财政拨款收、?支总计"),
        ("gpb_income", r"一般公共预算财政拨款收入"),
        ("gov_fund_income", r"政府性基金预算财政拨款收入"),
        ("soe_capital_income", r"国有资本经营预算财政拨款收入"),
    ),
    "gpb": (
        ("gpb_expenditure", r"(?:一般公共预算)?财政拨款支出"),
        ("gpb_expenditure_basic", r"(?<!财政拨款)基本支出"),
        ("gpb_expenditure_project", r"项目支出"),
    ),
    "basic": (
        ("basic_total", r"基本支出"),
        ("basic_personnel", r"人员经费"),
        ("basic_public", r"公用经费"),
    ),
    "procurement": (
        ("procurement_total", r"政府采购支出总额"),
        ("procurement_goods", r"政府采购货物支出"),
        ("procurement_works", r"政府采购工程支出"),
        ("procurement_services", r"政府采购服务支出"),
        ("procurement_sme", r"授予中小企业合同金额"),
        ("procurement_small_micro", r"授予小微企业合同金额"),
    ),
}

# Comparison with last year, after a level figure: "，比 2022 年度决算数增加 98.46 万元，增长 9.5%"
# (or "与 2023 年度决算数持平"); a previous-year figure may be printed before the change.
_VERSUS = (
    rf"(?:{_C}?(?:与|比|较)(?:上年度?|\d{{4}}年度?)(?:决算数?)?(?:(?P<prev>{_NUM})万元)?(?:相比)?{_C}?各?"
    rf"(?:(?P<cdir>增加|减少)(?P<camt>{_NUM})万元(?:{_C}(?P<pdir>增长|下降)(?P<cpct>{_NUM})%)?"
    rf"|(?P<flat>持平)))?"
)
# "占本年收入 100%", "占本年支出合计的 100%", "占授予中小企业合同金额的 100%": the base is kept.
_SHARE = rf"(?:{_C}?占(?P<base>[^,，。；;\d%]{{0,24}}?)的?(?P<share>{_NUM})%)?"


def _level_pattern(label: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<label>{label})(?:均为|各为|为|共计)?(?P<amt>{_NUM})万元{_SHARE}{_VERSUS}")


def _change_pattern(label: str) -> re.Pattern[str]:
    # second mention, change only: "收、支总计各增加 98.46 万元，增长 9.5%"
    return re.compile(
        rf"(?P<label>{label})各?(?P<cdir>增加|减少)(?P<camt>{_NUM})万元(?:{_C}(?P<pdir>增长|下降)(?P<cpct>{_NUM})%)?"
    )


_LEVEL_PATTERNS = {
    section: tuple((metric, _level_pattern(label), _change_pattern(label)) for metric, label in labels)
    for section, labels in _LABELS.items()
}


def _emit_change(out: _Out, para: _Paragraph, m: re.Match[str], metric: str) -> None:
    if m.group("cdir"):
        out.add(para, m.start("camt"), f"{metric}_change", _signed(m.group("cdir"), m.group("camt")),
                UNIT_WAN, qualifier=m.group("cdir"))
    if m.group("cpct"):
        out.add(para, m.start("cpct"), f"{metric}_change_pct", _signed(m.group("pdir"), m.group("cpct")),
                UNIT_PCT, qualifier=m.group("pdir"))


def _scan_levels(para: _Paragraph, out: _Out) -> None:
    for metric, level, change in _LEVEL_PATTERNS.get(para.section, ()):
        for m in level.finditer(para.text):
            out.add(para, m.start("amt"), metric, m.group("amt"), UNIT_WAN)
            if m.group("share"):
                out.add(para, m.start("share"), f"{metric}_share", m.group("share"), UNIT_PCT,
                        qualifier=m.group("base") or None)
            if m.group("prev"):
                out.add(para, m.start("prev"), f"{metric}_previous", m.group("prev"), UNIT_WAN)
            if m.group("flat"):
                out.add(para, m.start("flat"), f"{metric}_change", Decimal(0), UNIT_WAN, qualifier="持平")
            _emit_change(out, para, m, metric)
        for m in change.finditer(para.text):
            _emit_change(out, para, m, metric)


# ---- 政府采购: share of SME contracts per kind -----------------------------------------------

_PROCUREMENT_KIND_SHARE = re.compile(
    rf"(?P<kind>货物|工程|服务)采购授予中小企业合同金额占(?:货物|工程|服务)?支出金额的(?P<pct>{_NUM})%"
)
_PROCUREMENT_KINDS = {"货物": "goods", "工程": "works", "服务": "services"}


def _scan_procurement(para: _Paragraph, out: _Out) -> None:
    for m in _PROCUREMENT_KIND_SHARE.finditer(para.text):
        metric = f"procurement_{_PROCUREMENT_KINDS[m.group('kind')]}_sme_share"
        out.add(para, m.start("pct"), metric, m.group("pct"), UNIT_PCT)


# ---- 国有资产 ---------------------------------------------------------------------------------

_VEHICLES_TOTAL = re.compile(rf"共有车辆(?P<n>{_NUM})辆")
_NO_VEHICLES = re.compile(r"无公务用车")
_EQUIPMENT = re.compile(
    rf"单位价值100万元(?:[（(]含[）)])?以上(?:专用)?设备(?:[（(]不含车辆[）)])?(?P<n>{_NUM})台"
)
_NO_EQUIPMENT = re.compile(r"无(?:单价|单位价值)100万元(?:[（(]含[）)])?以上(?:专用)?设备")


def _scan_assets(para: _Paragraph, out: _Out) -> None:
    for m in _VEHICLES_TOTAL.finditer(para.text):
        out.add(para, m.start("n"), "vehicles_total", m.group("n"), UNIT_COUNT)
    for m in _NO_VEHICLES.finditer(para.text):
        out.add(para, m.start(), "vehicles_total", Decimal(0), UNIT_COUNT, qualifier=m.group())
    for m in _EQUIPMENT.finditer(para.text):
        out.add(para, m.start("n"), "equipment_over_1m", m.group("n"), UNIT_COUNT)
    for m in _NO_EQUIPMENT.finditer(para.text):
        out.add(para, m.start(), "equipment_over_1m", Decimal(0), UNIT_COUNT, qualifier=m.group())


# ---- 一般公共预算: structure by 类 and budget execution by subject ---------------------------

# A subject name: no punctuation or digits, but bracketed words that are not the level
# marker are part of it (政府办公厅（室）及相关机构事务).
_SUBJECT_NAME = r"(?:[^（）()。；;:：,，、\s\d%.]|[（(](?![类款项][）)])[^（）()。；\d]{1,12}[）)])+?"
# "社会保障和就业（类）支出 221.9 万元，占 …" and the 2024 template's "一般公共服务支出（类）
# 264.87 万元，占 86.05%"; a bare 类 (no brackets) needs its 支出 to be a level marker.
_CLASS_SHARE = re.compile(
    rf"(?P<name>[^（）()。；;:：,，、\s\d%.]+)(?:[（(]类[）)](?:支出)?|类支出)(?P<amt>{_NUM})万元{_C}?占比?(?P<pct>{_NUM})%"
)
_PATH = re.compile(
    rf"(?P<c>{_SUBJECT_NAME})[（(]类[）)]"
    rf"(?:(?P<s>{_SUBJECT_NAME})[（(]款[）)])?"
    rf"(?:(?P<i>{_SUBJECT_NAME})[（(]项[）)])?"
)
_UNIT = r"(?:万元|万|元)"
# "年初预算为 B 万元，支出决算为 F 万元，完成年初预算的 C%"; 2024 Shanghai reports print 全年预算
# instead (the rate then says 完成全年预算数的), some with the 年初预算 first ("年初预算为 0 万元，
# 全年预算为 321.02 万元，支出决算为 …"): the budget is the one printed beside 支出决算. Many
# items state no rate at all, and one report puts a 。 before 完成.
_EXECUTION = re.compile(
    rf"(?:年初预算数?为?(?P<b0>{_NUM})(?P<b0u>{_UNIT}){_C}?(?=全年预算))?"
    rf"(?P<basis>年初|全年)预算数?为?(?P<b>{_NUM})(?P<bu>{_UNIT}){_C}?"
    rf"(?:支出)?决算数?为?(?P<f>{_NUM})(?P<fu>{_UNIT})"
    rf"(?:[,，。；;]?完成(?:年初|全年)预算数?的?(?P<r>{_NUM})%)?"
)
_BASIS_FULL_YEAR = "budget printed as 全年预算"
_DIRECTION_WORD = "大于|小于|少于|低于|高于|超过|持平|等于"
# "决算数小于（全年/年初）预算数" or "决算数与/同（全年/年初）预算数持平"; the template's
# "大于（小于）" names no direction and does not match.
_DIRECTION = re.compile(
    rf"决算数?(?:(?P<dir>{_DIRECTION_WORD})(?:年初|全年)?预算数?"
    rf"|(?:与|同|和)(?:年初|全年)?预算数?(?P<dir_eq>持平|相等|一致))"
)
_DIRECTION_SIGN = {
    "大于": 1, "高于": 1, "超过": 1, "小于": -1, "少于": -1, "低于": -1,
    "持平": 0, "等于": 0, "相等": 0, "一致": 0,
}
_OVERALL_TAIL = re.compile(r"财政拨款支出$")


def _unit_notes(*units: str) -> tuple[str | None, ...] | None:
    """A qualifier per amount; None when every amount is in 元 (the typo needs a 万元 beside it)."""
    if all(u == "元" for u in units):
        return None
    return tuple(_TYPO_YUAN if u == "元" else _ABBREV_WAN if u == "万" else None for u in units)


def _scan_class_shares(para: _Paragraph, resolver: SubjectResolver, out: _Out) -> None:
    for m in _CLASS_SHARE.finditer(para.text, para.body):
        try:
            subject = resolver.resolve(m.group("name"))
        except UnresolvedSubject as exc:
            out.error(para, m.start("name"), f"class expenditure: {exc}; span {para.span(m.start())!r}")
            continue
        extra = {"subject_name": m.group("name"), "subject_code": subject.code, "subject_level": subject.level}
        out.add(para, m.start("amt"), "class_expenditure", m.group("amt"), UNIT_WAN, **extra)
        out.add(para, m.start("pct"), "class_expenditure_share", m.group("pct"), UNIT_PCT, **extra)


def _scan_execution(para: _Paragraph, resolver: SubjectResolver, out: _Out) -> None:
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


def _emit_execution(para: _Paragraph, m: re.Match[str], extra: dict[str, str | None], out: _Out) -> bool:
    """Budget, final and (when printed) rate of one execution sentence; False when the amounts
    are all in 元 (the unit is unclear, reported as a problem)."""
    overall = QUALIFIER_OVERALL if extra.get("subject_code") is None else None
    initial = (m.group("b0u"),) if m.group("b0") else ()
    notes = _unit_notes(m.group("bu"), m.group("fu"), *initial)
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


def _emit_direction(para: _Paragraph, start: int, end: int, extra: dict[str, str | None], out: _Out) -> None:
    d = _DIRECTION.search(para.text, start, end)
    if d:
        group = "dir" if d.group("dir") else "dir_eq"
        word = d.group(group)
        out.add(para, d.start(group), "direction", Decimal(_DIRECTION_SIGN[word]), UNIT_DIRECTION,
                qualifier=word, **extra)


def _execution_subject(
    para: _Paragraph, start: int, m: re.Match[str], resolver: SubjectResolver, out: _Out
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


# ---- 三公 -------------------------------------------------------------------------------------

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
    rf"(?:(?:全年)?预算数?为(?P<b>{_NUM})万元{_C}?)?(?:支出)?(?:决算数?为)?(?P<f>{_NUM})万元"
    rf"(?:{_C}?完成(?:全年)?预算的?(?P<r>{_NUM})%)?"
)
_THREE_PUBLIC_DIRECTION = re.compile(r"决算数(?P<dir>大于|小于|少于|低于|高于|超过|持平|等于)(?:全年)?预算数")
# "较上年增加 3.21 万元，增长 501.6%"; the template's "增加（减少）0 万元" keeps both words.
_CHANGE_WORD = r"增加[（(]减少[）)]|减少|增加"
_THREE_PUBLIC_CHANGE = re.compile(
    rf"较上年(?:决算数?)?(?:(?P<cdir>{_CHANGE_WORD})(?P<camt>{_NUM})万元"
    rf"(?:{_C}(?P<pdir>增长[（(]下降[）)]|增长|下降)(?P<cpct>{_NUM})%)?|(?P<flat>持平))"
)
_THREE_PUBLIC_NONE = re.compile(r"无[“\"”]?三公[”\"“]?经费预算和支出")
_VEHICLES_PURCHASED = re.compile(rf"购置[（(]更新[）)]公务用车(?P<n>{_NUM})辆")
_VEHICLES_HELD = re.compile(rf"公务用车保有量为?(?P<n>{_NUM})辆")


def _change_value(para: _Paragraph, word: str, amount: str, out: _Out, pos: int) -> Decimal | None:
    value = parse_amount(amount)
    if "（" in word or "(" in word:  # template wording with both signs
        if value != 0:
            out.error(para, pos, f"change printed as {word!r} with a non-zero amount {amount}: sign unknown")
            return None
        return value
    return -value if word in {"减少", "下降"} else value


def _scan_three_public(para: _Paragraph, out: _Out) -> None:
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
            out.add(para, d.start("dir"), "three_public_direction", Decimal(_DIRECTION_SIGN[word]),
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


# ---- 绩效 -------------------------------------------------------------------------------------

_EVALUATED = re.compile(
    rf"共涉及(?:一级)?项目(?P<n>{_NUM})个{_C}资金(?P<amt>{_NUM})万元"
    rf"(?:{_C}占(?P<base>[^,，。；;\d%]{{0,24}}?)的?(?P<pct>{_NUM})%)?"
)
# "安全生产经费项目绩效自评综述：项目全年预算数为 18 万元，执行数为 17.9 万元，完成预算 99.4%"
_PROJECT = re.compile(
    rf"(?P<name>[^。；;:：,，]+?)(?:项目)?(?:绩效)?自评综述[:：]"
    rf"项目(?:全年|年初)?预算数?为?(?P<b>{_NUM})(?P<bu>{_UNIT}){_C}"
    rf"执行数为?(?P<a>{_NUM})(?P<au>{_UNIT}){_C}"
    rf"(?:完成(?:年初|全年)?预算的?|执行率为?)(?P<r>{_NUM})%"
)
_SCORE = re.compile(rf"整体(?:支出)?绩效(?:自评)?得分为?(?P<n>{_NUM})分?")


def _scan_performance(para: _Paragraph, out: _Out) -> None:
    for m in _EVALUATED.finditer(para.text):
        out.add(para, m.start("n"), "evaluated_project_count", m.group("n"), UNIT_COUNT)
        out.add(para, m.start("amt"), "evaluated_project_funds", m.group("amt"), UNIT_WAN)
        if m.group("pct"):
            out.add(para, m.start("pct"), "evaluated_project_funds_share", m.group("pct"), UNIT_PCT,
                    qualifier=m.group("base") or None)
    m = _PROJECT.match(para.text, para.body)
    if m:
        name = m.group("name")
        notes = _unit_notes(m.group("bu"), m.group("au"))
        if notes is None:
            out.error(para, m.start("b"), f"project {name!r}: amounts printed in 元, unit unclear")
        else:
            out.add(para, m.start("b"), "project_budget", m.group("b"), UNIT_WAN, item=name, qualifier=notes[0])
            out.add(para, m.start("a"), "project_actual", m.group("a"), UNIT_WAN, item=name, qualifier=notes[1])
            out.add(para, m.start("r"), "project_rate", m.group("r"), UNIT_PCT, item=name)
    _scan_unit_overall(para, out)
    _scan_score(para, out)


# 整体绩效自评, 执行率情况: "2022 年单位整体预算收入 1115.75 万元，决算支出 1035.08 万元，整体
# 完成年初预算的 92.77%。单位整体共申报项目 10 个，项目预算资金 149.1 万元，项目实际支出 145.98
# 万元，执行率 97.91%。" (004; 000 prints 预算调整后收入 … 元 and no overall rate).
_OVERALL_SCOPE = {"单位": "本级", "部门": "部门"}
_OVERALL_BUDGET = re.compile(
    rf"(?P<scope>单位|部门)整体(?:年初)?预算(?:调整后)?(?:收入|数)?(?:总额)?为?(?P<b>{_NUM})(?P<bu>{_UNIT}){_C}?"
    rf"(?:整体)?(?:决算支出|支出决算)(?:数|总额)?为?(?P<f>{_NUM})(?P<fu>{_UNIT})"
    rf"(?:{_C}?(?:整体)?(?:完成(?:年初|全年|调整后)?预算数?的?|(?:预算)?(?:执行|完成)率为?)(?P<r>{_NUM})%)?"
)
_OVERALL_PROJECTS = re.compile(
    rf"(?:(?P<scope>单位|部门)整体)?共?申报项目(?P<n>{_NUM})个{_C}?"
    rf"项目预算(?:资金|数)?为?(?P<b>{_NUM})(?P<bu>{_UNIT}){_C}?"
    rf"项目(?:实际支出|执行数|支出决算)为?(?P<a>{_NUM})(?P<au>{_UNIT})"
    rf"(?:{_C}?(?:执行率|完成率)为?(?P<r>{_NUM})%)?"
)


def _scan_unit_overall(para: _Paragraph, out: _Out) -> None:
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
    para: _Paragraph, out: _Out, m: re.Match[str], scope: str,
    budget: tuple[str, str, str], final: tuple[str, str, str], rate_metric: str,
) -> None:
    notes = _unit_notes(m.group(budget[2]), m.group(final[2]))
    if notes is None:
        out.error(para, m.start(), f"整体 amounts printed in 元, unit unclear: {para.span(m.start())!r}")
        return
    for (metric, group, _), note in zip((budget, final), notes, strict=True):
        qualifier = "; ".join(q for q in (scope, note) if q)
        out.add(para, m.start(group), metric, m.group(group), UNIT_WAN, qualifier=qualifier)
    if m.group("r"):
        out.add(para, m.start("r"), rate_metric, m.group("r"), UNIT_PCT, qualifier=scope)


def _scan_score(para: _Paragraph, out: _Out) -> None:
    for m in _SCORE.finditer(para.text):
        out.add(para, m.start("n"), "self_evaluation_score", m.group("n"), UNIT_SCORE)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def _scan(para: _Paragraph, resolver: SubjectResolver, out: _Out) -> None:
    _scan_levels(para, out)
    if para.section == "gpb":
        _scan_class_shares(para, resolver, out)
        _scan_execution(para, resolver, out)
    elif para.section == "three_public":
        _scan_three_public(para, out)
    elif para.section == "procurement":
        _scan_procurement(para, out)
    elif para.section == "assets":
        _scan_assets(para, out)
    elif para.section == "performance":
        _scan_performance(para, out)
    elif para.section == "annex":
        _scan_unit_overall(para, out)
        _scan_score(para, out)


def _narrative_range(lines: Sequence[str]) -> tuple[int, int] | None:
    part = _find_part(lines, "情况说明")
    if part:
        return part
    # no part heading: start at the (last, i.e. not the contents') first section heading
    starts = [i for i, line in enumerate(lines) if re.match(r"^一、收入支出决算总体情况", line.strip())]
    if not starts:
        return None
    end = next((j for j in range(starts[-1], len(lines)) if _PART.match(lines[j].strip())), len(lines))
    return starts[-1], end


def extract_facts(
    lines: list[str], resolver: SubjectResolver, own_subjects: Mapping[str, str] | None = None
) -> tuple[list[NarrativeFact], list[ParseError]]:
    """All figures the narrative states, with the problems met on the way (never raises).

    ``own_subjects`` (normalised name path such as ``社会工作事务/行政运行``, or a bare name →
    3/5/7-digit code; :func:`own_subjects_from_rows` builds it from the report's table rows)
    is consulted before the code list; None keeps the code list alone."""
    if own_subjects:
        resolver = resolver.with_own_subjects(own_subjects)
    out = _Out()
    narrative = _narrative_range(lines)
    if narrative is None:
        out.errors.append(ParseError(None, "no 情况说明 (narrative) part found", stage=STAGE))
        return out.facts, out.errors
    paragraphs = _paragraphs(lines, narrative[0], narrative[1], None)
    annex = _find_part(lines, "附件")
    if annex and annex[0] > narrative[0]:
        paragraphs += _paragraphs(lines, annex[0], annex[1], "annex")
    for para in paragraphs:
        _scan(para, resolver, out)
    out.facts.sort(key=lambda fact: fact.source_line)  # stable: same-line facts keep text order
    log.debug("narrative: %d facts, %d problems", len(out.facts), len(out.errors))
    return out.facts, out.errors
