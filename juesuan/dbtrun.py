"""Running dbt: a subprocess per command, with one saved parse shared by every build.

dbt parses the whole project (45 models, 164 tests, 551 macros: ~5 s) unless it finds a saved
parse it can update (``partial_parse.msgpack``), and it throws that away when the profile's
connection values differ, the database path among them. So dbt always opens the file by the
same relative name, from the directory it runs in, and every build reads and refreshes one saved
parse (``target/partial_parse.msgpack`` in the project; ``make setup`` writes it). dbt itself
checks each project file's hash against it, so an edited model is re-parsed, not missed.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from juesuan.config import REPO_ROOT, log

PARSE_CACHE = REPO_ROOT / "target" / "partial_parse.msgpack"
# The project fingerprint under which the tests declared beside the seeds last passed: they read
# the seeds alone, so a full build of the same project need not run them again (56 of 229 nodes)
SEED_TESTS_PASSED = REPO_ROOT / "target" / "seed_tests_passed"
SEED_TESTS = "resource_type:test,path:seeds"
BUILD_DB_NAME = "juesuan.duckdb"  # the name dbt opens in a build's own directory (juesuan/build.py)


def dbt_command(args: Sequence[str], db_path: Path, target_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run dbt on ``db_path`` (as a subprocess: in-process dbt keeps the DuckDB file locked),
    starting from the saved parse and saving dbt's updated one when the command succeeds."""
    env = dict(os.environ, JUESUAN_DBT_PATH=db_path.name, JUESUAN_DBT_TARGET="build",
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt = Path(sys.executable).with_name("dbt")
    # dbt's debug log (every query and event) was a seventh of its CPU time; -v brings it back
    file_level = "debug" if log.isEnabledFor(logging.DEBUG) else "info"
    cmd = [str(dbt), *args, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
           "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"), "--log-level-file", file_level]
    if PARSE_CACHE.is_file():
        cmd += ["--partial-parse-file-path", str(PARSE_CACHE)]
    log.debug("running %s in %s", " ".join(cmd), db_path.parent)
    proc = subprocess.run(cmd, env=env, cwd=db_path.parent, capture_output=True, text=True, check=False)
    if proc.returncode == 0:
        save_parse(target_dir / PARSE_CACHE.name)
    return proc


def _replace_in_target(path: Path, data: bytes) -> None:
    """Write ``path`` under target/ atomically (builds may run side by side); on a read-only
    install nothing is saved and builds do the work again."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.debug("cannot save %s: %s", path, exc)


def save_parse(fresh: Path) -> None:
    """Replace the shared saved parse with ``fresh``."""
    if fresh.is_file():
        _replace_in_target(PARSE_CACHE, fresh.read_bytes())


def seed_tests_passed(fingerprint: str) -> bool:
    try:
        return SEED_TESTS_PASSED.read_text(encoding="utf-8") == fingerprint
    except OSError:
        return False


def record_seed_tests(fingerprint: str) -> None:
    """After a build that ran the seed tests and passed."""
    _replace_in_target(SEED_TESTS_PASSED, fingerprint.encode())


def failure_summary(output: str) -> str:
    lines = [x for x in output.splitlines() if any(k in x for k in ("ERROR", "FAIL", "Failure", "Error", "error"))]
    return "\n".join(lines[-15:]) or output[-2000:]


def prime(target_dir: Path | None = None) -> int:
    """``dbt parse`` once, so that the first build starts from a saved parse (``make setup``)."""
    with tempfile.TemporaryDirectory(prefix="juesuan-parse-") as tmp:
        proc = dbt_command(["parse", "--quiet"], Path(tmp) / BUILD_DB_NAME, target_dir or Path(tmp) / "target")
    if proc.returncode != 0:
        sys.stderr.write("dbt parse failed:\n" + failure_summary(proc.stdout + proc.stderr) + "\n")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(prime())
