"""Run one parse under a wall-clock and memory bound (DESIGN.md §6: a pathological PDF can hang a parser).

``run_bounded(fn, arg, seconds=…, memory_bytes=…)`` forks a child that runs ``fn(arg)`` with its
address space capped (``RLIMIT_AS``) and sends the pickled result back over a pipe; the parent
waits at most ``seconds`` and kills the child after that. Every way the child can fail comes
back as a :class:`~ingest.records.ParseError` (stage ``parse`` unless ``fn`` raised its own), so
the loader records it in ``raw.ingest_errors`` and goes on with the next file.

Plain ``os.fork`` rather than ``multiprocessing``: the loader parses in ``ProcessPoolExecutor``
workers, which are daemonic, and daemonic ``multiprocessing`` processes may not have children.
Fork also hands ``arg`` (the file's bytes) to the child without pickling it. POSIX only.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from ingest.records import ParseError

A = TypeVar("A")
T = TypeVar("T")

MiB = 1 << 20
DEFAULT_SECONDS = 120.0
# address space, not RSS: native libraries (pdfium, malloc arenas per thread) reserve far more than
# they touch, and a tight cap made them crash with SIGSEGV on ordinary files in a grown process
DEFAULT_MEMORY_MB = 8192

# What the child sends: one pickled (kind, payload) tuple, then it exits.
_RESULT, _PARSE_ERROR, _MEMORY, _FAILED = "result", "parse_error", "memory", "failed"


class Limits(NamedTuple):
    seconds: float
    memory_bytes: int


def limits_from_env(environ: dict[str, str] | None = None) -> Limits:
    """``JUESUAN_PDF_TIMEOUT`` (seconds, default 120) and ``JUESUAN_PDF_MEMORY_MB`` (default 8192).

    A value that is no positive number raises ValueError naming the variable: a typo must not
    quietly mean "no bound".
    """
    env = os.environ if environ is None else environ
    seconds = _positive(env, "JUESUAN_PDF_TIMEOUT", DEFAULT_SECONDS)
    memory_mb = _positive(env, "JUESUAN_PDF_MEMORY_MB", DEFAULT_MEMORY_MB)
    return Limits(seconds, int(memory_mb * MiB))


def _positive(env: Any, name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {text!r}")
    return value


def run_bounded(fn: Callable[[A], T], arg: A, *, seconds: float | None = None,
                memory_bytes: int | None = None) -> T:
    """``fn(arg)`` in a forked child under the bounds; its return value, or ParseError.

    Only the result travels pickled; ``fn`` and ``arg`` reach the child through fork, so a
    closure works. Unset bounds come from :func:`limits_from_env`. ``memory_bytes`` is what the
    child may add to the address space it inherits (see ``_child``). Costs one fork per call:
    ~1.5 ms from a bare interpreter, ~6 ms once pdfplumber, duckdb and pandas are imported.
    """
    if seconds is None or memory_bytes is None:
        env = limits_from_env()
        seconds = env.seconds if seconds is None else seconds
        memory_bytes = env.memory_bytes if memory_bytes is None else memory_bytes
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's stack
        try:
            os.close(read_fd)
            _child(fn, arg, write_fd, seconds, memory_bytes)
        finally:
            os._exit(70)
    os.close(write_fd)
    try:  # also set here: whichever of the two runs first, killpg below never misses the child
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already set it, or already exited
    reaped = False
    try:
        data, status = _wait(pid, read_fd, time.monotonic() + seconds)
        reaped = status is not None
    finally:
        os.close(read_fd)
        if not reaped:  # timeout, or the parent was interrupted (KeyboardInterrupt): no orphan left running
            _kill(pid)
    if status is None:
        raise ParseError(None, _timeout_reason(seconds), "parse")
    return _outcome(data, status, seconds, memory_bytes)


def _child(fn: Callable[[A], T], arg: A, write_fd: int, seconds: float, memory_bytes: int) -> None:
    code = 0
    try:
        # own process group, so a timeout also kills whatever the parser started
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        # RLIMIT_AS caps the whole address space, which already holds everything inherited from
        # the parent (interpreter, duckdb, thread stacks: hundreds of MiB in a loaded process);
        # the budget is added on top so that N MiB means N MiB for the parse wherever it runs.
        _lower_limit(resource.RLIMIT_AS, _address_space() + memory_bytes)
        # a crash near the memory cap must not write a core of that size
        _lower_limit(resource.RLIMIT_CORE, 0)
        # backstop for an orphan (the parent killed outright cannot time it out): the kernel stops
        # a CPU-bound child a little after the wall-clock bound, SIGXCPU then SIGKILL
        cpu = math.ceil(seconds) + 2
        _lower_limit(resource.RLIMIT_CPU, cpu, hard=cpu + 2)
        message: tuple[str, Any] = (_RESULT, fn(arg))
    except ParseError as exc:
        message = (_PARSE_ERROR, exc)
    except MemoryError:
        message = (_MEMORY, None)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, named
        message = (_FAILED, f"{type(exc).__name__}: {exc}")
    try:
        try:
            payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps((_MEMORY, None))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            payload = pickle.dumps((_FAILED, f"result not picklable: {type(exc).__name__}: {exc}"))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 - parent gone (EPIPE) or out of memory: it sees no result
        code = 70
    finally:
        # os._exit: no atexit handlers, no flushing of stdio buffers copied from the parent
        os._exit(code)


def _address_space() -> int:
    """Bytes of address space mapped now (Linux /proc); 0 where unknown."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _lower_limit(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit; never above the existing hard limit (an unprivileged process cannot raise it)."""
    _, old_hard = resource.getrlimit(which)
    if hard is None or (old_hard != resource.RLIM_INFINITY and hard > old_hard):
        hard = old_hard
    if hard != resource.RLIM_INFINITY:  # RLIM_INFINITY is -1: no min() with it
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _wait(pid: int, read_fd: int, deadline: float) -> tuple[bytes, int | None]:
    """Read the child's message to EOF and reap it, before the deadline; status None = timed out."""
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(read_fd, select.POLLIN | select.POLLHUP)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", None
        if not poller.poll(left * 1000):
            continue
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    # EOF: the child has closed the pipe and is exiting; reap it (briefly polled, still bounded)
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): judge by the message
            return b"".join(chunks), 0
        if done:
            return b"".join(chunks), status
        if time.monotonic() >= deadline:
            return b"", None
        time.sleep(0.001)


def _kill(pid: int) -> None:
    """SIGKILL the child's process group (and the child, should setpgid have failed); reap it."""
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _timeout_reason(seconds: float) -> str:
    return f"parser took longer than {seconds:g} s: stopped (the PDF may be malformed or pathological)"


def _memory_reason(memory_bytes: int) -> str:
    return f"parser needed more than {memory_bytes / MiB:g} MiB: stopped"


def _outcome(data: bytes, status: int, seconds: float, memory_bytes: int) -> Any:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:  # the CPU backstop fired before the parent's timer
            raise ParseError(None, _timeout_reason(seconds), "parse")
        reason = f"parser worker died (signal {sig}, {_signal_name(sig)}) without a result"
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            # native code that gets NULL from malloc under RLIMIT_AS tends to crash this way
            reason += f"; it may have hit its {memory_bytes / MiB:g} MiB memory limit"
        raise ParseError(None, reason, "parse")
    try:
        kind, payload = pickle.loads(data)
    except Exception:  # noqa: BLE001 - empty or cut short: the child exited before writing it all
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
        raise ParseError(None, f"parser worker died (exit status {code}) without a result", "parse") from None
    if kind == _RESULT:
        return payload
    if kind == _PARSE_ERROR:
        raise payload
    if kind == _MEMORY:
        raise ParseError(None, _memory_reason(memory_bytes), "parse")
    raise ParseError(None, f"parser failed: {payload}"[:1000], "parse")


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return "unknown"
