"""Error injection: one audit-category error per chosen report, and its label.

``injections.csv`` (beside this module) is the one list of what each injected variant is expected
to trigger: one row per category and variant — and layout, where the layout changes what the
audit can see — with the audit rule ids (``;``-separated, as ``seeds/audit_rules.csv`` names
them) and a description. ``inject`` writes those ids into each label; the recall checks
(``tests/integration/test_synth.py``, ``scripts/bench.py``) read them through ``expected_rule_ids``.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from juesuan.synth.fmt import wan
from juesuan.synth.model import LAYOUT_FLOW, LAYOUT_NARRATIVE, LAYOUT_TAB, Report
from juesuan.synth.narrative import Execution, Narrative, direction_of, rate_of
from juesuan.synth.reference import code_lists
from juesuan.synth.tables import SubjectRow, Tables

# Error categories the generator injects and the layouts each can be injected into (a
# narrative-only report has no tables to break); the rules each variant is expected to fire are
# data, ``injections.csv`` (see ``expected_rule_ids``).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "within_table": (LAYOUT_TAB, LAYOUT_FLOW),
    "cross_table": (LAYOUT_TAB, LAYOUT_FLOW),
    "narrative_vs_table": (LAYOUT_TAB, LAYOUT_FLOW, LAYOUT_NARRATIVE),
    "completion_rate": (LAYOUT_TAB, LAYOUT_FLOW, LAYOUT_NARRATIVE),
    "direction_wording": (LAYOUT_TAB, LAYOUT_FLOW, LAYOUT_NARRATIVE),
    "code_quality": (LAYOUT_TAB, LAYOUT_FLOW),
    "completeness": (LAYOUT_TAB, LAYOUT_FLOW, LAYOUT_NARRATIVE),
    "cross_year": (LAYOUT_TAB, LAYOUT_FLOW, LAYOUT_NARRATIVE),
}
CATEGORY_ORDER = tuple(CATEGORIES)
INJECTIONS_CSV = Path(__file__).with_name("injections.csv")


@lru_cache(maxsize=1)
def injections() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """``injections.csv`` as {(category, variant, layout or ""): expected rule ids}."""
    with INJECTIONS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    table = {(row["category"], row["variant"], row["layout"]): tuple(filter(None, row["expected_rule_ids"].split(";")))
             for row in rows}
    unknown = {c for c, _, _ in table} ^ set(CATEGORIES)
    if unknown:
        raise ValueError(f"{INJECTIONS_CSV.name}: categories differ from CATEGORIES: {sorted(unknown)}")
    return table


def expected_rule_ids(category: str, variant: str, layout: str) -> tuple[str, ...]:
    """The audit rules an injected ``category``/``variant`` error is expected to fire in ``layout``
    (the row for that layout, else the row for any layout)."""
    table = injections()
    key = (category, variant, layout) if (category, variant, layout) in table else (category, variant, "")
    if key not in table:
        raise KeyError(f"{INJECTIONS_CSV.name} has no row for {category}/{variant}")
    return table[key]


@dataclass
class Label:
    category: str
    variant: str
    table_key: str
    subject_code: str | None
    description: str
    expected: tuple[str, ...] = ()  # audit rules expected to fire, from injections.csv


def _delta(rng: random.Random, value: int) -> int:
    """A change far beyond rounding (≥ 1 万元 or ≥ 5 %)."""
    d = max(100, int(abs(value) * rng.uniform(0.05, 0.3)))
    return d if rng.random() < 0.5 or value - d <= 0 else -d


def eligible(category: str, r: Report, n: Narrative) -> bool:
    """Whether ``category`` can be injected into this report (its layout and its content allow it)."""
    if r.layout not in CATEGORIES[category]:
        return False
    if category == "completeness" and r.layout == LAYOUT_NARRATIVE:
        return n.three_public["total"][0] > 0 and n.three_public["total"][2] is not None
    if category == "direction_wording":
        return any(ex.final != ex.budget for ex in n.items)
    if category == "completion_rate":
        return n.overall.rate is not None or any(ex.rate is not None for ex in n.items)
    if category == "cross_year":
        return r.grand_total != r.prev["grand"]
    return True


def inject(category: str, r: Report, t: Tables, n: Narrative, rng: random.Random) -> Label:
    """Inject one error of ``category`` into the tables ``t`` or the narrative figures ``n`` (edited in
    place); its label names the audit rules expected to fire (``injections.csv``)."""
    label = _apply(category, r, t, n, rng)
    return replace(label, expected=expected_rule_ids(label.category, label.variant, r.layout))


def _apply(category: str, r: Report, t: Tables, n: Narrative, rng: random.Random) -> Label:
    if category == "within_table":
        key = rng.choice(("expenditure", "gpb_expenditure", "income"))
        rows: list[SubjectRow] = getattr(t, key)
        leaves = [row for row in rows if row.kind == "subject" and len(row.code or "") == 7]
        row = rng.choice(leaves)
        old = row.values[0] or 0
        row.values[0] = old + _delta(rng, old)
        return Label(category, "leaf_total_cell", key, row.code,
                     f"{key} {row.code} {row.name}: 合计栏 {wan(old)} → {wan(row.values[0])}")
    if category == "cross_table":
        if rng.random() < 0.5 and t.econ_totals[0]:
            # 06: one personnel section, its 类 and 人员经费合计 moved together: 06 ≠ 05 基本支出
            block = t.econ[0]
            k = rng.choice([k for k, (code, _, v) in enumerate(block) if len(code) == 5 and v])
            code, name, v = block[k]
            d = _delta(rng, v or 0)
            block[k] = (code, name, (v or 0) + d)
            parent = next(j for j in range(k, -1, -1) if len(block[j][0]) == 3)
            pc, pn, pv = block[parent]
            block[parent] = (pc, pn, (pv or 0) + d)
            t.econ_totals = (t.econ_totals[0] + d, t.econ_totals[1])
            return Label(category, "econ_vs_gpb_basic", "gpb_basic_econ", None,
                         f"06 {code} {name} {wan(v or 0)} → {wan((v or 0) + d)} (类 and 人员经费合计 follow): "
                         f"06 人员+公用 ≠ 05 基本支出合计")
        # 01: a 类 line and 年末结转 moved against each other: 01 still balances, 01 ≠ 03
        k = rng.choice([k for k, row in enumerate(t.summary) if row[5][0] and row[4] < 57])
        inc_label, inc_no, inc_vals, label, no, vals = t.summary[k]
        old = vals[0] or 0
        d = max(100, int(old * rng.uniform(0.05, 0.3)))
        t.summary[k] = (inc_label, inc_no, inc_vals, label, no, [old + d])
        for j, row in enumerate(t.summary):
            if row[4] == 57:
                t.summary[j] = (*row[:5], [(row[5][0] or 0) + d])
            if row[4] == 59:
                new_ce = (row[5][0] or 0) - d
                t.summary[j] = (*row[:5], [new_ce])
        return Label(category, "summary_class_vs_expenditure", "summary", None,
                     f"01 {label} {wan(old)} → {wan(old + d)}, 本年支出合计 +{wan(d)}, 年末结转和结余 −{wan(d)}: "
                     f"01 ≠ 03")
    if category == "narrative_vs_table":
        choice = rng.random()
        if choice < 0.4 and n.class_shares and r.layout != LAYOUT_NARRATIVE:
            k = rng.randrange(len(n.class_shares))
            code, name, amount, share = n.class_shares[k]
            d = _delta(rng, amount)
            n.class_shares[k] = (code, name, amount + d, share)
            return Label(category, "class_share_amount", "gpb_expenditure", code,
                         f"情况说明 {name}（类）支出 {wan(amount)} → {wan(amount + d)}; 05 prints {wan(amount)}")
        if choice < 0.7 and n.items and r.layout != LAYOUT_NARRATIVE:
            k = rng.randrange(len(n.items))
            ex = n.items[k]
            d = _delta(rng, ex.final)
            final = ex.final + d
            n.items[k] = Execution(ex.path, ex.code, ex.budget, final, rate_of(final, ex.budget, r.rate_places),
                                   direction_of(final, ex.budget) if ex.direction else None)
            return Label(category, "execution_final", "gpb_expenditure", ex.code,
                         f"情况说明 {'/'.join(ex.path)} 支出决算 {wan(ex.final)} → {wan(final)} (rate and wording "
                         f"follow); 05 prints {wan(ex.final)}")
        d = _delta(rng, n.exp_total)
        old = n.exp_total
        n.exp_total += d
        return Label(category, "expenditure_total", "expenditure", None,
                     f"情况说明 支出合计 {wan(old)} → {wan(n.exp_total)} (基本支出 + 项目支出 and 01/03 print "
                     f"{wan(old)})")
    if category == "completion_rate":
        options = [("item", k) for k, ex in enumerate(n.items) if ex.rate is not None]
        if n.overall.rate is not None:
            options.append(("overall", 0))
        if n.three_public["total"][2] is not None and n.three_public["total"][0] > 0:
            options.append(("three_public", 0))
        kind, k = rng.choice(options)
        shift = Decimal(str(round(rng.uniform(1.6, 12.0), 1))) * (1 if rng.random() < 0.5 else -1)
        if kind == "three_public":
            b, f, rate, d = n.three_public["total"]
            new = _shift_rate(rate, shift)
            n.three_public["total"] = (b, f, new, d)
            return Label(category, "three_public_rate", "three_public", None,
                         f"“三公”经费 完成全年预算的 {rate}% → {new}% (amounts {wan(b)} / {wan(f)})")
        ex = n.overall if kind == "overall" else n.items[k]
        new = _shift_rate(ex.rate, shift)
        changed = Execution(ex.path, ex.code, ex.budget, ex.final, new, ex.direction)
        if kind == "overall":
            n.overall = changed
        else:
            n.items[k] = changed
        what = "一般公共预算财政拨款支出" if kind == "overall" else "/".join(ex.path)
        return Label(category, f"{kind}_rate", "budget_execution", ex.code,
                     f"{what} 完成年初预算的 {ex.rate}% → {new}% (年初预算 {wan(ex.budget)}, 决算 {wan(ex.final)})")
    if category == "direction_wording":
        options = [k for k, ex in enumerate(n.items) if ex.final != ex.budget]
        k = rng.choice(options)
        ex = n.items[k]
        right = direction_of(ex.final, ex.budget)
        wrong = "小于" if right == "大于" else "大于"
        n.items[k] = Execution(ex.path, ex.code, ex.budget, ex.final, ex.rate, wrong)
        return Label(category, "flip_more_less", "budget_execution", ex.code,
                     f"{'/'.join(ex.path)}: 决算 {wan(ex.final)} vs 年初预算 {wan(ex.budget)} printed as "
                     f"“支出决算数{wrong}年初预算数”")
    if category == "code_quality":
        lists = code_lists()
        leaf = rng.choice(r.leaves)
        section = leaf.code[:5]
        unknown = next(section + f"{k:02d}" for k in range(98, 0, -1) if section + f"{k:02d}" not in lists.subjects)
        for rows in (t.income, t.expenditure, t.gpb_expenditure):
            for row in rows:
                if row.code == leaf.code:
                    row.code = unknown
        return Label(category, "unknown_code", "expenditure", unknown,
                     f"{leaf.code} {leaf.name} printed as {unknown} (not in the 功能分类 code list) in 02/03/05")
    if category == "completeness":
        b, f, rate, _ = n.three_public["total"]
        if b > 0 and rate is not None and (r.layout == LAYOUT_NARRATIVE or rng.random() < 0.5):
            # 09 missing and the narrative states the 三公 rate without its 全年预算: not evaluable
            t.dropped.add("three_public")
            n.hide_three_public_budget = True
            return Label(category, "three_public_budget_missing", "three_public", None,
                         f"table 09 missing and 情况说明 omits the “三公” 全年预算 ({wan(b)}) while stating "
                         f"完成全年预算的 {rate}%")
        key = rng.choice(("gpb_basic_econ", "three_public", "income"))
        t.dropped.add(key)
        return Label(category, "table_dropped", key, None, f"table {key} missing from the report")
    if category == "cross_year":
        d = r.grand_total - r.prev["grand"]
        bump = max(100, int(abs(d) * rng.uniform(0.1, 0.5)))
        n.grand_change_bump = bump
        return Label(category, "change_amount", "narrative", None,
                     f"情况说明 收、支总计 change vs {r.year - 1} printed {wan(abs(d) + bump)} instead of {wan(abs(d))} "
                     f"(the growth rate is right)")
    raise ValueError(f"unknown category {category!r}")


def _shift_rate(rate: str | None, shift: Decimal) -> str:
    """A stated rate moved by ``shift`` percentage points (printed with at least one decimal)."""
    value = Decimal(rate or "0")
    new = value + shift if value + shift > 0 else value + abs(shift)
    places = max(1, len(rate.split(".")[1]) if rate and "." in rate else 0)
    return str(new.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
