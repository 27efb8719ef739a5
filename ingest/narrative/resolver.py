"""Narrated 类/款/项 names → 功能分类 codes (:class:`SubjectResolver`).

Names resolve level by level against the code list and the alias seed; a report's own code ↔
name pairs (``own_subjects``, see :func:`own_subjects_from_rows`) are tried first, because
reports print codes the bundled code list lacks (2024 Shanghai: 20139 社会工作事务). A name
that does not resolve raises :class:`UnresolvedSubject`, never a guess.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.vocab import name_key, read_csv

log = logging.getLogger("juesuan")

_LEVEL_WORDS = {
    "类": "class", "款": "section", "项": "item",
    "class": "class", "section": "section", "item": "item",
}
_LEVEL_BY_LENGTH = {3: "class", 5: "section", 7: "item"}
_LENGTH_OF_LEVEL = {level: length for length, level in _LEVEL_BY_LENGTH.items()}
# Separates the names of an own_subjects key path: "社会工作事务/行政运行".
OWN_PATH_SEP = "/"
_LEVEL_ZH = {"class": "类", "section": "款", "item": "项"}


def _name(name: str) -> str:
    """A subject name's comparison key: :func:`ingest.vocab.name_key` without quotation marks,
    keeping 、 (the narrative's mode, see ingest/vocab.py)."""
    return name_key(name, keep_quotes=False, keep_list_comma=True)


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
            alias = _name(row.get("alias_name") or "")
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
        subjects = read_csv(seed_dir / "function_subjects.csv")
        alias_path = seed_dir / "subject_aliases.csv"
        aliases = read_csv(alias_path) if alias_path.exists() else []
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
        key = _name(name)
        siblings = [
            s for s in self._subjects.values()
            if s.level == level and (parent is None or s.code.startswith(parent.code))
        ]
        exact = [s for s in siblings if _name(s.name) == key]
        if len(exact) == 1:
            return exact[0]
        sibling_codes = {s.code for s in siblings}
        aliased = sorted(self._aliases.get(key, set()) & sibling_codes)
        if len(aliased) == 1:
            return self._subjects[aliased[0]]
        lenient = [s for s in siblings if _base_name(_name(s.name)) == _base_name(key)]
        if len(exact) == 0 and len(aliased) == 0 and len(lenient) == 1:
            return lenient[0]
        where = f"under {parent.code} ({parent.name})" if parent else "among 类 codes"
        found = exact or [self._subjects[c] for c in aliased] or lenient
        if found:
            codes = ", ".join(s.code for s in found)
            raise UnresolvedSubject(f"{_LEVEL_ZH[level]} name {name!r} is ambiguous {where}: {codes}")
        raise UnresolvedSubject(f"{_LEVEL_ZH[level]} name {name!r} not found {where}")


def _own_key(names: Sequence[str], loose: bool = False) -> str:
    keys = (_name(n) for n in names)
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
        code, name = raw_code.strip(), _name(raw_name)
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
