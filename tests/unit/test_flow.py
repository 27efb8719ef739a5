"""The pdftotext flow layout (sample 002 and variants in tests/fixtures/flow): rows rebuilt from
wrapped lines, numbers placed in columns by the tables' own arithmetic, never guessed."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.flow import parse_flow_tables
from ingest.identity import read_identity
from ingest.layout import load_layout
from ingest.records import Ambiguity, ParseError, TableCell, TablePresence
from ingest.tables import TableBlock, find_table_blocks, repair_econ_codes, repair_subject_codes
from ingest.tabular import parse_tab_tables
from ingest.text import decode, split_lines
from tests.conftest import sample_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flow"
D = Decimal


class Parsed:
    """parse_flow_tables plus the code repairs ingest/parse.py applies after it."""

    def __init__(self, lines: list[str], blocks: list[TableBlock] | None = None) -> None:
        layout = load_layout()
        self.lines = lines
        self.blocks = find_table_blocks(lines, layout) if blocks is None else blocks
        cells, self.presence, problems, self.ambiguities = parse_flow_tables(lines, self.blocks, layout)
        cells, subject_repairs, p1 = repair_subject_codes(cells, layout)
        self.cells, econ_repairs, p2 = repair_econ_codes(cells, layout)
        self.problems: list[ParseError] = problems + p1 + p2
        self.repairs = subject_repairs + econ_repairs

    def amount(self, table: str, code: str | None, column: str, kind: str | None = None) -> Decimal:
        hits = [c.amount_wan for c in self.cells if c.table_key == table and c.code == code
                and c.column_key == column and (kind is None or c.row_kind == kind)]
        assert len(hits) == 1, (table, code, column, hits)
        return hits[0]

    def row(self, table: str, code: str | None, kind: str | None = None) -> dict[str, Decimal]:
        return {c.column_key: c.amount_wan for c in self.cells if c.table_key == table and c.code == code
                and (kind is None or c.row_kind == kind)}

    def status(self) -> dict[str, str]:
        return {p.table_key: p.status for p in self.presence}


def fixture_lines(name: str) -> list[str]:
    return split_lines(decode((FIXTURES / name).read_bytes())[0])


def _parsed_fixture(name: str, lines: Callable[[], list[str]]) -> object:
    """A module-scoped fixture ``name``: those lines, parsed once for all the tests that use them."""

    @pytest.fixture(scope="module", name=name)
    def parsed() -> Parsed:
        return Parsed(lines())

    return parsed


s002 = _parsed_fixture("s002", lambda: sample_lines("002"))
public = _parsed_fixture("public", lambda: fixture_lines("2021_public_numbering.txt"))
ambiguous = _parsed_fixture("ambiguous", lambda: fixture_lines("2022_ambiguous.txt"))
broken = _parsed_fixture("broken", lambda: fixture_lines("2023_broken.txt"))
gov_fund = _parsed_fixture("gov_fund", lambda: fixture_lines("2024_gov_fund.txt"))
page_number = _parsed_fixture("page_number", lambda: fixture_lines("2022_page_number.txt"))

ALL = ("s002", "public", "ambiguous", "broken", "gov_fund", "page_number")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_fixtures_carry_a_report_identity(name: str):
    identity = read_identity(fixture_lines(name))
    assert identity.unit_name.startswith("武汉市某区") and identity.fiscal_year in (2021, 2022, 2023, 2024)


# --- finding the tables ---------------------------------------------------------------------------


def test_wrapped_2020_titles_are_found_by_title_not_number(s002: Parsed):
    keys = [(b.table_key, b.table_no, b.title_line) for b in s002.blocks]
    assert keys == [
        ("summary", "1", 81), ("income", "2", 167), ("expenditure", "3", 267), ("fiscal_summary", "4", 355),
        ("gpb_expenditure", "5", 485), ("gpb_basic_econ", "6", 555), ("three_public", "7", 678),
        ("gov_fund", "8", 729), ("soe_capital", "9", 757)]
    gov = s002.blocks[7]
    assert gov.title == "2020年度政府性基金预算财政拨款收入支出决算表（表8）"
    assert (gov.start, gov.end) == (731, 756)  # body starts after the title's second line
    assert s002.blocks[6].end == 728  # 三公 ends where the wrapped 表8 title begins


def test_tab_layout_blocks_unchanged():
    blocks = find_table_blocks(sample_lines("001"), load_layout())
    assert [(b.table_key, b.table_no, b.title_line, b.start, b.end) for b in blocks] == [
        ("summary", "01", 90, 90, 135), ("income", "02", 136, 136, 166), ("expenditure", "03", 167, 167, 197),
        ("fiscal_summary", "04", 198, 198, 244), ("gpb_expenditure", "05", 245, 245, 275),
        ("gpb_basic_econ", "06", 276, 276, 317), ("gov_fund", "07", 318, 318, 334),
        ("soe_capital", "08", 335, 335, 351), ("three_public", "09", 352, 352, 369)]
    assert find_table_blocks(sample_lines("000"), load_layout()) == []
    assert find_table_blocks(sample_lines("004"), load_layout()) == []


def test_public_numbering_titles_inline_separate_and_wrapped(public: Parsed):
    assert [(b.table_key, b.table_no) for b in public.blocks] == [
        ("summary", "01"), ("income", "02"), ("expenditure", "03"), ("fiscal_summary", "04"),
        ("gpb_expenditure", "05"), ("gpb_basic_econ", "06"), ("gov_fund", "07"), ("soe_capital", "08"),
        ("three_public", "09")]
    assert public.blocks[1].title == "2021年度收入决算表（公开02表）"
    assert public.blocks[2].title == "2021年度支出决算表"  # '2021 年度支出决' / '算表'


# --- sample 002 -----------------------------------------------------------------------------------


def test_002_parses_cleanly(s002: Parsed):
    assert s002.problems == []
    assert s002.ambiguities == []
    assert s002.status() == {
        "summary": "parsed", "income": "parsed", "expenditure": "parsed", "fiscal_summary": "parsed",
        "gpb_expenditure": "parsed", "gpb_basic_econ": "parsed", "three_public": "empty",
        "gov_fund": "empty", "soe_capital": "empty"}


def test_002_table_03_columns_placed_by_arithmetic(s002: Parsed):
    assert s002.row("expenditure", None, "total") == {"total": D("208.15"), "basic": D("121.74"),
                                                      "project": D("86.41")}
    assert s002.row("expenditure", "2010350") == {"total": D("95.58"), "basic": D("95.58")}
    assert s002.row("expenditure", "2010302") == {"total": D("60.22"), "project": D("60.22")}
    assert s002.row("expenditure", "2010202") == {"total": D("3.59"), "project": D("3.59")}
    assert s002.row("expenditure", "20102") == {"total": D("3.59"), "project": D("3.59")}
    assert s002.row("expenditure", "2010399") == {"total": D("22.6"), "project": D("22.6")}
    assert s002.row("expenditure", "20103") == {"total": D("178.4"), "basic": D("95.58"), "project": D("82.82")}
    assert s002.row("expenditure", "2101199") == {"total": D("6.28"), "basic": D("6.28")}


def test_002_wrapped_names_are_joined(s002: Parsed):
    names = {c.code: c.name for c in s002.cells if c.table_key == "expenditure" and c.row_kind == "subject"}
    assert names["20103"] == "政府办公厅（室）及相关机构事务"
    assert names["2010399"] == "其他政府办公厅（室）及相关机构事务支出"
    assert names["2080599"] == "其他行政事业单位养老支出"
    assert names["2101199"] == "其他行政事业单位医疗支出"
    cell = next(c for c in s002.cells if c.table_key == "income" and c.code == "2080505")
    assert (cell.name, cell.source_line) == ("机关事业单位基本养老保险缴费支出", 231)
    assert cell.raw_text == "2080505 | 机关事业单位基本养老保险缴费 | 支出 | 13.55 13.55"


def test_002_table_02(s002: Parsed):
    assert s002.row("income", None, "total") == {"total": D("217.35"), "fiscal_grant": D("217.35")}
    assert s002.row("income", "2010302") == {"total": D("73"), "fiscal_grant": D("73")}
    assert s002.row("income", "2100410") == {"total": D("1.12"), "fiscal_grant": D("1.12")}
    assert s002.row("income", "2080505") == {"total": D("13.55"), "fiscal_grant": D("13.55")}
    assert {c.column_key for c in s002.cells if c.table_key == "income"} == {"total", "fiscal_grant"}


def test_002_table_06_three_blocks(s002: Parsed):
    assert s002.amount("gpb_basic_econ", "30226", "amount") == D("8.82")
    assert s002.amount("gpb_basic_econ", "30206", "amount") == D("0.27")  # printed under its wrapped neighbour
    assert s002.amount("gpb_basic_econ", "30302", "amount") == D("10.58")
    assert s002.amount("gpb_basic_econ", "30110", "amount") == D("3.47")
    assert s002.amount("gpb_basic_econ", "30299", "amount") == D("1.07")
    assert s002.amount("gpb_basic_econ", "personnel", "amount", "econ_total") == D("108.48")
    assert s002.amount("gpb_basic_econ", "public", "amount", "econ_total") == D("13.26")
    econ = {c.code: c.amount_wan for c in s002.cells if c.row_kind == "econ"}
    assert "39908" not in econ and "30108" not in econ  # printed without an amount
    assert sum(v for k, v in econ.items() if k.startswith("302") and len(k) == 5) == econ["302"]
    assert sum(v for k, v in econ.items() if k.startswith("301") and len(k) == 5) == econ["301"]


def test_002_table_01_lines(s002: Parsed):
    assert s002.amount("summary", "carryover_begin", "amount") == D("40")
    assert s002.amount("summary", "carryover_end", "amount") == D("49.2")
    gpb = next(c for c in s002.cells if c.table_key == "summary" and c.code == "gpb_grant")
    assert (gpb.name, gpb.side, gpb.line_no, gpb.amount_wan) == ("一般公共预算财政拨款收入", "income", 1, D("217.35"))
    cls = next(c for c in s002.cells if c.table_key == "summary" and c.code == "class:201")
    assert (cls.side, cls.line_no, cls.amount_wan) == ("expenditure", 31, D("181.99"))
    assert s002.amount("summary", "total_expenditure", "amount") == D("208.15")


def test_002_table_04_fund_columns(s002: Parsed):
    assert s002.row("fiscal_summary", "class:201") == {"subtotal": D("182"), "general_public_budget": D("182")}
    assert s002.row("fiscal_summary", "total_expenditure") == {"subtotal": D("208.15"),
                                                               "general_public_budget": D("208.15")}
    assert s002.row("fiscal_summary", "carryover_end") == {"subtotal": D("49.2"), "general_public_budget": D("49.2")}
    assert s002.amount("fiscal_summary", "carryover_begin:gpb_grant", "amount") == D("40")
    line = next(c for c in s002.cells if c.table_key == "fiscal_summary" and c.code == "carryover_begin:gpb_grant")
    assert (line.side, line.line_no) == ("income", 29)
    assert s002.row("fiscal_summary", "grand_total") == {"amount": D("257.35"), "subtotal": D("257.35"),
                                                         "general_public_budget": D("257.35")}


def test_002_table_05_and_three_public(s002: Parsed):
    assert s002.row("gpb_expenditure", None, "total") == {"total": D("208.15"), "basic": D("121.74"),
                                                          "project": D("86.41")}
    assert s002.row("gpb_expenditure", "2010399") == {"total": D("22.6"), "project": D("22.6")}
    assert s002.row("gpb_expenditure", "2080599") == {"total": D("0.25"), "basic": D("0.25")}
    assert s002.row("gpb_expenditure", "2080505") == {}  # printed with no amounts in 表5
    assert not [c for c in s002.cells if c.table_key in ("three_public", "gov_fund", "soe_capital")]


def test_002_without_table_05_leaves_03_columns_open():
    """Table 03 alone cannot tell 基本 from 上缴上级 etc.: without 05 it records, never guesses."""
    lines = sample_lines("002")
    blocks = [b for b in find_table_blocks(lines, load_layout()) if b.table_key != "gpb_expenditure"]
    got = Parsed(lines, blocks)
    spend = [c for c in got.cells if c.table_key == "expenditure"]
    assert {c.column_key for c in spend} == {"total"}
    open_lines = {a.source_line for a in got.ambiguities if a.table_key == "expenditure"}
    assert open_lines == {c.source_line for c in spend}
    assert any("basic or" in a.reason and "project" in a.reason for a in got.ambiguities)


# --- generalisation: the same content wrapped another way gives the same cells ---------------------

_ONE_LINE_ROW = re.compile(r"^(\d{3,7}) (\S+) ((?:[\d.]+ ?)+)$")
_LABELLED_LINE = re.compile(r"^([^\d\s]\S+) (\d.*)$")


def _wrap_subject_row(code: str, name: str, values: str, rng: random.Random) -> list[str]:
    """One of the ways pdftotext prints a 'code name amounts' row whose cells wrap."""
    k = rng.randrange(1, len(name)) if len(name) > 1 else 1
    return rng.choice([
        [f"{code} {name} {values}"],
        [code, "", name, "", values],  # code, name and amounts each on a line (002 2080505)
        [code, name[:k], "", name[k:], values],  # name wrapped under a lone code (002 20103)
        [f"{code} {name[:k]}", "", name[k:], "", values],  # (002 2101199)
        [f"{code} {name[:k]} {values}", name[k:]],  # name continued after the amounts
        [code, f"{name} {values}"],  # lone code, name and amounts on the next line
    ])


def _rewrap(lines: list[str], blocks: list[TableBlock], seed: int) -> list[str]:
    """Subject rows and 01/04 labels wrapped at random places, in the styles pdftotext uses."""
    rng = random.Random(seed)
    subject = {i for b in blocks if b.table_key in ("income", "expenditure", "gpb_expenditure")
               for i in range(b.start, b.end)}
    summary = {i for b in blocks if b.table_key in ("summary", "fiscal_summary") for i in range(b.start, b.end)}
    out: list[str] = []
    for i, line in enumerate(lines):
        row, labelled = _ONE_LINE_ROW.match(line), _LABELLED_LINE.match(line)
        if i in subject and row:
            out += _wrap_subject_row(row.group(1), row.group(2), row.group(3).strip(), rng)
        elif i in summary and labelled and len(labelled.group(1)) > 2 and rng.random() < 0.7:
            k = rng.randrange(1, len(labelled.group(1)))
            out += [labelled.group(1)[:k], "", f"{labelled.group(1)[k:]} {labelled.group(2)}"]
        else:
            out.append(line)
    return out


def _facts(cells: list[TableCell]) -> set[tuple]:
    return {(c.table_key, c.row_kind, c.code, c.name, c.column_key, c.amount_wan) for c in cells}


@pytest.mark.parametrize("seed", range(12))
def test_rewrapped_002_gives_the_same_cells(s002: Parsed, seed: int):
    again = Parsed(_rewrap(s002.lines, s002.blocks, seed))
    assert again.problems == [] and again.ambiguities == []
    assert _facts(again.cells) == _facts(s002.cells)


def _flattened_001() -> list[str]:
    """Sample 001 printed the flow way: TAB-separated cells joined by spaces, empty cells dropped."""
    return [" ".join(c.strip() for c in line.split("\t") if c.strip()) for line in sample_lines("001")]


@pytest.mark.parametrize("seed", [None, *range(6)])
def test_flattened_001_matches_the_tab_parser(seed: int | None):
    """001's tables without their empty cells: the arithmetic puts every number back where the
    tab-separated parser read it, codes repaired the same way."""
    layout = load_layout()
    lines = sample_lines("001")
    tab, _, _ = parse_tab_tables(lines, find_table_blocks(lines, layout), layout)
    tab, _, _ = repair_subject_codes(tab, layout)
    tab, _, _ = repair_econ_codes(tab, layout)
    flat = _flattened_001()
    if seed is not None:
        flat = _rewrap(flat, find_table_blocks(flat, layout), seed)
    got = Parsed(flat)
    assert got.problems == [] and got.ambiguities == []
    assert _facts(got.cells) == _facts(tab)
    assert got.status()["gov_fund"] == "empty"


def test_reordered_002_classes_give_the_same_cells(s002: Parsed):
    """Table 03 with its 类 blocks in reverse order."""
    block = next(b for b in s002.blocks if b.table_key == "expenditure")
    body = s002.lines[block.start:block.end]
    starts = [k for k, x in enumerate(body) if re.match(r"^2\d\d \S", x)]
    notes = next(k for k, x in enumerate(body) if x.startswith("注"))
    classes = [body[a:b] for a, b in zip(starts, [*starts[1:], notes], strict=True)]
    body = body[:starts[0]] + [x for part in reversed(classes) for x in part] + body[notes:]
    lines = s002.lines[:block.start] + body + s002.lines[block.end:]
    again = Parsed(lines)
    assert again.problems == [] and again.ambiguities == []
    assert _facts(again.cells) == _facts(s002.cells)


def test_a_printing_error_is_kept_for_the_audit_not_fixed(s002: Parsed):
    """表3 misprints 2010350 (95.68 where its 款 needs 95.58): the broken 款 identity is set
    aside, 表5 still places the number, and the misprint reaches the warehouse as printed."""
    k = s002.lines.index("2010350 事业运行 95.58 95.58")  # first occurrence: 表3
    lines = [*s002.lines[:k], "2010350 事业运行 95.68 95.68", *s002.lines[k + 1:]]
    got = Parsed(lines)
    assert got.problems == [] and got.ambiguities == []
    assert got.row("expenditure", "2010350") == {"total": D("95.68"), "basic": D("95.68")}
    assert got.row("gpb_expenditure", "2010350") == {"total": D("95.58"), "basic": D("95.58")}


def test_no_single_misprint_moves_a_number_into_a_wrong_column(s002: Parsed):
    """Each amount of 表3 and 表4 misprinted in turn (+0.3): identities it breaks are set aside;
    every cell still emitted sits where the clean parse put it (or the row becomes an Ambiguity)."""
    truth = {(c.table_key, c.source_line, c.side, c.code, c.column_key): c.amount_wan for c in s002.cells}
    spans = [range(b.start, b.end) for b in s002.blocks if b.table_key in ("expenditure", "fiscal_summary")]
    tried = 0
    for i in (i for span in spans for i in span):
        tokens = s002.lines[i].split()
        for k, token in enumerate(tokens):
            if not re.fullmatch(r"\d+\.\d+", token):
                continue
            wrong = D(token) + D("0.3")
            lines = [*s002.lines[:i], " ".join([*tokens[:k], str(wrong), *tokens[k + 1:]]), *s002.lines[i + 1:]]
            tried += 1
            for c in Parsed(lines).cells:
                key = (c.table_key, c.source_line, c.side, c.code, c.column_key)
                assert key in truth, c
                assert c.amount_wan in (wrong, truth[key]), c
    assert tried > 40


# --- 公开0N表 variant ------------------------------------------------------------------------------


def test_public_variant_parses_cleanly(public: Parsed):
    assert public.problems == []
    assert public.ambiguities == []
    assert public.status()["gov_fund"] == "empty" and public.status()["soe_capital"] == "empty"
    assert public.status()["three_public"] == "parsed"


def test_public_variant_income_sources_placed_from_table_01(public: Parsed):
    assert public.row("income", None, "total") == {"total": D("520"), "fiscal_grant": D("500"), "business": D("20")}
    assert public.row("income", "2120104") == {"total": D("130"), "fiscal_grant": D("110"), "business": D("20")}
    assert public.row("income", "2120101") == {"total": D("250"), "fiscal_grant": D("250")}
    assert public.row("income", "2120199") == {"total": D("20"), "fiscal_grant": D("20")}  # not the 事业收入 20


def test_public_variant_names_wrapped_other_ways(public: Parsed):
    names = {c.code: (c.name, c.source_line) for c in public.cells if c.table_key == "income"}
    # name printed above its code (vertically centred cell)
    assert names["2080505"] == ("机关事业单位基本养老保险缴费支出", 126)
    assert public.row("income", "20805") == {"total": D("60"), "fiscal_grant": D("60")}
    # name continued after the amounts; code alone with name and amounts on the next line
    assert names["2080506"][0] == "机关事业单位职业年金缴费支出"
    assert names["2101101"][0] == "行政单位医疗"
    assert public.row("income", "2101101") == {"total": D("25"), "fiscal_grant": D("25")}


def test_public_variant_repairs_codes_like_the_tab_layout(public: Parsed):
    printed = {(r.table_key, r.code_printed, r.code) for r in public.repairs}
    assert ("income", "212019", "2120199") in printed
    assert ("gpb_basic_econ", "3010", "30101") in printed
    assert public.amount("gpb_basic_econ", "30101", "amount") == D("100")


def test_public_variant_tables_03_04_05(public: Parsed):
    assert public.row("expenditure", None, "total") == {"total": D("510"), "basic": D("370"), "project": D("140")}
    assert public.row("expenditure", "2120199") == {"total": D("20"), "project": D("20")}
    assert public.row("expenditure", "2101101") == {"total": D("25"), "basic": D("25")}  # 210 printed after 221
    assert public.row("gpb_expenditure", "2120101") == {"total": D("250"), "basic": D("250")}
    assert public.row("gpb_expenditure", "2120199") == {"total": D("20"), "project": D("20")}
    assert public.row("fiscal_summary", "class:212") == {"subtotal": D("375"), "general_public_budget": D("375")}
    assert public.row("fiscal_summary", "carryover_end") == {"subtotal": D("20"), "general_public_budget": D("20")}


def test_public_variant_table_01_wrapped_labels(public: Parsed):
    assert public.amount("summary", "gpb_grant", "amount") == D("500")  # label wrapped before its 行次
    assert public.amount("summary", "business", "amount") == D("20")
    line = next(c for c in public.cells if c.table_key == "summary" and c.code == "class:212")
    assert (line.line_no, line.amount_wan) == (41, D("395"))  # label wrapped, 行次 on its own line


def test_public_variant_06_and_three_public(public: Parsed):
    assert public.amount("gpb_basic_econ", "30108", "amount") == D("40")
    assert public.amount("gpb_basic_econ", "30231", "amount") == D("2.4")
    assert public.amount("gpb_basic_econ", "30299", "amount") == D("2.6")
    assert public.amount("gpb_basic_econ", "30110", "amount") == D("25")
    # '8 5 0 5 3 / 4.4 2.4 0 2.4 2': the blank 因公出国 columns are found by 合计 = 出国 + 公务用车 + 接待
    assert public.row("three_public", None) == {
        "budget:total": D("8"), "budget:vehicle": D("5"), "budget:vehicle_purchase": D("0"),
        "budget:vehicle_operation": D("5"), "budget:reception": D("3"), "final:total": D("4.4"),
        "final:vehicle": D("2.4"), "final:vehicle_purchase": D("0"), "final:vehicle_operation": D("2.4"),
        "final:reception": D("2")}


# --- 政府性基金 variant ----------------------------------------------------------------------------


def test_gov_fund_variant(gov_fund: Parsed):
    assert gov_fund.problems == [] and gov_fund.ambiguities == []
    # 年初 blank, 本年收入 50: told apart by table 04's 年初结转 lines
    assert gov_fund.row("gov_fund", None, "total") == {"income": D("50"), "total": D("40"), "project": D("40"),
                                                       "carryover_end": D("10")}
    assert gov_fund.row("gov_fund", "2120899")["project"] == D("40")
    assert gov_fund.row("fiscal_summary", "class:212") == {"subtotal": D("40"), "government_fund": D("40")}
    assert gov_fund.row("fiscal_summary", "total_expenditure") == {
        "subtotal": D("140"), "general_public_budget": D("100"), "government_fund": D("40")}
    assert gov_fund.row("fiscal_summary", "carryover_end") == {"subtotal": D("10"), "government_fund": D("10")}
    assert gov_fund.row("expenditure", "2120899") == {"total": D("40"), "project": D("40")}  # via 07
    assert gov_fund.row("gpb_expenditure", None, "total") == {"total": D("100"), "basic": D("100")}  # via 06
    assert gov_fund.amount("summary", "total_expenditure", "amount") == D("140")  # label wrapped after 行次
    assert len([c for c in gov_fund.cells if c.table_key == "three_public"]) == 12


# --- page numbers, spaced 合 计, amounts that look like codes ----------------------------------


def test_page_numbers_and_code_like_amounts(page_number: Parsed):
    assert page_number.problems == [] and page_number.ambiguities == []
    assert page_number.row("expenditure", None, "total") == {"total": D("301"), "basic": D("201"),
                                                             "project": D("100")}
    # '2010301' / '行政运行' / '201 201': the amounts look like the 类 code 201
    assert page_number.row("expenditure", "2010301") == {"total": D("201"), "basic": D("201")}
    assert page_number.row("expenditure", "2010302") == {"total": D("100"), "project": D("100")}
    assert page_number.row("gpb_expenditure", "2010302") == {"total": D("100"), "project": D("100")}
    assert {c.amount_wan for c in page_number.cells} == {D("301"), D("201"), D("100")}  # not '- 7 -', '第 8 页'


# --- what the arithmetic cannot decide ------------------------------------------------------------


def test_undecidable_values_are_ambiguities_not_cells(ambiguous: Parsed):
    assert ambiguous.problems == []
    open_rows = {(a.table_key, a.source_line) for a in ambiguous.ambiguities}
    assert open_rows == {("expenditure", 39), ("expenditure", 41), ("gpb_expenditure", 65),
                         ("gpb_expenditure", 67), ("three_public", 82)}
    for table in ("expenditure", "gpb_expenditure"):
        # 20101 = 10 + 10 both ways: 行政运行 and 一般行政管理事务 could swap 基本 and 项目
        assert ambiguous.row(table, "2010101") == {"total": D("10")}
        assert ambiguous.row(table, "2010102") == {"total": D("10")}
        assert ambiguous.row(table, "2010350") == {"total": D("10"), "basic": D("10")}  # decided by 201
    note = next(a for a in ambiguous.ambiguities if a.source_line == 39)
    assert isinstance(note, Ambiguity)
    assert note.raw_text == "2010101 行政运行 10 10" and "10 could be basic or project" in note.reason
    three = next(a for a in ambiguous.ambiguities if a.table_key == "three_public")
    assert "budget:vehicle_operation or budget:vehicle_purchase" in three.reason
    assert ambiguous.row("three_public", None) == {
        "budget:total": D("2"), "budget:abroad": D("0"), "budget:vehicle": D("2"),
        "final:total": D("1.5"), "final:abroad": D("0"), "final:vehicle": D("1.5")}


# --- broken tables --------------------------------------------------------------------------------


def test_broken_tables_fail_alone_with_their_line(broken: Parsed):
    assert broken.status() == {"summary": "failed", "income": "parsed", "expenditure": "failed",
                               "gpb_expenditure": "failed"}
    by_line = {p.line: p.reason for p in broken.problems}
    assert set(by_line) == {17, 52, 64}
    assert "expected 行次 57" in by_line[17]
    assert "no 功能分类 code" in by_line[52]
    assert "more than the 3 columns" in by_line[64]
    failed = {p.table_key: p for p in broken.presence if p.status == "failed"}
    assert isinstance(failed["expenditure"], TablePresence) and "功能分类" in failed["expenditure"].note
    # no cell comes from a failed table, and 02 cannot place its source column without table 01
    assert {c.table_key for c in broken.cells} == {"income"}
    assert {c.column_key for c in broken.cells} == {"total"}
    assert {a.table_key for a in broken.ambiguities} == {"income"}


# --- properties of every parse --------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_every_amount_is_printed_on_its_row(name: str, request: pytest.FixtureRequest):
    parsed: Parsed = request.getfixturevalue(name)
    for c in parsed.cells:
        tokens = c.raw_text.replace("|", " ").split()
        assert any(re.fullmatch(r"[\d,.\-]+", t) and D(t.replace(",", "")) == c.amount_wan for t in tokens), c
        assert parsed.lines[c.source_line - 1].strip() in c.raw_text


@pytest.mark.parametrize("name", ALL)
def test_one_cell_per_row_and_column(name: str, request: pytest.FixtureRequest):
    parsed: Parsed = request.getfixturevalue(name)
    keys = [(c.table_key, c.source_line, c.side, c.code, c.column_key) for c in parsed.cells]
    assert len(keys) == len(set(keys))


def test_cells_have_the_tab_layout_shapes(s002: Parsed):
    """Same row kinds, columns and field use as ingest.tabular on sample 001."""
    layout = load_layout()
    lines = sample_lines("001")
    tab, _, _ = parse_tab_tables(lines, find_table_blocks(lines, layout), layout)

    def shape(c: TableCell) -> tuple:
        return (c.table_key, c.row_kind, c.side, c.line_no is None, c.code is None, c.column_key)

    assert {shape(c) for c in s002.cells} <= {shape(c) for c in tab}
    assert {c.table_no for c in s002.cells} == set("123456")  # 2020 numbering kept as printed


# --- the identity catalogue (ingest/flow/identities.csv) ----------------------------------------


def test_identity_catalogue_is_data_naming_real_audit_rules():
    from ingest.flow.identities import catalogue
    from ingest.layout import SEED_DIR
    from ingest.vocab import read_csv

    rules = {r["rule_id"] for r in read_csv(SEED_DIR / "audit_rules.csv")}
    identities = catalogue()
    assert len({i.identity_id for i in identities}) == len(identities)
    assert {i.scope for i in identities} == {"within", "cross"}
    for i in identities:
        assert set(i.rule_ids) <= rules, i.identity_id
        assert i.lhs and all(t.column for t in i.lhs + i.rhs), i.identity_id


def test_identity_catalogue_rejects_a_malformed_row():
    from ingest.flow.identities import parse_catalogue

    row = dict(identity_id="x", scope="within", tables="gov_fund", for_each="row in [*]", lhs="[{row}].total",
               relation="=", rhs="[{row}] basic", missing="zero", family="", rule_id="", note="")
    with pytest.raises(ValueError, match="identities.csv x: term"):
        parse_catalogue([row])
    with pytest.raises(ValueError, match="documented values"):
        parse_catalogue([{**row, "rhs": "[{row}].basic", "missing": "never"}])
    with pytest.raises(ValueError, match="binds row"):
        parse_catalogue([{**row, "rhs": "[{row}].basic", "for_each": "r in [*]"}])
