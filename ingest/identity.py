"""Document identity (unit, year, scope, place) read from the report's own text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import islice

from ingest.records import SCOPE_DEPARTMENT, SCOPE_UNIT, Identity, ParseError
from ingest.text import compact

# Titles seen: "2024 年度武汉市硚口区企业服务中心部门决算公开",
# "武汉市洪山区企业服务中心 2022 年度部门决算", "第二部分 2023 年度单位决算表".
_TITLE_YEAR_FIRST = re.compile(r"^(?:第[一二三四五六]部分)?(20\d\d)年度(.{2,40}?)(部门|单位)决算")
_TITLE_UNIT_FIRST = re.compile(r"^(?:第[一二三四五六]部分)?(.{2,40}?)(20\d\d)年度(部门|单位)决算")
_PART_ONE = re.compile(r"^第一部分(.{2,40}?)(?:部门|单位)?概况")
_YEAR = re.compile(r"(20\d\d)年度(?:部门|单位)?决算")
_PROVINCE_OF_CITY = {
    "武汉市": "湖北省", "北京市": "北京市", "上海市": "上海市", "天津市": "天津市", "重庆市": "重庆市",
}
_PLACE = re.compile(r"^(?P<prov>[^市]{2,3}省)?(?P<city>[^市省]{1,4}市)?(?P<dist>[^区县市]{1,4}(?:区|县))?")
_HEAD_LINES = 400
_PARTY_PREFIX = re.compile(r"^(?:中共|中国共产党)")  # 中共上海市普陀区委社会工作部: the place follows


def _split_unit(raw: str) -> tuple[str, bool]:
    """'武汉市洪山区企业服务中心本级' → ('武汉市洪山区企业服务中心', True)."""
    name = raw.strip("：:，, ")
    own_level = False
    for suffix in ("（本级）", "(本级)", "本级"):
        while name.endswith(suffix):
            name, own_level = name[: -len(suffix)], True
    return name, own_level


def _title_windows(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line number, the non-blank line joined to the next two, whitespace removed), read as far
    as asked: the title is mostly on the first lines of the head. A title may wrap onto the next
    line ("…2020年度部门" / "决算表"); a PDF cover page breaks it over three
    ("中共上海市普陀区委" / "社会工作部 2024 年度" / "部门决算")."""
    nonblank = ((i + 1, compact(x)) for i, x in enumerate(lines[:_HEAD_LINES]) if x.strip())
    window = list(islice(nonblank, 3))
    while window:
        yield window[0][0], "".join(t for _, t in window)
        window = window[1:] + list(islice(nonblank, 1))


def read_identity(lines: list[str]) -> Identity:
    """Find the unit, fiscal year and scope near the top of the document.

    Raises ParseError when no title names a year and a unit: such a file is not a report.
    """
    unit_raw = year = kind = None
    title_line = 0
    for n, text in _title_windows(lines):
        m = _TITLE_YEAR_FIRST.match(text)
        if m and "第" not in m.group(2):
            year, unit_raw, kind, title_line = int(m.group(1)), m.group(2), m.group(3), n
            break
        m = _TITLE_UNIT_FIRST.match(text)
        if m and "第" not in m.group(1) and len(m.group(1)) >= 4:
            unit_raw, year, kind, title_line = m.group(1), int(m.group(2)), m.group(3), n
            break
    if unit_raw is None:
        for n, text in _title_windows(lines):
            m = _PART_ONE.match(text)
            if m:
                unit_raw, title_line = m.group(1), n
                break
        for _, text in _title_windows(lines):
            m = _YEAR.search(text)
            if m:
                year = int(m.group(1))
                kind = "单位" if "单位决算" in text else "部门"
                break
    if unit_raw is None or year is None:
        raise ParseError(None, "no report title found (expected e.g. '2024 年度<单位>部门决算' or "
                         "'第一部分 <单位>概况' with a '<年> 年度…决算' heading in the first lines)",
                         stage="identity")
    unit_name, own_level = _split_unit(unit_raw)
    scope = SCOPE_UNIT if (own_level or kind == "单位") else SCOPE_DEPARTMENT
    place = _PLACE.match(_PARTY_PREFIX.sub("", unit_name))
    city = place.group("city") if place else None
    province = place.group("prov") if place and place.group("prov") else _PROVINCE_OF_CITY.get(city or "")
    district = place.group("dist") if place else None
    return Identity(unit_name, year, scope, district, city, province, title_line)


_MEMBER = re.compile(r"^\d+[.、](.{4,40}?)(?:（本级）|\(本级\))?$")


def read_member_units(lines: list[str]) -> list[tuple[str, int]]:
    """Units a department report lists under '编制范围包括：' (1.… 2.…)."""
    members: list[tuple[str, int]] = []
    in_list = False
    end = min(len(lines), _HEAD_LINES + 3)
    # Both phrases end in 包括: a line before the first 括 less the three a phrase is read across
    # cannot open the list (skipping them was most of this function's ~0.35 ms a report)
    start = next((max(0, i - 3) for i in range(end) if "括" in lines[i]), end)
    head = [compact(x) for x in lines[start:end]]  # once: each line is also read as a following one
    for k, text in enumerate(head[:_HEAD_LINES - start]):
        i = start + k
        following = next((x for x in head[k + 1:k + 4] if x), "")
        if not in_list and "编制范围包括" in text + following:
            in_list = "编制范围包括" in text  # else the next non-blank line ends the phrase
            continue
        if not in_list and members == [] and "围包括" in text:
            in_list = True
            continue
        if in_list:
            if not text:
                continue
            m = _MEMBER.match(text)
            if not m:
                break
            members.append((m.group(1), i + 1))
    return members


# Publication date printed under the title ("2025 年 10 月 28 日" in 001). It orders a
# republished report (same unit, year, scope; corrected content) against the first edition.
# 填报日期 in the 附件 is the self-evaluation form's date, not the publication: not used.
_DATE_PREFIX = r"(?:(?:发布|公开|公布|印发)(?:日期|时间)[:：]?)?"
_DATE_ARABIC = re.compile(rf"^{_DATE_PREFIX}(\d{{4}})(?:年(\d{{1,2}})月(\d{{1,2}})日|[-./](\d{{1,2}})[-./](\d{{1,2}})日?)$")
_CN_DIGITS = "〇一二三四五六七八九"
_CN_SMALL = r"(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DATE_CN = re.compile(rf"^{_DATE_PREFIX}([〇零○Ｏ{_CN_DIGITS[1:]}]{{4}})年({_CN_SMALL})月({_CN_SMALL})日$")
_DATE_WINDOW = 12  # non-blank lines after the title searched for the date
_DATE_STOP = re.compile(r"^(?:目录|第[一二三四五六]部分)")


def _cn_int(text: str) -> int:
    """'二〇二五' → 2025 (digit by digit); '二十八' → 28, '十' → 10 (month/day numerals)."""
    text = text.replace("零", "〇").replace("○", "〇").replace("Ｏ", "〇")
    if "十" not in text:
        return int("".join(str(_CN_DIGITS.index(ch)) for ch in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)


def read_published_on(lines: list[str], identity: Identity) -> tuple[date | None, int | None, ParseError | None]:
    """The date line printed just under the title → (date, 1-based line, problem).

    Only a line that is a date and nothing else (optionally 发布日期：…) within the first
    non-blank lines after the title counts; a date that cannot be a publication date of this
    fiscal year's final accounts (not after the year, or more than 5 years later) is reported,
    not used.
    """
    seen = 0
    for i in range(max(identity.title_line, 1), min(len(lines), identity.title_line + 200)):
        text = compact(lines[i])
        if not text:
            continue
        seen += 1
        if seen > _DATE_WINDOW or _DATE_STOP.match(text):
            break
        m = _DATE_ARABIC.match(text)
        if m:
            parts = (int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5)))
        else:
            m = _DATE_CN.match(text)
            if not m:
                continue
            parts = (_cn_int(m.group(1)), _cn_int(m.group(2)), _cn_int(m.group(3)))
        try:
            found = date(*parts)
        except ValueError:
            return None, None, ParseError(i + 1, f"publication date {text!r} is not a valid date", stage="identity")
        if not identity.fiscal_year < found.year <= identity.fiscal_year + 5:
            return None, None, ParseError(i + 1, f"date {text!r} under the title cannot be the publication date "
                                          f"of the {identity.fiscal_year} final accounts: ignored", stage="identity")
        return found, i + 1, None
    return None, None, None
