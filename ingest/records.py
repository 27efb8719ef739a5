"""Typed records every parser emits; the loader writes them to ``raw.*`` unchanged.

Each record keeps its provenance: the source line (1-based, in the decoded text) and the
raw text it came from, so every number in the warehouse can be traced to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

LAYOUT_TAB = "tab_separated"
LAYOUT_FLOW = "pdftotext_flow"
LAYOUT_NARRATIVE = "narrative_only"
LAYOUT_PDF = "pdf_ruled"  # tables from a PDF's ruled cells, narrative from its page text

SCOPE_DEPARTMENT = "department"
SCOPE_UNIT = "unit"


class ParseError(Exception):
    """A layout drifted: names the line and what the parser expected there."""

    def __init__(self, line: int | None, reason: str, stage: str = "parse") -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason
        self.stage = stage

    def __reduce__(self) -> tuple[type[ParseError], tuple[int | None, str, str]]:
        # parser workers send errors back pickled; Exception's default would call __init__(message)
        return (ParseError, (self.line, self.reason, self.stage))


@dataclass(frozen=True)
class Identity:
    """Who published the report, for which year and scope: read from the content."""

    unit_name: str  # e.g. 武汉市硚口区企业服务中心 (本级 stripped)
    fiscal_year: int
    report_scope: str  # department | unit
    district: str | None
    city: str | None
    province: str | None
    title_line: int  # line the identity was read from


# TableCell and NarrativeFact are not frozen: a report creates ~230 of them, and a frozen
# dataclass sets each field through object.__setattr__ (16 fields: 5.5 against 0.7 µs), ~5 % of
# parsing in py-spy's samples. Nothing mutates them; dataclasses.replace makes the variants.
@dataclass
class TableCell:
    """One printed amount of one of the nine tables."""

    table_key: str  # semantic key from seeds/layout_tables.csv, e.g. expenditure
    table_no: str  # as printed: 公开03表 → 03, 表 3 → 3
    source_line: int
    raw_text: str
    row_kind: str  # subject | total | line | econ | econ_total | item
    code_printed: str | None
    code: str | None  # repaired code, equals code_printed when nothing was repaired
    name: str
    side: str | None  # income | expenditure for the two-sided 01/04 tables
    line_no: int | None  # 行次 as printed (01/04)
    column_key: str
    amount_wan: Decimal
    # PDF provenance: page, row within that page's table, column (1-based) and the cell's box
    page_no: int | None = None
    row_no: int | None = None
    col_no: int | None = None
    cell_box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class TablePresence:
    table_key: str
    table_no: str | None
    title: str
    status: str  # parsed | empty | absent | failed
    source_line: int | None
    note: str = ""
    page_no: int | None = None  # first page of the table (PDF)


@dataclass(frozen=True)
class CodeRepair:
    table_key: str
    source_line: int
    code_printed: str
    code: str
    name: str
    method: str  # how the code was proven, e.g. same name in 支出决算表, code list


@dataclass(frozen=True)
class Ambiguity:
    """A value the text cannot place; recorded instead of guessed."""

    table_key: str
    source_line: int
    raw_text: str
    reason: str


@dataclass
class NarrativeFact:
    section: str
    metric: str
    value: Decimal
    unit: str  # wan | pct | count | score
    source_line: int
    span: str
    subject_name: str | None = None
    subject_code: str | None = None
    subject_level: str | None = None
    qualifier: str | None = None  # e.g. 大于 / 小于 / 持平 wording, item name
    item: str | None = None


@dataclass
class ParsedReport:
    """Everything one document yields."""

    identity: Identity
    layout: str
    cells: list[TableCell] = field(default_factory=list)
    presence: list[TablePresence] = field(default_factory=list)
    repairs: list[CodeRepair] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    facts: list[NarrativeFact] = field(default_factory=list)
    member_units: list[tuple[str, int]] = field(default_factory=list)  # (name, line)
    problems: list[ParseError] = field(default_factory=list)  # non-fatal, per part
