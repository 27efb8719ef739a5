"""The identities that place flow numbers: data in ``identities.csv`` beside this module.

One CSV row per identity; the row is a template that this module instantiates over a
report's rows (per table block, per row, per column …) as :class:`~ingest.flow.solve.Sum`.

identity_id  a stable name.
scope        ``within``: holds inside one table; instantiated for every block of each table
             in ``tables``, in document order. ``cross``: ties the report's tables together;
             each table is its first block that prints an amount (an empty 05/07/08 counts:
             it says the fund has no money).
for_each     loops, outermost first, separated by ``;``:
             ``c in a b c`` one value per word; ``fund,c in x,y z,w`` one tuple per word;
             ``c in @columns`` the table's columns (seeds/layout_columns.csv);
             ``parent in @hierarchy`` each printed parent, binding ``{parent}`` and
             ``{children}`` (a row's parent is its nearest printed ancestor; a 类's is 合计);
             ``row in TABLE[SEL SEL …]`` each row the selectors name (no TABLE: the block),
             binding ``{row}`` and ``{key}``, the row's subject key (see SEL).
lhs, rhs     terms joined by `` + ``: ``TABLE[SEL].COLUMN`` (no TABLE: the block); ``{var}``
             is replaced by its binding. A term naming several rows adds them all.
relation     ``=`` or ``>=``: Σ lhs − Σ rhs = 0 (or ≥ 0) within the rounding tolerance.
missing      what a row that is not printed does: ``zero`` it counts as 0; ``skip_lhs`` no
             identity when a lhs row is not printed (rhs rows count as 0); ``skip_empty`` no
             identity when a lhs row or every rhs row is not printed. In every mode there is
             no identity when a lhs table, or every rhs table, is absent from the report.
family       identities that stand or fall together (a printing error sets its family aside):
             empty = one family per first lhs row; ``NAME var`` = one per value of ``var``.
rule_id      the audit rules (seeds/audit_rules.csv) that check the same identity on the
             placed cells; empty where the audit has no such rule.

Selectors SEL: ``合计`` a subject table's 合计 row; ``{row}`` a bound row; ``{key}`` the row
with that subject key (a 功能分类 code; code and name where the extractor printed a code
twice; 合计); ``side:line`` an 01/04 line (its first printing); ``side:prefix*`` every line
whose key starts with prefix (in a loop, ``{key}`` is the rest: class:201 → 201);
``side:line=KEY`` that line with subject key KEY (in a loop); ``@kind`` every row of that kind
(econ_total); ``@index`` each subject key of a subject table (in a loop); ``*`` every row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.flow.rows import Row
from ingest.flow.solve import Sum
from ingest.layout import Layout
from ingest.tables import FUND_TABLES, TableBlock
from ingest.vocab import name_key, read_csv

CATALOGUE = Path(__file__).with_name("identities.csv")

_TERM = re.compile(r"^(?P<table>[a-z_{}]*)\[(?P<row>[^\]]+)\]\.(?P<column>\S+)$")
_VAR = re.compile(r"\{(\w+)\}")
_MISSING = ("zero", "skip_lhs", "skip_empty")


@dataclass(frozen=True)
class Term:
    table: str  # '' = the table the identity is instantiated for (within)
    row: str  # selector
    column: str
    # what a binding changes, worked out once: a flow report instantiates ~200 terms, and
    # substituting by regular expression was a sixth of that time
    row_var: str | None = field(init=False, default=None)  # the selector is one {var}
    column_var: str | None = field(init=False, default=None)  # the column is one {var}
    bound: bool = field(init=False, default=False)  # table or selector hold a {var}

    def __post_init__(self) -> None:
        whole = {x: m.group(1) if (m := _VAR.fullmatch(x)) else None for x in (self.row, self.column)}
        object.__setattr__(self, "row_var", whole[self.row])
        object.__setattr__(self, "column_var", whole[self.column])
        object.__setattr__(self, "bound", "{" in self.table or "{" in self.row)

    def at(self, binding: Mapping[str, object]) -> tuple[str, str]:
        """(table, column) under ``binding``."""
        table = _subst(self.table, binding) if self.bound else self.table
        if self.column_var is not None:
            return table, str(binding[self.column_var])
        return table, _subst(self.column, binding)


@dataclass(frozen=True)
class Loop:
    names: tuple[str, ...]
    source: str  # values | @columns | @hierarchy | rows
    values: tuple[tuple[str, ...], ...] = ()
    table: str = ""
    selectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    identity_id: str
    scope: str  # within | cross
    tables: tuple[str, ...]
    loops: tuple[Loop, ...]
    lhs: tuple[Term, ...]
    at_least: bool
    rhs: tuple[Term, ...]
    missing: str
    family: tuple[str, str] | None
    rule_ids: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class _Key:
    """A subject key bound by a loop: looked up in each table the term names."""

    value: object


def _terms(text: str, where: str) -> tuple[Term, ...]:
    out = []
    for part in text.split(" + ") if text.strip() else []:
        m = _TERM.match(part.strip())
        if not m:
            raise ValueError(f"{where}: term {part!r} is not TABLE[ROW].COLUMN")
        out.append(Term(m.group("table"), m.group("row"), m.group("column")))
    return tuple(out)


def _loop(text: str, where: str) -> Loop:
    names_text, sep, source = text.strip().partition(" in ")
    if not sep:
        raise ValueError(f"{where}: loop {text!r} is not 'NAME in SOURCE'")
    names = tuple(n.strip() for n in names_text.split(","))
    source = source.strip()
    m = re.match(r"^(?P<table>[a-z_]*)\[(?P<sel>[^\]]+)\]$", source)
    implied = {"@hierarchy": ("parent",), "@columns": ("c",)}.get(source, ("row",) if m else None)
    if implied is not None and names != implied:
        raise ValueError(f"{where}: loop {text!r} binds {', '.join(implied)}")
    if source in ("@columns", "@hierarchy"):
        return Loop(names, source)
    if m:
        return Loop(names, "rows", table=m.group("table"), selectors=tuple(m.group("sel").split()))
    values = tuple(tuple(v.split(",")) for v in source.split())
    if any(len(v) != len(names) for v in values):
        raise ValueError(f"{where}: loop {text!r} binds {len(names)} names; some values have another count")
    return Loop(names, "values", values=values)


def parse_catalogue(rows: list[dict[str, str]]) -> tuple[Identity, ...]:
    out = []
    for r in rows:
        where = f"{CATALOGUE.name} {r['identity_id']}"
        if r["scope"] not in ("within", "cross") or r["relation"] not in ("=", ">=") or r["missing"] not in _MISSING:
            raise ValueError(f"{where}: scope, relation or missing not one of the documented values")
        family = tuple(r["family"].split()) if r["family"].strip() else None
        if family is not None and len(family) != 2:
            raise ValueError(f"{where}: family is 'NAME var' or empty")
        out.append(Identity(
            r["identity_id"], r["scope"], tuple(r["tables"].split()),
            tuple(_loop(x, where) for x in r["for_each"].split(";") if x.strip()),
            _terms(r["lhs"], where), r["relation"] == ">=", _terms(r["rhs"], where), r["missing"],
            family, tuple(r["rule_id"].split()), r["note"]))  # type: ignore[arg-type]
    return tuple(out)


@lru_cache(maxsize=1)
def catalogue() -> tuple[Identity, ...]:
    return parse_catalogue(read_csv(CATALOGUE))


# ---------------------------------------------------------------------------------------------
# The rows a term or loop names


def subject_index(rows: list[Row], ids: list[int]) -> dict[object, int]:
    """Rows of a subject table by code (by code and name where the extractor duplicated a code)."""
    counts = Counter(rows[r].code for r in ids)
    out: dict[object, int] = {}
    for r in ids:
        row = rows[r]
        if row.kind == "total":
            out["合计"] = r
        elif row.kind == "subject":
            out[row.code if counts[row.code] == 1 else (row.code, name_key(row.name))] = r
    return out


def _parent_of(rows: list[Row], ids: list[int]) -> dict[int, int | None]:
    """Each subject row's nearest printed ancestor (款 for a 项, 类 for a 款 or an orphan 项)."""
    out: dict[int, int | None] = {}
    for pos, r in enumerate(ids):
        code = rows[r].code or ""
        out[r] = None
        for length in (5, 3):
            if len(code) <= length:
                continue
            same = [q for q in ids if rows[q].code == code[:length]]
            before = [q for q in ids[:pos] if rows[q].code == code[:length]]
            if same:
                out[r] = (before or same)[-1]
                break
    return out


def _hierarchy(rows: list[Row], ids: list[int]) -> dict[int, list[int]]:
    """Printed parent → its printed children; a row without a printed ancestor is under 合计."""
    subjects = [r for r in ids if rows[r].kind == "subject"]
    total = next((r for r in ids if rows[r].kind == "total"), None)
    children: dict[int | None, list[int]] = {}
    for r, parent in _parent_of(rows, subjects).items():
        children.setdefault(parent if parent is not None else total, []).append(r)
    return {parent: kids for parent, kids in children.items() if parent is not None}


class _Report:
    """The rows in play: per table key, the row ids of the block (within) or of its first block (cross)."""

    def __init__(self, rows: list[Row], tables: Mapping[str, list[int]], current: str = "",
                 layout: Layout | None = None) -> None:
        self.rows, self.tables, self.current, self.layout = rows, tables, current, layout
        self._index: dict[str, dict[object, int]] = {}

    def ids(self, table: str) -> list[int] | None:
        return self.tables.get(table or self.current)

    def index(self, table: str) -> dict[object, int]:
        table = table or self.current
        if table not in self._index:
            self._index[table] = subject_index(self.rows, self.tables[table])
        return self._index[table]

    def lines(self, ids: list[int], selector: str) -> list[int]:
        side, _, key = selector.partition(":")
        if key.endswith("*"):
            return [r for r in ids if self.rows[r].side == side and (self.rows[r].code or "").startswith(key[:-1])]
        return [r for r in ids if self.rows[r].side == side and self.rows[r].code == key]

    def select(self, table: str, term: Term, binding: Mapping[str, object]) -> list[int] | None:
        """The rows a term names; None when its table is absent from the report."""
        ids = self.ids(table)
        if ids is None:
            return None
        selector = term.row
        if term.row_var is not None:
            value = binding[term.row_var]
            if isinstance(value, _Key):
                hit = self.index(table).get(value.value)
                return [] if hit is None else [hit]
            return list(value) if isinstance(value, list) else [value]  # type: ignore[list-item]
        if term.bound:
            selector = _subst(selector, binding)
        if selector == "合计":
            hit = self.index(table).get("合计")
            return [] if hit is None else [hit]
        if selector.startswith("@"):
            return [r for r in ids if self.rows[r].kind == selector[1:]]
        lines = self.lines(ids, selector)
        return lines if selector.endswith("*") else lines[:1]

    def loop(self, loop: Loop, binding: Mapping[str, object]) -> Iterator[tuple[object, ...]]:
        if loop.source == "values":
            yield from loop.values
        elif loop.source == "@columns":
            assert self.layout is not None
            yield from ((c,) for c in self.layout.tables[self.current].columns)
        elif loop.source == "@hierarchy":
            yield from _hierarchy(self.rows, self.tables[self.current]).items()
        else:
            table = _subst(loop.table, binding)
            ids = self.ids(table)
            if ids is None:
                return
            for selector in loop.selectors:
                if selector == "*":
                    yield from ((r, _Key(None)) for r in ids)
                elif selector == "@index":
                    yield from ((r, _Key(key)) for key, r in self.index(table).items())
                else:
                    line, _, key = selector.partition("=")
                    prefix = len(line.partition(":")[2]) - 1  # 'expenditure:class:*' → len('class:')
                    for r in self.lines(ids, line):
                        if not key and line.endswith("*"):
                            yield r, _Key((self.rows[r].code or "")[prefix:])
                        else:
                            yield r, _Key(key or None)


def _subst(text: str, binding: Mapping[str, object]) -> str:
    return _VAR.sub(lambda m: str(binding[m.group(1)]), text) if "{" in text else text


# ---------------------------------------------------------------------------------------------
# Instantiation


def _bindings(report: _Report, loops: tuple[Loop, ...], binding: dict[str, object]) -> Iterator[dict[str, object]]:
    if not loops:
        yield binding
        return
    loop, rest = loops[0], loops[1:]
    names = {"rows": ("row", "key"), "@hierarchy": ("parent", "children")}.get(loop.source, loop.names)
    for values in report.loop(loop, binding):
        yield from _bindings(report, rest, {**binding, **dict(zip(names, values, strict=True))})


def _instances(identity: Identity, report: _Report) -> Iterator[Sum]:
    for binding in _bindings(report, identity.loops, {}):
        lhs = [(report.select(table, t, binding), column) for t in identity.lhs for table, column in [t.at(binding)]]
        rhs = [(report.select(table, t, binding), column) for t in identity.rhs for table, column in [t.at(binding)]]
        if any(r is None for r, _ in lhs) or (rhs and all(r is None for r, _ in rhs)):
            continue  # a table the identity names is absent from the report
        if identity.missing != "zero" and any(not r for r, _ in lhs):
            continue
        rhs_terms = [(row, c) for r, c in rhs if r for row in r]
        if identity.missing == "skip_empty" and not rhs_terms:
            continue
        terms = tuple((1, row, c) for r, c in lhs if r for row in r) + tuple((-1, row, c) for row, c in rhs_terms)
        if identity.family is not None:
            family: tuple[object, ...] = (identity.family[0], binding[identity.family[1]])
        else:
            family = ("sum", terms[0][1]) if terms else ()
        yield Sum(terms, at_least=identity.at_least, family=family)


def within(rows: list[Row], tables: dict[int, list[int]], blocks: list[TableBlock], layout: Layout) -> list[Sum]:
    """Each table block's own identities, block by block in document order."""
    out: list[Sum] = []
    for b, ids in tables.items():
        key = blocks[b].table_key
        report = _Report(rows, {key: ids}, key, layout)
        for identity in catalogue():
            if identity.scope == "within" and key in identity.tables:
                out += _instances(identity, report)
    return out


def cross(rows: list[Row], tables: dict[int, list[int]], blocks: list[TableBlock]) -> list[Sum]:
    """Ties between the tables of one report, each table being its first block with amounts."""
    first: dict[str, list[int]] = {}
    for b, ids in tables.items():
        # An empty 07/08 means no such fund; an empty 01/04/06 more likely lost its numbers.
        if blocks[b].table_key in FUND_TABLES or any(rows[r].values for r in ids):
            first.setdefault(blocks[b].table_key, ids)
    report = _Report(rows, first)
    return [s for identity in catalogue() if identity.scope == "cross" for s in _instances(identity, report)]
