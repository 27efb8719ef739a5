"""Compare two built warehouses table by table: the check behind "same marts and findings".

Every table of the ``marts`` and ``audit`` schemas (``audit.build_runs`` aside: it is history) is
compared as a multiset of rows, without its timestamp columns (when a build ran is not what it
built). Prints one line per table and exits 1 when any table differs or exists on one side only.

    python scripts/compare_warehouses.py before.duckdb after.duckdb
"""

from __future__ import annotations

import argparse
import sys

import duckdb

SCHEMAS = ("marts", "audit")
SKIP = {("audit", "build_runs")}


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables "
                       "where table_catalog = ? and table_type = 'BASE TABLE'", [catalog]).fetchall()
    return {(s, t) for s, t in rows if s in SCHEMAS and (s, t) not in SKIP}


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    rows = con.execute("select column_name, data_type from information_schema.columns where table_catalog = ? "
                       "and table_schema = ? and table_name = ? order by ordinal_position",
                       [catalog, schema, table]).fetchall()
    return [name for name, dtype in rows if not dtype.startswith("TIMESTAMP")]


def compare(before: str, after: str) -> list[str]:
    """One line per table; lines starting with 'DIFF' or 'ONLY' mark a difference."""
    out: list[str] = []
    with duckdb.connect() as con:
        con.execute("attach ? as a (read_only)", [before])
        con.execute("attach ? as b (read_only)", [after])
        ta, tb = _tables(con, "a"), _tables(con, "b")
        for schema, table in sorted(ta ^ tb):
            out.append(f"ONLY in {'before' if (schema, table) in ta else 'after'}: {schema}.{table}")
        for schema, table in sorted(ta & tb):
            cols_a, cols_b = _columns(con, "a", schema, table), _columns(con, "b", schema, table)
            if cols_a != cols_b:
                out.append(f"DIFF {schema}.{table}: columns {cols_a} vs {cols_b}")
                continue
            # identifiers come from information_schema of the two files, quoted; no input text
            sel = ", ".join('"' + c.replace('"', '""') + '"' for c in cols_a)
            name = f'"{schema}"."{table}"'
            count = con.execute(f"select (select count(*) from a.{name}), (select count(*) from b.{name}), "
                                f"(select count(*) from (select {sel} from a.{name} except all "
                                f"select {sel} from b.{name})), "
                                f"(select count(*) from (select {sel} from b.{name} except all "
                                f"select {sel} from a.{name}))").fetchone()
            assert count is not None
            n_a, n_b, only_a, only_b = count
            tag = "same" if only_a == only_b == 0 else "DIFF"
            out.append(f"{tag} {schema}.{table}: {n_a} rows before, {n_b} after, "
                       f"{only_a} only before, {only_b} only after")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("before")
    p.add_argument("after")
    args = p.parse_args(argv)
    lines = compare(args.before, args.after)
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if any(not line.startswith("same") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
