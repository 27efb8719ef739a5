"""No change, no work (issue 17): a build whose corpus, waivers and project are as the published
warehouse was built from records the run and stops without parsing, dbt or Great Expectations.
Which build ran is read from audit.build_runs (status 'unchanged' vs 'published'), never from time."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest import loader
from juesuan.cli import main
from juesuan.fingerprint import project_fingerprint
from juesuan.nochange import unchanged
from juesuan.waivers import waivers_path
from tests.helpers import KeptBuild, last_run, marts_snapshot

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def _runs(warehouse: Path) -> list[tuple[str, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select status, files_new from audit.build_runs order by run_started_at").fetchall()


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> KeptBuild:
    """The samples built once; each test starts from that published state (tests/helpers.py)."""
    root = tmp_path_factory.mktemp("nochange")
    corpus, warehouse = root / "corpus", root / "wh" / "juesuan.duckdb"
    shutil.copytree(SAMPLES, corpus)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("JUESUAN_WAIVERS", raising=False)
        assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse)]) == 0
    return KeptBuild.keep_aside(corpus, warehouse, root / "kept")


@pytest.fixture()
def built(kept: KeptBuild, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.delenv("JUESUAN_WAIVERS", raising=False)
    return kept.restore()


def _build(corpus: Path, warehouse: Path, *extra: str) -> int:
    return main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse), *extra])


def test_unchanged_corpus_does_no_work_and_the_next_build_records_it(built, capsys) -> None:
    corpus, warehouse = built
    published = warehouse.read_bytes()
    capsys.readouterr()
    assert _build(corpus, warehouse) == 0
    out = capsys.readouterr().out
    assert "nothing changed" in out and "findings: 1 error" in out
    for f in corpus.iterdir():  # a new mtime alone is no change: the content hash decides
        f.touch()
    assert _build(corpus, warehouse) == 0
    assert warehouse.read_bytes() == published  # the published file is never written in place
    (corpus / "001_12d88111db7f2822.txt").write_text(
        (corpus / "001_12d88111db7f2822.txt").read_text(encoding="utf-8") + "\n附注\n", encoding="utf-8")
    assert _build(corpus, warehouse) == 0
    assert _runs(warehouse) == [("published", 4), ("unchanged", 0), ("unchanged", 0), ("published", 1)]


def test_strict_still_exits_3_when_nothing_changed(built) -> None:
    corpus, warehouse = built
    assert _build(corpus, warehouse, "--strict") == 3
    assert [s for s, _ in _runs(warehouse)] == ["published"]  # the skipped run waits in the side log


@pytest.mark.parametrize("change", ["waivers", "removed", "added"])
def test_any_input_change_is_a_change(built, change: str) -> None:
    """What the CLI asks before it builds (the end-to-end path is the first test's last build)."""
    corpus, warehouse = built

    def nothing_changed() -> bool:
        return unchanged(warehouse, [corpus], waivers_path(warehouse), project_fingerprint()) is not None

    assert nothing_changed()
    if change == "waivers":
        (warehouse.parent / "waivers.csv").write_text("finding_key,reason\nnone,test\n", encoding="utf-8")
    elif change == "removed":
        (corpus / "002_79d75ce45c137d77.txt").unlink()
    else:
        shutil.copy(corpus / "001_12d88111db7f2822.txt", corpus / "copy.txt")
    assert not nothing_changed()


def test_full_rebuild_builds_though_nothing_changed(built) -> None:
    corpus, warehouse = built
    assert _build(corpus, warehouse, "--full-rebuild") == 0
    assert [s for s, _ in _runs(warehouse)] == ["published", "published"]
    assert last_run(warehouse) == (False, 4), "a full build of a warehouse it could build upon recomputes all"


def test_a_build_reads_only_the_files_whose_stat_changed(built, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stat first, read only what stat cannot rule out, in builds that do work too: an unchanged
    report is taken from the published build without being read; a touched one is read, hashed
    and found unchanged; an edited one is parsed."""
    corpus, warehouse = built
    # the kept corpus is a copy (new inodes): a first build that publishes records their stat;
    # the file it adds is not a report (no dbt), and is read again by every build
    (corpus / "minutes.txt").write_text("会议纪要\n", encoding="utf-8")
    assert _build(corpus, warehouse) == 0
    read: list[str] = []
    real = loader.read_input
    monkeypatch.setattr(loader, "read_input", lambda path: read.append(path.name) or real(path))
    (corpus / "002_79d75ce45c137d77.txt").touch()
    edited = corpus / "001_12d88111db7f2822.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n附注\n", encoding="utf-8")
    assert _build(corpus, warehouse) == 0
    assert sorted(set(read)) == ["001_12d88111db7f2822.txt", "002_79d75ce45c137d77.txt", "minutes.txt"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(con.execute("select regexp_extract(source_file, '[^/]+$'), status from raw.source_files").fetchall())
    assert status == {"000_e001c6226d74a889.txt": "unchanged", "001_12d88111db7f2822.txt": "loaded",
                      "002_79d75ce45c137d77.txt": "unchanged", "004_d5f1f8ecdae37faa.txt": "unchanged",
                      "minutes.txt": "error"}
    assert last_run(warehouse)[0] is True


def test_a_change_no_document_follows_skips_dbt(built) -> None:
    """An added file that is not a report changes the corpus but no document: the build records
    the file in raw.ingest_errors and publishes, without dbt (its run results stay as they were);
    the marts and findings are those of the published build."""
    corpus, warehouse = built
    results = warehouse.parent / ".dbt-target" / "run_results.json"
    stamp = results.stat().st_mtime_ns if results.exists() else None
    marts, findings = marts_snapshot(warehouse), _findings(warehouse)
    (corpus / "minutes.txt").write_text("会议纪要\n参会人员 12 人\n", encoding="utf-8")
    assert _build(corpus, warehouse) == 0
    assert last_run(warehouse) == (True, 0)
    assert (results.stat().st_mtime_ns if results.exists() else None) == stamp
    assert marts_snapshot(warehouse) == marts and _findings(warehouse) == findings
    with duckdb.connect(str(warehouse), read_only=True) as con:
        errors = con.execute("select source_file from raw.ingest_errors where fatal").fetchall()
    assert [Path(f).name for (f,) in errors] == ["minutes.txt"]


def _findings(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return sorted(con.execute("select * from audit.findings").fetchall(), key=repr)
