"""Synthetic corpus (`juesuan synth`): the generator and the parsers agree.

A clean synthetic corpus in all three layouts parses with no ingest error, every printed
cell is read back as printed, and the audit finds nothing of severity error; with
--error-rate 1.0 every injected error is found by the audit (recall per category).
"""

from __future__ import annotations

import csv
import shutil
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from ingest.parse import parse_bytes
from juesuan.cli import main
from juesuan.nochange import manifest_path
from juesuan.synth import (
    CATEGORIES,
    LAYOUT_NARRATIVE,
    expected_rule_ids,
    generate,
    iter_docs,
    labels_path,
)
from tests.helpers import expected_cells, last_run

pytestmark = pytest.mark.slow

N_DOCS = 30


def _build(corpus: Path, warehouse: Path) -> None:
    assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse), "--workers", "2"]) == 0


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("synth_clean")
    summary = generate(N_DOCS, root / "corpus", seed=11)
    _build(root / "corpus", root / "w.duckdb")
    return root / "corpus", root / "w.duckdb", summary


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, str]]]:
    root = tmp_path_factory.mktemp("synth_errors")
    summary = generate(N_DOCS, root / "corpus", seed=12, error_rate=1.0)
    assert summary["errors_injected"] == N_DOCS
    _build(root / "corpus", root / "w.duckdb")
    with open(summary["labels_file"], encoding="utf-8", newline="") as fh:
        labels = list(csv.DictReader(fh))
    return root / "corpus", root / "w.duckdb", labels


def test_corpus_has_all_layouts_years_and_places(clean):
    _, warehouse, summary = clean
    assert summary["documents"] == N_DOCS and summary["errors_injected"] == 0
    assert set(summary["layouts"]) == {"tab_separated", "pdftotext_flow", "narrative_only"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        layouts = dict(con.execute("select layout, count(*) from marts.dim_document group by 1").fetchall())
        years = {r[0] for r in con.execute("select distinct fiscal_year from marts.dim_document").fetchall()}
        cities = con.execute("select count(distinct city) from marts.dim_unit").fetchone()[0]
    assert layouts == summary["layouts"]
    assert len(years) >= 3 and cities >= 5


def test_clean_corpus_ingests_without_errors(clean):
    _, warehouse, _ = clean
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == N_DOCS
        errors = con.execute("select source_file, stage, reason from raw.ingest_errors").fetchall()
        ambiguities = con.execute("select count(*) from raw.ambiguities").fetchone()[0]
    assert errors == []
    assert ambiguities == 0


def test_clean_corpus_has_no_error_findings(clean):
    """The generator's identities hold within rounding: the audit must not call any of it an error."""
    _, warehouse, _ = clean
    with duckdb.connect(str(warehouse), read_only=True) as con:
        errors = con.execute("select rule_id, message from audit.findings where severity = 'error'").fetchall()
        checks = con.execute("select count(*) from audit.checks").fetchone()[0]
    assert checks > N_DOCS * 50  # the audit really evaluated the corpus
    assert errors == []


def test_parsers_read_every_printed_cell():
    """Cell by cell: what the parsers read is what the generator printed (tab and flow layouts)."""
    checked = Counter()
    for doc in iter_docs(N_DOCS, seed=11):
        report, _, _ = parse_bytes(doc.data)
        assert report.layout == doc.layout, doc.file
        ident = report.identity
        assert (ident.unit_name, ident.fiscal_year, ident.report_scope) == (
            doc.unit_name, doc.fiscal_year, doc.report_scope), doc.file
        assert report.problems == [] and report.ambiguities == [], doc.file
        assert len(report.facts) > 40, doc.file
        if doc.layout == LAYOUT_NARRATIVE:
            continue
        got = {(c.table_key, None if c.row_kind == "total" else c.code, c.column_key): c.amount_wan
               for c in report.cells if c.table_key in ("income", "expenditure", "gpb_expenditure",
                                                         "gpb_basic_econ", "three_public")}
        assert got == expected_cells(doc), doc.file
        checked[doc.layout] += 1
    assert checked["tab_separated"] and checked["pdftotext_flow"]


def test_deterministic_and_prefix_stable(tmp_path: Path):
    a = generate(12, tmp_path / "a", seed=3, error_rate=0.5)
    b = generate(12, tmp_path / "b", seed=3, error_rate=0.5)
    files_a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert files_a == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert labels_path(tmp_path / "a").read_bytes().replace(b"/a", b"/b") == labels_path(tmp_path / "b").read_bytes()
    assert a["errors_injected"] == b["errors_injected"]
    # one more report: the first twelve files are byte-identical, one file is added
    generate(13, tmp_path / "a", seed=3, error_rate=0.5)
    files_13 = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert len(files_13) == 13 and all(files_13[name] == data for name, data in files_a.items())
    other = {p.name for p in (generate(12, tmp_path / "c", seed=4) and (tmp_path / "c").iterdir())}
    assert other != set(files_a)


def test_injected_errors_are_found(injected):
    """Recall per category: every injected error whose expected rules the catalog has is found by a
    finding (any severity) of its category or one of those rules."""
    _, warehouse, labels = injected
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalog = {r[0] for r in con.execute("select rule_id from audit.rules").fetchall()}
        rows = con.execute("""select d.source_file, f.rule_id, f.category from audit.findings f
                              join marts.dim_document d using (document_id)""").fetchall()
        ingest_errors = con.execute("select count(*) from raw.ingest_errors where fatal").fetchone()[0]
    assert ingest_errors == 0
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for source_file, rule_id, category in rows:
        found[Path(source_file).name].add((rule_id, category))
    assert {lab["category"] for lab in labels} == set(CATEGORIES), "every category is injected at least once"
    per_category: dict[str, list[bool]] = defaultdict(list)
    unmeasured: Counter[str] = Counter()
    for lab in labels:
        expected = set(expected_rule_ids(lab["category"], lab["variant"], lab["layout"])) & catalog
        if not expected:
            unmeasured[f"{lab['category']}/{lab['variant']}"] += 1
            continue
        hits = found.get(lab["file"], set())
        per_category[lab["category"]].append(any(c == lab["category"] or r in expected for r, c in hits))
    if unmeasured:
        warnings.warn(f"injected errors no catalog rule targets yet (not measured): {dict(unmeasured)}", stacklevel=1)
    assert per_category, "no injected error was measurable"
    missed = {c: f"{sum(r)}/{len(r)}" for c, r in per_category.items() if not all(r)}
    assert missed == {}, f"injected errors the audit did not find: {missed}"


def test_unchanged_copy_builds_incrementally_and_recomputes_nothing(clean, tmp_path: Path):
    """(--full-rebuild recomputing everything all the same: test_nochange.py)"""
    corpus, built, _ = clean
    assert last_run(built) == (False, N_DOCS)
    # a copy without the no-change manifest cannot skip: the incremental path recomputes nothing
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(built, warehouse)
    assert not manifest_path(warehouse).exists()
    _build(corpus, warehouse)
    assert last_run(warehouse) == (True, 0), "nothing changed: an incremental build recomputes nothing"
