"""The replay of an incremental build's SQL (juesuan/replay.py): which dbt nodes it reproduces,
in what order, and that a failing statement or data test leaves the file as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from juesuan import replay
from juesuan.replay import ReplayTestFailed, Step

SCOPE_HOOK = [{"sql": "{{ clear_rebuild_scope() }}", "transaction": True, "index": None}]
TEST_CONFIG = {"severity": "ERROR", "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0", "where": None}


def _model(name: str, materialized: str, sql: str, deps: list[str], **config: object) -> dict:
    cfg = {"materialized": materialized, "incremental_strategy": "append", "post-hook": [],
           "pre-hook": SCOPE_HOOK, **config}
    return {"resource_type": "model", "compiled_code": sql, "config": cfg, "schema": "main", "name": name,
            "relation_name": f'"main"."{name}"', "depends_on": {"nodes": deps}}


def _test(sql: str, model: str, **config: object) -> dict:
    return {"resource_type": "test", "compiled_code": sql, "config": {**TEST_CONFIG, **config},
            "depends_on": {"nodes": [model]}}


def _manifest(**extra: dict) -> dict:
    nodes = {
        "model.j.stg": _model("stg", "view", "select 1", ["source.j.raw.t"]),
        "model.j.fct": _model("fct", "incremental", "select * from stg", ["model.j.stg"]),
        "model.j.dim": _model("dim", "table", "select distinct unit from fct", ["model.j.fct"]),
        "test.j.not_null_fct": _test("select * from fct where unit is null", "model.j.fct"),
        "seed.j.codes": {"resource_type": "seed", "schema": "main", "name": "codes", "config": {}},
    }
    nodes.update(extra)
    return {"nodes": nodes}


def test_a_plan_deletes_the_scope_and_inserts_in_dependency_order():
    manifest = _manifest()
    steps = replay._steps_of(manifest, ["test.j.not_null_fct", "model.j.dim", "model.j.stg", "model.j.fct"])
    assert steps is not None
    assert [s.node for s in steps] == ["model.j.fct", "model.j.dim", "test.j.not_null_fct"]  # the view: nothing
    fct, dim, test = steps
    assert fct.statements[0].startswith('delete from "main"."fct" where document_id in (select s.document_id '
                                        "from raw.rebuild_scope")
    assert fct.statements[1] == 'insert into "main"."fct" by name (\nselect * from stg\n)'
    assert dim.statements == ('delete from "main"."dim"', 'insert into "main"."dim" by name (\nselect distinct unit from fct\n)')
    assert test.test and test.statements == ("select * from fct where unit is null",)


@pytest.mark.parametrize("extra", [
    {"model.j.x": _model("x", "incremental", "select 1", [], **{"post-hook": [{"sql": "analyze"}]})},
    {"model.j.x": _model("x", "incremental", "select 1", [], **{"pre-hook": [{"sql": "delete from x"}]})},
    {"model.j.x": _model("x", "incremental", "select 1", [], incremental_strategy="delete+insert")},
    {"model.j.x": _model("x", "ephemeral", "select 1", [])},
    {"test.j.x": _test("select 1", "model.j.fct", severity="WARN")},
    {"test.j.x": _test("select 1", "model.j.fct", where="unit = 'a'")},
    {"seed.j.x": {"resource_type": "seed", "compiled_code": "", "config": {}, "depends_on": {"nodes": []}}},
])
def test_a_node_of_another_shape_leaves_no_plan(extra: dict):
    """What the module cannot reproduce exactly keeps builds on dbt."""
    manifest = _manifest(**extra)
    assert replay._steps_of(manifest, ["model.j.fct", *extra]) is None


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.rebuild_scope (document_id varchar)")
        con.execute("insert into raw.rebuild_scope values ('d2')")
        con.execute("create table src (document_id varchar, unit varchar)")
        con.execute("insert into src values ('d1', 'a'), ('d2', 'b')")
        con.execute("create table fct (document_id varchar, unit varchar)")
        con.execute("insert into fct values ('d1', 'a'), ('d2', 'old')")
    return db


def _rows(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from fct order by all").fetchall()


def _fct_step(sql: str) -> Step:
    return Step("model.j.fct", (
        "delete from fct where document_id in (select s.document_id from raw.rebuild_scope as s)",
        f"insert into fct by name ({sql})"), test=False)


def test_replay_replaces_the_rows_in_scope(tmp_path: Path):
    db = _db(tmp_path)
    sql = "select document_id, unit from src where document_id in (select document_id from raw.rebuild_scope)"
    passing = Step("test.j.ok", ("select * from fct where unit is null",), test=True)
    assert replay.replay(db, [_fct_step(sql), passing]) is True
    assert _rows(db) == [("d1", "a"), ("d2", "b")]


def test_a_failing_data_test_fails_and_changes_nothing(tmp_path: Path):
    db = _db(tmp_path)
    sql = "select document_id, null as unit from src where document_id = 'd2'"
    failing = Step("test.j.not_null_fct_unit", ("select * from fct where unit is null",), test=True)
    with pytest.raises(ReplayTestFailed, match=r"test\.j\.not_null_fct_unit: 1 failing rows"):
        replay.replay(db, [_fct_step(sql), failing])
    assert _rows(db) == [("d1", "a"), ("d2", "old")]


def test_a_failing_statement_returns_false_and_changes_nothing(tmp_path: Path):
    db = _db(tmp_path)
    assert replay.replay(db, [_fct_step("select document_id, unit from no_such_table")]) is False
    assert _rows(db) == [("d1", "a"), ("d2", "old")]


def test_a_plan_is_kept_per_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import json

    monkeypatch.setenv("JUESUAN_REPLAY", "1")
    monkeypatch.setattr(replay, "PLAN", tmp_path / "plan.json")
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(_manifest()), encoding="utf-8")
    results = [{"unique_id": u, "status": s} for u, s in
               [("model.j.stg", "success"), ("model.j.fct", "success"), ("model.j.dim", "success"),
                ("test.j.not_null_fct", "pass")]]
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")
    built = tmp_path / "built.duckdb"
    with duckdb.connect(str(built)) as con:
        con.execute("create table codes (code varchar primary key); insert into codes values ('201'), ('202');"
                    "create table fct (document_id varchar not null, unit varchar); insert into fct values ('d1', 'a');"
                    "create table dim as select distinct unit from fct;"
                    "comment on column fct.unit is '单位'; create view stg as select 1 as one")
    monkeypatch.setenv("JUESUAN_REPLAY", "0")  # no plan kept, none used
    replay.save_plan(target, "f1", built)
    assert not replay.PLAN.exists()
    monkeypatch.setenv("JUESUAN_REPLAY", "1")
    replay.save_plan(target, "f1", built)
    assert [s.node for s in replay.load_plan("f1") or []] == ["model.j.fct", "model.j.dim", "test.j.not_null_fct"]
    monkeypatch.setenv("JUESUAN_REPLAY", "0")
    assert replay.load_plan("f1") is None
    monkeypatch.setenv("JUESUAN_REPLAY", "1")
    assert replay.load_plan("f2") is None  # another project: dbt again
    # the template of full builds: every relation, empty but for the seeds the plan does not rebuild
    with duckdb.connect(str(replay.template_path("f1")), read_only=True) as con:
        assert con.execute("select code from codes order by 1").fetchall() == [("201",), ("202",)]
        assert con.execute("select count(*) from fct").fetchone() == con.execute("select count(*) from dim").fetchone() == (0,)
        assert con.execute("select column_name, comment, is_nullable from duckdb_columns() where table_name = 'fct' "
                           "order by column_index").fetchall() == [("document_id", None, False), ("unit", "单位", True)]
        assert con.execute("select * from stg").fetchall() == [(1,)]
    replay.save_plan(target, "f2", built)
    assert not replay.template_path("f1").exists() and replay.template_path("f2").exists()
    results[2]["status"] = "error"  # a build that did not pass leaves no plan
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")
    replay.save_plan(target, "f2", built)
    assert replay.load_plan("f2") is None
