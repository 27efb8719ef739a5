"""Placement: prune every flow row's column placements with the report's identities.

Every row starts with the column placements its numbers allow (``ingest.flow.rows``); each
identity (``ingest.flow.identities``) is a linear sum over (row, column) cells that must hold
within the rounding tolerance. Propagating them to a fixpoint keeps, for each row, only the
placements some placement of the other rows agrees with. What is left open becomes an
Ambiguity in the output, never a guessed cell.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from math import inf, prod

from ingest.flow.rows import Row

_DP_LIMIT = 50_000  # partial sums one identity may track before it gives up pruning
_BRUTE_LIMIT = 64  # combinations of the free rows' contributions tried one by one


@dataclass(frozen=True)
class Sum:
    """Σ coef·cell = 0 (or ≥ 0), within the rounding tolerance of its printed addends."""

    terms: tuple[tuple[int, int, str], ...]  # (coef, row id, column key)
    at_least: bool = False
    family: tuple[object, ...] = ()  # identities that stand or fall together (one parent, all columns)


def tolerance(con: Sum) -> int:
    """DESIGN §4: n printed addends hold within 0.005·(n+1), at least 0.01 (in milli-万元)."""
    return max(10, 5 * len(con.terms))


Domains = dict[int, tuple[int, ...]]  # row id → indexes into its candidates
Amounts = list[list[dict[str, int]]]  # row id → candidate → column → milli-万元


def _milli(v: Decimal) -> int:
    return int((v * 1000).to_integral_value())


def _amounts(rows: list[Row]) -> Amounts:
    """What each placement puts in each column, computed once for the whole search."""
    out: Amounts = []
    for row in rows:
        milli = [_milli(v) for v in row.values]
        per: list[dict[str, int]] = []
        for candidate in row.candidates:
            cells: dict[str, int] = {}
            for v, c in zip(milli, candidate, strict=True):
                cells[c] = cells.get(c, 0) + v
            per.append(cells)
        out.append(per)
    return out


def _sums(options: list[list[int]]) -> list[set[int]] | None:
    """Partial sums reachable after each prefix of rows; None when there are too many to track."""
    out = [{0}]
    for opts in options:
        nxt = {p + x for p in out[-1] for x in opts}
        if len(nxt) > _DP_LIMIT:
            return None
        out.append(nxt)
    return out


@dataclass(frozen=True, slots=True)
class _Check:
    """A Sum read against the rows' placements, once per search: for each row it involves, what
    each of the row's placements adds to the sum (recomputing these per revision was half of
    the flow parser's time)."""

    rows: tuple[int, ...]
    adds: tuple[tuple[int, ...], ...]  # per row in ``rows``: per candidate index, coef·cells
    tol: int
    at_least: bool
    family: tuple[object, ...]

    @staticmethod
    def of(con: Sum, amounts: Amounts) -> _Check:
        by_row: dict[int, list[tuple[int, int, str]]] = {}
        for term in con.terms:
            by_row.setdefault(term[1], []).append(term)
        adds = []
        for r, terms in by_row.items():
            if len(terms) == 1:
                k, _, c = terms[0]
                add = tuple(k * placed.get(c, 0) for placed in amounts[r])
            else:
                add = tuple(sum(k * placed.get(c, 0) for k, _, c in terms) for placed in amounts[r])
            adds.append(add)
        return _Check(tuple(by_row), tuple(adds), tolerance(con), con.at_least, con.family)


def _fits(prefix: set[int], x: int, suffix: list[int], chk: _Check) -> bool:
    tol = chk.tol
    if chk.at_least:
        return max(prefix) + x + suffix[-1] >= -tol
    for p in prefix:
        target = -(p + x)
        k = bisect_left(suffix, target - tol)
        if k < len(suffix) and suffix[k] <= target + tol:
            return True
    return False


def _brute(free_options: list[list[int]], low: int, high: float) -> list[set[int]] | None:
    """The contributions of each free row that some combination with the others' brings within
    [low, high], found by trying every combination: for the few free rows and placements most
    identities have, cheaper than the partial-sum sets."""
    ok: list[set[int]] = [set() for _ in free_options]
    for combo in product(*free_options):
        if low <= sum(combo) <= high:
            for k, x in enumerate(combo):
                ok[k].add(x)
    return ok if ok[0] else None


def _revise(chk: _Check, domains: Domains) -> Domains | None:
    """Keep the placements of each row that some placement of the others satisfies.

    Returns the domains of the rows with more than one contribution, narrowed (as they were when
    the identity has too many partial sums to check; {} when no row has), None when no
    placement at all satisfies it.
    """
    # A row with one possible contribution only shifts every partial sum: folded into a constant,
    # the search tracks the other rows (same answers, fewer and cheaper combinations).
    const = 0
    free: list[tuple[int, tuple[int, ...], tuple[int, ...], list[int]]] = []  # (row, adds, domain, options)
    for r, add in zip(chk.rows, chk.adds, strict=True):
        dom = domains[r]
        if len(dom) == 1:  # most rows, once the search has narrowed
            const += add[dom[0]]
            continue
        options = sorted({add[i] for i in dom})
        if len(options) == 1:
            const += options[0]
        else:
            free.append((r, add, dom, options))
    # Σ contributions + const must lie within [−tol, tol] (at least: ≥ −tol)
    low, high = -chk.tol - const, (inf if chk.at_least else chk.tol - const)
    if not free:
        return {} if low <= 0 <= high else None
    free_options = [options for _, _, _, options in free]
    if prod(map(len, free_options)) <= _BRUTE_LIMIT:
        ok_sets = _brute(free_options, low, high)
    else:
        ok_sets = _by_partial_sums(free_options, const, chk)
    if ok_sets is None:
        return None
    # some placement satisfies the identity, so each single-contribution row keeps its own
    return {r: tuple(i for i in dom if add[i] in ok) for (r, add, dom, _), ok in zip(free, ok_sets, strict=True)}


def _by_partial_sums(free_options: list[list[int]], const: int, chk: _Check) -> list[set[int]] | None:
    """:func:`_brute`'s answer for many rows or placements, from the sets of partial sums before
    and after each row (every contribution kept when there are too many sums to track)."""
    prefix = _sums(free_options)
    suffix = _sums(free_options[::-1])
    if prefix is None or suffix is None:
        return [set(options) for options in free_options]
    out: list[set[int]] = []
    for m, options in enumerate(free_options):
        after = sorted(suffix[len(free_options) - m - 1])
        ok = {x for x in options if _fits(prefix[m], x + const, after, chk)}
        if not ok:
            return None
        out.append(ok)
    return out


@dataclass(frozen=True)
class _System:
    """The identities in force, and which of them each row appears in."""

    cons: tuple[_Check, ...]
    watch: dict[int, tuple[int, ...]]

    @staticmethod
    def of(cons: Iterable[_Check]) -> _System:
        cons = tuple(cons)
        watch: dict[int, list[int]] = {}
        for k, con in enumerate(cons):
            for r in con.rows:
                watch.setdefault(r, []).append(k)
        return _System(cons, {r: tuple(ks) for r, ks in watch.items()})

    def plus(self, con: _Check) -> _System:
        """This system and one more identity (rebuilding it whole per tie was a quarter of the
        flow parser's time: scripts/bench.py)."""
        k, watch = len(self.cons), dict(self.watch)
        for r in con.rows:
            watch[r] = (*watch.get(r, ()), k)
        return _System((*self.cons, con), watch)


def _propagate(system: _System, domains: Domains, queue: Iterable[int] | None = None) -> int | None:
    """Narrow ``domains`` in place to a fixpoint; the index of an identity nothing satisfies, if any."""
    todo = deque(range(len(system.cons)) if queue is None else queue)
    queued = set(todo)
    while todo:
        k = todo.popleft()
        queued.discard(k)
        narrowed = _revise(system.cons[k], domains)
        if narrowed is None:
            return k
        for r, dom in narrowed.items():
            if len(dom) < len(domains[r]):
                domains[r] = dom
                for k2 in system.watch[r]:
                    if k2 not in queued:
                        todo.append(k2)
                        queued.add(k2)
    return None


def place(rows: list[Row], within: list[Sum], cross: list[Sum]) -> Domains:
    """A table's own arithmetic first; then each tie to another table that does not contradict
    it; then each remaining placement is tried alone and dropped if it makes the identities fail.

    An identity the printed numbers break whatever the placement (a real error in the report,
    for the audit to find) is left out instead of forcing a placement.
    """
    amounts = _amounts(rows)
    checks = [_Check.of(con, amounts) for con in within]
    ties = [_Check.of(con, amounts) for con in cross]
    start: Domains = {r: tuple(range(len(row.candidates))) for r, row in enumerate(rows)}
    families: dict[tuple[object, ...], list[_Check]] = {}
    for con in checks:
        families.setdefault(con.family, []).append(con)
    active = [con for fam in families.values() for con in fam]
    domains = dict(start)
    if _propagate(_System.of(active), domains) is not None:
        # A family no placement satisfies (a 款 whose printed 项 do not add up) is a printing
        # error: set aside whole, so that it cannot push numbers into wrong columns. (When all
        # hold together each holds alone: the check is needed only after a failure.)
        active = [con for fam in families.values() if _propagate(_System.of(fam), dict(start)) is None
                  for con in fam]
        while True:
            domains = dict(start)
            bad = _propagate(_System.of(active), domains)
            if bad is None:
                break
            active = [con for con in active if con.family != active[bad].family]
    system = _System.of(active)
    for con in ties:
        trial, candidate = dict(domains), system.plus(con)
        if _propagate(candidate, trial, queue=[len(system.cons)]) is None:
            system, domains = candidate, trial
    changed = True
    while changed:
        changed = False
        for r in [r for r, dom in domains.items() if len(dom) > 1]:
            keep = tuple(i for i in domains[r]
                         if _propagate(system, {**domains, r: (i,)}, system.watch.get(r, ())) is None)
            if keep and keep != domains[r]:
                domains[r] = keep
                _propagate(system, domains, system.watch.get(r, ()))
                changed = True
    return domains
