"""What builds leave to `make test`: the dbt unit tests (models/*/_*.yml ``unit_tests:``), which
check the models' SQL on fixed inputs, and the premise that lets incremental builds skip the
seeds and the models tagged seeds_only, and full builds the tests beside the seeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from juesuan.dbtrun import (
    BUILD_DB_NAME,
    dbt_command,
    failure_summary,
    prime,
    record_seed_tests,
    save_parse,
    saved_parse,
    seed_tests_passed,
)


def test_dbt_unit_tests_pass(sample_warehouse: Path, tmp_path: Path):
    # dbt reads the column types of a unit test's inputs from a built warehouse: a copy of the samples'
    db = tmp_path / BUILD_DB_NAME
    shutil.copyfile(sample_warehouse, db)
    target = tmp_path / "target"
    proc = dbt_command(["test", "--select", "test_type:unit", "--quiet"], db, target)
    assert proc.returncode == 0, failure_summary(proc.output)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 7, [r["unique_id"] for r in results]
    assert {r["status"] for r in unit} == {"pass"}


def test_dbt_runs_in_a_forked_child_that_reports_its_errors(tmp_path: Path):
    """dbt_command forks dbt from the server that imported it: the exit code and dbt's own
    message come back (a build names them when it fails)."""
    proc = dbt_command(["no-such-command"], tmp_path / BUILD_DB_NAME, tmp_path / "target")
    assert proc.returncode == 2
    assert "No such command 'no-such-command'" in proc.output


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """dbt's manifest of the project, from ``dbt parse`` (a build that replays SQL runs no dbt)."""
    target = tmp_path_factory.mktemp("parse") / "target"
    assert prime(target) == 0
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def test_seeds_only_models_read_only_seeds(manifest: dict):
    """Incremental builds skip models tagged seeds_only (juesuan/build.py): that is right only
    while everything they read is a seed, which the seeds' share of the fingerprint pins."""
    tagged = {k: n for k, n in manifest["nodes"].items() if "seeds_only" in n.get("tags", [])}
    assert "model.juesuan.rules" in tagged
    for key, node in tagged.items():
        parents = node["depends_on"]["nodes"]
        assert parents and all(p.startswith("seed.") for p in parents), (key, parents)


def test_tests_declared_beside_the_seeds_read_only_seeds(manifest: dict):
    """A full build skips the tests under seeds/ once they passed for the same project
    fingerprint (juesuan/dbtrun.py SEED_TESTS): right only while they read nothing but seeds."""
    beside = {k: n for k, n in manifest["nodes"].items()
              if n["resource_type"] == "test" and n["original_file_path"].startswith("seeds/")}
    assert len(beside) >= 50
    for key, node in beside.items():
        parents = node["depends_on"]["nodes"]
        assert parents and all(p.startswith("seed.") for p in parents), (key, parents)


def test_seed_tests_are_recorded_per_fingerprint(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("juesuan.dbtrun.SEED_TESTS_PASSED", tmp_path / "target" / "seed_tests_passed")
    assert not seed_tests_passed("abc")
    record_seed_tests("abc")
    assert seed_tests_passed("abc") and not seed_tests_passed("abd")


def test_a_parse_saved_in_another_checkout_is_not_used(tmp_path: Path, monkeypatch):
    """dbt keeps absolute paths in a saved parse: one made where the repository was before (or in
    another checkout) would send the seeds to files that are not there."""
    cache = tmp_path / "target" / "partial_parse.msgpack"
    monkeypatch.setattr("juesuan.dbtrun.PARSE_CACHE", cache)
    monkeypatch.setattr("juesuan.dbtrun.REPO_ROOT", tmp_path / "moved")
    fresh = tmp_path / "fresh.msgpack"
    fresh.write_bytes(b"parse")
    cache.parent.mkdir()
    cache.write_bytes(b"old parse")
    assert saved_parse() is None  # no record of where it was made
    save_parse(fresh)
    assert saved_parse() == cache and cache.read_bytes() == b"parse"
    monkeypatch.setattr("juesuan.dbtrun.REPO_ROOT", tmp_path / "elsewhere")
    assert saved_parse() is None
