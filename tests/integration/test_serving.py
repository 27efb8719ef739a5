"""Serving the DuckDB file while it is rebuilt (DESIGN §5).

- a reader *process* queries the published file in a loop (short-lived read-only connections,
  DuckDB directly and `juesuan sql` in every format) while `juesuan build` rebuilds it:
  zero failed queries, every answer is the old or the new warehouse;
- a second `juesuan build` on the same warehouse while the first runs exits 75;
- a build that fails in dbt leaves the published file byte-identical and no leftovers;
- unchanged documents are copied by content hash, not parsed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
JUESUAN = Path(sys.executable).with_name("juesuan")

# Two numbers per answer: a reader that saw a mix of two builds would report a pair that is
# neither the old nor the new one.
PAIR_SQL = ("select (select count(*) from marts.dim_document) as docs, "
            "(select count(*) from marts.fct_expenditure e join marts.dim_document d using (document_id)) as facts")

# The reader process: loops until STOP exists, alternating DuckDB and `juesuan sql` (json, csv, table).
READER = r'''
import contextlib, io, json, sys, time, traceback
from pathlib import Path
import duckdb
from juesuan.cli import main

warehouse, query, stop, ready, out = sys.argv[1:6]
ok, failed, errors, seen = 0, 0, [], {}

def parse(fmt, text):
    if fmt == "json":
        row = json.loads(text)[0]
        return int(row["docs"]), int(row["facts"])
    if fmt == "csv":
        return tuple(int(x) for x in text.splitlines()[1].split(","))
    return tuple(int(x) for x in text.splitlines()[2].split("|"))  # header, rule, first row

modes = ["duckdb", "json", "csv", "table"]
k = 0
while not Path(stop).exists():
    mode = modes[k % len(modes)]
    k += 1
    try:
        if mode == "duckdb":
            with duckdb.connect(warehouse, read_only=True) as con:
                pair = tuple(con.execute(query).fetchone())
        else:
            buf, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
                rc = main(["sql", "--warehouse", warehouse, "--format", mode, query])
            if rc != 0:
                raise RuntimeError(f"juesuan sql --format {mode} exited {rc}: {err.getvalue().strip()}")
            pair = parse(mode, buf.getvalue())
        ok += 1
        seen[json.dumps(pair)] = seen.get(json.dumps(pair), 0) + 1
        if ok == 1:
            Path(ready).touch()
    except Exception as exc:
        failed += 1
        if len(errors) < 5:
            errors.append(f"{mode}: {type(exc).__name__}: {exc}")
    time.sleep(0.01)
Path(out).write_text(json.dumps({"ok": ok, "failed": failed, "errors": errors, "seen": seen}))
'''


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pair(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(PAIR_SQL).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def leftovers(warehouse: Path) -> list[str]:
    """Files a build must not leave beside the published warehouse."""
    names = [p.name for p in warehouse.parent.iterdir()]
    return sorted(n for n in names if n == warehouse.name + ".wal" or ".building" in n)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def rebuild(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Publish the samples, then rebuild from three of the four files while a reader process
    loops over the published file and a second build tries to start."""
    root = tmp_path_factory.mktemp("serving")
    warehouse = root / "serve" / "juesuan.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(sample_warehouse, warehouse)
    corpus = root / "corpus"
    corpus.mkdir()
    kept = sorted(SAMPLES.glob("*.txt"))[:3]
    for p in kept:
        shutil.copy(p, corpus / p.name)
    old = pair(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs_before = con.execute("select count(*) from audit.build_runs").fetchone()[0]

    stop, ready, out = root / "stop", root / "ready", root / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse), PAIR_SQL, str(stop), str(ready),
                               str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(ready.exists, 60, "the reader's first answer")
        cmd = [str(JUESUAN), "-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse)]
        t0 = time.monotonic()
        first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The lock is held once the build file exists; start the competing build then.
        wait_for(lambda: any(".building" in p.name for p in warehouse.parent.iterdir()) or first.poll() is not None,
                 120, "the first build to take the lock")
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        first_running_when_second_ended = first.poll() is None
        first_out, first_err = first.communicate(timeout=600)
        build_seconds = time.monotonic() - t0
        time.sleep(0.5)  # let the reader see the new file
    finally:
        stop.touch()
        reader_out, reader_err = reader.communicate(timeout=60)
    assert out.exists(), f"reader process crashed:\n{reader_err}"
    return dict(warehouse=warehouse, old=old, new=pair(warehouse), kept=kept, runs_before=runs_before,
                reader=json.loads(out.read_text()), reader_stderr=reader_err,
                first=(first.returncode, first_out, first_err), second=(second.returncode, second.stderr),
                first_running_when_second_ended=first_running_when_second_ended, build_seconds=build_seconds)


def test_rebuild_published(rebuild):
    rc, out, err = rebuild["first"]
    assert rc == 0, err
    assert "published" in out
    assert rebuild["new"] != rebuild["old"], "the rebuild from 3 files should change the counts"
    assert rebuild["new"][0] == 3


def test_reader_never_fails_during_rebuild(rebuild):
    r = rebuild["reader"]
    assert r["failed"] == 0, r["errors"]
    seen = {tuple(json.loads(k)) for k in r["seen"]}
    assert seen <= {rebuild["old"], rebuild["new"]}, f"mixed or unexpected answers: {seen}"
    assert rebuild["old"] in seen and rebuild["new"] in seen, "the reader must span the swap"
    assert r["ok"] >= 20, r


def test_concurrent_build_exits_75(rebuild):
    rc, err = rebuild["second"]
    assert rc == 75, f"second build exited {rc} (first still running: {rebuild['first_running_when_second_ended']})" \
                     f"\n{err}"
    assert "another build" in err


def test_no_wal_or_building_file_after_rebuild(rebuild):
    assert leftovers(rebuild["warehouse"]) == []


def test_unchanged_documents_are_not_reparsed(rebuild):
    with duckdb.connect(str(rebuild["warehouse"]), read_only=True) as con:
        status = dict(con.execute("select source_file, status from raw.source_files").fetchall())
        run = con.execute("""select files_seen, files_new, files_unchanged, files_failed, status, tool_version
                             from audit.build_runs order by run_started_at desc limit 1""").fetchone()
        runs = con.execute("select count(*) from audit.build_runs").fetchone()[0]
    assert {Path(f).name: s for f, s in status.items()} == {p.name: "unchanged" for p in rebuild["kept"]}
    assert run[:5] == (3, 0, 3, 0, "published")
    assert run[5]
    assert runs == rebuild["runs_before"] + 1, "run history is carried into the new file"


def test_failed_build_leaves_published_file_identical(sample_warehouse: Path, tmp_path: Path, monkeypatch, capsys):
    """dbt fails on a corrupted seed in a copy of the project: nothing published, nothing left behind."""
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", "target", "warehouse", "reports", "logs", ".*cache", "*.duckdb*", "data", "tests"))
    seed = sorted((project / "seeds").glob("*.csv"))[0]
    seed.write_text('code,name\n"unterminated,quote\n1,2,3,4,5\n', encoding="utf-8")
    # the project as a whole: its fingerprint differs, so the build is a full one that loads the seed
    monkeypatch.setattr("juesuan.fingerprint.REPO_ROOT", project)
    monkeypatch.setattr("juesuan.dbtrun.REPO_ROOT", project)
    monkeypatch.setattr("juesuan.dbtrun.PARSE_CACHE", project / "target" / "partial_parse.msgpack")

    warehouse = tmp_path / "serve" / "juesuan.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(sample_warehouse, warehouse)
    before = sha256(warehouse)
    assert main(["-q", "build", "--warehouse", str(warehouse)]) == 1
    err = capsys.readouterr().err
    assert "published warehouse is unchanged" in err
    assert seed.name.removesuffix(".csv") in err, err
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == []
    assert pair(warehouse) == pair(sample_warehouse)


def test_sql_formats_while_file_is_replaced(sample_warehouse: Path, tmp_path: Path, capsys):
    """`juesuan sql` in every format keeps answering while the published file is swapped repeatedly."""
    from juesuan.build import publish_file

    variant_a = tmp_path / "a.duckdb"
    variant_b = tmp_path / "b.duckdb"
    shutil.copy(sample_warehouse, variant_a)
    shutil.copy(sample_warehouse, variant_b)
    with duckdb.connect(str(variant_b)) as con:
        con.execute("delete from marts.fct_expenditure where document_id in "
                    "(select document_id from marts.dim_document where fiscal_year = 2024)")
        con.execute("delete from marts.dim_document where fiscal_year = 2024")
    answers = {pair(variant_a), pair(variant_b)}
    assert len(answers) == 2
    warehouse = tmp_path / "serve" / "juesuan.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(variant_a, warehouse)

    done = threading.Event()
    swaps = [0]
    swap_errors: list[str] = []

    def swapper() -> None:
        building = warehouse.with_name(f".{warehouse.name}.building-test")
        try:
            while not done.is_set():
                shutil.copy(variant_b if swaps[0] % 2 == 0 else variant_a, building)
                publish_file(building, warehouse)
                swaps[0] += 1
                time.sleep(0.02)
        except Exception as exc:  # reported below
            swap_errors.append(repr(exc))

    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    seen: dict[str, set[tuple[int, int]]] = {"json": set(), "csv": set(), "table": set()}
    failures: list[str] = []
    deadline = time.monotonic() + 4
    k = 0
    try:
        while time.monotonic() < deadline or k < 30:
            fmt = ("json", "csv", "table")[k % 3]
            k += 1
            rc = main(["sql", "--warehouse", str(warehouse), "--format", fmt, PAIR_SQL])
            captured = capsys.readouterr()
            if rc != 0:
                failures.append(f"{fmt}: exit {rc}: {captured.err.strip()}")
                continue
            text = captured.out
            if fmt == "json":
                row = json.loads(text)[0]
                got = (int(row["docs"]), int(row["facts"]))
            elif fmt == "csv":
                assert text.splitlines()[0] == "docs,facts"
                got = tuple(int(x) for x in text.splitlines()[1].split(","))
            else:
                assert text.splitlines()[0].split("|")[0].strip() == "docs"
                assert text.rstrip().endswith("(1 row)")
                got = tuple(int(x) for x in text.splitlines()[2].split("|"))
            seen[fmt].add(got)
    finally:
        done.set()
        thread.join(timeout=30)
    assert not swap_errors, swap_errors
    assert failures == []
    assert swaps[0] >= 5
    for fmt, got in seen.items():
        assert got and got <= answers, (fmt, got)
    assert set().union(*seen.values()) == answers, "queries should have seen both files"
    assert leftovers(warehouse) == []


HOLDER = r'''
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])  # read-write: what a careless tool does
print("holding", flush=True)
time.sleep(120)
'''


def test_build_fails_rather_than_drop_history_when_the_file_is_held_read_write(
        sample_warehouse: Path, tmp_path: Path, capsys):
    """A read-write connection in another process keeps the build from reading audit.build_runs:
    the build fails with a clear message and the published file stays byte-identical (run history
    is never dropped silently)."""
    warehouse = tmp_path / "juesuan.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    before = sha256(warehouse)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        assert main(["-q", "build", "--warehouse", str(warehouse)]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert "cannot read the run history" in err and "read-write" in err
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == []


def test_query_runs_again_when_the_file_is_replaced_meanwhile(sample_warehouse: Path, tmp_path: Path, monkeypatch):
    from juesuan.query import run_query

    warehouse = tmp_path / "juesuan.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    real_connect, calls = duckdb.connect, []

    def publish_then_fail(path: str, read_only: bool):
        calls.append(path)
        if len(calls) == 1:  # a publish lands while the first open runs
            shutil.copy(sample_warehouse, tmp_path / "new.duckdb")
            os.replace(tmp_path / "new.duckdb", warehouse)
            raise duckdb.InternalException("Failed to load metadata pointer")
        return real_connect(path, read_only=read_only)

    monkeypatch.setattr("juesuan.query.duckdb.connect", publish_then_fail)
    assert run_query(warehouse, "select count(*) from marts.dim_document").rows == [(4,)]
    assert len(calls) == 2

    def fail(path: str, read_only: bool):  # the same file: the error is the answer
        calls.append(path)
        raise duckdb.InternalException("broken")

    monkeypatch.setattr("juesuan.query.duckdb.connect", fail)
    with pytest.raises(duckdb.InternalException, match="broken"):
        run_query(warehouse, "select 1")
    assert len(calls) == 3
