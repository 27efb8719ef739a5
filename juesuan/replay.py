"""Incremental builds without dbt's fixed costs: replaying the SQL of the last one.

Under one project fingerprint (juesuan/fingerprint.py) every incremental build runs the same
statements: each model is compiled against the same tables, with ``is_incremental()`` true and
raw.rebuild_scope present; only the rows listed in raw.rebuild_scope differ. dbt spends ~5 s on
the 145 nodes of such a build (~1 s to start, 25–120 ms per node) while the SQL itself takes
well under a second at 1,000 reports. So the first incremental build under a fingerprint runs
dbt and keeps the SQL it compiled as a plan (``target/replay_plan.json``); the next ones run the
plan in one DuckDB transaction on the file being built:

- an incremental model: delete the rows of the documents in raw.rebuild_scope (its pre-hook,
  ``clear_rebuild_scope``), then insert, by name, the rows of its compiled select;
- a table: delete every row, insert the compiled select by name (the table keeps its types,
  constraints and comments, as dbt's rebuild recreates them);
- a view: nothing (the copied file has it, with the same definition);
- a data test: its compiled query must return no rows (every test here fails on count(*) != 0).

``make setup`` makes the plan of the checkout's project version without data
(:func:`juesuan.build.prepare`: dbt builds an empty warehouse, in full, then incrementally): the
compiled SQL is the same, so the first build on a fresh clone replays it too.

A plan is kept only when every node dbt ran has one of these shapes; otherwise builds go on
running dbt. A statement that fails rolls everything back and the build runs dbt instead; a test
that fails fails the build, as under dbt.

A full build replays the same plan with every document in raw.rebuild_scope (the models' SQL
reads any scope). It starts from a template instead of an empty file: the relations of the
build that made the plan, empty, but for the seeds and the models built from seeds alone, which
the plan does not rebuild (``target/replay_template.<fingerprint>.duckdb``, a few MB). dbt's
fixed costs were 17 of the 23 s dbt took in a full build of 1,000 reports on a slow machine.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from juesuan.config import REPO_ROOT

log = logging.getLogger("juesuan")

PLAN = REPO_ROOT / "target" / "replay_plan.json"
TEMPLATE_GLOB = "replay_template.*.duckdb"  # beside PLAN, one per fingerprint
PLAN_VERSION = 1
# what the project's dbt models may look like for a plan to reproduce them
_PRE_HOOK = "{{ clear_rebuild_scope() }}"
_TEST_CONFIG = {"severity": "ERROR", "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0"}


class ReplayTestFailed(Exception):
    """Data tests failed on the replayed build; the message names them."""


@dataclass(frozen=True)
class Step:
    node: str  # dbt's unique_id
    statements: tuple[str, ...]  # a model's; a test's one query, which must return no rows
    test: bool


def _steps_of(manifest: dict, executed: list[str]) -> list[Step] | None:
    """The plan of the nodes dbt ran, in an order their dependencies allow; None when a node
    has a shape this module does not reproduce."""
    nodes = manifest["nodes"]
    steps: dict[str, Step] = {}
    for uid in executed:
        node = nodes.get(uid)
        if node is None or not node.get("compiled_code"):
            return None
        cfg, sql = node["config"], node["compiled_code"]
        if cfg.get("post-hook"):
            return None
        hooks = [h["sql"].strip() for h in cfg.get("pre-hook", [])]
        if node["resource_type"] == "test":
            if cfg.get("where") or any(cfg.get(k) != v for k, v in _TEST_CONFIG.items()):
                return None
            steps[uid] = Step(uid, (sql,), test=True)
        elif node["resource_type"] != "model" or hooks not in ([], [_PRE_HOOK]):
            return None
        elif cfg["materialized"] == "view":
            continue
        elif cfg["materialized"] == "incremental" and cfg.get("incremental_strategy") == "append" and hooks:
            rel = node["relation_name"]
            steps[uid] = Step(uid, (
                f"delete from {rel} where document_id in (select s.document_id from raw.rebuild_scope as s)",
                f"insert into {rel} by name (\n{sql}\n)"), test=False)
        elif cfg["materialized"] == "table":
            rel = node["relation_name"]
            steps[uid] = Step(uid, (f"delete from {rel}", f"insert into {rel} by name (\n{sql}\n)"), test=False)
        else:
            return None
    order: list[Step] = []
    done: set[str] = set()
    pending = sorted(steps)
    while pending:  # dependencies first; the nodes dbt skipped here (views, seeds) exist already
        ready = [u for u in pending if all(d in done or d not in steps for d in nodes[u]["depends_on"]["nodes"])]
        if not ready:
            return None
        order += [steps[u] for u in ready]
        done.update(ready)
        pending = [u for u in pending if u not in done]
    return order


def _kept_relations(manifest: dict, planned: set[str]) -> list[tuple[str, str]]:
    """(schema, name) of the relations whose rows a replayed full build takes from the template:
    seeds, and models the plan does not rebuild that are not views (built from seeds alone)."""
    kept = []
    for uid, node in manifest["nodes"].items():
        if uid in planned or node["resource_type"] not in ("seed", "model"):
            continue
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view":
            continue
        kept.append((node["schema"], node.get("alias") or node["name"]))
    return sorted(kept)


def template_path(fingerprint: str) -> Path:
    return PLAN.with_name(TEMPLATE_GLOB.replace("*", fingerprint[:16]))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _save_template(built: Path, fingerprint: str, kept: list[tuple[str, str]]) -> None:
    """Every relation of ``built`` (types, constraints, comments, views), empty but for ``kept``."""
    import duckdb

    path = template_path(fingerprint)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute("attach ? as built (read_only)", [str(built)])
        con.execute("attach ? as template", [str(tmp)])
        con.execute("copy from database built to template (schema)")
        for schema, name in kept:  # names from dbt's manifest of this project, not from input
            rel = f"{_quoted(schema)}.{_quoted(name)}"
            con.execute(f"insert into template.{rel} select * from built.{rel}")
    os.replace(tmp, path)
    for old in path.parent.glob(TEMPLATE_GLOB):
        if old != path:
            old.unlink(missing_ok=True)


def save_plan(target_dir: Path, fingerprint: str, built: Path) -> None:
    """After a successful incremental ``dbt build`` of ``built``: keep its compiled SQL as the plan
    for ``fingerprint`` and its relations as the template of full builds (or drop a stale plan
    when this build's nodes cannot be replayed)."""
    import duckdb

    try:
        manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
        results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as exc:
        log.debug("no replay plan: %s", exc)
        return
    if not enabled():
        return
    ok = all(r["status"] in ("success", "pass") for r in results)
    steps = _steps_of(manifest, [r["unique_id"] for r in results]) if ok else None
    if steps is None:
        PLAN.unlink(missing_ok=True)
        return
    data = dict(version=PLAN_VERSION, fingerprint=fingerprint,
                steps=[dict(node=s.node, statements=list(s.statements), test=s.test) for s in steps])
    tmp = PLAN.with_name(f".{PLAN.name}.{os.getpid()}")
    try:
        PLAN.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, PLAN)
        _save_template(built, fingerprint, _kept_relations(manifest, {s.node for s in steps}))
    except (OSError, duckdb.Error) as exc:  # a read-only install: builds keep running dbt
        tmp.unlink(missing_ok=True)
        log.debug("cannot save %s or its template: %s", PLAN, exc)


def enabled() -> bool:
    """``JUESUAN_REPLAY=0``: every build runs dbt and keeps no plan (the test suite sets it, so that
    what a test's build runs does not depend on what other tests built before it)."""
    return os.environ.get("JUESUAN_REPLAY", "1") != "0"


def load_plan(fingerprint: str) -> list[Step] | None:
    if not enabled():
        return None
    try:
        data = json.loads(PLAN.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("version") != PLAN_VERSION or data.get("fingerprint") != fingerprint:
        return None
    return [Step(s["node"], tuple(s["statements"]), s["test"]) for s in data["steps"]]


def replay(db: Path, steps: list[Step]) -> bool:
    """Run ``steps`` on ``db`` in one transaction. True when done; False (nothing changed) when
    a statement failed. Raises ReplayTestFailed (nothing changed) when data tests fail.

    The models' statements go to DuckDB as one script and the tests as one query: a call per
    statement waited for the interpreter lock behind Great Expectations' import, which a build
    runs in a thread meanwhile (1.2 s of the replay's 2 s at 1,000 reports)."""
    import duckdb  # here: prestart reads the plan before the build imports DuckDB (~0.1-0.25 s)

    models = [statement for step in steps if not step.test for statement in step.statements]
    tests = [step for step in steps if step.test]
    checks = "\nunion all\n".join(f"select {k} as k, (select count(*) from (\n{step.statements[0]}\n)) as n"
                                   for k, step in enumerate(tests))
    # the memory limit of profiles.yml, which dbt would have run with
    config = {"memory_limit": os.environ.get("JUESUAN_DUCKDB_MEMORY_LIMIT", "1500MB")}
    with duckdb.connect(str(db), config=config) as con:
        con.begin()
        try:
            if models:
                con.execute(";\n".join(models))
            failing = con.execute(checks).fetchall() if tests else []
        except duckdb.Error as exc:
            con.rollback()
            log.warning("replaying dbt's SQL failed (%s); running dbt instead", exc)
            return False
        failed = [f"{tests[k].node}: {n} failing rows" for k, n in sorted(failing) if n]
        if failed:
            con.rollback()
            raise ReplayTestFailed("data tests failed:\n" + "\n".join(failed))
        con.commit()
    return True
