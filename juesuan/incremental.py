"""Incremental rebuilds: which published warehouse can be built upon, and which documents change.

An incremental build starts from a copy of the published file. The loader keeps the copy's
raw rows of unchanged documents and deletes the others' (new and changed ones are parsed),
:func:`write_rebuild_scope` lists the documents whose derived rows may differ, and dbt's
incremental models replace only those rows (``macros/rebuild.sql``), or the SQL of the last
incremental build is replayed (``juesuan/replay.py``). Anything else that shapes the derived tables (models, macros, seeds,
expectations, the audit code, the parser and tool versions) is in :func:`project_fingerprint`;
a published file built under another fingerprint is rebuilt in full.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

log = logging.getLogger("juesuan")

def can_build_upon(warehouse: Path, fingerprint: str) -> bool:
    """True when the published file's last build ran under ``fingerprint``."""
    if not warehouse.exists():
        return False
    if warehouse.with_name(warehouse.name + ".wal").exists():
        # something wrote to the published file after it was published: a file copy would miss that
        log.info("full build: %s has a write-ahead log beside it", warehouse)
        return False
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute("select project_hash from audit.build_runs "
                              "order by run_finished_at desc limit 1").fetchone()
    except duckdb.Error as exc:  # e.g. a file from before incremental builds, or held read-write
        log.info("full build: cannot read the build fingerprint of %s (%s)", warehouse, exc)
        return False
    if row is None or row[0] != fingerprint:
        log.info("full build: %s was built by another version of the project", warehouse)
        return False
    return True


# Every cross-document rule stays within one unit (CY01/CY02 compare a unit's years; version
# ranking is per unit, year and scope), so a unit with a new, changed or removed document is
# recomputed whole. The one other cross-document input: CQ05 names a narrated code that the
# report's own tables lack by its code-list name, and a code missing from the list by the first
# name any report prints for it (marts.dim_function_subject); documents narrating such a code that
# a changed document prints (before or after) are recomputed too, and so are the documents that
# print such a code (CQ02 grades it by the names other reports print). Removed documents are in
# the scope so that their rows are deleted.
SCOPE_SQL = """
create or replace table raw.rebuild_scope as
with changed_units as (
    select unit_id from (select * exclude (loaded_at) from raw.documents
                         except select * exclude (loaded_at) from published.raw.documents)
    union
    select unit_id from (select * exclude (loaded_at) from published.raw.documents
                         except select * exclude (loaded_at) from raw.documents)
),
docs as (
    select document_id from raw.documents where unit_id in (select unit_id from changed_units)
    union
    select document_id from published.raw.documents where unit_id in (select unit_id from changed_units)
),
unlisted as (
    (select code from raw.table_cells
     where row_kind = 'subject' and document_id in (select document_id from docs)
     union
     select code from published.raw.table_cells
     where row_kind = 'subject' and document_id in (select document_id from docs))
    except
    select subject_code from reference.function_subjects
)
select document_id from docs
union
select document_id from raw.narrative_facts where subject_code in (select code from unlisted)
union
-- CQ02 grades an unlisted code by the names other reports of the year print for it
select document_id from raw.table_cells where row_kind = 'subject' and code in (select code from unlisted)
"""


def write_rebuild_scope(con: duckdb.DuckDBPyConnection, published: Path) -> int:
    """Write raw.rebuild_scope into the file being built; return how many documents it lists."""
    con.execute("attach ? as published (read_only)", [str(published)])
    try:
        con.execute(SCOPE_SQL)
    finally:
        con.execute("detach published")
    row = con.execute("select count(*) from raw.rebuild_scope").fetchone()
    return int(row[0]) if row else 0


def write_full_scope(con: duckdb.DuckDBPyConnection) -> int:
    """raw.rebuild_scope listing every document: a full build that replays the incremental SQL."""
    con.execute("create or replace table raw.rebuild_scope as select document_id from raw.documents")
    row = con.execute("select count(*) from raw.rebuild_scope").fetchone()
    return int(row[0]) if row else 0
