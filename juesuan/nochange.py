"""No change, no work: a build whose inputs are all as the published warehouse was built from
records the run and stops, without the parsers, dbt or Great Expectations (issue 17).

After each publish, ``.<warehouse>.inputs.json`` beside the warehouse lists what it was built
from: the corpus directories, every entry's stat (size, mtime, inode) and content hash, the
waivers file's hash, the project fingerprint and the published file's own stat. The next build
stats the corpus and hashes only the files whose stat differs; when every hash, the waivers, the
fingerprint and the published file match, nothing can have changed. Standard library only:
the check runs before the heavy imports. Skipped runs go to ``.<warehouse>.runs.jsonl`` and are
folded into audit.build_runs by the next build that publishes (the published file is never
written in place).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.files import discover, path_text
from juesuan import __version__
from juesuan.fingerprint import project_fingerprint
from juesuan.lock import build_lock

VERSION = 1


def manifest_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.inputs.json")


def runs_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.runs.jsonl")


def _stat(path: Path) -> list[int]:
    try:
        st = os.lstat(path)
    except OSError:
        return [-1, -1, -1]
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _sha(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def snapshot(paths: Sequence[Path]) -> dict[str, list[int]]:
    """Stat every corpus entry (:func:`discover`'s listing) before the build reads it (a file
    changed later is caught next time)."""
    return {path_text(p): _stat(p) for p in paths}


def write_manifest(warehouse: Path, corpora: Sequence[Path], stats: dict[str, list[int]],
                   shas: dict[str, str | None], waivers: Path, fingerprint: str, summary: dict) -> None:
    """After a publish: what this warehouse was built from, for the next no-change check."""
    data = dict(version=VERSION, corpora=[str(c.resolve()) for c in corpora], fingerprint=fingerprint,
                warehouse=_stat(warehouse), waivers=[str(waivers), _sha(waivers)],
                files={p: [*st, shas.get(p)] for p, st in stats.items()}, summary=summary)
    tmp = manifest_path(warehouse).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, manifest_path(warehouse))


def known_contents(warehouse: Path, current: dict[str, list[int]]) -> dict[str, tuple[str, int]]:
    """Content hash and size of the entries of ``current`` (a :func:`snapshot`) whose stat is the
    one the published build recorded: the loader need not read them again (ingest/loader.py)."""
    try:
        data = json.loads(manifest_path(warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("version") != VERSION or data.get("warehouse") != _stat(warehouse):
        return {}  # not the manifest of the published file as it is
    files: dict[str, list] = data.get("files", {})
    out: dict[str, tuple[str, int]] = {}
    for path, st in current.items():
        known = files.get(path)
        if known is not None and known[3] is not None and known[:3] == st and st[0] >= 0:
            out[path] = (known[3], st[0])
    return out


def unchanged(warehouse: Path, corpora: Sequence[Path], waivers: Path, fingerprint: str) -> dict | None:
    """The published build's summary when nothing it was built from changed, else None."""
    try:
        data = json.loads(manifest_path(warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (data.get("version") != VERSION or data.get("fingerprint") != fingerprint
            or data.get("corpora") != [str(c.resolve()) for c in corpora]
            or data.get("warehouse") != _stat(warehouse)
            or warehouse.with_name(warehouse.name + ".wal").exists()
            or data.get("waivers") != [str(waivers), _sha(waivers)]):
        return None
    files: dict[str, list] = data.get("files", {})
    try:
        current = discover(corpora)
    except FileNotFoundError:
        return None
    if len(current) != len(files):
        return None
    for p in current:
        known = files.get(path_text(p))
        if known is None:
            return None
        if _stat(p) != known[:3] and (known[3] is None or _sha(p) != known[3]):
            return None  # stat cannot rule it out and the content differs (or cannot be read)
    return dict(data.get("summary", {}))


def record_skipped(warehouse: Path, started: datetime, seconds: float, summary: dict) -> None:
    """Append the run to the side log; the next publishing build folds it into audit.build_runs."""
    stats = summary.get("stats", {})
    row = dict(run_started_at=started.isoformat(), run_finished_at=datetime.now(UTC).replace(tzinfo=None).isoformat(),
               status="unchanged", files_seen=stats.get("files_seen"), files_new=0,
               files_unchanged=stats.get("files_seen", 0) - stats.get("files_failed", 0),
               files_failed=stats.get("files_failed"), duplicates=stats.get("duplicates"),
               documents=stats.get("documents"), findings_by_severity=json.dumps(summary.get("findings", {})),
               seconds=seconds, incremental=True, rebuilt_documents=0, tool_version=__version__)
    with runs_path(warehouse).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def pending_runs(warehouse: Path) -> list[dict]:
    try:
        text = runs_path(warehouse).read_text(encoding="utf-8")
    except OSError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def try_skip(warehouse: Path, corpora: Sequence[Path], waivers: Path) -> dict | None:
    """Under the build lock: when nothing changed, record the run and return the published build's
    summary (with this run's seconds); else None and the caller builds. Raises BuildLocked."""
    started_clock = time.monotonic()
    started = datetime.now(UTC).replace(tzinfo=None)
    with build_lock(warehouse):
        summary = unchanged(warehouse, corpora, waivers, project_fingerprint())
        if summary is None:
            return None
        seconds = round(time.monotonic() - started_clock, 3)
        record_skipped(warehouse, started, seconds, summary)
    return {**summary, "seconds": seconds}
