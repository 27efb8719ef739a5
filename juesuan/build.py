"""The build service: ingest → dbt build → audit → atomic publish, under a file lock.

The published warehouse is never written in place: a build writes a file beside it (a fresh
one, or for an incremental build a copy of the published one), validates it, checkpoints it and
replaces the published file with ``os.replace``. A failed build leaves the published file
byte-identical.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest.files import discover
from ingest.loader import RAW_DDL, LoadStats, load
from juesuan import __version__
from juesuan.audit.expectations import import_ge
from juesuan.audit.remote import ValidatorProcess
from juesuan.config import SAMPLES_DIR, log
from juesuan.dbtrun import (
    BUILD_DB_NAME,
    SEED_TESTS,
    dbt_command,
    failure_summary,
    record_seed_tests,
    seed_tests_passed,
    start_server,
)
from juesuan.fingerprint import project_fingerprint
from juesuan.incremental import can_build_upon, write_full_scope, write_rebuild_scope
from juesuan.lock import build_lock
from juesuan.nochange import known_contents, pending_runs, runs_path, snapshot, write_manifest
from juesuan.replay import ReplayTestFailed, Step, load_plan, replay, save_plan, template_path

# An incremental build needs the published file's project fingerprint, seeds included: the seeds
# in the copied file, and the models built from seeds alone (tag seeds_only), are what this build
# would make again. They and their tests are left out (84 of 229 dbt nodes); a full build runs all.
SEEDS_AND_SEED_ONLY_MODELS = ("resource_type:seed", "tag:seeds_only")


class BuildFailed(Exception):
    """The build's own failure (dbt contract or test, loader crash); the published file is untouched."""


@dataclass
class BuildResult:
    warehouse: str
    stats: LoadStats
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    ingest_errors: int = 0
    incremental: bool = False
    rebuilt_documents: int = 0
    replayed: bool = False  # dbt's SQL replayed without dbt (juesuan/replay.py)


def publish_file(built: Path, warehouse: Path) -> None:
    """Checkpoint, drop a stale WAL beside the published file, then replace it atomically."""
    with duckdb.connect(str(built)) as con:
        con.execute("checkpoint")
    stale_wal = warehouse.with_name(warehouse.name + ".wal")
    if stale_wal.exists():
        stale_wal.unlink()
    os.replace(built, warehouse)


# Constant text (no input reaches it); DuckDB's COMMENT ON takes no parameters.
BUILD_RUNS_COMMENTS = """
comment on table audit.build_runs is '构建记录 (build history): one row per published build, carried from file to file.';
comment on column audit.build_runs.run_started_at is '开始时间 (UTC).';
comment on column audit.build_runs.run_finished_at is '结束时间 (UTC).';
comment on column audit.build_runs.status is '结果 (published).';
comment on column audit.build_runs.files_seen is '文件数 (input files seen).';
comment on column audit.build_runs.files_new is '新文件 (files parsed in this build: new or changed content).';
comment on column audit.build_runs.files_unchanged is '未变文件 (same content hash as the published build: copied, not parsed).';
comment on column audit.build_runs.files_failed is '失败文件 (files recorded in raw.ingest_errors instead of loaded).';
comment on column audit.build_runs.duplicates is '重复文件 (same content as another input: counted once).';
comment on column audit.build_runs.documents is '报告数 (documents in the warehouse).';
comment on column audit.build_runs.findings_by_severity is '审核发现数 by severity (JSON: error, warning, info).';
comment on column audit.build_runs.tool_version is 'juesuan version.';
comment on column audit.build_runs.seconds is '耗时 (seconds until publish).';
comment on column audit.build_runs.incremental is '增量构建 (true: only rebuilt_documents were recomputed, the rest kept from the previous file).';
comment on column audit.build_runs.rebuilt_documents is '重算报告数 (documents whose derived rows this build recomputed, removed ones included).';
comment on column audit.build_runs.project_hash is 'Fingerprint of models, seeds, expectations, audit code and tool versions; an incremental build needs the same one.';
"""

BUILD_RUNS_DDL = """create table if not exists audit.build_runs (
    run_started_at timestamp, run_finished_at timestamp, status varchar, files_seen integer,
    files_new integer, files_unchanged integer, files_failed integer, duplicates integer,
    documents integer, findings_by_severity json, tool_version varchar, seconds double,
    incremental boolean, rebuilt_documents integer, project_hash varchar)"""


def _record_run(db: Path, started: datetime, result: BuildResult, status: str,
                fingerprint: str | None, skipped: list[dict]) -> dict[str, str | None]:
    """Append this run (after the no-change runs since the last publish) to audit.build_runs;
    return the content hash of every corpus entry, for the no-change manifest."""
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists audit")
        con.execute(BUILD_RUNS_DDL)
        con.execute(BUILD_RUNS_COMMENTS)
        if skipped:
            runs = pd.DataFrame(skipped)  # noqa: F841 - read by DuckDB
            con.execute("insert into audit.build_runs by name select * from runs")
        s = result.stats
        con.execute("insert into audit.build_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            started, datetime.now(UTC).replace(tzinfo=None), status, s.files_seen, s.files_new,
            s.files_unchanged, s.files_failed, s.duplicates, s.documents,
            json.dumps(result.findings_by_severity), __version__, result.seconds, result.incremental,
            result.rebuilt_documents, fingerprint])
        return dict(con.execute("select source_file, content_sha256 from raw.source_files").fetchall())


def _carry_history(previous: Path, db: Path) -> None:
    """Keep the run history of the published warehouse in the new file."""
    if not previous.exists():
        return
    with duckdb.connect(str(db)) as con:
        try:
            con.execute("attach ? as previous (read_only)", [str(previous)])
        except duckdb.Error as exc:
            # e.g. a tool holds the published file read-write: publishing would drop the run
            # history, so the build fails and leaves the published file as it is
            raise BuildFailed(f"cannot read the run history (audit.build_runs) of {previous}: {exc}\n"
                              "Another program probably holds the warehouse open read-write; close it "
                              "(readers must open it read-only) and build again.") from None
        try:
            has = con.execute("select count(*) from information_schema.tables where table_catalog='previous' "
                              "and table_schema='audit' and table_name='build_runs'").fetchone()
            if has and has[0]:
                con.execute("create schema if not exists audit")
                con.execute(BUILD_RUNS_DDL)
                # by name: a file from before the newer columns leaves them null
                con.execute("insert into audit.build_runs by name select * from previous.audit.build_runs")
        finally:
            con.execute("detach previous")


def _dbt_build(building: Path, target_dir: Path, fingerprint: str, *, incremental: bool, rebuilt: int,
               warm_audit: bool, plan: list[Step] | None) -> bool:
    """``dbt build`` on the file being built (seeds, their models and tests only when needed), or
    ``plan``, the SQL of the last incremental one, replayed (juesuan/replay.py). True when it was."""
    log.info("dbt build (%s) …", f"incremental, {rebuilt} documents" if incremental else "full")
    # dbt unit tests check the SQL, not the data: `make test` runs them (tests/integration)
    args = ["build", "--quiet", "--fail-fast", "--exclude-resource-type", "unit_test"]
    seeds_tested = incremental or seed_tests_passed(fingerprint)
    if incremental:
        args += ["--exclude", *SEEDS_AND_SEED_ONLY_MODELS]
    elif seeds_tested:
        args += ["--exclude", SEED_TESTS]
    # Great Expectations' import (~3 s of CPU) runs while dbt works in its own process, or while
    # DuckDB runs the replayed SQL (one call, which releases the interpreter lock); not during the
    # ingest, whose hashing and bookkeeping it slowed down 4-fold at 10,000 reports
    warm = threading.Thread(target=import_ge, daemon=True) if warm_audit else None
    if warm is not None:
        warm.start()
    try:
        if plan is not None:
            try:
                if replay(building, plan):
                    log.info("dbt's SQL replayed (%d steps)", len(plan))
                    return True
            except ReplayTestFailed as exc:
                raise BuildFailed(str(exc)) from None
        proc = dbt_command(args, building, target_dir)
    finally:
        if warm is not None:
            warm.join()
    if proc.returncode != 0:
        raise BuildFailed("dbt build failed:\n" + failure_summary(proc.output))
    if not seeds_tested:
        record_seed_tests(fingerprint)
    if incremental:
        save_plan(target_dir, fingerprint, building)
    return False


def build(corpora: Sequence[Path] | None, warehouse: Path, *, workers: int = 1,
          progress: Callable[[int, int], None] | None = None,
          audit: Callable[..., dict[str, int]] | None = None, full_rebuild: bool = False,
          waivers: Path | None = None, validator: ValidatorProcess | None = None) -> BuildResult:
    """Build the warehouse from ``corpora`` (default: the bundled samples) and publish it.

    The build is incremental when the published file was built by this very project (same
    :func:`project_fingerprint`) and ``audit`` is given (it keeps the other documents' findings):
    only the documents of units with a new, changed or removed report are recomputed. Otherwise,
    or with ``full_rebuild``, everything is. ``audit(path, incremental=..., validator=...)`` writes
    audit.findings (``validator``: GE in a child process, or None: :func:`juesuan.audit.run_audit`).
    ``validator``: that child, already started by the caller (:func:`juesuan.prestart.prestart`),
    who closes it; else a build that will replay SQL forks its own.
    Raises BuildLocked when another build runs and BuildFailed when the build itself fails.
    """
    corpora = list(corpora) if corpora else [SAMPLES_DIR]
    started_clock = time.monotonic()
    started = datetime.now(UTC).replace(tzinfo=None)
    with build_lock(warehouse):
        # The build's own directory (the lock allows one build at a time), so that dbt opens the
        # file by the same relative name in every build (juesuan/dbtrun.py); a killed build's
        # directory is removed by the next one.
        work = warehouse.with_name(f".{warehouse.name}.building")
        building = work / BUILD_DB_NAME
        target_dir = warehouse.parent / ".dbt-target"
        _remove(work)
        work.mkdir()
        fingerprint = project_fingerprint()
        incremental = audit is not None and not full_rebuild and can_build_upon(warehouse, fingerprint)
        plan = load_plan(fingerprint)
        # a full build replays the plan on the template's empty relations, every document in scope
        template = None if incremental or plan is None else template_path(fingerprint)
        if template is not None and not template.exists():
            plan = template = None
        # Replayed SQL of an incremental build takes a second or two: GE's import starts now in a
        # child, on the other core, before this process opens DuckDB (juesuan/audit/remote.py)
        own_remote = validator is None and plan is not None and incremental
        remote = ValidatorProcess() if own_remote else validator
        if plan is None:
            # dbt's import runs meanwhile (juesuan/dbtrun.py); a build that will replay SQL does
            # not start it: its 1.5 CPU-s would compete with the build for the two cores
            start_server()
        try:
            # listed once for the snapshot and the loader (at 10,000 entries ~0.1 s a listing)
            paths = discover(corpora)
            before = snapshot(paths)  # stat before reading: a file changed during the build is caught next time
            if incremental:
                shutil.copyfile(warehouse, building)
            else:  # first: a published file whose history cannot be read fails the build before any work
                if template is not None:
                    shutil.copyfile(template, building)
                _carry_history(warehouse, building)
            with duckdb.connect(str(building)) as con:
                # incremental: the copy's raw rows of unchanged documents stay, the others go
                stats = load(con, corpora, paths=paths, previous=str(warehouse) if warehouse.exists() else None,
                             in_place=incremental, known=known_contents(warehouse, before), workers=workers,
                             progress=progress)
                errors_row = con.execute("select count(*) from raw.ingest_errors").fetchone()
                if incremental:
                    rebuilt = write_rebuild_scope(con, warehouse)
                elif template is not None:
                    rebuilt = write_full_scope(con)
                else:
                    rebuilt = stats.documents
            log.info("ingest: %d files, %d new, %d unchanged, %d failed, %d duplicates",
                     stats.files_seen, stats.files_new, stats.files_unchanged, stats.files_failed, stats.duplicates)
            result = BuildResult(str(warehouse), stats, ingest_errors=errors_row[0] if errors_row else 0,
                                 incremental=incremental, rebuilt_documents=rebuilt)
            if incremental and rebuilt == 0:
                # no document's derived rows can differ: every incremental model would delete and
                # insert nothing, and the dimensions and tests read the raw rows of the published
                # build, copied unchanged (an added bad file or a touched one lands here)
                log.info("dbt build skipped: no document to recompute")
            else:
                result.replayed = _dbt_build(building, target_dir, fingerprint, incremental=incremental,
                                             rebuilt=rebuilt, warm_audit=audit is not None and remote is None,
                                             plan=plan)
            if audit is not None:
                log.info("audit …")
                result.findings_by_severity = audit(building, incremental=incremental, validator=remote)
            if incremental or template is not None:
                with duckdb.connect(str(building)) as con:
                    con.execute("drop table raw.rebuild_scope")
            result.seconds = round(time.monotonic() - started_clock, 2)
            # without an audit, audit.findings is not up to date: the next build must be a full one
            skipped = pending_runs(warehouse)
            shas = _record_run(building, started, result, "published", fingerprint if audit is not None else None,
                               skipped)
            publish_file(building, warehouse)
            runs_path(warehouse).unlink(missing_ok=True)  # folded into audit.build_runs above
            if audit is not None and waivers is not None:
                write_manifest(warehouse, corpora, before, shas, waivers, fingerprint,
                               dict(stats=asdict(result.stats), findings=result.findings_by_severity,
                                    ingest_errors=result.ingest_errors))
            log.info("published %s in %.1f s", warehouse, result.seconds)
            return result
        finally:  # published or failed, the build's directory goes (the published file was moved out)
            if own_remote and remote is not None:
                remote.close()
            _remove(work)


def prepare() -> int:
    """``make setup``: what later builds of this project version reuse, made once, without data.

    dbt's saved parse, and, unless ``JUESUAN_REPLAY=0``, the replay plan and template of full builds
    (juesuan/replay.py): dbt builds an empty warehouse in full, then incrementally with an empty
    raw.rebuild_scope, and that incremental build's compiled SQL is the plan. Its SQL is the
    same whatever the data (replay.py says why), so the first build of the samples on a fresh
    clone replays it instead of paying dbt's ~230 nodes. Nothing is done when the plan of this
    project version is there. 0 on success; 1 when a dbt build failed (its failure on stderr)."""
    from juesuan.dbtrun import prime
    from juesuan.replay import enabled

    fingerprint = project_fingerprint()
    if not enabled():
        return prime()
    if load_plan(fingerprint) is not None and template_path(fingerprint).exists():
        return 0
    log.info("set-up: dbt builds an empty warehouse, in full then incrementally, and its SQL is kept "
             "for the builds of this project version …")
    start_server()
    with tempfile.TemporaryDirectory(prefix="juesuan-prepare-") as tmp:
        building, target_dir = Path(tmp) / BUILD_DB_NAME, Path(tmp) / "target"
        with duckdb.connect(str(building)) as con:
            con.execute(RAW_DDL)
        try:
            _dbt_build(building, target_dir, fingerprint, incremental=False, rebuilt=0, warm_audit=False, plan=None)
            with duckdb.connect(str(building)) as con:
                write_full_scope(con)
            _dbt_build(building, target_dir, fingerprint, incremental=True, rebuilt=0, warm_audit=False, plan=None)
        except BuildFailed as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
    if load_plan(fingerprint) is None:  # a node dbt ran has a shape replay.py does not reproduce
        log.warning("no replay plan: builds will run dbt")
    return 0


def _remove(work: Path) -> None:
    """Remove a build directory (or the single file older versions built in)."""
    if work.is_dir():
        shutil.rmtree(work, ignore_errors=True)
    else:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)


def result_json(result: BuildResult) -> str:
    return json.dumps(asdict(result), ensure_ascii=False, indent=2)
