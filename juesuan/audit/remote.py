"""Great Expectations in a child process, for builds whose SQL takes less time than GE's import.

Importing GE costs 1.3–3 CPU-seconds, by machine (pandas, its pydantic models; altair and
scipy.stats are deferred, :data:`~juesuan.audit.expectations.DEFERRED_MODULES`), however few
checks it validates. A full build imports it in a thread while dbt works in its own process.
A build that replays dbt's SQL (juesuan/replay.py) is over in a few seconds: in a thread, the
import holds the interpreter lock against the build's own Python; in a child forked when the
build starts, it runs on the other core while the build copies the file, ingests and replays
the SQL. The child holds one :class:`~juesuan.audit.expectations.Validator`; each
``failing_rows`` call sends one frame (the checks of the rebuilt documents, a few hundred rows
per report) through a pipe.

The child is forked, not spawned (spawning would import juesuan again), as early as the build
can tell it will replay SQL: ``juesuan build`` forks it before it imports pandas, DuckDB and the
parsers (:func:`juesuan.prestart.prestart`), so that the child imports pandas and GE on one core
while the build imports the rest on the other. This module imports neither, nor opens DuckDB.
What the child inherits from the parent's threads (a progress bar's lock on stderr, logging
handlers) it replaces before doing anything else.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from juesuan.audit.expectations import Expectation, Validator

_VALIDATOR: Validator | None = None  # the child's


def _start_child() -> None:
    """In the child, first: fresh standard streams and logging (a parent thread may have held the
    old ones' locks at the fork), then GE's import and context."""
    global _VALIDATOR
    sys.stdout = open(os.dup(1), "w", encoding="utf-8", errors="replace", buffering=1)
    sys.stderr = open(os.dup(2), "w", encoding="utf-8", errors="replace", buffering=1)
    for name in (None, "juesuan"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [GE child] %(message)s", "%H:%M:%S"))
    logging.getLogger("juesuan").addHandler(handler)
    started = time.monotonic()
    # GE's import allocates millions of objects that all live on: the collector's passes over them
    # took ~0.35 of ~3 s (12 runs); frozen, they are not scanned again while the child validates
    gc.disable()
    try:
        from juesuan.audit.expectations import Validator

        _VALIDATOR = Validator()
    finally:
        gc.freeze()
        gc.enable()
    logging.getLogger("juesuan").debug("Great Expectations ready in %.2f s", time.monotonic() - started)


def _ready() -> int:
    return os.getpid()


def _failing_rows(template: str, expectations: list[Expectation], frame: pd.DataFrame) -> set[int]:
    assert _VALIDATOR is not None  # _start_child ran (a failed start breaks the pool instead)
    return _VALIDATOR.failing_rows(template, expectations, frame)


class ValidatorProcess:
    """A :class:`Validator` in a child forked now; close it (or use ``with``) when done.

    ``failing_rows`` has the Validator's signature and result; it waits for GE's import the first
    time. An error in the child (an expectation that raises, GE failing to import, the child
    killed) is raised in the caller."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_start_child)
        self._started: Future[int] = self._pool.submit(_ready)  # forks the child now
        self._used = False

    def failing_rows(self, template: str, expectations: list[Expectation], frame: pd.DataFrame) -> set[int]:
        if frame.empty:
            return set()
        self._used = True
        return self._pool.submit(_failing_rows, template, expectations, frame.reset_index(drop=True)).result()

    def close(self) -> None:
        if not self._used and not self._started.done():
            # Nothing was validated (a build with no document to recompute, a locked or failed
            # one): GE's import, seconds yet, need not finish before the build exits. The pool
            # has no public way to stop a worker before Python 3.14's terminate_workers().
            for child in list(getattr(self._pool, "_processes", {}).values()):
                child.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ValidatorProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
