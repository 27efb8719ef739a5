"""The three text layouts: tab-separated (sample 001), pdftotext flow (002), narrative-only
(000/004), and the ``Doc`` helper and front/back matter they share."""

from __future__ import annotations

import random

from juesuan.synth.fmt import scope_word, trim, wan, yr
from juesuan.synth.model import LAST_YEAR, LAYOUT_FLOW, LAYOUT_NARRATIVE, LAYOUT_TAB, Report
from juesuan.synth.narrative import Narrative, narrative_paragraphs
from juesuan.synth.reference import CN_NUM
from juesuan.synth.tables import SubjectRow, Tables, table_titles, titles_for_year

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


def _front(doc: Doc, r: Report, rng: random.Random, *, toc: bool) -> None:
    u, sw = r.unit, scope_word(r)
    if r.style["title"] or r.layout == LAYOUT_TAB:
        doc.add("", "")
        doc.para(f"{yr(r)}{u.name}{sw}决算公开" if r.layout == LAYOUT_TAB else f" {u.name} {yr(r)}{sw}决算")
        if r.layout == LAYOUT_TAB:
            m, d = r.style["pub_date"]  # type: ignore[misc]
            doc.para(f"{r.year + 1} 年 {m} 月 {d} 日")
    if toc:
        doc.para("目 录", f"第一部分 {u.name}概况", f"一、{sw}主要职责", "二、机构设置情况",
                 f"第二部分 {u.name} {yr(r)}{sw}决算表")
        # the contents list the later templates' titles in their order, whatever the year
        doc.para(*(f"{CN_NUM[k]}、{title}" for k, (_, title, _) in enumerate(titles_for_year(LAST_YEAR))))
        doc.para(f"第三部分 {u.name} {yr(r)}{sw}决算情况说明", "第四部分 名词解释", "第五部分 附件")
    head = f"{u.name}本级" if u.own_level and not r.style["title"] else u.name
    doc.para(f"第一部分 {head}概况", f"一、{sw}主要职责",
             f"{u.name}的主要职能：",
             f"（一）{u.duty}。", "（二）按规定承担全面从严治党、安全生产、保密等主体责任。", "（三）完成上级交办的其他任务。",
             "二、机构设置情况")
    if u.members:
        doc.para(f"从单位构成看，{u.name}部门决算由实行独立核算的{u.name}本级决算和 {len(u.members) - 1} 个下属单位决算组成。")
        doc.para(f"{u.name} {yr(r)}{sw}决算编制范围包括：")
        doc.para(*(f"{k}.{m}" for k, m in enumerate(u.members, 1)))
    else:
        doc.para(f"从单位构成看，{u.short.lstrip('区县市')}{sw}决算由实行独立核算的单位本级决算组成。")


def _back(doc: Doc, r: Report) -> None:
    doc.para("第四部分 名词解释",
             "(一)一般公共预算财政拨款收入：指本级财政一般公共预算当年拨付的资金。",
             "(二)基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
             "(三)项目支出：指在基本支出之外为完成特定行政任务或事业发展目标所发生的支出。",
             "(四)“三公”经费：指用财政拨款安排的因公出国(境)费、公务用车购置及运行维护费和公务接待费。",
             "第五部分 附件",
             f"{r.unit.name} {r.year} 年度{scope_word(r)}整体支出绩效自评表（略）")


# ----------------------------------------------------------------------------------------------
# Tab-separated layout (sample 001)


def _cell(v: int | None, fixed: bool) -> str:
    if v is None:
        return ""
    return wan(v) if fixed else trim(v)


def render_tab(r: Report, t: Tables, n: Narrative, rng: random.Random) -> str:
    doc = Doc()
    u, sw = r.unit, scope_word(r)
    _front(doc, r, rng, toc=True)
    doc.para(f"第二部分 {u.name} {yr(r)}{sw}决算表")
    fixed = bool(r.style["fixed"])
    own = f"{u.name}本级"
    for key, title, no in table_titles(r):
        if key in t.dropped:
            continue
        if r.year == 2020:
            doc.para(f"{yr(r)}{title}（表 {no}）")
        else:
            doc.para(f"{yr(r)}{title}", f"公开 {no} 表")
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
    doc.para(f"第三部分 {u.name} {yr(r)}{sw}决算情况说明")
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
        text = f"{yr(r)}{title}（表 {no}）"
        if len(title) > 16:  # 002 wraps the long titles
            cut = len(title) - 7
            doc.add(f"{yr(r)}{title[:cut]}", "", f"{title[cut:]}（表 {no}）")
        else:
            doc.add(text)
    elif r.style["public_no_inline"]:
        doc.add(f"{yr(r)}{title}（公开{no}表）")
    else:
        doc.add(f"{yr(r)}{title}", f"公开{no}表")
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
    u, sw = r.unit, scope_word(r)
    _front(doc, r, rng, toc=False)
    doc.add("", f"第二部分 {u.name}{yr(r)}{sw}", "", "决算表", "")
    for key, title, no in table_titles(r):
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
    sw = scope_word(r)
    _front(doc, r, rng, toc=False)
    doc.para(f" 第二部分 {yr(r)}{sw}决算表")
    for k, (key, title, _) in enumerate(table_titles(r)):
        doc.para(f"{CN_NUM[k]}、{title}")
        if key == "gov_fund":
            doc.para(f"本{sw}当年无政府性基金预算财政拨款收入支出。")
        if key == "soe_capital":
            doc.para(f"本{sw}当年无国有资本经营预算财政拨款支出。")
    doc.para(f" 第三部分 {yr(r)}{sw}决算情况说明")
    _emit_narrative(doc, narrative_paragraphs(r, n, rng), r, wrapped=True)
    _back(doc, r)
    return doc.text()


RENDERERS = {LAYOUT_TAB: render_tab, LAYOUT_FLOW: render_flow, LAYOUT_NARRATIVE: render_narrative}
