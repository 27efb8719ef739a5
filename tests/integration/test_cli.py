"""The CLI contract: --help, usage errors exit 2, sql formats, missing warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import main


def test_help_lists_verbs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for verb in ("build", "sql", "findings", "publish-postgres", "synth"):
        assert verb in out
    assert "75" in out


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sql", "--format", "xml", "select 1"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_sql_without_warehouse_fails_clearly(tmp_path: Path, capsys):
    assert main(["sql", "--warehouse", str(tmp_path / "none.duckdb"), "select 1"]) == 1
    assert "juesuan build" in capsys.readouterr().err


def test_sql_formats(sample_warehouse: Path, capsys):
    q = "select fiscal_year, unit_name from marts.dim_document where fiscal_year = 2024"
    assert main(["sql", "--warehouse", str(sample_warehouse), "--format", "csv", q]) == 0
    assert capsys.readouterr().out.splitlines() == ["fiscal_year,unit_name", "2024,武汉市硚口区企业服务中心"]
    assert main(["sql", "--warehouse", str(sample_warehouse), q]) == 0
    assert "(1 row)" in capsys.readouterr().out


def test_sql_is_read_only(sample_warehouse: Path, capsys):
    assert main(["sql", "--warehouse", str(sample_warehouse), "delete from marts.dim_document"]) == 1
    assert "read-only" in capsys.readouterr().err.lower()


def test_console_script_installed():
    exe = Path(sys.executable).with_name("juesuan")
    proc = subprocess.run([str(exe), "build", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "--corpus" in proc.stdout


def test_strict_exits_3_on_error_findings(sample_warehouse: Path, tmp_path: Path, capsys):
    """--strict: 004's stated 97.2 % (102.91 % from its amounts) is an error-severity finding; the
    build publishes all the same, so the exit code is 3, not 1 (1 = failed, warehouse unchanged)."""
    out = tmp_path / "juesuan.duckdb"
    shutil.copy(sample_warehouse, out)
    assert main(["-q", "build", "--strict", "--warehouse", str(out)]) == 3
    assert "--strict: published, with 1 error-severity findings" in capsys.readouterr().err
    with duckdb.connect(str(out), read_only=True) as con:  # published all the same
        assert con.execute("select count(*) from audit.build_runs").fetchone() == (2,)
