"""Progress of `juesuan build`: bars for parse, dbt, audit and publish on a terminal; nothing in cron."""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from juesuan.progress import BuildProgress, dbt_log_path

log = logging.getLogger("juesuan")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def info_level():
    """The CLI logs at INFO unless --quiet (and --quiet draws no bars)."""
    level = log.level
    log.setLevel(logging.INFO)
    yield
    log.setLevel(level)


def _simulate(progress: BuildProgress, dbt_log: Path) -> None:
    """What a build does, in order: parse callbacks, then the log records of the later steps."""
    with progress:
        for k in range(1, 5):
            progress.parse(k, 4)
        log.info("ingest: 4 files, 4 new, 0 unchanged, 0 failed, 0 duplicates")
        log.info("dbt build (%s) …", "full")
        with open(dbt_log, "a", encoding="utf-8") as fh:  # dbt appends to its log as it goes
            fh.write("\x1b[0m08:00:01 [info ] [Thread-1 (]: 1 of 3 START sql table model marts.x .... [RUN]\n"
                     "\x1b[0m08:00:01 [info ] [Thread-1 (]: 1 of 3 OK created sql table model marts.x [OK in 0.1s]\n"
                     "\x1b[0m08:00:02 [info ] [Thread-2 (]: 2 of 3 PASS not_null_x .... [\x1b[32mPASS\x1b[0m in 0.03s]\n")
        time.sleep(0.5)
        log.info("audit …")
        time.sleep(0.3)
        log.info("audit: %d checks, %d findings", 10, 2)
        log.info("published %s in %.1f s", "w.duckdb", 1.0)


def test_bars_for_every_step_on_a_terminal(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    dbt_log = dbt_log_path(warehouse)
    dbt_log.parent.mkdir(parents=True)
    dbt_log.write_text("0 of 9 OK an earlier build's line, not counted\n", encoding="utf-8")
    out = Terminal()
    _simulate(BuildProgress(warehouse, stream=out, interval=0.05), dbt_log)
    text = out.getvalue()
    assert re.search(r"parse .*4/4", text)
    assert re.search(r"dbt build .*2/3", text)  # read from dbt's log as it grew
    assert re.search(r"dbt build .*3/3", text)  # and complete when the step ended
    assert "audit" in text and "publish" in text


def test_quiet_without_a_terminal(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    dbt_log_path(warehouse).parent.mkdir(parents=True)
    out = io.StringIO()  # cron, a pipe, a file
    progress = BuildProgress(warehouse, stream=out)
    assert not progress.enabled
    _simulate(progress, dbt_log_path(warehouse))
    assert out.getvalue() == ""
    assert not any(type(h).__name__ == "_StageHandler" for h in log.handlers)


def test_build_on_a_terminal_draws_the_bars(tmp_path: Path):
    """The real CLI under a pseudo-terminal: the build's own log records drive the bars."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "juesuan.cli", "build", "--warehouse", str(tmp_path / "w.duckdb")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, close_fds=True,
                            env=dict(os.environ, COLUMNS="120"))
    os.close(slave)
    seen = bytearray()
    deadline = time.monotonic() + 600
    while proc.poll() is None or select.select([master], [], [], 0)[0]:
        assert time.monotonic() < deadline, "build did not finish"
        if select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)
    os.close(master)
    assert proc.wait() == 0
    text = seen.decode("utf-8", errors="replace")
    assert re.search(r"parse .*4/4", text)
    m = re.findall(r"dbt build .*?(\d+)/(\d+)", text)
    assert m and m[-1][0] == m[-1][1] and int(m[-1][1]) > 50  # every dbt node counted
    assert re.search(r"audit +\d", text) and re.search(r"publish +\d", text)
    assert "published" in text  # the log lines still show, above the bars
