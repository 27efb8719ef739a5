"""The generic ruled-table parser (ingest/grid.py) and table location (ingest/pdf.py) on hand-built
grids: one test per variant DESIGN §1 names for PDF input. No PDF library, no warehouse."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.grid import Grid, GridCell, parse_grid
from ingest.layout import load_layout
from ingest.pdf import Page, PageLine, PdfText, PlacedGrid, locate_tables, match_title
from ingest.records import ParseError

LAYOUT = load_layout()


def grid(rows: list[list[str]], page: int = 1, first_line: int = 1) -> Grid:
    """Rows of text; '<' continues the cell on the left, '^' the cell above (merged cells)."""
    cells: list[list[GridCell | None]] = []
    for r, row in enumerate(rows):
        out: list[GridCell | None] = []
        for c, text in enumerate(row):
            if text == "<":
                out.append(out[c - 1])
            elif text == "^":
                out.append(cells[r - 1][c])
            else:
                out.append(GridCell(text, r, c, (c * 10.0, r * 10.0, c * 10.0 + 10, r * 10.0 + 10)))
        cells.append(out)
    text = ["\t".join(t for t in row if t not in "<^") for row in rows]
    return Grid(cells, list(range(first_line, first_line + len(rows))), text, [page] * len(rows),
                list(range(1, len(rows) + 1)))


def values(cells, **match) -> dict[tuple[str | None, str], Decimal]:
    return {(c.code, c.column_key): c.amount_wan for c in cells
            if all(getattr(c, k) == v for k, v in match.items())}


EXPENDITURE_HEADER = [
    ["项目", "<", "<", "本年支出合计", "基本支出", "项目支出"],
    ["功能分类科目编码", "<", "<", "^", "^", "^"],
    ["类", "款", "项", "^", "^", "^"],
]


def test_codes_split_over_class_section_item_columns_with_parents_left_blank() -> None:
    rows = EXPENDITURE_HEADER + [
        ["合计", "<", "<", "2,106.66", "1,511.89", "594.77"],
        ["201", "", "", "2,106.66", "1,511.89", "594.77"],
        ["201", "06", "", "2,106.66", "1,511.89", "594.77"],
        ["", "", "01", "1,511.89", "1,511.89", ""],
        ["", "", "99", "594.77", "", "594.77"],
    ]
    got = parse_grid("expenditure", "", "支出决算表", grid(rows), LAYOUT)
    assert values(got, row_kind="subject") == {
        ("201", "total"): Decimal("2106.66"), ("201", "basic"): Decimal("1511.89"),
        ("201", "project"): Decimal("594.77"),
        ("20106", "total"): Decimal("2106.66"), ("20106", "basic"): Decimal("1511.89"),
        ("20106", "project"): Decimal("594.77"),
        ("2010601", "total"): Decimal("1511.89"), ("2010601", "basic"): Decimal("1511.89"),
        ("2010699", "total"): Decimal("594.77"), ("2010699", "project"): Decimal("594.77"),
    }
    assert values(got, row_kind="total")[(None, "total")] == Decimal("2106.66")


def test_blank_is_not_printed_and_zero_is_kept_as_printed() -> None:
    rows = [["功能分类科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            ["2010601", "行政运行", "5.00", "0.00", ""]]
    got = parse_grid("gpb_expenditure", "", "一般公共预算财政拨款支出决算表", grid(rows), LAYOUT)
    assert values(got) == {("2010601", "total"): Decimal("5.00"), ("2010601", "basic"): Decimal("0.00")}
    assert all(c.column_key != "project" for c in got)  # blank ≠ 0.00: nothing recorded


def test_total_at_the_bottom_and_code_glued_to_its_name() -> None:
    rows = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            ["2080505", "机关事业单位基本养老保险缴费支出", "6.18", "6.18", ""],
            ["2210201住房公积金", "", "17.70", "17.70", ""],
            ["合计", "<", "23.88", "23.88", ""]]
    got = parse_grid("gpb_expenditure", "", "一般公共预算财政拨款支出决算表", grid(rows), LAYOUT)
    assert values(got, row_kind="total") == {(None, "total"): Decimal("23.88"), (None, "basic"): Decimal("23.88")}
    assert {c.name for c in got if c.code == "2210201"} == {"住房公积金"}


def test_continued_table_keeps_the_first_pages_columns_and_its_own_pages() -> None:
    first = grid([["功能分类科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                  ["210", "卫生健康支出", "2.71", "2.71", ""]], page=8, first_line=120)
    cont = grid([["2101101", "行政单位医疗", "2.22", "2.22", ""],
                 ["2101102", "事业单位医疗", "0.49", "0.49", ""]], page=9, first_line=143)
    first.extend(cont)
    got = parse_grid("gpb_expenditure", "", "一般公共预算财政拨款支出决算表", first, LAYOUT)
    pages = {(c.code, c.page_no, c.row_no, c.source_line) for c in got if c.column_key == "total"}
    assert pages == {("210", 8, 2, 121), ("2101101", 9, 1, 143), ("2101102", 9, 2, 144)}


def test_merged_multi_row_header_and_the_2024_templates_total_row_inside_it() -> None:
    rows = [["项目", "<", "年初结转和结余", "本年收入", "本年支出", "<", "<", "年末结转和结余"],
            ["功能分类科目编码", "科目名称", "^", "^", "^", "^", "^", "^"],
            ["合计", "<", "^", "^", "合计", "基本支出", "项目支出", "^"],
            ["2296002", "用于社会福利的彩票公益金支出", "1.00", "10.00", "9.00", "", "9.00", "2.00"]]
    got = parse_grid("gov_fund", "", "政府性基金预算财政拨款收入支出决算表", grid(rows), LAYOUT)
    assert values(got) == {("2296002", "carryover_begin"): Decimal("1.00"), ("2296002", "income"): Decimal("10.00"),
                           ("2296002", "total"): Decimal("9.00"), ("2296002", "project"): Decimal("9.00"),
                           ("2296002", "carryover_end"): Decimal("2.00")}


def test_three_public_pairs_of_budget_and_final_per_item() -> None:
    rows = [["财政拨款“三公”经费"] + ["<"] * 11,
            ["合计", "<", "因公出国（境）费", "<", "公务用车购置及运行维护费", "<", "<", "<", "<", "<", "公务接待费", "<"],
            ["^", "^", "^", "^", "小计", "<", "公务用车购置费", "<", "公务用车运行维护费", "<", "^", "^"],
            ["预算数", "决算数"] * 6,
            ["2.85", "0.39", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "2.85", "0.39"]]
    got = parse_grid("three_public", "", "财政拨款“三公”经费支出决算表", grid(rows), LAYOUT)
    assert values(got)[(None, "budget:total")] == Decimal("2.85")
    assert values(got)[(None, "final:reception")] == Decimal("0.39")
    assert values(got)[(None, "budget:vehicle_operation")] == Decimal("0.00")
    assert len(got) == 12


def test_two_sided_summary_without_line_numbers_and_26_expenditure_lines() -> None:
    rows = [["收入", "<", "支出", "<"], ["项目", "决算数", "项目", "决算数"],
            ["一、一般公共预算财政拨款收入", "307.82", "一、一般公共服务支出", "264.87"],
            ["", "", "二十六、抗疫特别国债安排的支出", "42.95"],
            ["本年收入合计", "307.82", "本年支出合计", "307.82"],
            ["总计", "307.82", "总计", "307.82"]]
    got = parse_grid("summary", "", "收入支出决算总表", grid(rows), LAYOUT)
    got_by = {(c.side, c.code): c.amount_wan for c in got}
    assert got_by[("income", "gpb_grant")] == Decimal("307.82")
    assert got_by[("expenditure", "class:234")] == Decimal("42.95")
    assert got_by[("expenditure", "grand_total")] == Decimal("307.82")
    assert all(c.line_no is None for c in got)


def test_basic_expenditure_blocks_side_by_side_with_their_totals() -> None:
    rows = [["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"],
            ["301", "工资福利支出", "95.36", "302", "商品和服务支出", "10.23"],
            ["30101", "基本工资", "14.12", "30201", "办公费", "3.78"],
            ["", "", "", "310", "资本性支出", "0.00"],
            ["人员经费合计", "<", "95.36", "公用经费合计", "<", "10.23"]]
    got = parse_grid("gpb_basic_econ", "", "一般公共预算财政拨款基本支出决算表", grid(rows), LAYOUT)
    assert values(got, row_kind="econ_total") == {("personnel", "amount"): Decimal("95.36"),
                                                  ("public", "amount"): Decimal("10.23")}
    assert values(got, row_kind="econ")[("30201", "amount")] == Decimal("3.78")
    assert values(got, row_kind="econ")[("310", "amount")] == Decimal("0.00")


def test_an_amount_under_an_unknown_header_names_page_row_and_seed() -> None:
    rows = [["科目编码", "科目名称", "合计", "神秘栏目"], ["2010601", "行政运行", "5.00", "1.00"]]
    with pytest.raises(ParseError) as err:
        parse_grid("gpb_expenditure", "", "一般公共预算财政拨款支出决算表", grid(rows, page=7), LAYOUT)
    assert "page 7 row 2 column 4" in err.value.reason
    assert "layout_column_headers.csv" in err.value.reason


def test_text_where_an_amount_belongs_is_an_error() -> None:
    rows = [["科目编码", "科目名称", "合计"], ["2010601", "行政运行", "五元"]]
    with pytest.raises(ParseError, match="expected an amount"):
        parse_grid("gpb_expenditure", "", "一般公共预算财政拨款支出决算表", grid(rows), LAYOUT)


def test_titles_without_year_or_number_and_with_them() -> None:
    assert match_title("收入支出决算总表", LAYOUT) == ("summary", None)
    assert match_title("2024 年度收入决算表（公开02表）", LAYOUT) == ("income", "02")
    assert match_title("表 3 支出决算表", LAYOUT) == ("expenditure", None)
    assert match_title("国有资本经营预算财政拨款收入支出决算表", LAYOUT) == ("soe_capital", None)
    assert match_title("中共上海市普陀区委社会工作部 2024 年度部门决算表", LAYOUT) is None


def _page(number: int, lines: list[tuple[str, float]], grids: list[tuple[Grid, float, float]],
          images: int = 0, first_line: int = 1) -> Page:
    return Page(number, [PageLine(first_line + k, t, top, top + 10) for k, (t, top) in enumerate(lines)],
                [PlacedGrid(g, top, bottom) for g, top, bottom in grids], images)


def test_tables_found_by_title_continued_by_shape_and_extra_tables_skipped() -> None:
    members = grid([["序号", "单位名称", "备注"], ["1", "某某局（本级）", ""]])
    t03 = grid([["功能分类科目编码", "科目名称", "合计", "基本支出", "项目支出"], ["210", "卫生健康支出", "2.71", "2.71", ""]])
    cont = grid([["2101101", "行政单位医疗", "2.71", "2.71", ""]], page=3)
    doc = PdfText([
        _page(1, [("二、部门决算单位构成", 100)], [(members, 120, 200)]),
        _page(2, [("支出决算表", 50), ("单位：万元", 70)], [(t03, 90, 300)], first_line=2),
        _page(3, [("- 3 -", 800)], [(cont, 90, 120)], first_line=4),
        _page(4, [], [], images=1),
    ])
    found = locate_tables(doc, LAYOUT)
    assert [(t.table_key, t.page, t.last_page, len(t.grid.cells)) for t in found.tables] == [("expenditure", 2, 3, 3)]
    assert found.image_pages == [4]
