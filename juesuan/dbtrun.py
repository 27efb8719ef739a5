"""Running dbt: a forked child per command, with one saved parse shared by every build.

dbt parses the whole project (45 models, 164 tests, 551 macros: ~5 s) unless it finds a saved
parse it can update (``partial_parse.msgpack``), and it throws that away when the profile's
connection values differ, the database path among them. So dbt always opens the file by the
same relative name, from the directory it runs in, and every build reads and refreshes one saved
parse (``target/partial_parse.msgpack`` in the project; ``make setup``'s dbt runs write it). dbt itself
checks each project file's hash against it, so an edited model is re-parsed, not missed.

Each command runs in its own process (dbt-duckdb keeps the DuckDB file open for the life of the
process that ran it), forked from a server that imported dbt once (``multiprocessing``'s
forkserver): importing dbt took ~1.5 s of the ~6.7 s a samples build spent in dbt. A build starts
the server first (:func:`start_server`), so the import overlaps the ingest. As with any
multiprocessing start method but fork, each child imports the caller's main script again: a
script that calls ``build()`` needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from juesuan.config import REPO_ROOT, log

PARSE_CACHE = REPO_ROOT / "target" / "partial_parse.msgpack"
# The project fingerprint under which the tests declared beside the seeds last passed: they read
# the seeds alone, so a full build of the same project need not run them again (56 of 229 nodes)
SEED_TESTS_PASSED = REPO_ROOT / "target" / "seed_tests_passed"
SEED_TESTS = "resource_type:test,path:seeds"
BUILD_DB_NAME = "juesuan.duckdb"  # the name dbt opens in a build's own directory (juesuan/build.py)

# The server imports these once; every dbt command is a fork of it. It never opens DuckDB, so
# a fork copies no database state or threads.
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(["dbt.cli.main", "dbt.adapters.duckdb", "juesuan.dbtrun"])


@dataclass
class DbtResult:
    returncode: int  # 0 success, 1 failures (a test, a contract), 2 dbt could not run; -N signal N
    output: str  # dbt's stdout and stderr
    cpu_seconds: float  # the child's own CPU time (it is not this process's child: rusage misses it)


def start_server() -> None:
    """Start the forkserver (and its import of dbt) now, in the background."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _in_child(argv: list[str], cwd: str, env: dict[str, str], out: str, cpu: str) -> None:
    """The forked child: run one dbt command as its CLI would, with output into ``out``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 2
    try:
        from dbt.cli.main import dbtRunner

        res = dbtRunner().invoke(argv)
        code = 0 if res.success else (2 if res.exception is not None else 1)
        if res.exception is not None:
            sys.stderr.write(f"dbt: {res.exception!r}\n")
    finally:
        use = resource.getrusage(resource.RUSAGE_SELF)
        Path(cpu).write_text(f"{use.ru_utime + use.ru_stime:.3f}", encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


def dbt_command(args: Sequence[str], db_path: Path, target_dir: Path, *, project: Path | None = None) -> DbtResult:
    """Run dbt on ``db_path`` in a forked child, from the directory of ``db_path`` (dbt opens it
    by its relative name), starting from the saved parse and saving dbt's updated one when the
    command succeeds. ``project``: another copy of the dbt project (the tests' edited copies),
    run without the saved parse (``args`` may name one)."""
    env = dict(os.environ, JUESUAN_DBT_PATH=db_path.name, JUESUAN_DBT_TARGET="build",
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    # dbt's debug log (every query and event) was a seventh of its CPU time; -v brings it back
    file_level = "debug" if log.isEnabledFor(logging.DEBUG) else "info"
    root = project or REPO_ROOT
    argv = [*args, "--project-dir", str(root), "--profiles-dir", str(root),
            "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"), "--log-level-file", file_level]
    saved = saved_parse() if project is None else None
    if saved is not None:
        argv += ["--partial-parse-file-path", str(saved)]
    # dbt writes a parse into target_dir only when it changed: one left by an earlier command
    # (another checkout building beside the same warehouse) must not be taken for this one's
    (target_dir / PARSE_CACHE.name).unlink(missing_ok=True)
    log.debug("running dbt %s in %s", " ".join(argv), db_path.parent)
    with tempfile.TemporaryDirectory(prefix="juesuan-dbt-") as tmp:
        out, cpu = Path(tmp) / "output.txt", Path(tmp) / "cpu.txt"
        child = _SERVER.Process(target=_in_child, args=(argv, str(db_path.parent), env, str(out), str(cpu)),
                                name="dbt")
        child.start()
        try:
            child.join()
        except BaseException:  # e.g. Ctrl-C: dbt must not go on writing into a build being removed
            child.terminate()
            child.join()
            raise
        code = child.exitcode if child.exitcode is not None else 2
        output = (out.read_text(encoding="utf-8", errors="replace") if out.exists() else
                  f"dbt's process exited with code {code} before dbt ran (its error is on this process's stderr)")
        seconds = float(cpu.read_text(encoding="utf-8")) if cpu.exists() else 0.0
    if code == 0 and project is None:
        save_parse(target_dir / PARSE_CACHE.name)
    elif code < 0:
        output += f"\ndbt was killed by signal {-code}"
    return DbtResult(code, output, seconds)


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


def _parse_root() -> Path:
    return PARSE_CACHE.with_suffix(".root")


def saved_parse() -> Path | None:
    """The saved parse, when it was made in this checkout. dbt keeps each file's absolute path in
    it and checks only contents: a parse made before the repository moved (or in another
    checkout) sends dbt to seeds that are not there ("No files found that match the pattern")."""
    try:
        if PARSE_CACHE.is_file() and _parse_root().read_text(encoding="utf-8") == str(REPO_ROOT):
            return PARSE_CACHE
    except OSError:
        pass
    return None


def save_parse(fresh: Path) -> None:
    """Replace the shared saved parse with ``fresh``, made in this checkout."""
    if fresh.is_file():
        _replace_in_target(PARSE_CACHE, fresh.read_bytes())
        _replace_in_target(_parse_root(), str(REPO_ROOT).encode())


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
        sys.stderr.write("dbt parse failed:\n" + failure_summary(proc.output) + "\n")
    return proc.returncode

