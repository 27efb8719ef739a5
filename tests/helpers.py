"""Helpers shared by unit and integration tests (fixtures stay in conftest.py)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from juesuan.synth import SynthDoc

SUBJECT_COLUMNS = {
    "income": ("total", "fiscal_grant", "upper_grant", "business", "operating", "subsidiary", "other"),
    "expenditure": ("total", "basic", "project", "upper_remit", "operating", "subsidiary"),
    "gpb_expenditure": ("total", "basic", "project"),
}
THREE_PUBLIC = [f"{stage}:{item}" for stage in ("budget", "final")
                for item in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")]
_SUBJECT_LEVELS = {3: "class", 5: "section", 7: "item"}  # 功能分类 level by code length


def subject_rows(names: dict[str, str]) -> list[dict[str, str]]:
    """Code-list rows as in seeds/function_subjects.csv, from code → name (the level follows from the code)."""
    return [{"subject_code": code, "subject_level": _SUBJECT_LEVELS[len(code)], "subject_name": name}
            for code, name in names.items()]


def expected_cells(doc: SynthDoc) -> dict[tuple[str, str | None, str], Decimal]:
    t = doc.tables
    out: dict[tuple[str, str | None, str], Decimal] = {}
    for key, columns in SUBJECT_COLUMNS.items():
        for row in getattr(t, key):
            for column, v in zip(columns, row.values, strict=True):
                if v is not None:
                    out[(key, row.code, column)] = Decimal(v) / 100
    for block in t.econ:
        for code, _, v in block:
            if v is not None:
                out[("gpb_basic_econ", code, "amount")] = Decimal(v) / 100
    out[("gpb_basic_econ", "personnel", "amount")] = Decimal(t.econ_totals[0]) / 100
    out[("gpb_basic_econ", "public", "amount")] = Decimal(t.econ_totals[1]) / 100
    for column, v in zip(THREE_PUBLIC, t.three_public or [], strict=False):
        out[("three_public", None, column)] = Decimal(v) / 100
    return out


def last_run(warehouse: Path) -> tuple[bool, int]:
    """(incremental, rebuilt_documents) of the warehouse's last published build."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select incremental, rebuilt_documents from audit.build_runs "
                           "order by run_finished_at desc limit 1").fetchone()


def marts_snapshot(warehouse: Path, *, with_paths: bool = True) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted, without load timestamps (and without file paths when asked)."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'marts' order by 1").fetchall()]
        for table in tables:
            cols = [f'"{c}"' for c, typ in con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position", [table]).fetchall()
                if not typ.startswith("TIMESTAMP") and (with_paths or not c.endswith("source_file"))]
            out[table] = sorted(con.execute(f'select {", ".join(cols)} from marts."{table}"').fetchall(), key=repr)
    return out


@dataclass(frozen=True)
class KeptBuild:
    """A built corpus and warehouse kept aside, so that several tests can each start from the
    state one build left instead of building again (``restore`` puts it back where it was built).

    The no-change check compares the published file's stat (size, mtime, inode): the kept
    warehouse is a hard link, which a build never writes through (it publishes a new file with
    os.replace), so the restored file is the very one the manifest names. Corpus files are
    copies (new inodes), which the check settles by their content hash, as after a ``touch``.
    """

    corpus: Path
    warehouse: Path
    keep: Path

    @classmethod
    def keep_aside(cls, corpus: Path, warehouse: Path, keep: Path) -> KeptBuild:
        keep.mkdir(parents=True)
        shutil.copytree(corpus, keep / "corpus", symlinks=True)
        os.link(warehouse, keep / "warehouse")
        for f in warehouse.parent.iterdir():  # the manifest, waivers.csv: what the build left beside it
            if f.is_file() and f != warehouse:
                shutil.copy2(f, keep / f.name)
        return cls(corpus, warehouse, keep)

    def restore(self) -> tuple[Path, Path]:
        shutil.rmtree(self.corpus)
        shutil.copytree(self.keep / "corpus", self.corpus, symlinks=True)
        shutil.rmtree(self.warehouse.parent)
        self.warehouse.parent.mkdir()
        os.link(self.keep / "warehouse", self.warehouse)
        for f in self.keep.iterdir():
            if f.is_file() and f.name != "warehouse":
                shutil.copy2(f, self.warehouse.parent / f.name)
        return self.corpus, self.warehouse
