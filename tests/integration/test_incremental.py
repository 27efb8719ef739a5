"""Incremental builds (juesuan/build.py, docs/scale.md) give what a full build of the same corpus
gives: marts, audit.checks and audit.findings, on a synthetic corpus whose units span years."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import duckdb
import pytest

from juesuan import replay
from juesuan.build import prepare
from juesuan.cli import main
from juesuan.fingerprint import project_fingerprint
from juesuan.synth import SynthDoc, iter_docs
from tests.helpers import last_run, marts_snapshot

pytestmark = pytest.mark.slow


def _build(corpus: Path, warehouse: Path) -> str:
    """Build; the CLI's report of it."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse), "--workers", "2"]) == 0
    return out.getvalue()


def _audit_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """audit.checks and audit.findings, sorted (row order is not part of the contract)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: sorted(con.execute(f"select * from audit.{t}").fetchall(), key=repr) for t in ("checks", "findings")}


def _assert_equals_fresh_build(corpus: Path, rebuilt: Path, fresh: Path, *, replayed: bool) -> None:
    """A full build of ``corpus`` into ``fresh`` (dbt's SQL replayed on the template, or dbt run)
    gives what the incremental builds of ``rebuilt`` gave."""
    assert ("full build; the last incremental build's SQL replayed without dbt" in _build(corpus, fresh)) is replayed
    assert last_run(fresh)[0] is False
    assert marts_snapshot(rebuilt) == marts_snapshot(fresh)
    assert _audit_snapshot(rebuilt) == _audit_snapshot(fresh)


def test_incremental_rebuilds_equal_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The path `make bench` times as "one report added", then a changed and a removed report:
    each incremental build recomputes only the units concerned (unchanged reports are copied from
    the published warehouse), and gives the marts, audit.checks and audit.findings of a fresh build.
    Each report chosen has neighbouring years of its unit in the corpus, so the cross-year rules
    (CY01/CY02) of the other reports change with it. The first incremental build runs dbt and
    keeps its SQL; the second replays that SQL without dbt (juesuan/replay.py)."""
    monkeypatch.setenv("JUESUAN_REPLAY", "1")
    monkeypatch.setattr(replay, "PLAN", tmp_path / "replay_plan.json")  # not another test's plan
    n = 24
    docs = list(iter_docs(n, seed=13, error_rate=0.5))
    clean = list(iter_docs(n, seed=13, error_rate=0.0))  # the same reports without injected errors
    years = {(d.unit_name, d.fiscal_year) for d in docs}

    def has_year(d: SynthDoc, delta: int) -> bool:
        return (d.unit_name, d.fiscal_year + delta) in years

    added = next(d for d in reversed(docs) if has_year(d, -1))
    k, changed = next((k, d) for k, d in enumerate(docs)
                      if d.unit_name != added.unit_name and has_year(d, 1) and clean[k].data != d.data)
    removed = next(d for d in docs if d.unit_name not in (added.unit_name, changed.unit_name)
                   and has_year(d, -1) and has_year(d, 1))
    corpus, rebuilt = tmp_path / "corpus", tmp_path / "rebuilt.duckdb"
    corpus.mkdir()
    for d in docs:
        if d is not added:
            (corpus / d.file).write_bytes(d.data)
    _build(corpus, rebuilt)

    (corpus / added.file).write_bytes(added.data)
    assert "replayed" not in _build(corpus, rebuilt)
    assert replay.PLAN.exists()
    with duckdb.connect(str(rebuilt), read_only=True) as con:
        status = dict(con.execute("select status, count(*) from raw.source_files group by 1").fetchall())
    assert status == {"unchanged": n - 1, "loaded": 1}
    incremental, recomputed = last_run(rebuilt)
    assert incremental and 1 < recomputed < n - 1, "only the added report's unit is recomputed"
    # the data tests of document-keyed models read only the documents rebuilt (macros/rebuild.sql)
    compiled = tmp_path / ".dbt-target" / "compiled" / "juesuan" / "models"
    scoped = (compiled / "staging" / "_staging.yml" / "not_null_stg_reports__document_lines_document_id.sql").read_text()
    assert "document_id is null or document_id in (select s.document_id from" in scoped
    assert "rebuild_scope" not in (compiled / "marts" / "_dimensions.yml" / "unique_dim_unit_unit_id.sql").read_text()
    with monkeypatch.context() as without_plan:  # dbt's own full build
        without_plan.setattr(replay, "PLAN", tmp_path / "no-plan" / "replay_plan.json")
        _assert_equals_fresh_build(corpus, rebuilt, tmp_path / "fresh1.duckdb", replayed=False)
    # the plan replayed on the template of empty relations, every document in scope
    assert replay.template_path(project_fingerprint()).exists()
    _assert_equals_fresh_build(corpus, rebuilt, tmp_path / "fresh1r.duckdb", replayed=True)
    with monkeypatch.context() as prepared:  # `make setup` makes the same plan without data
        kept = replay.PLAN.read_text(encoding="utf-8")
        prepared.setattr(replay, "PLAN", tmp_path / "prepared" / "replay_plan.json")
        assert prepare() == 0
        assert replay.PLAN.read_text(encoding="utf-8") == kept
        made = replay.PLAN.stat().st_mtime_ns
        assert prepare() == 0 and replay.PLAN.stat().st_mtime_ns == made, "made once per project version"
        _assert_equals_fresh_build(corpus, rebuilt, tmp_path / "fresh1p.duckdb", replayed=True)

    (corpus / changed.file).write_bytes(clean[k].data)
    (corpus / removed.file).unlink()
    assert "SQL replayed without dbt" in _build(corpus, rebuilt)
    incremental, recomputed = last_run(rebuilt)
    assert incremental and 2 < recomputed < n - 1
    _assert_equals_fresh_build(corpus, rebuilt, tmp_path / "fresh2.duckdb", replayed=True)
