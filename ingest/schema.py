"""The raw.* tables, declared once: per table, its columns in order (name, DuckDB type,
nullable, description) and the name each has in the dbt staging model.

Everything that spells these columns derives from this module:

- the DDL the loader runs (:func:`ddl`): ``create table`` plus the descriptions as DuckDB
  comments, so ``duckdb_columns()`` documents raw.* as it documents the marts;
- the loader's rows (:func:`columns`): a column is read from the record attribute of the same
  name (``ingest.records``) unless the loader supplies it; tests check that every record
  field is a column of its table (``RECORDS``);
- dbt: ``models/staging/_sources.yml`` (the raw tables and columns, with types and
  descriptions) and the staging models ``models/staging/stg_reports__<table>.sql`` (1:1 with
  raw, columns renamed where ``Column.staging`` says) are generated files, written by
  ``python -m ingest.schema``; tests/integration/test_contracts.py fails when they are stale.

Why generated files rather than a dbt macro that lists a source's columns: a macro would have
to read them from the warehouse at run time, while sqlfluff and ``dbt parse`` render the models
without one; generated SQL stays plain, lints as it is, and dbt docs show every raw column
with its description. The cost is one command to run after editing this module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

from ingest.records import Ambiguity, CodeRepair, NarrativeFact, TableCell, TablePresence

REPO = Path(__file__).resolve().parent.parent
STAGING_DIR = REPO / "models" / "staging"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type, lower case
    nullable: bool
    description: str
    staging: str | None = None  # name in the staging model, when it differs
    primary_key: bool = False

    @property
    def staging_name(self) -> str:
        return self.staging or self.name


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, type_: str, nullable: bool, description: str, staging: str | None = None,
       primary_key: bool = False) -> Column:
    return Column(name, type_, nullable, description, staging, primary_key)


NULL, NOT_NULL = True, False
_DOC = _c("document_id", "varchar", NOT_NULL, "文件标识 (document key: year, unit, scope and text hash).")
_LINE = "源行号 (1-based line in the report's text; for a PDF, its page text, all pages in order)"

TABLES: tuple[Table, ...] = (
    Table("source_files", "Every input file seen by a build and what became of it (loaded / unchanged / "
          "duplicate / error).", (
        _c("source_file", "varchar", NOT_NULL, "源文件路径 (path of the input file as given)."),
        _c("content_sha256", "varchar", NULL, "内容哈希 (SHA-256 of the file's bytes; null when it could not be read)."),
        _c("size_bytes", "bigint", NULL, "文件大小 (bytes)."),
        _c("status", "varchar", NOT_NULL, "处理结果 (loaded / unchanged / duplicate / error).", "file_status"),
        _c("document_id", "varchar", NULL, "文件标识 (the document the file became or duplicates; null on error)."),
        _c("loaded_at", "timestamp", NOT_NULL, "装载时间 (when the build read the file, UTC)."),
    )),
    Table("documents", "One row per parsed report (部门决算 / 单位决算 document).", (
        _c("document_id", "varchar", NOT_NULL, "文件标识 (document key: year, unit, scope and text hash).",
           primary_key=True),
        _c("source_file", "varchar", NOT_NULL, "源文件路径 (the first file with this report)."),
        _c("content_sha256", "varchar", NOT_NULL, "内容哈希 (SHA-256 of the file's bytes)."),
        _c("text_sha256", "varchar", NULL, "文本哈希 (SHA-256 of the normalised text: the same report in "
           "another encoding hashes alike)."),
        _c("published_on", "date", NULL, "发布日期 (date printed under the title, if any)."),
        _c("published_line", "integer", NULL, "发布日期所在行 (line of that date)."),
        _c("layout", "varchar", NOT_NULL, "版式 (tab_separated / pdftotext_flow / narrative_only / pdf_ruled)."),
        _c("unit_id", "varchar", NOT_NULL, "单位标识 (hash of the unit name)."),
        _c("unit_name", "varchar", NOT_NULL, "单位名称 (from the content, 本级 stripped)."),
        _c("fiscal_year", "integer", NOT_NULL, "年度 (fiscal year of the accounts)."),
        _c("report_scope", "varchar", NOT_NULL, "决算范围 (department = 部门决算 / unit = 单位决算)."),
        _c("district", "varchar", NULL, "区 (district named in the unit name)."),
        _c("city", "varchar", NULL, "市 (city)."),
        _c("province", "varchar", NULL, "省 (province)."),
        _c("encoding", "varchar", NULL, "编码 (text encoding read, or pdf)."),
        _c("line_count", "integer", NULL, "行数 (lines of the decoded text)."),
        _c("title_line", "integer", NULL, "标题行 (line the identity was read from)."),
        _c("parser_version", "varchar", NULL, "解析器版本 (a new version re-parses unchanged files)."),
        _c("version_rank", "integer", NULL, "版本序号 (1 = the version to use among republished reports)."),
        _c("is_current", "boolean", NULL, "是否现行版本 (version_rank = 1)."),
        _c("loaded_at", "timestamp", NOT_NULL, "装载时间 (when the build parsed the file, UTC)."),
    )),
    Table("document_members", "Units a department report lists in its 决算编制范围.", (
        _DOC,
        _c("member_name", "varchar", NOT_NULL, "成员单位名称 (unit listed in the report's scope)."),
        _c("source_line", "integer", NULL, f"{_LINE}."),
    )),
    Table("table_cells", "Every printed amount of the nine tables, with table, line, column and raw text.", (
        _DOC,
        _c("table_key", "varchar", NOT_NULL, "表 (semantic key of the table, seeds/layout_tables.csv)."),
        _c("table_no", "varchar", NULL, "表号 (as printed: 公开03表 → 03, 表 3 → 3)."),
        _c("source_line", "integer", NOT_NULL, f"{_LINE}."),
        _c("raw_text", "varchar", NULL, "原文 (the row as printed)."),
        _c("row_kind", "varchar", NOT_NULL, "行类型 (subject / total / line / econ / econ_total / item)."),
        _c("code_printed", "varchar", NULL, "科目编码（原文）(code as printed, maybe cut short)."),
        _c("code", "varchar", NULL, "科目编码 (repaired code; equals code_printed when nothing was repaired)."),
        _c("name", "varchar", NULL, "科目名称 / 项目 (row label).", "row_name"),
        _c("side", "varchar", NULL, "收支方 (income / expenditure, for the two-sided 01/04 tables)."),
        _c("line_no", "integer", NULL, "行次 (as printed in 01/04)."),
        _c("column_key", "varchar", NOT_NULL, "栏 (semantic key of the column, seeds/layout_columns.csv)."),
        _c("amount_wan", "decimal(18,2)", NOT_NULL, "金额（万元）(the printed amount)."),
        _c("page_no", "integer", NULL, "页码 (PDF page of the row)."),
        _c("row_no", "integer", NULL, "表内行号 (PDF: row within that page's table)."),
        _c("col_no", "integer", NULL, "列号 (PDF: 1-based column)."),
        _c("cell_box", "varchar", NULL, "单元格位置 (PDF: 'x0 top x1 bottom' in points)."),
    )),
    Table("table_presence", "Which of the nine tables a document has, and whether they parsed.", (
        _DOC,
        _c("table_key", "varchar", NOT_NULL, "表 (semantic key of the table)."),
        _c("table_no", "varchar", NULL, "表号 (as printed)."),
        _c("title", "varchar", NULL, "表名 (title as printed, or the standard title when absent)."),
        _c("status", "varchar", NOT_NULL, "状态 (parsed / empty / absent / failed)."),
        _c("source_line", "integer", NULL, f"{_LINE} of the title."),
        _c("note", "varchar", NULL, "说明 (why absent or failed; pages read)."),
        _c("page_no", "integer", NULL, "页码 (PDF: first page of the table)."),
    )),
    Table("code_repairs", "Codes cut short by the extractor and the code each was repaired to, with the proof.", (
        _DOC,
        _c("table_key", "varchar", NOT_NULL, "表 (table of the row)."),
        _c("source_line", "integer", NOT_NULL, f"{_LINE}."),
        _c("code_printed", "varchar", NOT_NULL, "科目编码（原文）(code as printed)."),
        _c("code", "varchar", NOT_NULL, "修复后编码 (the proven code).", "code_repaired"),
        _c("name", "varchar", NULL, "科目名称 (row name).", "row_name"),
        _c("method", "varchar", NULL, "依据 (how the code was proven)."),
    )),
    Table("ambiguities", "Values the text could not place in a column; recorded instead of guessed.", (
        _DOC,
        _c("table_key", "varchar", NOT_NULL, "表 (table of the row)."),
        _c("source_line", "integer", NULL, f"{_LINE}."),
        _c("raw_text", "varchar", NULL, "原文 (the row as printed)."),
        _c("reason", "varchar", NULL, "原因 (which columns each value could be, and why)."),
    )),
    Table("narrative_facts", "Figures stated in the 情况说明 narrative, one row per fact.", (
        _DOC,
        _c("fact_seq", "integer", NOT_NULL, "序号 (fact number within the document, in line order)."),
        _c("section", "varchar", NULL, "说明部分 (narrative section the fact is in)."),
        _c("metric", "varchar", NOT_NULL, "指标 (ingest.narrative.METRICS)."),
        _c("value", "decimal(18,4)", NOT_NULL, "数值 (as stated).", "fact_value"),
        _c("unit", "varchar", NOT_NULL, "单位 (wan / pct / count / score).", "value_unit"),
        _c("value_decimals", "integer", NULL, "小数位数 (printed precision of the value)."),
        _c("subject_name", "varchar", NULL, "科目名称 (as narrated)."),
        _c("subject_code", "varchar", NULL, "科目编码 (resolved 功能分类 code)."),
        _c("subject_level", "varchar", NULL, "科目级次 (class / section / item)."),
        _c("qualifier", "varchar", NULL, "限定 (wording, base of a share, unit note …)."),
        _c("item", "varchar", NULL, "项目 (三公 item or project name)."),
        _c("source_line", "integer", NOT_NULL, f"{_LINE} where the figure starts."),
        _c("span", "varchar", NULL, "原句 (the sentence the figure came from)."),
        _c("source_page", "integer", NULL, "页码 (PDF page of source_line)."),
    )),
    Table("document_lines", "每行原文 (full text): every line of every report as parsed (blank lines "
          "included), with its page for a PDF.", (
        _DOC,
        _c("line_no", "integer", NOT_NULL, f"{_LINE}.", "source_line"),
        _c("page_no", "integer", NULL, "页码 (PDF page the line is printed on; null for a text report).",
           "source_page"),
        _c("text", "varchar", NOT_NULL, "原文 (the line as decoded, or as extracted from the PDF).", "line_text"),
    )),
    Table("ingest_errors", "Files, or parts of files, that could not be parsed, with stage, line and reason.", (
        _c("source_file", "varchar", NOT_NULL, "源文件路径."),
        _c("document_id", "varchar", NULL, "文件标识 (null when the whole file failed)."),
        _c("stage", "varchar", NOT_NULL, "阶段 (read / decode / pdf / identity / layout / parse / code_repair / "
           "narrative)."),
        _c("reason", "varchar", NOT_NULL, "原因 (what was expected and found)."),
        _c("line", "integer", NULL, "行号 (line the problem is on, when one applies)."),
        _c("fatal", "boolean", NOT_NULL, "是否致命 (true: the file did not load)."),
        _c("recorded_at", "timestamp", NOT_NULL, "记录时间 (UTC)."),
    )),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
RAW_TABLES: tuple[str, ...] = tuple(BY_NAME)
# table ← the record whose fields are its columns (the loader adds document_id and the rest)
RECORDS: dict[str, type] = {"table_cells": TableCell, "table_presence": TablePresence, "code_repairs": CodeRepair,
                            "ambiguities": Ambiguity, "narrative_facts": NarrativeFact}

Columns = dict[str, list]  # column name → values: one raw.* table's rows, column-wise


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ddl() -> str:
    """create schema/tables raw.* (if not there) and their comments, from :data:`TABLES`."""
    out = ["create schema if not exists raw;"]
    for t in TABLES:
        cols = ",\n    ".join(
            f"{c.name} {c.type}" + (" primary key" if c.primary_key else "" if c.nullable else " not null")
            for c in t.columns)
        out.append(f"create table if not exists raw.{t.name} (\n    {cols});")
        out.append(f"comment on table raw.{t.name} is {_sql_text(t.description)};")
        out += [f"comment on column raw.{t.name}.{c.name} is {_sql_text(c.description)};" for c in t.columns]
    return "\n".join(out) + "\n"


def columns(table: str, records: Sequence[object] = (), n: int | None = None, **given: object) -> Columns:
    """raw.<table> rows, column-wise, in the table's column order.

    A column's values come from ``given`` (a list of one value per row, or one value for every
    row) or else from the attribute of that name of each record. ``n`` is the row count when
    there are no records. Decimals become exact text, which DuckDB casts into DECIMAL ten times
    faster than it converts Python ``Decimal`` objects.
    """
    spec = BY_NAME[table]
    unknown = set(given) - set(spec.names)
    if unknown:
        raise KeyError(f"raw.{table} has no column {sorted(unknown)}")
    rows = len(records) if n is None else n
    # the records' attributes read by one attrgetter per record and transposed by zip, both in C,
    # instead of a getattr per column and record (a report's rows: 0.59-0.69 -> 0.50-0.55 ms)
    from_records = [c.name for c in spec.columns if c.name not in given] if records else []
    read: dict[str, list] = {}
    if len(from_records) == 1:
        read[from_records[0]] = list(map(attrgetter(from_records[0]), records))
    elif from_records:
        read = dict(zip(from_records, map(list, zip(*map(attrgetter(*from_records), records), strict=True)),
                        strict=True))
    out: Columns = {}
    for c in spec.columns:
        if c.name in given:
            value = given[c.name]
            values = list(value) if isinstance(value, list) else [value] * rows
        elif records:
            values = read[c.name]
        else:
            values = [None] * rows
        if c.type.startswith("decimal"):
            values = [format(v, "f") if isinstance(v, Decimal) else v for v in values]
        out[c.name] = values
    return out


def rows_to_columns(table: str, rows: Iterable[Mapping[str, object]]) -> Columns:
    """Row dicts → :func:`columns` (a column a row does not name is null)."""
    rows = list(rows)
    return columns(table, n=len(rows), **{name: [r.get(name) for r in rows]
                                          for name in {k for r in rows for k in r}})


def record_fields_match() -> list[str]:
    """Record fields that are not columns of their raw table (empty when the two agree)."""
    return [f"{rec.__name__}.{f.name} is no column of raw.{table}"
            for table, rec in RECORDS.items() for f in fields(rec) if f.name not in BY_NAME[table].names]


# ---------------------------------------------------------------------------------------------
# dbt files generated from TABLES


_GENERATED = "Generated from ingest/schema.py by `python -m ingest.schema`; do not edit."


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_yml() -> str:
    lines = [f"# {_GENERATED}", "version: 2", "", "sources:", "  - name: raw",
             '    description: "Written by the Python loaders (ingest/loader.py, columns declared in '
             'ingest/schema.py); one row per parsed record, with provenance."',
             "    schema: raw", "    tables:"]
    for t in TABLES:
        lines += [f"      - name: {t.name}", f"        description: {_yaml_text(t.description)}", "        columns:"]
        for c in t.columns:
            lines += [f"          - name: {c.name}", f"            data_type: {c.type}",
                      f"            description: {_yaml_text(c.description)}"]
    return "\n".join(lines) + "\n"


def document_keyed(table: str) -> bool:
    """Every row belongs to a document (document_id not null): an incremental build replaces
    the rows of the documents it rebuilds and keeps the others (macros/rebuild.sql)."""
    return any(c.name == "document_id" and not c.nullable for c in BY_NAME[table].columns)


def staging_sql(table: str) -> str:
    t = BY_NAME[table]
    cols = ",\n".join(f"    {c.name}" + (f" as {c.staging}" if c.staging else "") for c in t.columns)
    config = "{{ config(tags=['document_keyed']) }}\n" if document_keyed(table) else ""
    return (f"-- {_GENERATED}\n-- raw.{t.name}, one row per raw row; columns renamed for the models where "
            f"ingest/schema.py says.\n{config}select\n{cols}\nfrom {{{{ source('raw', '{t.name}') }}}}\n")


def generated_files() -> dict[Path, str]:
    """Path → content of every dbt file this module generates."""
    out = {STAGING_DIR / "_sources.yml": sources_yml()}
    out.update({STAGING_DIR / f"stg_reports__{t.name}.sql": staging_sql(t.name) for t in TABLES})
    return out


def main(argv: Sequence[str] = ()) -> int:
    """Write the generated dbt files; ``--check`` only says which are stale (exit 1)."""
    stale = [p for p, text in generated_files().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"stale: {p.relative_to(REPO)} (run python -m ingest.schema)")  # noqa: T201
        return 1 if stale else 0
    for p in stale:
        p.write_text(generated_files()[p], encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
