"""Progress bars for ``juesuan build`` on a terminal: parse, dbt, audit, publish (tqdm).

Only when stderr is a terminal: under cron or a pipe nothing is drawn and the log lines are
unchanged. The build service reports parsing through its ``progress(done, total)`` callback and
announces the later steps in its log (``dbt build …``, ``audit …``, ``published …``); this module
turns those records into one bar per step. dbt's own progress (``12 of 193 OK …``) is read from
the log dbt writes beside the warehouse (``.dbt-target/logs/dbt.log``), so the dbt bar counts
models and tests; the audit and publish steps show their elapsed time. While bars are drawn,
the log lines are printed above them (tqdm's logging redirect), never through them.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

log = logging.getLogger("juesuan")

DBT_NODE = re.compile(r"\b(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")
STAGES = (  # log message prefix → the step that starts with it
    ("ingest:", "dbt-wait"),
    ("dbt build", "dbt"),
    ("audit …", "audit"),
    ("audit:", "publish"),
    ("published ", "done"),
)
BAR = "{desc:<10} {percentage:3.0f}%|{bar:30}| {n_fmt}/{total_fmt} [{elapsed}]"
TIMER = "{desc:<10} {elapsed}"


def dbt_log_path(warehouse: Path) -> Path:
    """Where ``juesuan.build`` points dbt's log: ``.dbt-target/logs/dbt.log`` beside the warehouse."""
    return warehouse.parent / ".dbt-target" / "logs" / "dbt.log"


class _StageHandler(logging.Handler):
    def __init__(self, owner: BuildProgress) -> None:
        super().__init__(logging.DEBUG)
        self.owner = owner

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record must not break the build
            return
        for prefix, stage in STAGES:
            if message.startswith(prefix):
                self.owner.stage(stage)
                return


class BuildProgress:
    """Context manager around a build; ``parse`` is the loader's progress callback."""

    def __init__(self, warehouse: Path, stream: TextIO | None = None, enabled: bool | None = None,
                 interval: float = 0.25) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(self.stream.isatty()) if enabled is None else enabled
        self.dbt_log = dbt_log_path(warehouse)
        self.interval = interval
        self._bar: tqdm | None = None
        self._name = ""
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._dbt_offset = 0
        self._dbt_done: set[int] = set()
        self._stack = ExitStack()

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            self._stack.enter_context(logging_redirect_tqdm(loggers=[log]))
            handler = _StageHandler(self)
            log.addHandler(handler)
            self._stack.callback(log.removeHandler, handler)
            self._ticker = threading.Thread(target=self._tick, name="juesuan-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self._lock:
            self._close(complete=exc[0] is None)
        self._stack.close()

    # ------------------------------------------------------------------ steps

    def _open(self, name: str, total: int | None) -> None:
        self._close(complete=True)
        self._name = name
        # a terminal that reports no size (a fresh pty: 0×0) would get no bar at all from tqdm
        size = shutil.get_terminal_size((100, 24))
        self._bar = tqdm(total=total, desc=name, file=self.stream, leave=True,
                         ncols=min(size.columns if size.columns > 0 else 100, 120),
                         nrows=size.lines if size.lines > 1 else 24,
                         bar_format=BAR if total else TIMER, mininterval=0.1)

    def _close(self, complete: bool) -> None:
        if self._bar is None:
            return
        if complete and self._bar.total:
            self._bar.n = self._bar.total
        self._bar.refresh()
        self._bar.close()
        self._bar = None
        self._name = ""

    def parse(self, done: int, total: int) -> None:
        """The loader's callback: files parsed so far."""
        if not self.enabled:
            return
        with self._lock:
            if self._name != "parse":
                self._open("parse", total)
            assert self._bar is not None
            self._bar.total = total
            self._bar.n = done
            self._bar.refresh()

    def stage(self, stage: str) -> None:
        with self._lock:
            if stage == "dbt-wait":
                self._close(complete=True)
            elif stage == "dbt":
                try:
                    self._dbt_offset = self.dbt_log.stat().st_size
                except OSError:
                    self._dbt_offset = 0
                self._dbt_done = set()
                self._open("dbt build", None)
            elif stage == "audit":
                self._open("audit", None)
            elif stage == "publish":
                self._open("publish", None)
            elif stage == "done":
                self._close(complete=True)

    # ------------------------------------------------------------------ background refresh

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                if self._name == "dbt build":
                    self._read_dbt_log()
                if self._bar is not None:
                    self._bar.refresh()

    def _read_dbt_log(self) -> None:
        try:
            with open(self.dbt_log, "rb") as fh:
                fh.seek(self._dbt_offset)
                chunk = fh.read()
        except OSError:
            return
        end = chunk.rfind(b"\n") + 1  # a half-written line is read next time
        self._dbt_offset += end
        total = None
        for m in DBT_NODE.finditer(chunk[:end].decode("utf-8", errors="replace")):
            self._dbt_done.add(int(m.group(1)))
            total = int(m.group(2))
        if total and self._bar is not None:
            if not self._bar.total:  # the count is known now: switch from a timer to a bar
                self._bar.total = total
                self._bar.bar_format = BAR
            self._bar.n = min(len(self._dbt_done), total)


def wants_progress(quiet: bool, stream: TextIO | None = None) -> bool:
    return not quiet and bool((stream or sys.stderr).isatty())

