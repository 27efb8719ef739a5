"""ingest.bounded: one parse in a forked child under a wall-clock and memory bound.

Each way the child can end comes back as a ParseError with a clear reason, also when the
caller is itself a ProcessPoolExecutor worker (as the loader's parse workers are).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ingest.bounded import Limits, limits_from_env, run_bounded
from ingest.parse import parse_document
from ingest.records import ParseError
from tests.fixtures.pdf.bad_pdfs import BAD_PDFS

MiB = 1 << 20


# Module-level so that a ProcessPoolExecutor can pickle them by name.
def sleeps(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def allocates(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def killed(_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def raises_parse_error(_: object) -> None:
    raise ParseError(7, "no 收入支出决算总表 found", "tables")


def raises_other(_: object) -> None:
    raise KeyError("page")


def returns(n: int) -> dict[str, object]:
    return {"n": n, "big": b"x" * n, "text": "决算"}


def exits_quietly(_: object) -> None:
    os._exit(3)


def starts_grandchild(pid_file: str) -> None:
    proc = subprocess.Popen(["sleep", "60"])
    Path(pid_file).write_text(str(proc.pid))
    time.sleep(60)


CASES = {
    "sleeps": (sleeps, 30.0),
    "allocates": (allocates, 1 << 30),
    "killed": (killed, None),
    "parse_error": (raises_parse_error, None),
    "returns": (returns, 5 * MiB),
}


def bounded(case: str) -> object:
    fn, arg = CASES[case]
    return run_bounded(fn, arg, seconds=1, memory_bytes=256 * MiB)


def check(case: str, call) -> None:
    """Run ``case`` through ``call`` and check what comes back."""
    if case == "returns":
        out = call(case)
        assert out == {"n": 5 * MiB, "big": b"x" * (5 * MiB), "text": "决算"}  # more than a pipe buffer
        return
    with pytest.raises(ParseError) as err:
        call(case)
    e = err.value
    if case == "sleeps":
        assert (e.line, e.stage) == (None, "parse")
        assert e.reason == ("parser took longer than 1 s: stopped (the PDF may be malformed or pathological)")
    elif case == "allocates":
        assert (e.line, e.reason, e.stage) == (None, "parser needed more than 256 MiB: stopped", "parse")
    elif case == "killed":
        assert e.reason.startswith("parser worker died (signal 9, SIGKILL)"), e.reason
        assert e.stage == "parse"
    elif case == "parse_error":
        assert (e.line, e.reason, e.stage) == (7, "no 收入支出决算总表 found", "tables")


@pytest.mark.parametrize("case", list(CASES))
def test_in_this_process(case: str):
    t0 = time.monotonic()
    check(case, bounded)
    assert time.monotonic() - t0 < 5  # the 1 s timeout stops the sleeper promptly


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_inside_a_process_pool_worker(method: str):
    """Pool workers are daemonic: multiprocessing children are refused there, os.fork is not."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method)) as pool:
        for case in CASES:
            check(case, lambda c: pool.submit(bounded, c).result(timeout=60))


def test_other_exception_is_named():
    with pytest.raises(ParseError) as err:
        run_bounded(raises_other, None, seconds=10, memory_bytes=256 * MiB)
    assert (err.value.reason, err.value.stage) == ("parser failed: KeyError: 'page'", "parse")


def test_exit_without_result():
    with pytest.raises(ParseError, match=r"parser worker died \(exit status 3\) without a result"):
        run_bounded(exits_quietly, None, seconds=10, memory_bytes=256 * MiB)


def test_unpicklable_result():
    with pytest.raises(ParseError, match="parser failed: result not picklable"):
        run_bounded(lambda _: (lambda: None), None, seconds=10, memory_bytes=256 * MiB)


def test_timeout_kills_the_process_group(tmp_path: Path):
    pid_file = tmp_path / "grandchild.pid"
    with pytest.raises(ParseError, match="longer than 2 s"):
        run_bounded(starts_grandchild, str(pid_file), seconds=2, memory_bytes=256 * MiB)
    pid = int(pid_file.read_text())
    for _ in range(100):  # SIGKILL is delivered asynchronously; the orphan is reaped by init
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
            break  # killed, waiting for its new parent to reap it
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the parser's own child survived the timeout")


def test_no_child_left_behind():
    run_bounded(returns, 10, seconds=10, memory_bytes=256 * MiB)
    with pytest.raises(ParseError):
        run_bounded(sleeps, 30.0, seconds=0.2, memory_bytes=256 * MiB)
    try:
        reaped, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:  # no children at all
        reaped = 0
    assert reaped == 0, "run_bounded left a zombie child"


def test_limits_from_env():
    assert limits_from_env({}) == Limits(120.0, 8192 * MiB)
    assert limits_from_env({"JUESUAN_PDF_TIMEOUT": "2.5", "JUESUAN_PDF_MEMORY_MB": "512"}) == Limits(2.5, 512 * MiB)
    for bad in ("0", "-1", "abc", "inf", "nan"):
        with pytest.raises(ValueError, match="JUESUAN_PDF_TIMEOUT must be a positive number"):
            limits_from_env({"JUESUAN_PDF_TIMEOUT": bad})


def test_defaults_come_from_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JUESUAN_PDF_TIMEOUT", "0.3")
    monkeypatch.setenv("JUESUAN_PDF_MEMORY_MB", "64")
    with pytest.raises(ParseError, match="longer than 0.3 s"):
        run_bounded(sleeps, 30.0)
    with pytest.raises(ParseError, match="more than 64 MiB"):
        run_bounded(allocates, 128 * MiB)


@pytest.mark.parametrize("name", list(BAD_PDFS))
def test_bad_pdfs_end_as_parse_errors(name: str):
    """DESIGN.md §6: every bad PDF becomes a ParseError (a raw.ingest_errors row), within the bound."""
    with pytest.raises(ParseError) as err:
        run_bounded(parse_document, BAD_PDFS[name](), seconds=30, memory_bytes=1024 * MiB)
    assert err.value.reason.strip()
