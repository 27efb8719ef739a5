"""raw.document_lines travels packed, one row per document (ingest/loader.py): what DuckDB
unpacks must be every line as parsed, numbered from 1, with its page for a PDF."""

import duckdb
import pytest

from ingest import loader
from ingest.records import ParseError


def _unpacked(lines: list[str], pages: list[int] | None) -> list[tuple]:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(loader.RAW_DDL)
    batch: dict[str, list] = {t: [] for t in loader.RAW_TABLES}
    batch["document_lines"].append(loader._packed_lines("d1", lines, pages))
    loader._flush(con, batch)
    return con.execute("select document_id, line_no, page_no, text from raw.document_lines order by line_no").fetchall()


@pytest.mark.parametrize(("lines", "pages"), [
    (["部门决算", "", "一般公共预算财政拨款支出 1,234.56", "", ""], None),  # blank lines kept, trailing too
    ([""], None),
    (["第一页", "第二页\t合计"], [1, 2]),
    (["a PDF line holding\na newline", "next"], [3, 3]),  # another separator, same lines
])
def test_packed_lines_unpack_to_the_lines_as_parsed(lines: list[str], pages: list[int] | None) -> None:
    assert _unpacked(lines, pages) == [("d1", i + 1, pages[i] if pages else None, t) for i, t in enumerate(lines)]


def test_a_document_without_lines_sends_no_row() -> None:
    assert loader._packed_lines("d1", [], None)["document_id"] == []


def test_a_text_holding_every_separator_is_an_error_not_a_shifted_line() -> None:
    with pytest.raises(ParseError, match="separator"):
        loader._packed_lines("d1", ["\n\x1e\x1f\x00", "x"], None)
