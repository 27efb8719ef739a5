"""Report layouts as data: the loaders read the same CSV seeds dbt loads.

Table titles, column orders, 01/04 line labels and the two code lists live in
``seeds/*.csv``; this module turns them into lookups the parsers share. Names are keyed
with :func:`ingest.vocab.name_key` (header paths without their quotation marks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.vocab import name_key, read_csv

SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class TableSpec:
    table_key: str
    title_zh: str
    std_no: str
    no_2020: str
    columns: tuple[str, ...]  # column_key by 栏次 order


@dataclass
class Layout:
    tables: dict[str, TableSpec]
    titles: dict[str, str]  # normalised title alias → table_key
    summary_lines: dict[tuple[str, str, str], tuple[str, str]]  # (table, side, label) → (line_key, group)
    subjects: dict[str, tuple[str, str]]  # code → (level, name)
    econ: dict[str, tuple[str, str]]
    class_by_name: dict[str, str] = field(default_factory=dict)  # 类 name → code
    # table_key → [(header path segments, column key or @role, side)] for ruled (PDF) tables
    column_headers: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = field(default_factory=dict)

    def table_for_title(self, title: str) -> str | None:
        return self.titles.get(name_key(title))

    def subject_children(self, prefix: str, length: int) -> list[tuple[str, str]]:
        return [(c, n) for c, (_, n) in self.subjects.items() if len(c) == length and c.startswith(prefix)]

    def econ_children(self, prefix: str, length: int) -> list[tuple[str, str]]:
        return [(c, n) for c, (_, n) in self.econ.items() if len(c) == length and c.startswith(prefix)]


@lru_cache(maxsize=4)
def load_layout(seed_dir: Path = SEED_DIR) -> Layout:
    tables_rows = read_csv(seed_dir / "layout_tables.csv")
    cols: dict[str, list[tuple[int, str]]] = {}
    for r in read_csv(seed_dir / "layout_columns.csv"):
        cols.setdefault(r["table_key"], []).append((int(r["column_no"]), r["column_key"]))
    tables = {
        r["table_key"]: TableSpec(
            r["table_key"], r["title_zh"], r["std_no"], r["no_2020"],
            tuple(k for _, k in sorted(cols.get(r["table_key"], []))),
        )
        for r in tables_rows
    }
    titles = {name_key(r["title_alias"]): r["table_key"] for r in read_csv(seed_dir / "layout_table_titles.csv")}
    for t in tables.values():
        titles.setdefault(name_key(t.title_zh), t.table_key)
    lines = {
        (r["table_key"], r["side"], name_key(r["label_zh"])): (r["line_key"], r["group_key"])
        for r in read_csv(seed_dir / "layout_summary_lines.csv")
    }
    subjects = {r["subject_code"]: (r["subject_level"], r["subject_name"])
                for r in read_csv(seed_dir / "function_subjects.csv")}
    econ = {r["econ_code"]: (r["econ_level"], r["econ_name"]) for r in read_csv(seed_dir / "econ_classes.csv")}
    class_by_name = {name_key(n): c for c, (lvl, n) in subjects.items() if lvl == "class"}
    headers: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = {}
    for r in read_csv(seed_dir / "layout_column_headers.csv"):
        segments = tuple(name_key(s, keep_quotes=False) for s in r["header_path"].split("/"))
        headers.setdefault(r["table_key"], []).append((segments, r["column_key"], r["side"] or None))
    return Layout(tables, titles, lines, subjects, econ, class_by_name, headers)

