"""Synthetic PDFs (`juesuan synth --format pdf`): every variant reads back cell for cell.

Each test renders one synthetic report with ``render_pdf`` in a chosen variant and reads it
back with pdfplumber (the "lines" strategy, as the PDF loader does): every amount of the
支出决算表 and of the 基本支出 table is in its cell as printed, split codes come back as three
cells, separators, blanks and ``0.00`` survive as printed, a continued table's second page has
no title above its table, and an image page has no text layer.
"""

from __future__ import annotations

import io
import random
import re
import time

import pdfplumber
import pytest

from juesuan.cli import main
from juesuan.synth import LAYOUT_NARRATIVE, SynthDoc, generate, iter_docs, labels_path, narrative_paragraphs
from juesuan.synth.pdf import TABLE_ORDER, TITLES, PdfOptions, draw_options, render_pdf

TITLE_SET = set(TITLES.values())


@pytest.fixture(scope="module")
def doc() -> SynthDoc:
    """A report with every table, amounts over 1,000 万元, and 项 rows with only 基本 or only 项目支出."""
    for d in iter_docs(80, seed=5):
        t = d.tables
        if d.layout == LAYOUT_NARRATIVE or t.dropped or t.three_public is None or len(t.expenditure) < 12:
            continue
        items = [row for row in t.expenditure if row.kind == "subject" and len(row.code or "") == 7]
        if (any(row.values[1] is None and row.values[2] for row in items)
                and any(row.values[2] is None and row.values[1] for row in items)
                and max(row.values[0] or 0 for row in t.expenditure) >= 100_000):
            return d
    raise AssertionError("no suitable synthetic report in the first 80 of seed 5")


def _render(d: SynthDoc, **opts) -> tuple[bytes, pdfplumber.PDF]:
    data = render_pdf(d.report, d.tables, d.narrative, random.Random(7), options=PdfOptions(**opts))
    return data, pdfplumber.open(io.BytesIO(data))


_CACHE: dict[tuple, tuple] = {}


def _read(d: SynthDoc, variant: str) -> tuple[dict, bytes, pdfplumber.PDF, dict[str, list[dict]]]:
    """One named variant rendered and read back once per test session."""
    key = (d.file, variant)
    if key not in _CACHE:
        data, pdf = _render(d, **VARIANTS[variant])
        _CACHE[key] = (VARIANTS[variant], data, pdf, read_tables(pdf))
    return _CACHE[key]


def _title_above(page, table) -> str | None:
    """The table title printed above the table on its page, if any."""
    above = page.crop((0, 0, page.width, table.bbox[1])).extract_text() or ""
    found = [line.strip() for line in above.splitlines() if line.strip() in TITLE_SET]
    return found[-1] if found else None


def read_tables(pdf) -> dict[str, list[dict]]:
    """title → parts [{page, top_text, rows}] with continued parts (no title above) joined."""
    out: dict[str, list[dict]] = {}
    last: str | None = None
    for page in pdf.pages:
        for table in page.find_tables():
            title = _title_above(page, table)
            above = page.crop((0, 0, page.width, table.bbox[1])).extract_text() or ""
            if title is None:
                assert last is not None, f"table without title on page {page.page_number}"
                title = last
            out.setdefault(title, []).append(dict(page=page.page_number, above=above.strip(),
                                                  rows=table.extract()))
            last = title
    return out


def _rows(parts: list[dict]) -> list[list[str | None]]:
    return [row for part in parts for row in part["rows"]]


def printed(v: int | None, thousands: bool, zero: bool = False) -> str:
    """What the cell must show: independent of the renderer's own formatting helpers."""
    if v is None:
        return "0.00" if zero else ""
    s = f"{v // 100}.{v % 100:02d}"
    if thousands:
        whole, frac = s.split(".")
        s = f"{int(whole):,}.{frac}"
    return s


def _flat(cell: str | None) -> str:
    return (cell or "").replace("\n", "")


VARIANTS = {
    "template": dict(),
    "split_thousands_right": dict(split_codes=True, thousands=True, num_align="right", num_padding=10.0),
    "zero_bottom_26": dict(zeros="zero", total_row="bottom", summary_lines=26),
    "split_zero_top": dict(split_codes=True, zeros="zero", total_row="top", thousands=True),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request, doc):
    return _read(doc, request.param)


def _subject_check(doc: SynthDoc, opts: dict, parts: list[dict], key: str) -> None:
    rows = getattr(doc.tables, key)
    split = opts.get("split_codes", False)
    thousands = opts.get("thousands", False)
    zero = opts.get("zeros") == "zero"
    ncode = 3 if split else 1
    nv = len(rows[0].values)
    in_use = [any(r.values[c] is not None for r in rows if r.kind != "total") for c in range(nv)]
    got = _rows(parts)
    header = 3 if split else 2
    body = got[header:]
    assert all(len(r) == ncode + 1 + nv for r in got)
    subjects = [r for r in rows if r.kind != "total"]
    total = [r for r in rows if r.kind == "total"][0]
    on_top = {"top": True, "bottom": False}.get(opts.get("total_row", "template"), key != "gpb_expenditure")
    expected = [total, *subjects] if on_top else [*subjects, total]
    assert len(body) == len(expected)
    for cells, row in zip(body, expected, strict=True):
        if row.kind == "total":
            assert cells[0] == "合计" and cells[1:ncode + 1] == [None] * ncode  # merged over code and name
        else:
            code = row.code or ""
            if split:
                assert cells[:3] == [code[:3], code[3:5], code[5:]]
            else:
                assert cells[0] == code
            assert _flat(cells[ncode]) == row.name
        want = [printed(v, thousands, zero and in_use[c]) for c, v in enumerate(row.values)]
        assert cells[ncode + 1:] == want, (key, row.code)


def test_expenditure_table_cells(doc, rendered):
    opts, _, _, tables = rendered
    _subject_check(doc, opts, tables["支出决算表"], "expenditure")


def test_gpb_and_income_table_cells(doc, rendered):
    opts, _, _, tables = rendered
    _subject_check(doc, opts, tables["一般公共预算财政拨款支出决算表"], "gpb_expenditure")
    _subject_check(doc, opts, tables["收入决算表"], "income")


def test_basic_expenditure_table_cells(doc, rendered):
    opts, _, _, tables = rendered
    thousands = opts.get("thousands", False)
    zero = opts.get("zeros") == "zero"
    got = _rows(tables["一般公共预算财政拨款基本支出决算表"])
    assert [_flat(c) for c in got[0]] == ["经济分类科目编码", "科目名称", "决算数"] * 2
    left = doc.tables.econ[0]
    right = [*doc.tables.econ[1], *doc.tables.econ[2]]
    body, totals = got[1:-1], got[-1]
    assert len(body) == max(len(left), len(right))
    for block, offset in ((left, 0), (right, 3)):
        in_use = any(v is not None for _, _, v in block)
        for k, cells in enumerate(body):
            if k < len(block):
                code, name, v = block[k]
                assert [cells[offset], _flat(cells[offset + 1]), cells[offset + 2]] == \
                    [code, name, printed(v, thousands, zero and in_use)], code
            else:
                assert cells[offset:offset + 3] == ["", "", ""]
    pe, pu = doc.tables.econ_totals
    assert totals == ["人员经费合计", None, printed(pe, thousands), "公用经费合计", None, printed(pu, thousands)]


def test_split_codes_and_thousands_separators(doc):
    got = _rows(_read(doc, "split_thousands_right")[3]["支出决算表"])
    assert got[1][:4] == ["功能分类科目编码", None, None, "科目名称"]
    assert got[2][:3] == ["类", "款", "项"]
    items = [r for r in got if r[2] and re.fullmatch(r"\d\d", r[2])]
    assert items and all(re.fullmatch(r"\d{3}", r[0]) and re.fullmatch(r"\d\d", r[1]) for r in items)
    amounts = [c for r in got for c in r[4:] if c]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", c) for c in amounts)  # e.g. 1,511.89
    amounts = [c for r in _rows(_read(doc, "template")[3]["支出决算表"]) for c in r[2:] if c]
    assert not any("," in c for c in amounts) and any(re.fullmatch(r"\d{4,}\.\d\d", c) for c in amounts)


def _gaps(pdf, title: str) -> list[tuple[float, float]]:
    """(left, right) blank space around each amount in the first amount column of a table."""
    out = []
    for page in pdf.pages:
        for table in page.find_tables():
            if _title_above(page, table) != title:
                continue
            for row in table.rows:
                cell = row.cells[-6]  # 本年支出合计
                if cell is None:
                    continue
                chars = [ch for ch in page.crop(cell).chars if ch["text"].strip()]
                if chars and all(ch["text"] in "0123456789.," for ch in chars):
                    out.append((min(ch["x0"] for ch in chars) - cell[0], cell[2] - max(ch["x1"] for ch in chars)))
    return out


def test_amounts_centred_or_right_aligned_with_padding(doc):
    right = _gaps(_read(doc, "split_thousands_right")[2], "支出决算表")
    assert right and all(abs(r - 10.0) < 0.6 and left > r for left, r in right)
    centred = _gaps(_read(doc, "template")[2], "支出决算表")
    assert centred and all(abs(left - r) < 1.0 for left, r in centred)


def test_long_names_wrap_inside_their_cell(doc):
    """Names wider than the column are drawn as wrapped paragraphs; pdfplumber keeps the break."""
    tables = _read(doc, "template")[3]
    names = [row[1] for row in _rows(tables["一般公共预算财政拨款支出决算表"])[2:]]
    names += [row[k] for row in _rows(tables["一般公共预算财政拨款基本支出决算表"])[1:] for k in (1, 4)]
    assert any(name and "\n" in name for name in names)


def test_blank_stays_blank_and_zero_stays_zero(doc):
    """A project-only 项: 基本支出 blank in one variant, 0.00 in the other; unused columns blank in both."""
    row = next(r for r in doc.tables.expenditure
               if r.kind == "subject" and len(r.code or "") == 7 and r.values[1] is None and r.values[2])
    for variant, basic in (("template", ""), ("zero_bottom_26", "0.00")):
        cells = next(c for c in _rows(_read(doc, variant)[3]["支出决算表"]) if c[0] == row.code)
        assert cells[3] == basic
        assert cells[4] == printed(row.values[2], False)
        assert cells[5:] == ["", "", ""]  # 上缴上级 / 经营 / 对附属单位: never printed


def test_continued_table_has_no_title_or_header_on_its_next_page(doc):
    _, pdf = _render(doc, continued=frozenset({"expenditure"}))
    parts = read_tables(pdf)["支出决算表"]
    assert len(parts) == 2 and parts[1]["page"] == parts[0]["page"] + 1
    assert "支出决算表" in parts[0]["above"] and "单位：万元" in parts[0]["above"]
    assert parts[1]["above"] == ""  # nothing above the table on the continuation page
    assert parts[1]["rows"][0][0] not in ("项目", "合计")  # starts with a data row, no header
    assert len(parts[0]["rows"][0]) == len(parts[1]["rows"][0])
    page = pdf.pages[parts[1]["page"] - 1]
    bbox = [t.bbox for t in page.find_tables()][0]
    assert page.crop((0, 0, page.width, bbox[1])).chars == []
    # the 财政拨款收入支出决算总表 (34 rows, landscape) continues by itself, as in the template
    fiscal = read_tables(pdf)["财政拨款收入支出决算总表"]
    assert len(fiscal) == 2 and fiscal[1]["above"] == ""


def test_image_page_has_no_text_layer(doc):
    _, pdf = _render(doc, image_tables=frozenset({"gpb_basic_econ"}))
    image_pages = [p for p in pdf.pages if p.images]
    assert len(image_pages) == 1
    page = image_pages[0]
    assert len(page.chars) == 0 and len(page.images) == 1 and page.find_tables() == []
    tables = read_tables(pdf)
    assert "一般公共预算财政拨款基本支出决算表" not in tables
    assert set(tables) == TITLE_SET - {"一般公共预算财政拨款基本支出决算表"}
    text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "一般公共预算财政拨款基本支出决算表" not in text


def test_titles_in_2024_order_without_number_or_year(doc, rendered):
    _, _, pdf, tables = rendered
    assert list(tables) == [TITLES[k] for k in TABLE_ORDER]
    for parts in tables.values():
        above = parts[0]["above"]
        assert "公开" not in above and "年度" not in above.split("\n")[-2]
        assert above.endswith("单位：万元")
    cover = pdf.pages[0].extract_text()
    r = doc.report
    assert cover.split("\n") == [r.unit.name, f"{r.year} 年度" if r.style["spaced"] else f"{r.year}年度",
                                 ("单位" if r.unit.own_level or r.unit.kind == "单位" else "部门") + "决算"]


def test_merged_header_cells_copy_the_template(doc, rendered):
    opts, _, _, tables = rendered
    income = _rows(tables["收入决算表"])
    if opts.get("split_codes"):
        assert income[0] == ["项目", None, None, None, "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
                             "附属单位\n上缴收入", "其他收入"]
    else:
        assert income[0] == ["项目", None, "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
                             "附属单位\n上缴收入", "其他收入"]
        assert income[1] == ["功能分类\n科目编码", "科目名称"] + [None] * 7
    tp = _rows(tables["财政拨款“三公”经费支出决算表"])
    assert tp[0] == ["财政拨款“三公”经费"] + [None] * 11
    assert tp[1][0] == "合计" and tp[1][4] == "公务用车购置及运行维护费" and tp[1][10] == "公务接待费"
    assert tp[2][4] == "小计" and tp[2][6] == "公务用车\n购置费"
    assert tp[3] == ["预算数", "决算数"] * 6
    values = doc.tables.three_public
    thousands = opts.get("thousands", False)
    assert tp[4] == [printed(values[stage * 6 + i], thousands) for i in range(6) for stage in (0, 1)]
    summary = _rows(tables["收入支出决算总表"])
    assert summary[:2] == [["收入", None, "支出", None], ["项目", "决算数", "项目", "决算数"]]
    lines = [r[2] for r in summary if r[2] and re.match(r"^[一二三四五六七八九十]+、", r[2])]
    assert len(lines) == opts.get("summary_lines", 24)
    assert lines[-1].endswith("抗疫特别国债安排的支出")


def test_narrative_follows_the_tables(doc):
    data = render_pdf(doc.report, doc.tables, doc.narrative, random.Random(3), options=PdfOptions())
    pdf = pdfplumber.open(io.BytesIO(data))
    text = "".join(p.extract_text() or "" for p in pdf.pages)
    flat = re.sub(r"\s", "", text)
    r = doc.report
    heading = re.sub(r"\s", "", f"第三部分 {r.unit.name} {r.year} 年度")
    start = flat.index(heading)
    assert start > flat.index("国有资本经营预算财政拨款收入支出决算表")
    for para in narrative_paragraphs(r, doc.narrative, random.Random(3)):
        assert re.sub(r"\s", "", para.lstrip("#")) in flat[start:]


def test_render_is_deterministic_and_fast(doc):
    opts = PdfOptions(split_codes=True, image_tables=frozenset({"summary"}))
    t0 = time.perf_counter()
    a = render_pdf(doc.report, doc.tables, doc.narrative, random.Random(1), options=opts)
    elapsed = time.perf_counter() - t0
    b = render_pdf(doc.report, doc.tables, doc.narrative, random.Random(1), options=opts)
    assert a == b and a.startswith(b"%PDF")
    assert elapsed < 2.0  # typically 0.05–0.15 s; generous for a loaded CI machine


def test_draw_options_varies_by_seed_and_can_be_forced(doc):
    drawn = [draw_options(random.Random(k), doc.report) for k in range(200)]
    assert {o.split_codes for o in drawn} == {True, False}
    assert {o.thousands for o in drawn} == {True, False}
    assert {o.zeros for o in drawn} == {"blank", "zero"}
    assert {o.total_row for o in drawn} == {"template", "top", "bottom"}
    assert {o.summary_lines for o in drawn} == {24, 26}
    assert {o.num_align for o in drawn} == {"center", "right"}
    assert any(o.continued for o in drawn) and any(o.image_tables for o in drawn)
    assert not any(draw_options(random.Random(k), doc.report, allow_image=False).image_tables for k in range(200))
    forced = draw_options(random.Random(1), doc.report, split_codes=True, zeros="zero")
    assert forced.split_codes and forced.zeros == "zero"
    with pytest.raises(TypeError):
        draw_options(random.Random(1), doc.report, no_such_option=True)
    with pytest.raises(ValueError):
        PdfOptions(image_tables=frozenset({"nope"}))


def test_generate_pdf_corpus_and_cli(tmp_path):
    out = tmp_path / "corpus"
    summary = generate(3, out, seed=5, error_rate=0.5, fmt="pdf", pdf_options={"thousands": True})
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3 and all(re.fullmatch(r"\d{6}_[0-9a-f]{12}\.pdf", f) for f in files)
    assert summary["documents"] == 3 and labels_path(out).exists()
    labelled = labels_path(out).read_text(encoding="utf-8").splitlines()[1:]
    assert len(labelled) == summary["errors_injected"] and all(line.split(",")[0] in files for line in labelled)
    # same arguments, same bytes (the incremental benchmark relies on it); narrative-only
    # reports have every table as an image page
    layouts = []
    for d in iter_docs(3, seed=5, error_rate=0.5, fmt="pdf", pdf_options={"thousands": True}):
        assert (out / d.file).read_bytes() == d.data
        layouts.append(d.layout)
        if d.layout == LAYOUT_NARRATIVE:
            pdf = pdfplumber.open(io.BytesIO(d.data))
            assert sum(1 for p in pdf.pages if p.images and not p.chars) == 9 - len(d.tables.dropped)
    assert LAYOUT_NARRATIVE in layouts
    cli_out = tmp_path / "cli"
    assert main(["-q", "synth", "--docs", "2", "--out", str(cli_out), "--format", "pdf"]) == 0
    assert sorted(p.suffix for p in cli_out.iterdir()) == [".pdf", ".pdf"]
    assert main(["-q", "synth", "--docs", "2", "--out", str(cli_out)]) == 0  # text replaces the PDFs
    assert sorted(p.suffix for p in cli_out.iterdir()) == [".txt", ".txt"]
