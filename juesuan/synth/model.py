"""The model of one report in 分 (0.01 万元): units, leaves, reports, drawn deterministically.

``unit_plan(seed, u)`` lays out unit ``u`` of a corpus (place, department, layout, years);
``make_report(unit, year, rng, prev)`` draws one year of it: leaf 项 amounts, carry-overs, the
06 economic split, 三公, projects and procurement. Every printed figure is later summed upward
from these leaves, so every identity of the nine tables holds exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from juesuan.synth.reference import (
    BASIC_ITEM_WORDS,
    COMMON_SECTIONS,
    DEPARTMENTS,
    PERSONNEL,
    PLACES,
    PROJECT_NAMES,
    PUBLIC,
    SYLLABLES,
    CodeLists,
    code_lists,
)

LAYOUT_TAB = "tab_separated"
LAYOUT_FLOW = "pdftotext_flow"
LAYOUT_NARRATIVE = "narrative_only"
LAYOUT_WEIGHTS = ((LAYOUT_TAB, 0.4), (LAYOUT_FLOW, 0.3), (LAYOUT_NARRATIVE, 0.3))
FIRST_YEAR, LAST_YEAR = 2020, 2024


def split_amount(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` 分 into parts proportional to ``weights`` (exact sum, no negative part)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    s = sum(weights)
    parts = [int(total * w / s) for w in weights]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda k: -weights[k])
    for k in range(rest):
        parts[order[k % len(order)]] += 1
    return parts


@dataclass
class Leaf:
    code: str
    name: str
    gb: int  # 一般公共预算 basic (table 05)
    gp: int  # 一般公共预算 project
    nb: int = 0  # non-fiscal money spent as basic (table 03 only)
    np: int = 0  # non-fiscal project
    fiscal_inc: int = 0  # 财政拨款收入 of this subject (table 02)
    business: int = 0  # 事业收入
    other: int = 0  # 其他收入
    budget: int = 0  # 年初预算 (narrative)

    @property
    def gpb(self) -> int:
        return self.gb + self.gp


def _leaf_total(value: Callable[[Leaf], int]) -> property:
    """A :class:`Report` property: Σ ``value(leaf)`` over its leaves."""
    return property(lambda report: sum(value(x) for x in report.leaves))


@dataclass
class Unit:
    index: int
    name: str  # full name as printed, e.g. 武汉市硚口区企业服务中心
    short: str  # 区企业服务中心
    kind: str  # 部门 | 单位 (the report's wording)
    own_level: bool  # 本级 (unit scope)
    sections: tuple[str, ...]
    duty: str
    layout: str
    members: tuple[str, ...]
    first_year: int
    years: int
    scale: float  # 万元
    rng_seed: str


@dataclass
class Report:
    unit: Unit
    year: int
    layout: str
    leaves: list[Leaf]
    cb: int  # 年初财政拨款结转和结余
    ce: int  # 年末
    econ: dict[str, int]  # econ section → amount
    tp_budget: dict[str, int]  # 三公 items abroad / vehicle_purchase / vehicle_operation / reception
    tp_final: dict[str, int]
    projects: list[tuple[str, int, int]]  # (name, budget, actual)
    procurement: tuple[int, int, int, int, int]  # goods, works, services, sme, small_micro
    vehicles: int
    prev: dict[str, int]
    rate_places: int
    style: dict[str, object] = field(default_factory=dict)

    # -- aggregates ---------------------------------------------------------------------------
    def by_code(self, value) -> dict[str, int]:
        """Σ over leaves of ``value(leaf)`` for every class, section and item code."""
        out: dict[str, int] = {}
        for leaf in self.leaves:
            v = value(leaf)
            for code in (leaf.code[:3], leaf.code[:5], leaf.code):
                out[code] = out.get(code, 0) + v
        return out

    def codes(self) -> list[str]:
        """Class, section and item codes in table order."""
        out: list[str] = []
        for leaf in sorted(self.leaves, key=lambda x: x.code):
            for code in (leaf.code[:3], leaf.code[:5], leaf.code):
                if code not in out:
                    out.append(code)
        return out

    # totals Σ over the leaves: gpb_* 一般公共预算 (table 05), exp_* all funds (03), income (02)
    gpb_total = _leaf_total(lambda x: x.gpb)
    gpb_basic = _leaf_total(lambda x: x.gb)
    gpb_project = _leaf_total(lambda x: x.gp)
    fiscal_income = _leaf_total(lambda x: x.fiscal_inc)
    income_total = _leaf_total(lambda x: x.fiscal_inc + x.business + x.other)
    exp_basic = _leaf_total(lambda x: x.gb + x.nb)
    exp_project = _leaf_total(lambda x: x.gp + x.np)

    @property
    def exp_total(self) -> int:
        return self.exp_basic + self.exp_project

    @property
    def grand_total(self) -> int:
        return self.income_total + self.cb

    @property
    def fiscal_grand(self) -> int:
        return self.fiscal_income + self.cb

    @property
    def personnel(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] in ("301", "303"))

    @property
    def public(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] not in ("301", "303"))

    def tp(self, stage: str, item: str) -> int:
        d = self.tp_budget if stage == "budget" else self.tp_final
        if item == "vehicle":
            return d["vehicle_purchase"] + d["vehicle_operation"]
        if item == "total":
            return d["abroad"] + d["vehicle_purchase"] + d["vehicle_operation"] + d["reception"]
        return d[item]


def unit_plan(seed: int, u: int) -> Unit:
    rng = random.Random(f"juesuan-synth:{seed}:unit:{u}")
    n_real = sum(len(d) + 1 for _, _, d in PLACES)  # +1: the city level itself
    n_combo = n_real * len(DEPARTMENTS)
    stride = 7919  # prime, coprime with n_combo: a permutation of the combinations
    offset = random.Random(f"juesuan-synth:{seed}:offset").randrange(n_combo)
    if u < n_combo:
        idx = (u * stride + offset) % n_combo
        place_idx, dept_idx = divmod(idx, len(DEPARTMENTS))
        places = [(prov, city, d) for prov, city, districts in PLACES for d in ("", *districts)]
        prov, city, district = places[place_idx]
    else:  # synthetic districts beyond the real combinations
        extra = u - n_combo
        dept_idx = extra % len(DEPARTMENTS)
        k = extra // len(DEPARTMENTS)
        prov, city, _ = PLACES[k % len(PLACES)]
        k //= len(PLACES)
        n = len(SYLLABLES)
        district = SYLLABLES[k % n] + SYLLABLES[(k // n) % n] + ("区" if k % 3 else "县")
        if k >= n * n:
            district = SYLLABLES[k % n] + SYLLABLES[(k // n) % n] + SYLLABLES[(k // n // n) % n] + "区"
    dept, kind, sections, duty = DEPARTMENTS[dept_idx]
    place = (prov or "") + city + district
    name = place + dept
    short = ("区" if district.endswith("区") else "县" if district else "市") + dept.removeprefix("委")
    r = rng.random()
    layout = LAYOUT_TAB if r < LAYOUT_WEIGHTS[0][1] else LAYOUT_FLOW if r < 1 - LAYOUT_WEIGHTS[2][1] else LAYOUT_NARRATIVE
    own_level = kind == "单位" and rng.random() < 0.5
    members: tuple[str, ...] = ()
    if kind == "部门" and rng.random() < 0.3:
        members = (name + "（本级）", place + rng.choice(("综合服务中心", "信息中心", "事务服务中心", "执法大队")))
    first = rng.randint(FIRST_YEAR, LAST_YEAR)
    years = rng.randint(1, LAST_YEAR - first + 1)
    scale = 10 ** rng.uniform(2.0, 4.0)
    return Unit(u, name, short, kind, own_level, sections, duty, layout, members, first, years, scale,
                f"juesuan-synth:{seed}:unit:{u}:series")


def _pick_sections(rng: random.Random, unit: Unit, lists: CodeLists) -> list[str]:
    main = [s for s in unit.sections if lists.children.get(s)]
    extra = [s for s in COMMON_SECTIONS if lists.children.get(s)]
    chosen = main[:1] + [s for s in main[1:] if rng.random() < 0.6]
    chosen += [s for s in extra if rng.random() < 0.9]
    if rng.random() < 0.15 and lists.children.get("20808"):
        chosen.append("20808")
    return sorted(set(chosen)) or sorted(lists.children)[:1]


def _structure(unit: Unit, lists: CodeLists) -> list[tuple[str, float, str]]:
    """The unit's 项 (code, weight, basic | project | mixed), stable over its years."""
    rng = random.Random(unit.rng_seed + ":structure")
    out: list[tuple[str, float, str]] = []
    for sec in _pick_sections(rng, unit, lists):
        items = list(lists.children[sec])
        main = sec in unit.sections
        k = min(len(items), rng.randint(1, 3 if main else 2))
        for code in sorted(rng.sample(items, k)):
            name = lists.subjects[code]
            weight = rng.lognormvariate(0, 0.6) * (4.0 if main else 1.0)
            kind = "basic" if any(w in name for w in BASIC_ITEM_WORDS) else "mixed" if rng.random() < 0.25 else "project"
            out.append((code, weight, kind))
    return out


def _make_leaves(rng: random.Random, unit: Unit, lists: CodeLists, scale: float, with_nonfiscal: bool) -> list[Leaf]:
    leaves: list[Leaf] = []
    structure = _structure(unit, lists)
    for n, (code, weight, kind) in enumerate(structure):
        if n and rng.random() < 0.08:  # an item not used this year
            continue
        amount = max(5, int(scale * weight * rng.uniform(0.9, 1.1) * 100 / 8))
        if kind == "basic":
            gb, gp = amount, 0
        elif kind == "mixed":
            gb = int(amount * rng.uniform(0.2, 0.7))
            gp = amount - gb
        else:
            gb, gp = 0, amount
        leaves.append(Leaf(code, lists.subjects[code], gb, gp))
    for leaf in leaves:
        # Income of the subject: what was spent, ± what is carried over.
        d = int(leaf.gpb * rng.uniform(-0.15, 0.25)) if rng.random() < 0.3 else 0
        leaf.fiscal_inc = max(1, leaf.gpb + d)
        if with_nonfiscal and rng.random() < 0.4:
            nf = int(leaf.gpb * rng.uniform(0.05, 0.4)) + 1
            if leaf.gp and rng.random() < 0.5:
                leaf.np = nf
            else:
                leaf.nb = nf
            if rng.random() < 0.6:
                leaf.business = nf
            else:
                leaf.other = nf
        # 年初预算: close to the final amount; sometimes nothing was budgeted.
        r = rng.random()
        if r < 0.06:
            leaf.budget = 0
        elif r < 0.12:
            leaf.budget = leaf.gpb
        else:
            leaf.budget = max(1, int(leaf.gpb * rng.uniform(0.75, 1.2)))
    return leaves


def make_report(unit: Unit, year: int, rng: random.Random, prev: dict[str, int] | None) -> Report:
    lists = code_lists()
    growth = random.Random(unit.rng_seed + ":growth")
    scale = unit.scale
    for _ in range(year - unit.first_year):
        scale *= growth.uniform(0.92, 1.12)
    leaves = _make_leaves(rng, unit, lists, scale, with_nonfiscal=rng.random() < 0.3)
    fiscal_inc = sum(x.fiscal_inc for x in leaves)
    gpb_total = sum(x.gpb for x in leaves)
    cb = 0
    if rng.random() < 0.35:
        cb = int(gpb_total * rng.uniform(0.02, 0.2)) + rng.randint(1, 99)
    ce = fiscal_inc - gpb_total + cb
    if ce < 0:  # more spent than received: the carry-over at the start paid for it
        cb -= ce
        ce = 0
    if ce and ce % 100 == 0:
        ce += 1
        cb += 1
    basic = sum(x.gb for x in leaves)
    personnel = int(basic * rng.uniform(0.78, 0.95))
    econ: dict[str, int] = {}
    for group, total in ((PERSONNEL, personnel), (PUBLIC, basic - personnel)):
        codes = [c for c in group if c in lists.econ and (rng.random() < 0.7 or group[c] >= 10)]
        codes = codes or [c for c in group if c in lists.econ][:1]
        for code, amount in zip(codes, split_amount(rng, total, [group[c] * rng.uniform(0.5, 1.5) for c in codes]),
                                strict=True):
            if amount:
                econ[code] = amount
    # 三公
    tp_budget = dict.fromkeys(("abroad", "vehicle_purchase", "vehicle_operation", "reception"), 0)
    tp_final = dict(tp_budget)
    vehicles = 0
    if rng.random() < 0.7:
        vehicles = rng.randint(1, 4)
        tp_budget["vehicle_operation"] = vehicles * rng.randint(150, 450)
        if rng.random() < 0.1:
            tp_budget["vehicle_purchase"] = rng.randint(15, 30) * 100
        if rng.random() < 0.6:
            tp_budget["reception"] = rng.randint(20, 300)
        if rng.random() < 0.08:
            tp_budget["abroad"] = rng.randint(200, 900)
        for item, b in tp_budget.items():
            tp_final[item] = b if rng.random() < 0.2 else int(b * rng.uniform(0.5, 1.05))
    # projects (绩效自评): Σ 执行数 = 项目支出
    projects: list[tuple[str, int, int]] = []
    project_total = sum(x.gp for x in leaves)
    if project_total:
        k = min(len(PROJECT_NAMES), rng.randint(1, 4))
        names = rng.sample(PROJECT_NAMES, k)
        for name, actual in zip(names, split_amount(rng, project_total, [rng.uniform(0.5, 2) for _ in names]),
                                strict=True):
            budget = actual if rng.random() < 0.3 else max(actual, int(actual / rng.uniform(0.7, 1.0)))
            if actual:
                projects.append((name, budget, actual))
    public_like = (basic - personnel) + project_total
    proc_total = int(public_like * rng.uniform(0.05, 0.5))
    goods, works, services = split_amount(rng, proc_total, [rng.uniform(0.1, 1), rng.choice((0, 0, 0.5)),
                                                             rng.uniform(0.2, 1.5)])
    sme = int(proc_total * rng.uniform(0.6, 1.0))
    small = int(sme * rng.uniform(0.7, 1.0))
    report = Report(unit, year, unit.layout, leaves, cb, ce, econ, tp_budget, tp_final, projects,
                    (goods, works, services, sme, small), vehicles, {}, rng.choice((0, 1, 1, 1)))
    if prev is None:  # the year before the first report of the unit: not in the corpus
        prev = {k: max(100, int(v * rng.uniform(0.8, 1.15))) for k, v in year_figures(report).items()}
    report.prev = prev
    spaced = rng.random() < 0.6
    report.style = dict(
        spaced=spaced,  # "2024 年度" or "2024年度"
        fixed=rng.random() < 0.5,  # amounts '30.00' or '30'
        truncate_02=rng.random() < 0.5,  # tab: 02's codes cut to 6 digits (sample 001)
        econ4=rng.random() < 0.5,  # tab: 06's codes cut to 4 digits (sample 001)
        dup_suffix=rng.random() < 0.3,  # tab: '本级本级' (sample 001)
        class_style=rng.choice(("001", "000")),
        title=rng.random() < 0.8,
        encoding=rng.choices(("utf-8", "utf-8-sig", "gb18030"), (0.9, 0.05, 0.05))[0],
        wrap=rng.randint(24, 30),
        blank_between=rng.random() < 0.7,
        alias=rng.random() < 0.5,
        rent_name="房租补贴" if rng.random() < 0.3 else None,
        public_no_inline=rng.random() < 0.5,
        pub_date=(rng.randint(5, 10), rng.randint(1, 28)),
    )
    return report


def year_figures(r: Report) -> dict[str, int]:
    """The totals the next year's narrative compares itself with (与上年相比)."""
    return dict(grand=r.grand_total, income=r.income_total, expenditure=r.exp_total, fiscal=r.fiscal_grand,
                gpb_income=r.fiscal_income, gpb=r.gpb_total, three_public=r.tp("final", "total"))
