"""Configuration from flags and environment; one place for paths and the logger."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT / "data" / "samples"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "juesuan.duckdb"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_STRICT = 3  # published, but --strict found error-severity findings
EXIT_LOCKED = 75  # EX_TEMPFAIL: another build holds the lock; try again later

log = logging.getLogger("juesuan")

MAX_DEFAULT_WORKERS = 8  # beyond this the single loading process, not parsing, limits ingest


def default_workers() -> int:
    """Parser processes when --workers is not given: one per CPU this process may use."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(usable, MAX_DEFAULT_WORKERS))


def warehouse_path(flag: str | None) -> Path:
    """--warehouse, else $JUESUAN_WAREHOUSE, else warehouse/juesuan.duckdb in the repo."""
    value = flag or os.environ.get("JUESUAN_WAREHOUSE")
    return Path(value).expanduser().resolve() if value else DEFAULT_WAREHOUSE


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity < 0 else logging.DEBUG if verbosity > 0 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
