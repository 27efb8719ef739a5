"""What a build starts before its own imports, for the other core to work on meanwhile.

A build that runs dbt starts dbt's forkserver (its import of dbt overlaps the ingest,
juesuan/dbtrun.py). An incremental build that will replay dbt's SQL (juesuan/replay.py) takes a
few seconds, of which Great Expectations' import alone is 2–5 s: it forks GE's child
(juesuan/audit/remote.py) before importing pandas, DuckDB and the parsers (~0.6 s here). A replayed
full build starts neither: dbt's import would compete with it for the cores, and GE's import
runs in a thread while DuckDB replays the SQL.

This module and what it imports load in ~0.1 s; it must stay so.
"""

from __future__ import annotations

from pathlib import Path

from juesuan.audit.remote import ValidatorProcess
from juesuan.dbtrun import start_server
from juesuan.fingerprint import project_fingerprint
from juesuan.replay import load_plan, template_path


def prestart(warehouse: Path, *, full_rebuild: bool = False) -> ValidatorProcess | None:
    """Start dbt's server or GE's child for a build of ``warehouse``; the child, when started,
    goes to :func:`juesuan.build.build` (``validator=``) and is the caller's to close."""
    fingerprint = project_fingerprint()
    incremental = warehouse.exists() and not full_rebuild  # as far as can be told before the lock
    if load_plan(fingerprint) is None or not (incremental or template_path(fingerprint).exists()):
        start_server()
        return None
    return ValidatorProcess() if incremental else None
