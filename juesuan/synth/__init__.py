"""Synthetic 部门决算公开 corpus for scale tests (`juesuan synth`).

``generate(n_docs, out_dir, seed=, error_rate=)`` writes ``n_docs`` report texts that mimic
the bundled samples closely enough for our own parsers: the tab-separated layout of sample
001, the pdftotext flow layout of sample 002 and the narrative-only layout of 000/004 — same
title lines, table titles and numbering (表1–表9 in 2020, 公开01–09表 later), headers, row
shapes and the narrative sentences ``ingest/narrative.py`` reads.

How a report is made
--------------------
1. A *model* in 分 (0.01 万元, integers): leaf 项 amounts (basic/project, fiscal and
   non-fiscal money, income per subject, 年初预算), carry-overs, the 06 economic split,
   三公, projects, procurement. Everything printed is summed upward from the leaves, so
   every identity of the nine tables (and between them) holds exactly; the narrative's
   totals, shares, completion rates (rounded half-up from the printed amounts) and
   大于/小于 wording are computed from the same printed figures.
2. *Tables* (rows of printed cells) and *narrative figures* are derived from the model.
3. With ``error_rate`` R a share R of reports gets exactly one injected error (one of the
   audit categories, see ``CATEGORIES``), applied to the tables or the narrative figures.
4. *Rendering* in the report's layout — or, with ``fmt="pdf"``, as a PDF in the 2024 national
   template (``juesuan.synth.pdf``); the label of each injected error goes to
   ``<DIR>.labels.csv`` beside the corpus directory (see ``LABEL_COLUMNS``).

Determinism: the text of report ``i`` depends only on ``seed`` and ``i`` (units are laid out
in consecutive runs of years, each unit drawn from its own ``random.Random``), so the same
arguments give the same bytes, and ``generate(n + 1, …)`` rewrites the first ``n`` files
byte-identically and adds one — what the incremental-rebuild benchmark needs.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"

LAYOUT_TAB = "tab_separated"
LAYOUT_FLOW = "pdftotext_flow"
LAYOUT_NARRATIVE = "narrative_only"
LAYOUT_WEIGHTS = ((LAYOUT_TAB, 0.4), (LAYOUT_FLOW, 0.3), (LAYOUT_NARRATIVE, 0.3))
FIRST_YEAR, LAST_YEAR = 2020, 2024

# Error categories the generator injects and the layouts each can be injected into (a
# narrative-only report has no tables to break); ``inject`` names the rules expected to fire.
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
FORMATS = ("text", "pdf")
LABEL_COLUMNS = ("file", "unit_name", "fiscal_year", "report_scope", "layout", "category", "variant",
                 "expected_rule_ids", "table_key", "subject_code", "description")


# ----------------------------------------------------------------------------------------------
# Reference data: code lists from the dbt seeds, places and departments


@dataclass(frozen=True)
class CodeLists:
    subjects: dict[str, str]  # code → name (功能分类)
    children: dict[str, tuple[str, ...]]  # class/section code → child codes in code order
    econ: dict[str, str]  # code → name (经济分类)
    econ_children: dict[str, tuple[str, ...]]


@lru_cache(maxsize=2)
def code_lists(seed_dir: Path = SEED_DIR) -> CodeLists:
    def rows(name: str) -> list[dict[str, str]]:
        with (seed_dir / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    subjects = {r["subject_code"]: r["subject_name"] for r in rows("function_subjects.csv")}
    econ = {r["econ_code"]: r["econ_name"] for r in rows("econ_classes.csv")}

    def tree(codes: Iterable[str], lengths: tuple[int, ...]) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for code in sorted(codes):
            for parent_len in lengths:
                if len(code) > parent_len:
                    parent = code[:parent_len]
                    if parent in subjects or parent in econ:
                        out.setdefault(parent, []).append(code)
                        break
        return {k: tuple(v) for k, v in out.items()}

    children = tree([c for c in subjects if len(c) in (5, 7)], (5, 3))
    children = {k: tuple(c for c in v if len(c) == len(k) + 2) for k, v in children.items()}
    econ_children = {k: tuple(c for c in v if len(c) == 5) for k, v in tree([c for c in econ if len(c) == 5], (3,)).items()}
    return CodeLists(subjects, children, econ, econ_children)


# 26 expenditure lines of tables 01/04 (2020–2024 templates), 类 names as printed.
SUMMARY_CLASSES = (
    ("201", "一般公共服务支出"), ("202", "外交支出"), ("203", "国防支出"), ("204", "公共安全支出"),
    ("205", "教育支出"), ("206", "科学技术支出"), ("207", "文化旅游体育与传媒支出"),
    ("208", "社会保障和就业支出"), ("210", "卫生健康支出"), ("211", "节能环保支出"), ("212", "城乡社区支出"),
    ("213", "农林水支出"), ("214", "交通运输支出"), ("215", "资源勘探工业信息等支出"),
    ("216", "商业服务业等支出"), ("217", "金融支出"), ("219", "援助其他地区支出"),
    ("220", "自然资源海洋气象等支出"), ("221", "住房保障支出"), ("222", "粮油物资储备支出"),
    ("223", "国有资本经营预算支出"), ("224", "灾害防治及应急管理支出"), ("229", "其他支出"),
    ("231", "债务还本支出"), ("232", "债务付息支出"), ("234", "抗疫特别国债安排的支出"),
)
CN_NUM = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
          "十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六")

# (province prefix printed before the city or None when the identity parser knows the city, city, districts)
PLACES: tuple[tuple[str | None, str, tuple[str, ...]], ...] = (
    (None, "武汉市", ("江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区", "汉南区",
                    "蔡甸区", "江夏区", "黄陂区", "新洲区")),
    (None, "北京市", ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "顺义区", "昌平区",
                    "大兴区")),
    (None, "上海市", ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
                    "嘉定区", "浦东新区", "松江区")),
    (None, "天津市", ("和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "滨海新区")),
    (None, "重庆市", ("渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区", "巴南区")),
    ("湖北省", "宜昌市", ("西陵区", "伍家岗区", "点军区", "猇亭区", "夷陵区")),
    ("湖北省", "襄阳市", ("襄城区", "樊城区", "襄州区")),
    ("广东省", "广州市", ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区")),
    ("广东省", "深圳市", ("福田区", "罗湖区", "南山区", "盐田区", "宝安区", "龙岗区", "龙华区", "坪山区")),
    ("浙江省", "杭州市", ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "富阳区")),
    ("江苏省", "南京市", ("玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区")),
    ("四川省", "成都市", ("锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "新都区", "温江区")),
    ("湖南省", "长沙市", ("芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区")),
    ("河南省", "郑州市", ("中原区", "二七区", "金水区", "惠济区", "上街区")),
    ("陕西省", "西安市", ("新城区", "碑林区", "莲湖区", "灞桥区", "未央区", "雁塔区", "长安区")),
    ("安徽省", "合肥市", ("瑶海区", "庐阳区", "蜀山区", "包河区")),
    ("江西省", "南昌市", ("东湖区", "西湖区", "青云谱区", "青山湖区", "新建区")),
)
# Extra district names for corpora larger than the real place × department combinations.
_SYLLABLES = "安宁和平兴华清源明德永乐长乐新安泰丰广福嘉禾春晖秀峰临江云溪龙湖金桥东升"

# (department name, 部门/单位, preferred 款 sections, duty sentence)
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("企业服务中心", "单位", ("20113",), "承担全区服务企业组织建设，建立服务企业联动工作机制"),
    ("招商服务中心", "单位", ("20113",), "承担招商引资项目的服务与协调工作"),
    ("发展和改革局", "部门", ("20104",), "拟订并组织实施国民经济和社会发展规划"),
    ("统计局", "部门", ("20105",), "组织实施全区统计调查和专项普查工作"),
    ("人民政府办公室", "部门", ("20103",), "负责区政府日常运转和政务服务工作"),
    ("政协办公室", "部门", ("20102",), "承担政协会议和日常工作的服务保障"),
    ("委组织部", "部门", ("20132",), "负责全区组织工作和干部队伍建设"),
    ("总工会", "部门", ("20129",), "维护职工合法权益，组织开展职工服务工作"),
    ("市场监督管理局", "部门", ("20138",), "负责市场综合监督管理和市场主体登记注册"),
    ("委社会工作部", "部门", ("20139",), "统筹指导社会工作和基层治理"),
    ("司法局", "部门", ("20406",), "负责全面依法治区和公共法律服务体系建设"),
    ("公共法律服务中心", "单位", ("20406",), "提供法律咨询、法律援助等公共法律服务"),
    ("科学技术局", "部门", ("20601", "20607"), "组织实施科技创新和科学技术普及工作"),
    ("科技创新服务中心", "单位", ("20604", "20601"), "承担科技成果转化和创新平台服务工作"),
    ("人力资源和社会保障局", "部门", ("20807", "20899"), "负责就业创业和社会保障工作"),
    ("就业训练中心", "单位", ("20807",), "组织开展职业技能培训和就业服务"),
    ("民政局", "部门", ("20825",), "负责社会救助和基层政权建设工作"),
    ("卫生健康局", "部门", ("21004", "21007", "21099"), "负责全区卫生健康事业和疾病防控工作"),
    ("疾病预防控制中心", "单位", ("21004",), "承担疾病预防控制和突发公共卫生事件应急处置工作"),
    ("城市管理执法局", "部门", ("21201",), "负责城市管理和综合执法工作"),
    ("城市管理综合执法大队", "单位", ("21201",), "承担城市管理综合执法具体工作"),
    ("交通运输局", "部门", ("21499",), "负责全区交通运输行业管理和物流发展工作"),
    ("经济和信息化局", "部门", ("21505", "21508"), "负责工业和信息化产业发展及中小企业服务"),
    ("中小企业服务中心", "单位", ("21508",), "承担中小企业公共服务平台建设和运营"),
    ("商务局", "部门", ("21602", "21606"), "负责商贸流通和对外经济合作工作"),
    ("住房保障和房屋管理局", "部门", ("22103",), "负责住房保障和房屋管理工作"),
)
COMMON_SECTIONS = ("20805", "21011", "22102")
BASIC_ITEM_WORDS = ("运行", "离退休", "养老保险缴费", "职业年金", "医疗", "住房公积金", "提租补贴", "购房补贴", "抚恤")

PERSONNEL = {  # econ section → weight
    "30101": 16, "30102": 12, "30103": 3, "30106": 1, "30107": 20, "30108": 8, "30109": 3, "30110": 4,
    "30111": 2, "30112": 1, "30113": 6, "30114": 1, "30199": 2,
    "30302": 4, "30305": 1, "30307": 1, "30309": 1,
}
PUBLIC = {
    "30201": 8, "30202": 2, "30203": 2, "30205": 1, "30206": 3, "30207": 2, "30209": 5, "30211": 2, "30213": 3,
    "30214": 2, "30215": 1, "30216": 2, "30217": 1, "30226": 5, "30227": 4, "30228": 4, "30229": 4,
    "30231": 3, "30239": 2, "30299": 5, "31002": 2, "31007": 2,
}
PROJECT_NAMES = ("平台建设经费", "安全生产经费", "企业活动经费", "法律顾问咨询", "党建工作经费", "信息化建设经费",
                 "档案数字化经费", "宣传推介经费", "专项调查经费", "业务培训经费", "综合治理经费", "物流发展专项经费")
REASONS_MORE = ("人员经费政策性增加", "人员调整，年中追加人员经费", "年中追加专项工作经费", "在职人员转退休，离退休费增加")
REASONS_LESS = ("严格执行中央八项规定精神，落实过紧日子要求压减经费支出", "人员异动", "项目按进度支付，部分资金结转下年",
                "厉行节约，从严控制经费支出")
CHANGE_REASONS = {1: ("人员经费政策性增长", "本年人员增加，收、支较上年均有所增加", "本年项目经费增加"),
                  -1: ("本年压减一般性支出", "人员减少，收、支较上年有所减少", "部分项目已完成，项目经费减少"),
                  0: ("本年收支规模保持稳定",)}


# ----------------------------------------------------------------------------------------------
# Formatting


def wan(c: int) -> str:
    """分 → '365.17' (fixed two decimals)."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def trim(c: int) -> str:
    """分 → '30', '5.5', '13.2' (as most narratives print amounts)."""
    s = wan(c)
    return s.rstrip("0").rstrip(".") if "." in s else s


def pct(num: int, den: int, places: int) -> str:
    """num / den × 100 rounded half-up at ``places`` decimals."""
    if den == 0:
        return "0"
    q = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return str(q)


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


# ----------------------------------------------------------------------------------------------
# The model


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

    @property
    def gpb_total(self) -> int:
        return sum(x.gpb for x in self.leaves)

    @property
    def gpb_basic(self) -> int:
        return sum(x.gb for x in self.leaves)

    @property
    def gpb_project(self) -> int:
        return sum(x.gp for x in self.leaves)

    @property
    def fiscal_income(self) -> int:
        return sum(x.fiscal_inc for x in self.leaves)

    @property
    def income_total(self) -> int:
        return sum(x.fiscal_inc + x.business + x.other for x in self.leaves)

    @property
    def exp_basic(self) -> int:
        return sum(x.gb + x.nb for x in self.leaves)

    @property
    def exp_project(self) -> int:
        return sum(x.gp + x.np for x in self.leaves)

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


def _unit_plan(seed: int, u: int) -> Unit:
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
        n = len(_SYLLABLES)
        district = _SYLLABLES[k % n] + _SYLLABLES[(k // n) % n] + ("区" if k % 3 else "县")
        if k >= n * n:
            district = _SYLLABLES[k % n] + _SYLLABLES[(k // n) % n] + _SYLLABLES[(k // n // n) % n] + "区"
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


def _make_report(unit: Unit, year: int, rng: random.Random, prev: dict[str, int] | None) -> Report:
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
        prev = {k: max(100, int(v * rng.uniform(0.8, 1.15))) for k, v in _year_figures(report).items()}
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


def _year_figures(r: Report) -> dict[str, int]:
    """The totals the next year's narrative compares itself with (与上年相比)."""
    return dict(grand=r.grand_total, income=r.income_total, expenditure=r.exp_total, fiscal=r.fiscal_grand,
                gpb_income=r.fiscal_income, gpb=r.gpb_total, three_public=r.tp("final", "total"))


# ----------------------------------------------------------------------------------------------
# Tables: printed rows derived from the model (the error injection edits these)


@dataclass
class SubjectRow:
    kind: str  # total | subject
    code: str | None
    name: str
    values: list[int | None]


@dataclass
class Tables:
    summary: list[tuple[str, int, list[int | None], str, int, list[int | None]]]
    income: list[SubjectRow]
    expenditure: list[SubjectRow]
    gpb_expenditure: list[SubjectRow]
    fiscal_summary: list[tuple[str, int, list[int | None], str, int, list[int | None]]]
    econ: list[list[tuple[str, str, int | None]]]  # three side-by-side blocks
    econ_totals: tuple[int, int]
    three_public: list[int] | None
    dropped: set[str] = field(default_factory=set)


def _nz(v: int) -> int | None:
    return v or None


def _subject_rows(r: Report, columns: list) -> list[SubjectRow]:
    names = code_lists().subjects
    sums = [r.by_code(f) for f in columns]
    total = [_nz(sum(f(x) for x in r.leaves)) for f in columns]
    rows = [SubjectRow("total", None, "合计", total)]
    for code in r.codes():
        if sums[0].get(code, 0) == 0:
            continue
        rows.append(SubjectRow("subject", code, names[code], [_nz(s.get(code, 0)) for s in sums]))
    return rows


def build_tables(r: Report) -> Tables:
    zero = lambda _x: 0  # noqa: E731
    income = _subject_rows(r, [lambda x: x.fiscal_inc + x.business + x.other, lambda x: x.fiscal_inc, zero,
                               lambda x: x.business, zero, zero, lambda x: x.other])
    expenditure = _subject_rows(r, [lambda x: x.gpb + x.nb + x.np, lambda x: x.gb + x.nb, lambda x: x.gp + x.np,
                                    zero, zero, zero])
    gpb = _subject_rows(r, [lambda x: x.gpb, lambda x: x.gb, lambda x: x.gp])
    exp_by_class = r.by_code(lambda x: x.gpb + x.nb + x.np)
    gpb_by_class = r.by_code(lambda x: x.gpb)
    business = sum(x.business for x in r.leaves)
    other = sum(x.other for x in r.leaves)
    inc01 = [("一般公共预算财政拨款收入", r.fiscal_income), ("政府性基金预算财政拨款收入", 0),
             ("国有资本经营预算财政拨款收入", 0), ("上级补助收入", 0), ("事业收入", business), ("经营收入", 0),
             ("附属单位上缴收入", 0), ("其他收入", other)]
    summary = []
    for k, (code, cname) in enumerate(SUMMARY_CLASSES):
        label, amount = (f"{CN_NUM[k]}、{inc01[k][0]}", inc01[k][1]) if k < len(inc01) else ("", 0)
        summary.append((label, k + 1, [_nz(amount)], f"{CN_NUM[k]}、{cname}", k + 31,
                        [_nz(exp_by_class.get(code, 0))]))
    summary += [("本年收入合计", 27, [r.income_total], "本年支出合计", 57, [r.exp_total]),
                ("使用非财政拨款结余（含专用结余）", 28, [None], "结余分配", 58, [None]),
                ("年初结转和结余", 29, [_nz(r.cb)], "年末结转和结余", 59, [_nz(r.ce)]),
                ("总计", 30, [r.grand_total], "总计", 60, [r.grand_total])]
    inc04 = [("一、一般公共预算财政拨款", r.fiscal_income), ("二、政府性基金预算财政拨款", 0),
             ("三、国有资本经营预算财政拨款", 0)]
    fiscal = []
    for k, (code, cname) in enumerate(SUMMARY_CLASSES):
        label, amount = inc04[k] if k < len(inc04) else ("", 0)
        v = _nz(gpb_by_class.get(code, 0))
        fiscal.append((label, k + 1, [_nz(amount)], f"{CN_NUM[k]}、{cname}", k + 33, [v, v, None]))
    fiscal += [("本年收入合计", 27, [r.fiscal_income], "本年支出合计", 59, [r.gpb_total, r.gpb_total, None]),
               ("年初财政拨款结转和结余", 28, [_nz(r.cb)], "年末财政拨款结转和结余", 60, [_nz(r.ce), _nz(r.ce), None]),
               ("一般公共预算财政拨款", 29, [_nz(r.cb)], "", 61, [None]),
               ("政府性基金预算财政拨款", 30, [None], "", 62, [None]),
               ("国有资本经营预算财政拨款", 31, [None], "", 63, [None]),
               ("总计", 32, [r.fiscal_grand], "总计", 64, [r.fiscal_grand, r.fiscal_grand, None])]
    econ_names = code_lists().econ
    blocks: list[list[tuple[str, str, int | None]]] = [[], [], []]
    children = code_lists().econ_children
    for block, classes in ((0, ("301", "303")), (1, ("302",)), (2, ("310",))):
        for cls in classes:
            sections = children.get(cls, ())
            cls_total = sum(r.econ.get(s, 0) for s in sections)
            blocks[block].append((cls, econ_names[cls], _nz(cls_total)))
            for s in sections:
                blocks[block].append((s, econ_names[s], _nz(r.econ.get(s, 0))))
    tp = None
    if r.tp("budget", "total") or r.tp("final", "total"):
        tp = [r.tp(stage, item) for stage in ("budget", "final")
              for item in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")]
    return Tables(summary, income, expenditure, gpb, fiscal, blocks, (r.personnel, r.public), tp)


# ----------------------------------------------------------------------------------------------
# Narrative figures (the error injection edits these too)


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


def _rate(final: int, budget: int, places: int) -> str | None:
    return pct(final, budget, places) if budget > 0 else None


def _direction(final: int, budget: int) -> str | None:
    return "大于" if final > budget else "小于" if final < budget else None


def build_narrative(r: Report, rng: random.Random) -> Narrative:
    names = code_lists().subjects
    by_class = r.by_code(lambda x: x.gpb)
    shares = []
    for code in sorted({x.code[:3] for x in r.leaves}):
        if by_class.get(code):
            shares.append((code, names[code], by_class[code], pct(by_class[code], r.gpb_total, 2 if r.year > 2020 else 1)))
    total_budget = sum(x.budget for x in r.leaves)
    overall = Execution((), None, total_budget, r.gpb_total, _rate(r.gpb_total, total_budget, 1), None)
    items: list[Execution] = []
    if r.year == 2020:  # sample 002 narrates the budget execution by 类
        for code in sorted({x.code[:3] for x in r.leaves}):
            budget = sum(x.budget for x in r.leaves if x.code.startswith(code))
            final = by_class[code]
            direction = _direction(final, budget) if rng.random() < 0.7 else None
            items.append(Execution((names[code],), code, budget, final, _rate(final, budget, r.rate_places), direction))
    else:
        for leaf in sorted(r.leaves, key=lambda x: x.code):
            item_name = r.style["rent_name"] if leaf.code == "2210202" and r.style["rent_name"] else leaf.name
            path = (names[leaf.code[:3]], names[leaf.code[:5]], item_name)
            direction = _direction(leaf.gpb, leaf.budget)
            if leaf.budget and rng.random() < 0.3:
                direction = None
            items.append(Execution(path, leaf.code, leaf.budget, leaf.gpb, _rate(leaf.gpb, leaf.budget, r.rate_places),
                                   direction))
    tp: dict[str, tuple[int, int, str | None, str | None]] = {}
    for item in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception"):
        b, f = r.tp("budget", item), r.tp("final", item)
        tp[item] = (b, f, _rate(f, b, 1), _direction(f, b))
    return Narrative(shares, overall, items, tp, r.income_total, r.exp_total, r.gpb_total)


# ----------------------------------------------------------------------------------------------
# Error injection


@dataclass
class Label:
    category: str
    variant: str
    table_key: str
    subject_code: str | None
    description: str
    expected: tuple[str, ...]


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
    if category == "within_table":
        key = rng.choice(("expenditure", "gpb_expenditure", "income"))
        rows: list[SubjectRow] = getattr(t, key)
        leaves = [row for row in rows if row.kind == "subject" and len(row.code or "") == 7]
        row = rng.choice(leaves)
        old = row.values[0] or 0
        row.values[0] = old + _delta(rng, old)
        return Label(category, "leaf_total_cell", key, row.code,
                     f"{key} {row.code} {row.name}: 合计栏 {wan(old)} → {wan(row.values[0])}",
                     # pdftotext drops blank cells: with the row's arithmetic broken, its other numbers
                     # may no longer be placeable, which the audit reports as CQ04 instead
                     ("WT01", "WT02", "CQ04") if r.layout == LAYOUT_FLOW else ("WT01", "WT02"))
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
                         f"06 人员+公用 ≠ 05 基本支出合计",
                         # flow: the 06 tie may be what placed 05's 基本/项目 columns; without it the
                         # audit reports the numbers it cannot place (CQ04)
                         ("XT07", "CQ04") if r.layout == LAYOUT_FLOW else ("XT07",))
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
                     f"01 ≠ 03", ("XT03", "XT04"))
    if category == "narrative_vs_table":
        choice = rng.random()
        if choice < 0.4 and n.class_shares and r.layout != LAYOUT_NARRATIVE:
            k = rng.randrange(len(n.class_shares))
            code, name, amount, share = n.class_shares[k]
            d = _delta(rng, amount)
            n.class_shares[k] = (code, name, amount + d, share)
            return Label(category, "class_share_amount", "gpb_expenditure", code,
                         f"情况说明 {name}（类）支出 {wan(amount)} → {wan(amount + d)}; 05 prints {wan(amount)}", ("NT04", "NT03"))
        if choice < 0.7 and n.items and r.layout != LAYOUT_NARRATIVE:
            k = rng.randrange(len(n.items))
            ex = n.items[k]
            d = _delta(rng, ex.final)
            final = ex.final + d
            n.items[k] = Execution(ex.path, ex.code, ex.budget, final, _rate(final, ex.budget, r.rate_places),
                                   _direction(final, ex.budget) if ex.direction else None)
            return Label(category, "execution_final", "gpb_expenditure", ex.code,
                         f"情况说明 {'/'.join(ex.path)} 支出决算 {wan(ex.final)} → {wan(final)} (rate and wording "
                         f"follow); 05 prints {wan(ex.final)}", ("NT04",))
        d = _delta(rng, n.exp_total)
        old = n.exp_total
        n.exp_total += d
        return Label(category, "expenditure_total", "expenditure", None,
                     f"情况说明 支出合计 {wan(old)} → {wan(n.exp_total)} (基本支出 + 项目支出 and 01/03 print "
                     f"{wan(old)})", ("NT01", "NT06"))
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
                         f"“三公”经费 完成全年预算的 {rate}% → {new}% (amounts {wan(b)} / {wan(f)})", ("CR03",))
        ex = n.overall if kind == "overall" else n.items[k]
        new = _shift_rate(ex.rate, shift)
        changed = Execution(ex.path, ex.code, ex.budget, ex.final, new, ex.direction)
        if kind == "overall":
            n.overall = changed
        else:
            n.items[k] = changed
        what = "一般公共预算财政拨款支出" if kind == "overall" else "/".join(ex.path)
        return Label(category, f"{kind}_rate", "budget_execution", ex.code,
                     f"{what} 完成年初预算的 {ex.rate}% → {new}% (年初预算 {wan(ex.budget)}, 决算 {wan(ex.final)})",
                     ("CR02",) if kind == "overall" else ("CR01",))
    if category == "direction_wording":
        options = [k for k, ex in enumerate(n.items) if ex.final != ex.budget]
        k = rng.choice(options)
        ex = n.items[k]
        right = _direction(ex.final, ex.budget)
        wrong = "小于" if right == "大于" else "大于"
        n.items[k] = Execution(ex.path, ex.code, ex.budget, ex.final, ex.rate, wrong)
        return Label(category, "flip_more_less", "budget_execution", ex.code,
                     f"{'/'.join(ex.path)}: 决算 {wan(ex.final)} vs 年初预算 {wan(ex.budget)} printed as "
                     f"“支出决算数{wrong}年初预算数”", ("DW01",))
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
                     f"{leaf.code} {leaf.name} printed as {unknown} (not in the 功能分类 code list) in 02/03/05",
                     ("CQ02",))
    if category == "completeness":
        b, f, rate, _ = n.three_public["total"]
        if b > 0 and rate is not None and (r.layout == LAYOUT_NARRATIVE or rng.random() < 0.5):
            # 09 missing and the narrative states the 三公 rate without its 全年预算: not evaluable
            t.dropped.add("three_public")
            n.hide_three_public_budget = True
            return Label(category, "three_public_budget_missing", "three_public", None,
                         f"table 09 missing and 情况说明 omits the “三公” 全年预算 ({wan(b)}) while stating "
                         f"完成全年预算的 {rate}%", ("CR06", "CP03", "CP01"))
        key = rng.choice(("gpb_basic_econ", "three_public", "income"))
        t.dropped.add(key)
        return Label(category, "table_dropped", key, None, f"table {key} missing from the report", ("CP01",))
    if category == "cross_year":
        d = r.grand_total - r.prev["grand"]
        bump = max(100, int(abs(d) * rng.uniform(0.1, 0.5)))
        n.grand_change_bump = bump
        return Label(category, "change_amount", "narrative", None,
                     f"情况说明 收、支总计 change vs {r.year - 1} printed {wan(abs(d) + bump)} instead of {wan(abs(d))} "
                     f"(the growth rate is right)", ("CY02", "CY01"))
    raise ValueError(f"unknown category {category!r}")


def _shift_rate(rate: str | None, shift: Decimal) -> str:
    """A stated rate moved by ``shift`` percentage points (printed with at least one decimal)."""
    value = Decimal(rate or "0")
    new = value + shift if value + shift > 0 else value + abs(shift)
    places = max(1, len(rate.split(".")[1]) if rate and "." in rate else 0)
    return str(new.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# ----------------------------------------------------------------------------------------------
# Rendering helpers


class Doc:
    """Lines of one report being written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def para(self, *lines: str) -> None:
        for line in lines:
            self.lines.extend((line, ""))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


_NO_LINE_START = set("，。；：、）%”,;:")


def _wrap(text: str, width: int) -> list[str]:
    """Wrap like pdftotext: by visual width, never inside a number or an ASCII word."""
    out: list[str] = []
    line = ""
    w = 0.0
    k = 0
    while k < len(text):
        ch = text[k]
        if ch.isascii() and not ch.isspace():
            j = k
            while j < len(text) and text[j].isascii() and not text[j].isspace():
                j += 1
            token, tw = text[k:j], (j - k) * 0.5
        else:
            j, token, tw = k + 1, ch, (0.5 if ch == " " else 1.0)
        if w + tw > width and line.strip() and token not in _NO_LINE_START:
            out.append(line.rstrip())
            line, w = "", 0.0
            if token == " ":
                k = j
                continue
        line += token
        w += tw
        k = j
    if line.strip():
        out.append(line.rstrip())
    # a lone short number would read as a page number: keep it with the line before
    merged: list[str] = []
    for x in out:
        if merged and (x.strip().isdigit() and len(x.strip()) <= 3 or len(x.strip()) <= 1):
            merged[-1] += x
        else:
            merged.append(x)
    return merged


def _sp(r: Report) -> str:
    return " " if r.style["spaced"] else ""


def _yr(r: Report, year: int | None = None) -> str:
    y = r.year if year is None else year
    return f"{y} 年度" if r.style["spaced"] else f"{y}年度"


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
    p.append(f"{_yr(r)}收、支总计均为 {trim(r.grand_total)} 万元。与 {_yr(r, py)}相比，收、支总计各"
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
    p.append(f"{_yr(r)}收入合计 {trim(inc)} 万元，与 {_yr(r, py)}相比，收入合计{_change(inc, r.prev['income'])}，"
             f"主要原因是{reason}。其中：{composition}。")
    p.append("#三、支出决算情况说明")
    exp = n.exp_total
    parts = [("基本支出", r.exp_basic), ("项目支出", r.exp_project), ("上缴上级支出", 0), ("经营支出", 0),
             ("对附属单位补助支出", 0)]
    composition = "；".join(f"{name} {trim(v)} 万元，占本年支出 {pct(v, exp, 1)}%" for name, v in parts
                           if v or not old)
    p.append(f"{_yr(r)}支出合计 {trim(exp)} 万元，与 {_yr(r, py)}相比，支出合计{_change(exp, r.prev['expenditure'])}，"
             f"主要原因是{reason}。其中：{composition}。")
    p.append("#四、财政拨款收入支出决算总体情况说明")
    p.append(f"{_yr(r)}财政拨款收、支总计均为 {trim(r.fiscal_grand)} 万元。与 {_yr(r, py)}相比，财政拨款收、支总计各"
             f"{_change(r.fiscal_grand, r.prev['fiscal'])}。主要原因是{reason}。")
    change = _change(fiscal, r.prev["gpb_income"])
    versus = f"与 {_yr(r, py)}决算数持平" if change == "持平" else f"比 {_yr(r, py)}决算数{change.split('，')[0]}"
    p.append(f"{_yr(r)}财政拨款收入中，一般公共预算财政拨款收入 {trim(fiscal)} 万元，{versus}，主要原因是{reason}。"
             f"政府性基金预算财政拨款收入 0 万元，与 {_yr(r, py)}决算数持平无变化。国有资本经营预算财政拨款收入 0 万元，"
             f"与 {_yr(r, py)}决算数持平无变化。")
    p.append("#五、一般公共预算财政拨款支出决算情况说明")
    label = "财政拨款支出" if old else "一般公共预算财政拨款支出"
    p.append("#（一）一般公共预算财政拨款支出决算总体情况")
    p.append(f"{_yr(r)}{label} {trim(n.gpb_total)} 万元，占本年支出合计的 {pct(n.gpb_total, r.exp_total, 1)}%。与 "
             f"{_yr(r, py)}相比，{label}{_change(n.gpb_total, r.prev['gpb'])}，主要原因是{reason}。")
    p.append("#（二）一般公共预算财政拨款支出决算结构情况")
    p.append(f"{_yr(r)}{label} {trim(n.gpb_total)} 万元，主要用于以下方面：")
    for k, (_, name, amount, share) in enumerate(n.class_shares, 1):
        shown = f"{name}类" if r.style["class_style"] == "001" else f"{name.removesuffix('支出')}（类）"
        p.append(f"{k}. {shown}支出 {trim(amount)} 万元，占 {share}%。主要是用于保障机构运转和开展业务工作。")
    p.append("#（三）一般公共预算财政拨款支出决算具体情况")
    ov = n.overall
    rate = f"，完成年初预算的 {ov.rate}%" if ov.rate is not None else ""
    p.append(f"{_yr(r)}一般公共预算财政拨款支出年初预算为 {trim(ov.budget)} 万元，支出决算为 {trim(ov.final)} 万元"
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
    p.append(f"{_yr(r)}一般公共预算财政拨款基本支出 {trim(r.gpb_basic)} 万元，其中：人员经费 {trim(r.personnel)} 万元，"
             f"主要包括：{pers or '无'}。")
    p.append(f"公用经费 {trim(r.public)} 万元，主要包括：{pub or '无'}。")
    tp_section = [
        "#{}、{}“三公”经费支出决算情况说明".format("七" if old else "九", "一般公共预算财政拨款" if old else "财政拨款"),
    ]
    tp_section += _three_public_paragraphs(r, n, rng, who)
    gov = [f"#{'八' if old else '七'}、政府性基金预算财政拨款收入支出决算情况说明",
           f"{who}{_sp(r)}{_yr(r)}无政府性基金预算财政拨款收入支出。"]
    soe = [f"#{'九' if old else '八'}、国有资本经营预算财政拨款支出决算情况说明",
           f"{who}{_sp(r)}{_yr(r)}无国有资本经营预算财政拨款支出。"]
    p += (tp_section + gov + soe) if old else (gov + soe + tp_section)
    p.append("#十、机关运行经费支出说明")
    p.append(f"{who}{_sp(r)}{_yr(r)}机关运行经费支出 {trim(r.public)} 万元，主要用于办公费、水电费、物业管理费等日常公用经费支出。")
    goods, works, services, sme, small = r.procurement
    total = goods + works + services
    p.append("#十一、政府采购支出说明")
    if total:
        p.append(f"{_yr(r)}{r.unit.name}政府采购支出总额 {trim(total)} 万元，其中：政府采购货物支出 {trim(goods)} 万元、"
                 f"政府采购工程支出 {trim(works)} 万元、政府采购服务支出 {trim(services)} 万元。授予中小企业合同金额 "
                 f"{trim(sme)} 万元，占政府采购支出总额的 {pct(sme, total, 1)}%，其中：授予小微企业合同金额 {trim(small)} "
                 f"万元，占授予中小企业合同金额的 {pct(small, sme, 1) if sme else '0'}%。")
    else:
        p.append(f"{who}{_sp(r)}{_yr(r)}无政府采购支出。")
    p.append("#十二、国有资产占用情况说明")
    p.append(f"截至 {y} 年 12 月 31 日，{r.unit.name}共有车辆 {r.vehicles} 辆，其中，主要负责人用车 0 辆、机要通信用车 0 辆、"
             f"应急保障用车 0 辆、执法执勤用车 0 辆、其他用车 {r.vehicles} 辆；单位价值 100 万元以上设备 0 台（套）。")
    p.append("#十三、预算绩效情况说明")
    p.append("#（一）预算绩效管理工作开展情况")
    if r.projects:
        p.append(f"根据预算绩效管理要求，{who}组织对 {_yr(r)}一般公共预算项目支出全面开展绩效自评，共涉及项目 "
                 f"{len(r.projects)} 个，资金 {trim(r.gpb_project)} 万元，占一般公共预算项目支出总额的 100%。从评价情况来看，"
                 f"各项目资金使用规范，基本达成了设立的绩效目标。")
        p.append("#（二）项目支出绩效自评结果")
        for k, (name, budget, actual) in enumerate(r.projects, 1):
            p.append(f"{k}. {name}项目绩效自评综述：项目全年预算数为 {trim(budget)} 万元，执行数为 {trim(actual)} 万元，"
                     f"完成预算的 {pct(actual, budget, 1)}%。主要产出和效益：按计划完成年度工作任务。")
    else:
        p.append(f"{who}{_sp(r)}{_yr(r)}无一般公共预算项目支出，未开展项目支出绩效自评。")
    return p


def _three_public_paragraphs(r: Report, n: Narrative, rng: random.Random, who: str) -> list[str]:
    tp = n.three_public
    b, f, rate, direction = tp["total"]
    if b == 0 and f == 0:
        return [f"{_yr(r)}{who}无“三公”经费预算和支出。"]
    budget_word = "预算" if r.year == 2020 else "全年预算"
    out = ["#（一）“三公”经费财政拨款支出决算总体情况说明"]
    sentence = f"{_yr(r)}“三公”经费财政拨款支出{budget_word}为 {trim(b)} 万元，支出决算为 {trim(f)} 万元"
    if n.hide_three_public_budget:
        sentence = f"{_yr(r)}“三公”经费财政拨款支出决算为 {trim(f)} 万元"
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


def _emit_narrative(doc: Doc, paragraphs: list[str], r: Report, wrapped: bool) -> None:
    width = int(r.style["wrap"])  # type: ignore[arg-type]
    for k, para in enumerate(paragraphs):
        if para.startswith("#"):
            doc.para(para[1:])
            continue
        if not wrapped:
            doc.para(para)
            continue
        lines = _wrap(para, width)
        if r.style["blank_between"]:
            doc.para(*lines)
        else:
            doc.add(*lines, "")
        if k % 17 == 16:  # page furniture inside the narrative
            doc.para(f"- {k + 3} -")


# ----------------------------------------------------------------------------------------------
# Front matter shared by the layouts


def _scope_word(r: Report) -> str:
    return "单位" if r.unit.own_level or r.unit.kind == "单位" else "部门"


def _front(doc: Doc, r: Report, rng: random.Random, *, toc: bool) -> None:
    u, sw = r.unit, _scope_word(r)
    if r.style["title"] or r.layout == LAYOUT_TAB:
        doc.add("", "")
        doc.para(f"{_yr(r)}{u.name}{sw}决算公开" if r.layout == LAYOUT_TAB else f" {u.name} {_yr(r)}{sw}决算")
        if r.layout == LAYOUT_TAB:
            m, d = r.style["pub_date"]  # type: ignore[misc]
            doc.para(f"{r.year + 1} 年 {m} 月 {d} 日")
    if toc:
        doc.para("目 录", f"第一部分 {u.name}概况", f"一、{sw}主要职责", "二、机构设置情况",
                 f"第二部分 {u.name} {_yr(r)}{sw}决算表")
        doc.para(*(f"{CN_NUM[k]}、{title}" for k, title in enumerate(_TOC_TABLES)))
        doc.para(f"第三部分 {u.name} {_yr(r)}{sw}决算情况说明", "第四部分 名词解释", "第五部分 附件")
    head = f"{u.name}本级" if u.own_level and not r.style["title"] else u.name
    doc.para(f"第一部分 {head}概况", f"一、{sw}主要职责",
             f"{u.name}的主要职能：",
             f"（一）{u.duty}。", "（二）按规定承担全面从严治党、安全生产、保密等主体责任。", "（三）完成上级交办的其他任务。",
             "二、机构设置情况")
    if u.members:
        doc.para(f"从单位构成看，{u.name}部门决算由实行独立核算的{u.name}本级决算和 {len(u.members) - 1} 个下属单位决算组成。")
        doc.para(f"{u.name} {_yr(r)}{sw}决算编制范围包括：")
        doc.para(*(f"{k}.{m}" for k, m in enumerate(u.members, 1)))
    else:
        doc.para(f"从单位构成看，{u.short.lstrip('区县市')}{sw}决算由实行独立核算的单位本级决算组成。")


_TOC_TABLES = ("收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
               "一般公共预算财政拨款基本支出决算明细表", "政府性基金预算财政拨款收入支出决算表",
               "国有资本经营预算财政拨款支出决算表", "财政拨款“三公”经费支出决算表")


def _back(doc: Doc, r: Report) -> None:
    doc.para("第四部分 名词解释",
             "(一)一般公共预算财政拨款收入：指本级财政一般公共预算当年拨付的资金。",
             "(二)基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
             "(三)项目支出：指在基本支出之外为完成特定行政任务或事业发展目标所发生的支出。",
             "(四)“三公”经费：指用财政拨款安排的因公出国(境)费、公务用车购置及运行维护费和公务接待费。",
             "第五部分 附件",
             f"{r.unit.name} {r.year} 年度{_scope_word(r)}整体支出绩效自评表（略）")


# Table order and numbering: 2020 prints 表1–表9 with 三公 as 表7; later years 公开01–09表.
_TABLE_ORDER_2020 = ("summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
                     "three_public", "gov_fund", "soe_capital")
_TABLE_ORDER = ("summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_econ",
                "gov_fund", "soe_capital", "three_public")
_TITLES = {"summary": "收入支出决算总表", "income": "收入决算表", "expenditure": "支出决算表",
           "fiscal_summary": "财政拨款收入支出决算总表", "gpb_expenditure": "一般公共预算财政拨款支出决算表",
           "gpb_basic_econ": "一般公共预算财政拨款基本支出决算明细表", "gov_fund": "政府性基金预算财政拨款收入支出决算表",
           "soe_capital": "国有资本经营预算财政拨款支出决算表", "three_public": "财政拨款“三公”经费支出决算表"}
_TITLES_2020 = dict(_TITLES, gpb_basic_econ="一般公共预算财政拨款基本支出决算表",
                    three_public="一般公共预算财政拨款“三公”经费支出决算表")


def _table_titles(r: Report) -> list[tuple[str, str, str]]:
    """(table key, title, number as printed) in the year's order."""
    if r.year == 2020:
        return [(k, _TITLES_2020[k], str(n)) for n, k in enumerate(_TABLE_ORDER_2020, 1)]
    return [(k, _TITLES[k], f"{n:02d}") for n, k in enumerate(_TABLE_ORDER, 1)]


# ----------------------------------------------------------------------------------------------
# Tab-separated layout (sample 001)


def _cell(v: int | None, fixed: bool) -> str:
    if v is None:
        return ""
    return wan(v) if fixed else trim(v)


def render_tab(r: Report, t: Tables, n: Narrative, rng: random.Random) -> str:
    doc = Doc()
    u, sw = r.unit, _scope_word(r)
    _front(doc, r, rng, toc=True)
    doc.para(f"第二部分 {u.name} {_yr(r)}{sw}决算表")
    fixed = bool(r.style["fixed"])
    own = f"{u.name}本级"
    for key, title, no in _table_titles(r):
        if key in t.dropped:
            continue
        if r.year == 2020:
            doc.para(f"{_yr(r)}{title}（表 {no}）")
        else:
            doc.para(f"{_yr(r)}{title}", f"公开 {no} 表")
        shown = own + ("本级" if r.style["dup_suffix"] and key in ("fiscal_summary", "gpb_expenditure") else "")
        doc.para(f"单位：{shown}", "单位：万元")
        if key == "summary":
            doc.add("收入\t\t\t支出\t\t", "项目\t行\t金额\t项目\t行\t金额", "栏次\t\t1\t栏次\t\t2")
            for il, ino, iv, el, eno, ev in t.summary:
                doc.add(f"{il}\t{ino}\t{_cell(iv[0], fixed)}\t{el}\t{eno}\t{_cell(ev[0], fixed)}")
            doc.add("", "注：1. 本表反映部门本年度的总收入和年末结转结余情况。", "", "2. 本套报表金额单位转换时可能存在尾数误差。", "")
        elif key == "fiscal_summary":
            doc.add("收入\t\t\t支出\t\t\t\t", "项目\t行次\t决算数\t项目\t行次\t决算数\t\t",
                    "\t\t\t\t\t小计\t一般公共预算财政拨款\t政府性基金预算财政拨款", "栏次\t1\t栏次\t\t2\t3\t4\t5")
            for il, ino, iv, el, eno, ev in t.fiscal_summary:
                cells = "\t".join(_cell(v, fixed) for v in ev)
                doc.add(f"{il}\t{ino}\t{_cell(iv[0], fixed)}\t{el}\t{eno}\t{cells}")
            doc.add("", "注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。", "")
        elif key == "income":
            doc.add("项目\t\t本年收入合计\t财政拨款收入\t上级补助收入\t事业收入\t经营收入\t附属单位上缴收入\t其他收入\t",
                    "功能分类科目\t科目名称\t\t\t\t\t\t\t\t", "类\t款\t栏次\t1\t2\t3\t4\t5\t6\t7")
            for row in t.income:
                code = row.code or ""
                if r.style["truncate_02"] and len(code) == 7:
                    code = code[:6]
                doc.add(f"{code}\t{row.name}\t" + "\t".join(_cell(v, fixed) for v in row.values) + "\t")
            doc.add("", "注：本表反映部门本年度取得的各项收入情况。", "")
        elif key == "expenditure":
            doc.add("项目\t\t本年支出合计\t基本支出\t项目支出\t上缴上级支出\t经营支出\t对附属单位补助支出\t\t",
                    "功能分类科目\t科目名称\t\t\t\t\t\t\t\t", "类\t款\t项\t栏次\t1\t2\t3\t4\t5\t6")
            for row in t.expenditure:
                lead = "\t\t合计" if row.kind == "total" else f"{row.code}\t{row.name}\t"
                doc.add(lead + "\t" + "\t".join(_cell(v, fixed) for v in row.values) + "\t")
            doc.add("", "注：本表反映部门本年度各项支出情况。", "")
        elif key == "gpb_expenditure":
            doc.add("项目\t\t本年支出\t\t\t\t", "功能分类科目编码\t科目名称\t小计\t基本支出\t项目支出\t\t",
                    "类\t款\t项\t栏次\t1\t2\t3")
            for row in t.gpb_expenditure:
                doc.add(f"{row.code or ''}\t{row.name}\t" + "\t".join(_cell(v, fixed) for v in row.values) + "\t\t")
            doc.add("", "注：本表反映部门本年度一般公共预算财政拨款支出情况。", "")
        elif key == "gpb_basic_econ":
            doc.add("人员经费\t\t\t公用经费\t\t\t\t\t",
                    "经济分类科目编码\t科目名称\t决算数\t经济分类科目编码\t科目名称\t决算数\t经济分类科目编码\t科目名称\t决算数")
            econ4 = bool(r.style["econ4"])
            height = max(len(b) for b in t.econ)
            for k in range(height):
                cells: list[str] = []
                for block in t.econ:
                    if k < len(block):
                        code, name, v = block[k]
                        if econ4 and len(code) == 5:
                            code = code[:4]
                        cells += [code, name, _cell(v, fixed)]
                    else:
                        cells += ["", "", ""]
                doc.add("\t".join(cells).rstrip("\t"))
            pe, pu = t.econ_totals
            doc.add(f"人员经费合计\t\t\t{_cell(pe, fixed)}\t公用经费合计\t\t\t\t{_cell(pu, fixed)}")
            doc.add("", "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。", "")
        elif key == "gov_fund":
            doc.add("项目\t\t\t年初结转和结余\t本年收入\t本年支出\t\t\t年末结转和结余\t",
                    "功能分类科目\t科目名称\t小计\t基本支出\t项目支出\t\t\t\t\t", "类\t款\t项\t栏次\t1\t2\t3\t4\t5\t6",
                    "\t合计\t\t\t\t\t\t\t\t")
            doc.para("", "注：本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。",
                     f"本{sw} {r.year} 年度无政府性基金预算财政拨款收入支出。")
        elif key == "soe_capital":
            doc.add("项目\t\t\t本年支出\t\t\t", "功能分类科目\t科目名称\t合计\t基本支出\t项目支出\t",
                    "类\t款\t项\t栏次\t1\t2\t3", "\t合计\t\t\t\t\t")
            doc.para("", "注：本表反映部门本年度国有资本经营预算财政拨款支出情况。",
                     f"本{sw} {r.year} 年度无国有资本经营预算财政拨款支出。")
        else:  # three_public
            doc.add("预算数\t\t\t\t\t决算数\t\t\t\t\t\t",
                    "合计\t因公出国 (境) 费\t公务用车购置及运行维护费\t\t\t公务接待费\t合计\t因公出国 (境) 费\t"
                    "公务用车购置及运行维护费\t\t\t公务接待 费",
                    "\t\t小计\t公务用车购 置费\t公务用车运 行维护费\t\t\t\t小计\t公务用车购 置费\t公务用车运 行维护费\t",
                    "\t".join(str(k) for k in range(1, 13)))
            if t.three_public is not None:
                doc.add("\t".join(wan(v) for v in t.three_public))
            doc.para("", "注：本表反映部门本年度财政拨款“三公”经费支出预算情况。其中，预算数为“三公”经费全年预算数，"
                     "决算数是包括当年财政拨款和以前年度结转资金安排的实际支出。")
            if t.three_public is None:
                doc.para(f"本{sw} {r.year} 年度无财政拨款三公经费支出。")
    doc.para(f"第三部分 {u.name} {_yr(r)}{sw}决算情况说明")
    _emit_narrative(doc, narrative_paragraphs(r, n, rng), r, wrapped=False)
    _back(doc, r)
    return doc.text()


# ----------------------------------------------------------------------------------------------
# pdftotext flow layout (sample 002)


def _flow_amount(v: int | None) -> str:
    """pdftotext prints what the PDF shows: '217.35', '40', '4.7'; integers ≥ 100 keep '.00' here
    so a wrapped value line never starts like a 功能分类 code."""
    if v is None:
        return ""
    s = trim(v)
    return wan(v) if "." not in s and v >= 10000 else s


def _flow_title(doc: Doc, r: Report, title: str, no: str, rng: random.Random) -> None:
    if r.year == 2020:
        text = f"{_yr(r)}{title}（表 {no}）"
        if len(title) > 16:  # 002 wraps the long titles
            cut = len(title) - 7
            doc.add(f"{_yr(r)}{title[:cut]}", "", f"{title[cut:]}（表 {no}）")
        else:
            doc.add(text)
    elif r.style["public_no_inline"]:
        doc.add(f"{_yr(r)}{title}（公开{no}表）")
    else:
        doc.add(f"{_yr(r)}{title}", f"公开{no}表")
    doc.add(f"部门：{r.unit.name} 单位：万元", "")


def _flow_name(code: str, name: str, values: list[str], rng: random.Random) -> list[str]:
    """One subject row; long names wrap as in 002 (the code alone, or the name's tail alone)."""
    nums = " ".join(values)
    if len(name) <= 14 or rng.random() < 0.4:
        return [" ".join(x for x in (code, name, nums) if x), ""]
    cut = rng.randint(9, len(name) - 2)
    if rng.random() < 0.5:
        return [code, name[:cut], "", name[cut:], *( [nums] if nums else []), ""]
    return [f"{code} {name[:cut]}", "", name[cut:], "", *([nums] if nums else []), ""]


def _flow_two_sided(doc: Doc, rows, rng: random.Random) -> None:
    for il, ino, iv, el, eno, ev in rows:
        inc = " ".join(x for x in (str(ino), _flow_amount(iv[0])) if x)
        exp = " ".join(x for x in (el, str(eno), *(_flow_amount(v) for v in ev if v is not None)) if x)
        if il and len(il) > 12 and rng.random() < 0.6:
            cut = rng.randint(8, len(il) - 2)
            doc.add(il[:cut], "", il[cut:], f"{inc} {exp}", "")
        else:
            doc.add(" ".join(x for x in (il, inc, exp) if x), "")


def render_flow(r: Report, t: Tables, n: Narrative, rng: random.Random) -> str:
    doc = Doc()
    u, sw = r.unit, _scope_word(r)
    _front(doc, r, rng, toc=False)
    doc.add("", f"第二部分 {u.name}{_yr(r)}{sw}", "", "决算表", "")
    for key, title, no in _table_titles(r):
        if key in t.dropped:
            continue
        _flow_title(doc, r, title, no, rng)
        if key in ("summary", "fiscal_summary"):
            if key == "summary":
                doc.para("收入 支出", "项目 行次 金额 项目 行次 金额", "栏次 1 栏次 2")
                _flow_two_sided(doc, t.summary, rng)
                doc.para("注：本表反映部门本年度的总收支和年末结转结余情况。",
                         "27 行＝（1+2+3+4+5+6+7+8）行；30 行＝（27+28+29）行；")
            else:
                doc.para("收 入 支 出", "项目", "行", "次", "金额 项目", "行", "次", "合计", "一般公共", "预算财政", "拨款",
                         "政府", "性基", "金预", "算财", "政拨", "款", "栏次 1 栏次 2 3 4 5")
                _flow_two_sided(doc, t.fiscal_summary, rng)
                doc.para("注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。")
        elif key in ("income", "expenditure", "gpb_expenditure"):
            rows: list[SubjectRow] = getattr(t, key)
            if key == "income":
                doc.para("项目", "本年收", "入合计", "财政拨款收入", "上级", "补助", "收入", "事业", "收入", "经营", "收入",
                         "附属", "单位", "上缴", "收入", "其他", "收入")
                doc.add("功能分类科目编", "码", "科目名称", "", "类 款 项", "栏次 1 2 3 4 5 6 7", "")
            elif key == "expenditure":
                doc.para("项目", "本年支出合计 基本支出 项目支出", "上缴上", "级支出", "经营", "支出", "对附属", "单位补",
                         "助支出")
                doc.add("功能分类科目编码 科目名称", "", "类 款 项", "栏次 1 2 3 4 5 6", "")
            else:
                doc.para("项目 本年支出", "功能分类科目编码 科目名称 小计 基本支出 项目支出")
                doc.add("类 款 项", "栏次 1 2 3", "")
            for row in rows:
                values = [_flow_amount(v) for v in row.values if v is not None]
                if row.kind == "total":
                    doc.para(" ".join(["合计", *values]))
                else:
                    doc.add(*_flow_name(row.code or "", row.name, values, rng))
            note = {"income": "注：本表反映部门本年度取得的各项收入情况。", "expenditure": "注：本表反映部门本年度各项支出情况。",
                    "gpb_expenditure": "注：本表反映部门本年度一般公共预算财政拨款支出情况。"}[key]
            doc.para(note)
        elif key == "gpb_basic_econ":
            doc.para("人员经费 公用经费", "科目编码 科目名称 决算数 科目编码 科目名称 决算数 科目编码 科目名称 决算数")
            height = max(len(b) for b in t.econ)
            for k in range(height):
                parts = []
                for block in t.econ:
                    if k < len(block):
                        code, name, v = block[k]
                        parts += [code, name] + ([wan(v)] if v is not None else [])
                doc.para(" ".join(parts))
            pe, pu = t.econ_totals
            doc.para(f"人员经费合计 {wan(pe)} 公用经费合计 {wan(pu)}",
                     "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。")
        elif key == "gov_fund":
            doc.para("项目", "年初结转", "和结余", "本年收入", "本年支出", "年末结转和结余",
                     "功能分类科目编码 科目名称 小计 基本支出项目支出", "类 款 项", "栏次 1 2 3 4 5 6", "合计",
                     "注：本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。",
                     f"本{sw}无政府性基金预算财政拨款收入支出")
        elif key == "soe_capital":
            doc.para("项目 本年支出", "功能分类科目编码 科目名称 合计 基本支出 项目支出", "类 款 项", "栏次 1 2 3", "合计",
                     "注：本表反映部门本年度国有资本经营预算财政拨款支出情况。", f"本{sw}无国有资本经营预算财政拨款支出")
        else:
            doc.para("预算数 决算数", "合计", "因公出国", "（境）费", "公务用车购置及运行费", "公务接待费 合计", "因公出国",
                     "（境）费", "公务用车购置及运行费", "公务接待费", "小计", "公务用车购", "置费", "公务用车运", "行费", "小计",
                     "公务用车购", "置费", "公务用车运", "行费", " ".join(str(k) for k in range(1, 13)))
            if t.three_public is not None:
                doc.para(" ".join(wan(v) for v in t.three_public))
            doc.para("注：本表反映部门本年度“三公”经费支出预决算情况。")
            if t.three_public is None:
                doc.para(f"本{sw}无一般公共预算财政拨款“三公”经费支出")
        doc.add("")
    doc.add(f"第三部分 {u.name} {r.year}", "", f"年度{sw}决算情况说明", "")
    _emit_narrative(doc, narrative_paragraphs(r, n, rng), r, wrapped=True)
    _back(doc, r)
    return doc.text()


# ----------------------------------------------------------------------------------------------
# Narrative-only layout (samples 000 and 004): the tables were images, only headings survive


def render_narrative(r: Report, t: Tables, n: Narrative, rng: random.Random) -> str:
    doc = Doc()
    sw = _scope_word(r)
    _front(doc, r, rng, toc=False)
    doc.para(f" 第二部分 {_yr(r)}{sw}决算表")
    for k, (key, title, _) in enumerate(_table_titles(r)):
        doc.para(f"{CN_NUM[k]}、{title}")
        if key == "gov_fund":
            doc.para(f"本{sw}当年无政府性基金预算财政拨款收入支出。")
        if key == "soe_capital":
            doc.para(f"本{sw}当年无国有资本经营预算财政拨款支出。")
    doc.para(f" 第三部分 {_yr(r)}{sw}决算情况说明")
    _emit_narrative(doc, narrative_paragraphs(r, n, rng), r, wrapped=True)
    _back(doc, r)
    return doc.text()


RENDERERS = {LAYOUT_TAB: render_tab, LAYOUT_FLOW: render_flow, LAYOUT_NARRATIVE: render_narrative}


# ----------------------------------------------------------------------------------------------
# Corpus


@dataclass
class SynthDoc:
    index: int
    file: str
    data: bytes
    unit_name: str
    fiscal_year: int
    report_scope: str
    layout: str
    label: Label | None
    report: Report
    tables: Tables
    narrative: Narrative


def _slots(seed: int) -> Iterator[tuple[Unit, int]]:
    """(unit, k-th year of the unit) for doc 0, 1, 2, … — a prefix-stable layout of the corpus."""
    u = 0
    while True:
        unit = _unit_plan(seed, u)
        for k in range(unit.years):
            yield unit, k
        u += 1


def iter_docs(n_docs: int, seed: int = 1, error_rate: float = 0.0, fmt: str = "text",
              pdf_options: Mapping[str, object] | None = None) -> Iterator[SynthDoc]:
    """The corpus, one document at a time (deterministic; see the module docstring).

    ``fmt="pdf"`` draws each report as a PDF in the 2024 national template
    (``juesuan.synth.pdf``; its variants come from the seed, ``pdf_options`` forces fields of
    ``PdfOptions``); the model, tables, narrative and labels are the same as for text.
    """
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must lie in [0, 1]")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if fmt == "pdf":
        from juesuan.synth import pdf as synth_pdf
    series: dict[int, tuple[random.Random, dict[str, int] | None]] = {}
    for i, (unit, k) in zip(range(n_docs), _slots(seed), strict=False):
        if k == 0:
            series = {unit.index: (random.Random(unit.rng_seed), None)}
        rng, prev = series[unit.index]
        year = unit.first_year + k
        report = _make_report(unit, year, rng, prev)
        series[unit.index] = (rng, _year_figures(report))
        doc_rng = random.Random(f"juesuan-synth:{seed}:doc:{i}")
        if doc_rng.random() < 0.5:  # a publisher mostly keeps its format, not always
            report.layout = doc_rng.choices([x for x, _ in LAYOUT_WEIGHTS], [w for _, w in LAYOUT_WEIGHTS])[0]
        tables = build_tables(report)
        narrative = build_narrative(report, doc_rng)
        label = None
        err_rng = random.Random(f"juesuan-synth:{seed}:error:{i}")
        if err_rng.random() < error_rate:
            category = CATEGORY_ORDER[i % len(CATEGORY_ORDER)]
            if not eligible(category, report, narrative):
                category = err_rng.choice([c for c in CATEGORY_ORDER if eligible(c, report, narrative)])
            label = inject(category, report, tables, narrative, err_rng)
        if fmt == "pdf":
            # an image page only where no injected error could hide behind it
            options = synth_pdf.draw_options(random.Random(f"juesuan-synth:{seed}:pdf:{i}"), report,
                                             allow_image=label is None, **(pdf_options or {}))
            data = synth_pdf.render_pdf(report, tables, narrative, doc_rng, options=options)
        else:
            text = RENDERERS[report.layout](report, tables, narrative, doc_rng)
            encoding = str(report.style["encoding"])
            data = text.encode("gb18030") if encoding == "gb18030" else text.encode(encoding)
        scope = "unit" if unit.own_level or unit.kind == "单位" else "department"
        name = f"{i:06d}_{hashlib.sha256(data).hexdigest()[:12]}.{'pdf' if fmt == 'pdf' else 'txt'}"
        yield SynthDoc(i, name, data, unit.name, year, scope, report.layout, label, report, tables, narrative)


_SYNTH_NAME = re.compile(r"^\d{6}_[0-9a-f]{12}\.(?:txt|pdf)$")


def labels_path(out_dir: Path) -> Path:
    """``<DIR>.labels.csv`` beside the corpus directory ``DIR`` (inside it, a build would try to
    parse it as a report)."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}.labels.csv"


def generate(n_docs: int, out_dir: Path, seed: int = 1, error_rate: float = 0.0, fmt: str = "text",
             pdf_options: Mapping[str, object] | None = None) -> dict[str, object]:
    """Write ``n_docs`` reports to ``out_dir`` (and ``labels.csv`` beside them, outside the corpus).

    ``fmt`` is ``"text"`` (``.txt`` in the three text layouts) or ``"pdf"`` (``.pdf``, see
    ``iter_docs``).

    Returns ``{"documents", "errors_injected", "labels_file", "layouts", "categories"}``.
    The corpus directory holds only report texts, so it can be passed to ``juesuan build``;
    reports an earlier run left there (same naming, not part of this run) are removed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels_file = labels_path(out_dir)
    layouts: dict[str, int] = {}
    categories: dict[str, int] = {}
    labels: list[dict[str, object]] = []
    count = 0
    written: set[str] = set()
    for doc in iter_docs(n_docs, seed, error_rate, fmt, pdf_options):
        path = out_dir / doc.file
        written.add(doc.file)
        if not path.exists() or path.read_bytes() != doc.data:
            path.write_bytes(doc.data)
        layouts[doc.layout] = layouts.get(doc.layout, 0) + 1
        count += 1
        if doc.label:
            lab = doc.label
            categories[lab.category] = categories.get(lab.category, 0) + 1
            labels.append(dict(file=doc.file, unit_name=doc.unit_name, fiscal_year=doc.fiscal_year,
                               report_scope=doc.report_scope, layout=doc.layout, category=lab.category,
                               variant=lab.variant, expected_rule_ids=";".join(lab.expected), table_key=lab.table_key,
                               subject_code=lab.subject_code or "", description=lab.description))
    for stale in out_dir.iterdir():  # reports of an earlier run with other arguments; other files stay
        if _SYNTH_NAME.match(stale.name) and stale.name not in written:
            stale.unlink()
    with labels_file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LABEL_COLUMNS)
        writer.writeheader()
        writer.writerows(labels)
    return {"documents": count, "errors_injected": len(labels), "labels_file": str(labels_file),
            "layouts": layouts, "categories": categories}
