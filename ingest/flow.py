"""Parser for the pdftotext flow layout (sample 002)."""

from __future__ import annotations

from ingest.layout import Layout
from ingest.records import Ambiguity, ParseError, TableCell, TablePresence
from ingest.tables import TableBlock


def parse_flow_tables(
    lines: list[str], blocks: list[TableBlock], layout: Layout
) -> tuple[list[TableCell], list[TablePresence], list[ParseError], list[Ambiguity]]:
    raise ParseError(blocks[0].title_line if blocks else None,
                     "pdftotext flow tables are not parsed yet", stage="flow")
