"""Peak memory of a process tree: the resident set sizes of a process and its descendants."""

from __future__ import annotations

import os
import threading
from collections import defaultdict


def _tree_rss_proc(root: int) -> int:
    """Σ VmRSS (bytes) of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            with open(f"/proc/{pid}/statm", "rb") as fh:
                rss[pid] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        children[ppid].append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def _tree_rss(root: int) -> int:
    try:
        import psutil
    except ImportError:
        return _tree_rss_proc(root)
    try:
        proc = psutil.Process(root)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def memory_method() -> str:
    try:
        import psutil  # noqa: F401

        how = "psutil"
    except ImportError:
        how = "/proc"
    return (f"peak Σ RSS of the build process and all descendants, sampled every 0.2 s ({how}); "
            "max_single_process from resource.getrusage(RUSAGE_CHILDREN).ru_maxrss")


class TreeSampler:
    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
