"""Waivers (juesuan waive) and the findings filters (DESIGN §3, issue 15 items 4–5).

004 (洪山 2022 部门) states 完成年初预算的 97.2% where its amounts give 102.91%: the samples'
only error-severity finding. An auditor waives it; it stays waived through a full rebuild of the
same content, is hidden by `findings` and shown by `findings --all`; when the report's text
changes, the waiver no longer applies and says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import main
from tests.conftest import SAMPLES
from tests.helpers import KeptBuild

pytestmark = pytest.mark.slow


def _error_key(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select finding_key, rule_id, actual, expected from audit.findings "
                           "where severity = 'error'").fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


@pytest.fixture(scope="module")
def kept(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[KeptBuild, str]:
    """The error waived and the samples rebuilt in full, once; each test starts from that state."""
    root = tmp_path_factory.mktemp("waived")
    corpus, warehouse = root / "corpus", root / "wh" / "juesuan.duckdb"
    shutil.copytree(SAMPLES, corpus)
    warehouse.parent.mkdir()
    shutil.copy(sample_warehouse, warehouse)
    key = _error_key(warehouse)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("JUESUAN_WAIVERS", raising=False)
        assert main(["-q", "waive", key, "--reason", "已核实：年初预算口径不同", "--by", "审计员甲",
                     "--warehouse", str(warehouse)]) == 0
        assert main(["-q", "build", "--full-rebuild", "--corpus", str(corpus), "--warehouse", str(warehouse)]) == 0
    return KeptBuild.keep_aside(corpus, warehouse, root / "kept"), key


@pytest.fixture()
def waived(kept: tuple[KeptBuild, str], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, Path]:
    monkeypatch.delenv("JUESUAN_WAIVERS", raising=False)
    build, key = kept
    corpus, warehouse = build.restore()
    return warehouse, key, corpus


def test_waiver_is_a_csv_line_beside_the_warehouse(waived) -> None:
    warehouse, key, _ = waived
    lines = (warehouse.parent / "waivers.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "finding_key,document_id,rule_id,subject_code,actual,reason,waived_by,waived_at"
    assert lines[1].startswith(f"{key},2022_") and "已核实：年初预算口径不同,审计员甲," in lines[1]


def test_waived_finding_survives_a_full_rebuild_and_is_hidden(waived, capsys) -> None:
    warehouse, key, _ = waived
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select waived, waived_by, waived_reason from audit.findings where finding_key = ?",
                           [key]).fetchone() == (True, "审计员甲", "已核实：年初预算口径不同")
        assert con.execute("select status from audit.waivers").fetchall() == [("applied",)]
        last = json.loads(con.execute("select findings_by_severity from audit.build_runs "
                                      "order by run_started_at desc limit 1").fetchone()[0])
        assert (last["error"], last["waived"]) == (0, 1)
    capsys.readouterr()
    assert main(["findings", "--severity", "error", "--warehouse", str(warehouse)]) == 0
    assert "no findings" in capsys.readouterr().out
    assert main(["findings", "--all", "--severity", "error", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert key in out and "waived 已豁免 by 审计员甲" in out and "97.2" in out


def test_build_summary_counts_waived_apart(waived, capsys) -> None:
    warehouse, _, corpus = waived
    capsys.readouterr()
    assert main(["build", "--corpus", str(corpus), "--warehouse", str(warehouse)]) == 0
    assert "findings: 0 error," in capsys.readouterr().out


def test_waiver_of_a_changed_report_no_longer_applies(waived, capsys) -> None:
    warehouse, key, corpus = waived
    report = next(corpus.glob("004_*.txt"))
    report.write_text(report.read_text(encoding="utf-8") + "\n（更正版）\n", encoding="utf-8")
    assert main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse)]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status from audit.waivers where finding_key = ?", [key]).fetchone() == (
            "report_changed",)
        assert con.execute("select count(*) from audit.findings where severity = 'error' and not waived"
                           ).fetchone() == (1,)
    capsys.readouterr()
    assert main(["findings", "--all", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "waivers that no longer apply" in out and "the report changed" in out


def test_waive_an_unknown_key_is_a_usage_error(sample_warehouse: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("JUESUAN_WAIVERS", str(tmp_path / "w.csv"))
    assert main(["waive", "nope", "--reason", "x", "--warehouse", str(sample_warehouse)]) == 2
    assert "no finding with key 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "w.csv").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["--category", "bogus"], "unknown category 'bogus'; valid: "),
    (["--category", "CR"], "completion_rate"),
    (["--rule", "ZZ9"], "unknown rule 'ZZ9'; valid: a family"),
    (["--unit", "不存在"], "--unit '不存在' matches no report; units: "),
    (["--year", "1999"], "--year 1999 matches no report; years: 2020, 2022, 2023, 2024"),
    (["--unit", "洪山", "--year", "2024"], "years: 2022, 2023"),
])
def test_a_filter_that_names_nothing_is_a_usage_error(sample_warehouse: Path, capsys, args, says) -> None:
    assert main(["findings", *args, "--warehouse", str(sample_warehouse)]) == 2
    assert says in capsys.readouterr().err


def test_rule_family_and_id_filters(sample_warehouse: Path, capsys) -> None:
    assert main(["findings", "--rule", "CR", "--warehouse", str(sample_warehouse)]) == 0
    family = capsys.readouterr().out
    assert main(["findings", "--rule", "CR02", "--warehouse", str(sample_warehouse)]) == 0
    one = capsys.readouterr().out
    assert "CR02" in one and all(" CR" in ln for ln in one.splitlines() if ln.startswith("  ["))
    assert len(family.splitlines()) >= len(one.splitlines())
