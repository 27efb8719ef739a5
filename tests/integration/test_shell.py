"""`juesuan shell`: read-only interactive SQL with history, multi-statement input, the `sql` formats."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from juesuan.cli import main
from juesuan.shell import Shell


def run(warehouse: Path, script: str, fmt: str = "table") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(warehouse, fmt, out=out, err=err)
    try:
        return shell.run_script(io.StringIO(script)), out.getvalue(), err.getvalue()
    finally:
        shell.close()


def test_statements_span_lines_and_share_lines(sample_warehouse: Path):
    code, out, err = run(sample_warehouse, """
        select unit_name, fiscal_year from marts.dim_document
        where fiscal_year = 2022; select 1 as one,
        2 as two;
        -- a comment; not a statement end
        select 'a;b' as semicolon_in_string;
    """)
    assert code == 0, err
    assert "武汉市洪山区企业服务中心 | 2022" in out
    assert "one | two" in out and "1   | 2" in out
    assert "a;b" in out and out.count("(1 row)") == 3


def test_formats_match_sql(sample_warehouse: Path):
    query = "select document_id, fiscal_year from marts.dim_document order by 1;"
    code, out, _ = run(sample_warehouse, query, fmt="json")
    assert code == 0 and [r["fiscal_year"] for r in json.loads(out)] == [2020, 2022, 2023, 2024]
    code, out, _ = run(sample_warehouse, ".format csv\n" + query)
    assert code == 0 and out.splitlines()[0] == "document_id,fiscal_year" and len(out.splitlines()) == 5


def test_read_only_and_the_first_error_stops_a_script(sample_warehouse: Path):
    before = sample_warehouse.read_bytes()
    code, out, err = run(sample_warehouse, "create table marts.scratch as select 1;\nselect 'not reached';")
    assert code == 1 and "read-only" in err and "not reached" not in out
    code, _, err = run(sample_warehouse, "delete from audit.findings;")
    assert code == 1 and "read-only" in err
    assert sample_warehouse.read_bytes() == before


def test_dot_commands(sample_warehouse: Path):
    code, out, err = run(sample_warehouse, ".tables audit\n.describe marts.fct_expenditure\n.maxrows 2\n"
                                           "select * from range(5);\n.help\n")
    assert code == 0, err
    assert "audit  | findings" in out and "amount_wan" in out and "万元" in out
    assert "(2 rows)" in out and "showing the first 2 of 5 rows" in err
    assert ".format table|csv|json" in out
    assert run(sample_warehouse, ".nonsense\n")[0] == 1


def test_reopens_a_republished_warehouse(sample_warehouse: Path, tmp_path: Path):
    path = tmp_path / "w.duckdb"
    shutil.copyfile(sample_warehouse, path)
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(path, "csv", out=out, err=err)
    try:
        assert shell.run_sql("select count(*) as n from marts.dim_document;")
        staged = tmp_path / "next.duckdb"  # what a build does: write beside, then replace atomically
        shutil.copyfile(sample_warehouse, staged)
        os.utime(staged, ns=(time.time_ns() + 10**9,) * 2)
        os.replace(staged, path)
        assert shell.run_sql("select count(*) as n from marts.dim_document;")
    finally:
        shell.close()
    assert "republished" in err.getvalue()
    assert out.getvalue().split() == ["n", "4", "n", "4"]


def test_missing_warehouse_is_a_failure(tmp_path: Path):
    assert main(["shell", "--warehouse", str(tmp_path / "none.duckdb")]) == 1


def _read_until(fd: int, needle: bytes, seen: bytearray, count: int = 1, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while seen.count(needle) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {needle!r}; got {bytes(seen)[-500:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)


def test_interactive_prompt_on_a_terminal_keeps_history(sample_warehouse: Path, tmp_path: Path):
    history = tmp_path / "history"
    master, slave = pty.openpty()
    env = dict(os.environ, JUESUAN_HISTORY=str(history), TERM="dumb", HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "juesuan.cli", "shell", "--warehouse", str(sample_warehouse)],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"juesuan> ", seen)
        assert b"read-only SQL" in seen
        os.write(master, b"select 40 + 2\n")
        _read_until(master, b"...> ", seen)  # the statement goes on
        os.write(master, b"  as answer;\n")
        _read_until(master, b"(1 row)", seen)
        assert b"answer" in seen and b"42" in seen
        os.write(master, b"select count(*) as docs from marts.dim_document; select 'two' as second;\n")
        _read_until(master, b"juesuan> ", seen, count=3)
        assert b"docs" in seen and b"two" in seen
        os.write(master, b".quit\n")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    entries = history.read_text(encoding="utf-8").splitlines()
    assert "select 40 + 2 as answer;" in entries  # one entry for the two lines
    assert ".quit" in entries
