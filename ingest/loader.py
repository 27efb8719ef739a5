"""Files → raw.* tables. Every input file ends in raw.documents or raw.ingest_errors."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from ingest.parse import PARSER_VERSION, parse_bytes
from ingest.records import ParsedReport, ParseError

log = logging.getLogger("juesuan")

MAX_BYTES = 64 * 1024 * 1024  # larger inputs are not reports; refuse before reading them whole

RAW_DDL = """
create schema if not exists raw;
create table if not exists raw.source_files (
    source_file varchar not null, content_sha256 varchar, size_bytes bigint, status varchar not null,
    document_id varchar, loaded_at timestamp not null);
create table if not exists raw.documents (
    document_id varchar primary key, source_file varchar not null, content_sha256 varchar not null,
    layout varchar not null, unit_id varchar not null, unit_name varchar not null, fiscal_year integer not null,
    report_scope varchar not null, district varchar, city varchar, province varchar, encoding varchar,
    line_count integer, title_line integer, parser_version varchar, loaded_at timestamp not null);
create table if not exists raw.document_members (
    document_id varchar not null, member_name varchar not null, source_line integer);
create table if not exists raw.table_cells (
    document_id varchar not null, table_key varchar not null, table_no varchar, source_line integer not null,
    raw_text varchar, row_kind varchar not null, code_printed varchar, code varchar, name varchar,
    side varchar, line_no integer, column_key varchar not null, amount_wan decimal(18,2) not null);
create table if not exists raw.table_presence (
    document_id varchar not null, table_key varchar not null, table_no varchar, title varchar,
    status varchar not null, source_line integer, note varchar);
create table if not exists raw.code_repairs (
    document_id varchar not null, table_key varchar not null, source_line integer not null,
    code_printed varchar not null, code varchar not null, name varchar, method varchar);
create table if not exists raw.ambiguities (
    document_id varchar not null, table_key varchar not null, source_line integer, raw_text varchar,
    reason varchar);
create table if not exists raw.narrative_facts (
    document_id varchar not null, fact_seq integer not null, section varchar, metric varchar not null,
    value decimal(18,4) not null, unit varchar not null, value_decimals integer, subject_name varchar, subject_code varchar,
    subject_level varchar, qualifier varchar, item varchar, source_line integer not null, span varchar);
create table if not exists raw.ingest_errors (
    source_file varchar not null, document_id varchar, stage varchar not null, reason varchar not null,
    line integer, fatal boolean not null, recorded_at timestamp not null);
"""

RAW_TABLES = ("source_files", "documents", "document_members", "table_cells", "table_presence",
              "code_repairs", "ambiguities", "narrative_facts", "ingest_errors")
DOC_TABLES = RAW_TABLES[1:-1]  # keyed by document_id, copied for unchanged documents


def unit_id_for(unit_name: str) -> str:
    return "u" + hashlib.sha1(unit_name.encode("utf-8")).hexdigest()[:10]


def document_id_for(report: ParsedReport, sha: str) -> str:
    ident = report.identity
    return f"{ident.fiscal_year}_{unit_id_for(ident.unit_name)}_{ident.report_scope}_{sha[:8]}"


@dataclass
class FileResult:
    """What one input file yields: a report or a fatal error, plus non-fatal problems."""

    source_file: str
    sha256: str | None
    size: int
    report: ParsedReport | None = None
    encoding: str | None = None
    line_count: int = 0
    error: ParseError | None = None
    rows: dict[str, list[dict]] = field(default_factory=dict)


def discover(corpora: Iterable[Path]) -> list[Path]:
    """Every regular file below the corpus directories, in a stable order."""
    files: list[Path] = []
    for root in corpora:
        if root.is_file():
            files.append(root)
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"corpus directory not found: {root}")
        for dirpath, _, names in os.walk(root):
            files.extend(Path(dirpath) / n for n in names if not n.startswith("."))
    return sorted(set(files))


def parse_file(path: Path) -> FileResult:
    """Read and parse one file; never raises for bad data."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return FileResult(str(path), None, size, error=ParseError(None, f"file too large ({size} bytes)", "read"))
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    result = FileResult(str(path), sha, size)
    try:
        result.report, result.encoding, result.line_count = parse_bytes(data)
    except ParseError as exc:
        result.error = exc
    except (RecursionError, ValueError, IndexError, KeyError) as exc:  # a parser bug must not stop the build
        result.error = ParseError(None, f"parser failed: {type(exc).__name__}: {exc}", "parse")
    return result


def _doc_rows(res: FileResult, document_id: str, now: datetime) -> dict[str, list[dict]]:
    rep = res.report
    assert rep is not None
    ident = rep.identity
    rows: dict[str, list[dict]] = {t: [] for t in RAW_TABLES}
    rows["documents"].append(dict(
        document_id=document_id, source_file=res.source_file, content_sha256=res.sha256, layout=rep.layout,
        unit_id=unit_id_for(ident.unit_name), unit_name=ident.unit_name, fiscal_year=ident.fiscal_year,
        report_scope=ident.report_scope, district=ident.district, city=ident.city, province=ident.province,
        encoding=res.encoding, line_count=res.line_count, title_line=ident.title_line,
        parser_version=PARSER_VERSION, loaded_at=now))
    rows["document_members"] = [dict(document_id=document_id, member_name=n, source_line=ln)
                                for n, ln in rep.member_units]
    rows["table_cells"] = [dict(document_id=document_id, **asdict(c)) for c in rep.cells]
    rows["table_presence"] = [dict(document_id=document_id, **asdict(p)) for p in rep.presence]
    rows["code_repairs"] = [dict(document_id=document_id, **asdict(r)) for r in rep.repairs]
    rows["ambiguities"] = [dict(document_id=document_id, **asdict(a)) for a in rep.ambiguities]
    rows["narrative_facts"] = [dict(document_id=document_id, fact_seq=k, value_decimals=_decimals(f.value),
                                    **asdict(f)) for k, f in enumerate(rep.facts, start=1)]
    rows["ingest_errors"] = [dict(source_file=res.source_file, document_id=document_id, stage=p.stage,
                                  reason=p.reason, line=p.line, fatal=False, recorded_at=now)
                             for p in rep.problems]
    return rows


def _decimals(value: Decimal) -> int:
    """Printed precision of a stated figure (97.2 → 1): the audit widens rates by half a unit of it."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass
class LoadStats:
    files_seen: int = 0
    files_new: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    duplicates: int = 0
    documents: int = 0


def _parse_all(paths: list[Path], workers: int, progress: Callable[[int, int], None] | None) -> Iterator[FileResult]:
    if workers <= 1 or len(paths) < 8:
        for k, p in enumerate(paths, 1):
            yield parse_file(p)
            if progress:
                progress(k, len(paths))
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for k, res in enumerate(pool.map(parse_file, paths, chunksize=16), 1):
            yield res
            if progress:
                progress(k, len(paths))


def load(con: duckdb.DuckDBPyConnection, corpora: Iterable[Path], *, previous: str | None = None,
         workers: int = 1, progress: Callable[[int, int], None] | None = None) -> LoadStats:
    """Parse every file below ``corpora`` into raw.* of ``con``.

    ``previous`` is the path of the published warehouse: documents whose content hash and
    parser version are unchanged are copied from it instead of being parsed again.
    """
    con.execute(RAW_DDL)
    now = datetime.now(UTC).replace(tzinfo=None)
    paths = discover(corpora)
    stats = LoadStats(files_seen=len(paths))
    reuse: dict[str, str] = {}
    if previous and Path(previous).exists():
        reuse = _reusable(con, previous)
    to_parse: list[Path] = []
    file_rows: list[dict] = []
    copied: dict[str, str] = {}  # document_id → source_file of its first file in this corpus
    for p in paths:
        sha = _sha_if_known(p, reuse)
        if sha and sha in reuse and reuse[sha] not in copied:
            copied[reuse[sha]] = str(p)
            file_rows.append(dict(source_file=str(p), content_sha256=sha, size_bytes=p.stat().st_size,
                                  status="unchanged", document_id=reuse[sha], loaded_at=now))
        else:
            to_parse.append(p)
    if copied:
        _copy_documents(con, previous, copied)
        stats.files_unchanged = len(copied)
    batch: dict[str, list[dict]] = {t: [] for t in RAW_TABLES}
    seen_ids: set[str] = set(copied)
    for res in _parse_all(to_parse, workers, progress):
        if res.error is not None or res.report is None:
            stats.files_failed += 1
            err = res.error or ParseError(None, "no report", "parse")
            log.warning("%s: %s", res.source_file, err)
            batch["ingest_errors"].append(dict(source_file=res.source_file, document_id=None, stage=err.stage,
                                               reason=err.reason, line=err.line, fatal=True, recorded_at=now))
            file_rows.append(dict(source_file=res.source_file, content_sha256=res.sha256, size_bytes=res.size,
                                  status="error", document_id=None, loaded_at=now))
            continue
        doc_id = document_id_for(res.report, res.sha256 or "")
        if doc_id in seen_ids:
            stats.duplicates += 1
            file_rows.append(dict(source_file=res.source_file, content_sha256=res.sha256, size_bytes=res.size,
                                  status="duplicate", document_id=doc_id, loaded_at=now))
            continue
        seen_ids.add(doc_id)
        stats.files_new += 1
        file_rows.append(dict(source_file=res.source_file, content_sha256=res.sha256, size_bytes=res.size,
                              status="loaded", document_id=doc_id, loaded_at=now))
        for table, rows in _doc_rows(res, doc_id, now).items():
            batch[table].extend(rows)
        if len(batch["table_cells"]) > 200_000:
            _flush(con, batch)
    batch["source_files"].extend(file_rows)
    _flush(con, batch)
    stats.documents = len(seen_ids)
    return stats


def _flush(con: duckdb.DuckDBPyConnection, batch: dict[str, list[dict]]) -> None:
    for table, rows in batch.items():
        if not rows:
            continue
        cols = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema='raw' and table_name=? "
            "order by ordinal_position", [table]).fetchall()]
        frame = pd.DataFrame(rows).reindex(columns=cols)  # noqa: F841 - read by DuckDB below
        con.execute(f"insert into raw.{table} select * from frame")  # table from RAW_TABLES, not input
        rows.clear()


def _reusable(con: duckdb.DuckDBPyConnection, previous: str) -> dict[str, str]:
    """content sha → document_id of documents the published warehouse parsed with this parser."""
    try:
        with duckdb.connect(previous, read_only=True) as old:
            return dict(old.execute(
                "select content_sha256, document_id from raw.documents where parser_version = ?",
                [PARSER_VERSION]).fetchall())
    except duckdb.Error as exc:
        log.warning("cannot reuse documents from %s (%s): parsing everything", previous, exc)
        return {}


def _sha_if_known(path: Path, reuse: dict[str, str]) -> str | None:
    if not reuse or path.stat().st_size > MAX_BYTES:
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_documents(con: duckdb.DuckDBPyConnection, previous: str, docs: dict[str, str]) -> None:
    ids = pd.DataFrame({"document_id": list(docs), "source_file": list(docs.values())})  # noqa: F841
    con.execute("attach ? as previous (read_only)", [previous])
    try:
        for table in DOC_TABLES:
            con.execute(f"insert into raw.{table} by name select t.* from previous.raw.{table} t "
                        "semi join ids using (document_id)")
        con.execute("update raw.documents d set source_file = ids.source_file from ids "
                    "where d.document_id = ids.document_id")
    finally:
        con.execute("detach previous")
