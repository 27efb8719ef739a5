"""The 情况说明: its figures (``build_narrative``; the error injection edits these too) and its
text (``narrative_paragraphs``: the sentences ``ingest/narrative.py`` reads)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from juesuan.synth.fmt import pct, sp, trim, yr
from juesuan.synth.model import Report
from juesuan.synth.reference import code_lists

REASONS_MORE = ("人员经费政策性增加", "人员调整，年中追加人员经费", "年中追加专项工作经费", "在职人员转退休，离退休费增加")
REASONS_LESS = ("严格执行中央八项规定精神，落实过紧日子要求压减经费支出", "人员异动", "项目按进度支付，部分资金结转下年",
                "厉行节约，从严控制经费支出")
CHANGE_REASONS = {1: ("人员经费政策性增长", "本年人员增加，收、支较上年均有所增加", "本年项目经费增加"),
                  -1: ("本年压减一般性支出", "人员减少，收、支较上年有所减少", "部分项目已完成，项目经费减少"),
                  0: ("本年收支规模保持稳定",)}


@dataclass
class Execution:
    """One 年初预算 / 支出决算 / 完成年初预算的 C% sentence."""

    path: tuple[str, ...]  # (类, 款, 项) names as narrated; () = the whole budget
    code: str | None
    budget: int
    final: int
    rate: str | None
    direction: str | None  # 大于 | 小于 | None


@dataclass
class Narrative:
    class_shares: list[tuple[str, str, int, str]]  # (code, narrated name, amount, share%)
    overall: Execution
    items: list[Execution]
    three_public: dict[str, tuple[int, int, str | None, str | None]]  # item → (budget, final, rate, direction)
    income_total: int
    exp_total: int
    gpb_total: int
    hide_three_public_budget: bool = False
    grand_change_bump: int = 0  # 分 added to the printed 收、支总计 change vs last year


def rate_of(final: int, budget: int, places: int) -> str | None:
    return pct(final, budget, places) if budget > 0 else None


def direction_of(final: int, budget: int) -> str | None:
    return "大于" if final > budget else "小于" if final < budget else None


def build_narrative(r: Report, rng: random.Random) -> Narrative:
    names = code_lists().subjects
    by_class = r.by_code(lambda x: x.gpb)
    shares = []
    for code in sorted({x.code[:3] for x in r.leaves}):
        if by_class.get(code):
            shares.append((code, names[code], by_class[code], pct(by_class[code], r.gpb_total, 2 if r.year > 2020 else 1)))
    total_budget = sum(x.budget for x in r.leaves)
    overall = Execution((), None, total_budget, r.gpb_total, rate_of(r.gpb_total, total_budget, 1), None)
    items: list[Execution] = []
    if r.year == 2020:  # sample 002 narrates the budget execution by 类
        for code in sorted({x.code[:3] for x in r.leaves}):
            budget = sum(x.budget for x in r.leaves if x.code.startswith(code))
            final = by_class[code]
            direction = direction_of(final, budget) if rng.random() < 0.7 else None
            items.append(Execution((names[code],), code, budget, final, rate_of(final, budget, r.rate_places), direction))
    else:
        for leaf in sorted(r.leaves, key=lambda x: x.code):
            item_name = r.style["rent_name"] if leaf.code == "2210202" and r.style["rent_name"] else leaf.name
            path = (names[leaf.code[:3]], names[leaf.code[:5]], item_name)
            direction = direction_of(leaf.gpb, leaf.budget)
            if leaf.budget and rng.random() < 0.3:
                direction = None
            items.append(Execution(path, leaf.code, leaf.budget, leaf.gpb, rate_of(leaf.gpb, leaf.budget, r.rate_places),
                                   direction))
    tp: dict[str, tuple[int, int, str | None, str | None]] = {}
    for item in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception"):
        b, f = r.tp("budget", item), r.tp("final", item)
        tp[item] = (b, f, rate_of(f, b, 1), direction_of(f, b))
    return Narrative(shares, overall, items, tp, r.income_total, r.exp_total, r.gpb_total)


# ----------------------------------------------------------------------------------------------
# Narrative text (情况说明): the sentences ingest/narrative.py reads


def _change(cur: int, prev: int, bump: int = 0) -> str:
    """'增加 52.16 万元，增长 16.7%' (``bump`` misprints the amount, not the rate)."""
    d = cur - prev
    if d == 0:
        return "持平"
    word, pword = ("增加", "增长") if d > 0 else ("减少", "下降")
    return f"{word} {trim(abs(d) + bump)} 万元，{pword} {pct(abs(d), prev, 1)}%"


def narrative_paragraphs(r: Report, n: Narrative, rng: random.Random) -> list[str]:
    """The 第三部分 情况说明 as a list of paragraphs ('#' marks a heading)."""
    y, py = r.year, r.year - 1
    who = "本部门" if r.unit.kind == "部门" and not r.unit.own_level else "本单位"
    trend = (r.grand_total > r.prev["grand"]) - (r.grand_total < r.prev["grand"])
    reason = rng.choice(CHANGE_REASONS[trend])
    old = r.year == 2020
    p: list[str] = []
    p.append("#一、收入支出决算总体情况说明")
    p.append(f"{yr(r)}收、支总计均为 {trim(r.grand_total)} 万元。与 {yr(r, py)}相比，收、支总计各"
             f"{_change(r.grand_total, r.prev['grand'], n.grand_change_bump)}，主要原因是{reason}。")
    p.append("#二、收入决算情况说明")
    inc = n.income_total
    business = sum(x.business for x in r.leaves)
    other = sum(x.other for x in r.leaves)
    fiscal = r.fiscal_income
    parts = [("财政拨款收入", fiscal), ("上级补助收入", 0), ("事业收入", business), ("经营收入", 0),
             ("附属单位上缴收入", 0), ("其他收入", other)]
    composition = "；".join(f"{name} {trim(v)} 万元，占本年收入 {pct(v, inc, 1)}%" for name, v in parts
                           if v or not old)
    p.append(f"{yr(r)}收入合计 {trim(inc)} 万元，与 {yr(r, py)}相比，收入合计{_change(inc, r.prev['income'])}，"
             f"主要原因是{reason}。其中：{composition}。")
    p.append("#三、支出决算情况说明")
    exp = n.exp_total
    parts = [("基本支出", r.exp_basic), ("项目支出", r.exp_project), ("上缴上级支出", 0), ("经营支出", 0),
             ("对附属单位补助支出", 0)]
    composition = "；".join(f"{name} {trim(v)} 万元，占本年支出 {pct(v, exp, 1)}%" for name, v in parts
                           if v or not old)
    p.append(f"{yr(r)}支出合计 {trim(exp)} 万元，与 {yr(r, py)}相比，支出合计{_change(exp, r.prev['expenditure'])}，"
             f"主要原因是{reason}。其中：{composition}。")
    p.append("#四、财政拨款收入支出决算总体情况说明")
    p.append(f"{yr(r)}财政拨款收、支总计均为 {trim(r.fiscal_grand)} 万元。与 {yr(r, py)}相比，财政拨款收、支总计各"
             f"{_change(r.fiscal_grand, r.prev['fiscal'])}。主要原因是{reason}。")
    change = _change(fiscal, r.prev["gpb_income"])
    versus = f"与 {yr(r, py)}决算数持平" if change == "持平" else f"比 {yr(r, py)}决算数{change.split('，')[0]}"
    p.append(f"{yr(r)}财政拨款收入中，一般公共预算财政拨款收入 {trim(fiscal)} 万元，{versus}，主要原因是{reason}。"
             f"政府性基金预算财政拨款收入 0 万元，与 {yr(r, py)}决算数持平无变化。国有资本经营预算财政拨款收入 0 万元，"
             f"与 {yr(r, py)}决算数持平无变化。")
    p.append("#五、一般公共预算财政拨款支出决算情况说明")
    label = "财政拨款支出" if old else "一般公共预算财政拨款支出"
    p.append("#（一）一般公共预算财政拨款支出决算总体情况")
    p.append(f"{yr(r)}{label} {trim(n.gpb_total)} 万元，占本年支出合计的 {pct(n.gpb_total, r.exp_total, 1)}%。与 "
             f"{yr(r, py)}相比，{label}{_change(n.gpb_total, r.prev['gpb'])}，主要原因是{reason}。")
    p.append("#（二）一般公共预算财政拨款支出决算结构情况")
    p.append(f"{yr(r)}{label} {trim(n.gpb_total)} 万元，主要用于以下方面：")
    for k, (_, name, amount, share) in enumerate(n.class_shares, 1):
        shown = f"{name}类" if r.style["class_style"] == "001" else f"{name.removesuffix('支出')}（类）"
        p.append(f"{k}. {shown}支出 {trim(amount)} 万元，占 {share}%。主要是用于保障机构运转和开展业务工作。")
    p.append("#（三）一般公共预算财政拨款支出决算具体情况")
    ov = n.overall
    rate = f"，完成年初预算的 {ov.rate}%" if ov.rate is not None else ""
    p.append(f"{yr(r)}一般公共预算财政拨款支出年初预算为 {trim(ov.budget)} 万元，支出决算为 {trim(ov.final)} 万元"
             f"{rate}。其中：基本支出 {trim(r.gpb_basic)} 万元，项目支出 {trim(r.gpb_project)} 万元。")
    current_class = None
    k_class = 0
    k_item = 0
    for ex in n.items:
        if len(ex.path) == 1:
            k_item += 1
            head = f"{k_item}.{ex.path[0]}(类)。"
        else:
            if ex.path[0] != current_class:
                current_class = ex.path[0]
                k_class += 1
                k_item = 0
                p.append(f"{k_class}. {current_class}具体包括：")
            k_item += 1
            head = f"（{k_item}）{ex.path[0]}（类）{ex.path[1]}（款）{ex.path[2]}（项）。"
        sentence = f"年初预算为 {trim(ex.budget)} 万元，支出决算为 {trim(ex.final)} 万元"
        if ex.rate is not None:
            sentence += f"，完成年初预算的 {ex.rate}%"
        if ex.direction == "大于":
            sentence += f"，支出决算数大于年初预算数的主要原因：{rng.choice(REASONS_MORE)}"
        elif ex.direction == "小于":
            sentence += f"，支出决算数小于年初预算数的主要原因：{rng.choice(REASONS_LESS)}"
        p.append(head + sentence + "。")
    p.append("#六、一般公共预算财政拨款基本支出决算情况说明")
    econ_names = code_lists().econ
    pers = "、".join(econ_names[c] for c in sorted(r.econ) if c[:3] in ("301", "303"))
    pub = "、".join(econ_names[c] for c in sorted(r.econ) if c[:3] not in ("301", "303"))
    p.append(f"{yr(r)}一般公共预算财政拨款基本支出 {trim(r.gpb_basic)} 万元，其中：人员经费 {trim(r.personnel)} 万元，"
             f"主要包括：{pers or '无'}。")
    p.append(f"公用经费 {trim(r.public)} 万元，主要包括：{pub or '无'}。")
    tp_section = [
        "#{}、{}“三公”经费支出决算情况说明".format("七" if old else "九", "一般公共预算财政拨款" if old else "财政拨款"),
    ]
    tp_section += _three_public_paragraphs(r, n, rng, who)
    gov = [f"#{'八' if old else '七'}、政府性基金预算财政拨款收入支出决算情况说明",
           f"{who}{sp(r)}{yr(r)}无政府性基金预算财政拨款收入支出。"]
    soe = [f"#{'九' if old else '八'}、国有资本经营预算财政拨款支出决算情况说明",
           f"{who}{sp(r)}{yr(r)}无国有资本经营预算财政拨款支出。"]
    p += (tp_section + gov + soe) if old else (gov + soe + tp_section)
    p.append("#十、机关运行经费支出说明")
    p.append(f"{who}{sp(r)}{yr(r)}机关运行经费支出 {trim(r.public)} 万元，主要用于办公费、水电费、物业管理费等日常公用经费支出。")
    goods, works, services, sme, small = r.procurement
    total = goods + works + services
    p.append("#十一、政府采购支出说明")
    if total:
        p.append(f"{yr(r)}{r.unit.name}政府采购支出总额 {trim(total)} 万元，其中：政府采购货物支出 {trim(goods)} 万元、"
                 f"政府采购工程支出 {trim(works)} 万元、政府采购服务支出 {trim(services)} 万元。授予中小企业合同金额 "
                 f"{trim(sme)} 万元，占政府采购支出总额的 {pct(sme, total, 1)}%，其中：授予小微企业合同金额 {trim(small)} "
                 f"万元，占授予中小企业合同金额的 {pct(small, sme, 1) if sme else '0'}%。")
    else:
        p.append(f"{who}{sp(r)}{yr(r)}无政府采购支出。")
    p.append("#十二、国有资产占用情况说明")
    p.append(f"截至 {y} 年 12 月 31 日，{r.unit.name}共有车辆 {r.vehicles} 辆，其中，主要负责人用车 0 辆、机要通信用车 0 辆、"
             f"应急保障用车 0 辆、执法执勤用车 0 辆、其他用车 {r.vehicles} 辆；单位价值 100 万元以上设备 0 台（套）。")
    p.append("#十三、预算绩效情况说明")
    p.append("#（一）预算绩效管理工作开展情况")
    if r.projects:
        p.append(f"根据预算绩效管理要求，{who}组织对 {yr(r)}一般公共预算项目支出全面开展绩效自评，共涉及项目 "
                 f"{len(r.projects)} 个，资金 {trim(r.gpb_project)} 万元，占一般公共预算项目支出总额的 100%。从评价情况来看，"
                 f"各项目资金使用规范，基本达成了设立的绩效目标。")
        p.append("#（二）项目支出绩效自评结果")
        for k, (name, budget, actual) in enumerate(r.projects, 1):
            p.append(f"{k}. {name}项目绩效自评综述：项目全年预算数为 {trim(budget)} 万元，执行数为 {trim(actual)} 万元，"
                     f"完成预算的 {pct(actual, budget, 1)}%。主要产出和效益：按计划完成年度工作任务。")
    else:
        p.append(f"{who}{sp(r)}{yr(r)}无一般公共预算项目支出，未开展项目支出绩效自评。")
    return p


def _three_public_paragraphs(r: Report, n: Narrative, rng: random.Random, who: str) -> list[str]:
    tp = n.three_public
    b, f, rate, direction = tp["total"]
    if b == 0 and f == 0:
        return [f"{yr(r)}{who}无“三公”经费预算和支出。"]
    budget_word = "预算" if r.year == 2020 else "全年预算"
    out = ["#（一）“三公”经费财政拨款支出决算总体情况说明"]
    sentence = f"{yr(r)}“三公”经费财政拨款支出{budget_word}为 {trim(b)} 万元，支出决算为 {trim(f)} 万元"
    if n.hide_three_public_budget:
        sentence = f"{yr(r)}“三公”经费财政拨款支出决算为 {trim(f)} 万元"
    if rate is not None:
        sentence += f"，完成{budget_word}的 {rate}%"
    prev = r.prev["three_public"]
    sentence += "。较上年" + (_change(f, prev) if prev else f"增加 {trim(f)} 万元" if f else "持平") + "。"
    if direction:
        sentence += f"决算数{direction}{budget_word}数的主要原因：{rng.choice(REASONS_LESS if direction == '小于' else REASONS_MORE)}。"
    out.append(sentence)
    out.append("#（二）“三公”经费财政拨款支出决算具体情况说明")

    def item(label: str, key: str) -> str:
        b, f, rate, direction = tp[key]
        s = f"{label}{budget_word}为 {trim(b)} 万元，支出决算为 {trim(f)} 万元"
        if rate is not None:
            s += f"，完成{budget_word}的 {rate}%"
        s += "。"
        if direction:
            s += f"决算数{direction}{budget_word}数的主要原因：{rng.choice(REASONS_LESS if direction == '小于' else REASONS_MORE)}。"
        return s

    out.append("1. " + item("因公出国(境)费", "abroad"))
    out.append("2. " + item("公务用车购置及运行费", "vehicle") + "其中：")
    out.append(f"(1) 公务用车购置费支出 {trim(tp['vehicle_purchase'][1])} 万元。本年度购置(更新)公务用车 "
               f"{1 if tp['vehicle_purchase'][1] else 0} 辆。")
    out.append(f"(2) 公务用车运行费支出 {trim(tp['vehicle_operation'][1])} 万元。截至 {r.year} 年 12 月 31 日，开支财政拨款的"
               f"公务用车保有量为 {r.vehicles} 辆。")
    out.append("3. " + item("公务接待费", "reception"))
    return out
