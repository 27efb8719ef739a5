"""Read-only queries of the published warehouse."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger("juesuan")


class WarehouseMissing(Exception):
    """No published warehouse at the path."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


# A publish replaces the file (os.replace) while readers open it. Once, under load, a query that
# spanned a swap failed with "INTERNAL Error: Failed to load metadata pointer"
# (tests/integration/test_serving.py; 700 swaps in isolation did not repeat it): a query that
# fails while the file it opened is replaced runs again on the new file.
SWAP_RETRIES = 3


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def run_query(warehouse: Path, query: str, params: list[Any] | None = None) -> QueryResult:
    """Run one statement on a read-only connection; a short-lived connection never blocks a publish.
    When it fails and the file was replaced meanwhile, it runs again on the new file."""
    attempt = 0
    while True:
        opened = _inode(warehouse)
        if opened is None:
            raise WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first")
        try:
            with duckdb.connect(str(warehouse), read_only=True) as con:
                cur = con.execute(query, params or [])
                columns = [d[0] for d in cur.description] if cur.description else []
                return QueryResult(columns, cur.fetchall() if columns else [])
        except duckdb.Error as exc:
            attempt += 1
            if attempt > SWAP_RETRIES or _inode(warehouse) == opened:
                raise
            log.debug("%s was replaced during the query (%s); running it again", warehouse, exc)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if value is None:
        return None
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def format_result(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{c: _plain(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows],
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[("" if v is None else _plain(v)) for v in row] for row in result.rows])
        return buf.getvalue().rstrip("\n")
    cells = [[("NULL" if v is None else str(_plain(v))) for v in row] for row in result.rows]
    widths = [max([_width(c)] + [_width(r[k]) for r in cells]) for k, c in enumerate(result.columns)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(result.columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)
