"""``juesuan shell``: an interactive, read-only SQL prompt on the published warehouse.

It needs nothing beyond the DuckDB Python package juesuan already installs (the standalone
``duckdb`` CLI on PyPI may not read the warehouse's storage version). Statements end with ``;``
and may span lines; several on one line run in order. Results print as ``juesuan sql`` prints
them (``table``, ``csv`` or ``json``). History is kept in ``~/.juesuan_history`` (or
``$JUESUAN_HISTORY``). When stdin is not a terminal the input is run as a script and the first
error stops it (exit 1).

The connection is read-only. A build publishes by replacing the file, so the shell notices a
new file before each statement and reopens it: a long session never reads a stale warehouse.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO

import duckdb

from juesuan.query import QueryResult, WarehouseMissing, format_result

FORMATS = ("table", "csv", "json")
PROMPT, CONTINUE = "juesuan> ", "    ...> "
BANNER = """juesuan shell: read-only SQL on {path}
Schemas: marts (star schema), audit (rules, checks, findings), raw (loader output), reference (seeds).
End each statement with ';'. Type .help for commands, .quit or Ctrl-D to leave."""
HELP = """Commands:
  .tables [SCHEMA]     tables and views (of one schema)
  .describe TABLE      columns of a table, with their documentation
  .format table|csv|json   output format (also .mode)
  .maxrows N           rows shown in table format (default 200; csv and json print all)
  .timer on|off        print each statement's time
  .read FILE           run the statements in FILE
  .help                this text
  .quit, .exit         leave (Ctrl-D too)
Anything else is SQL, ended by ';'. Example:
  select d.unit_name, d.fiscal_year, f.severity, f.message
  from audit.findings f join marts.dim_document d using (document_id)
  where d.is_current and f.severity = 'error';"""


def history_path() -> Path:
    return Path(os.environ.get("JUESUAN_HISTORY") or Path.home() / ".juesuan_history").expanduser()


class Shell:
    def __init__(self, warehouse: Path, fmt: str = "table", out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        if not warehouse.exists():
            raise WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first")
        self.warehouse = warehouse
        self.fmt = fmt
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.maxrows = 200
        self.timer = False
        self.con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None
        self._open()

    # ------------------------------------------------------------------ connection

    def _stat(self) -> tuple[int, int]:
        st = self.warehouse.stat()
        return st.st_ino, st.st_mtime_ns

    def _open(self) -> None:
        if self.con is not None:
            self.con.close()
        # no extension is fetched from the internet behind the analyst's back
        self.con = duckdb.connect(str(self.warehouse), read_only=True,
                                  config={"autoinstall_known_extensions": False})
        self._identity = self._stat()

    def _fresh(self) -> duckdb.DuckDBPyConnection:
        """The connection, reopened first when a build has published a new file since."""
        try:
            if self._stat() != self._identity:
                self._open()
                print(f"(the warehouse was republished: reopened {self.warehouse})", file=self.err)
        except FileNotFoundError:
            pass  # between a build's unlink and rename: keep the open file
        assert self.con is not None
        return self.con

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    # ------------------------------------------------------------------ input

    @staticmethod
    def complete(buffer: str) -> bool:
        """A buffer is ready to run when it ends with ';' outside a string or comment."""
        text = buffer.rstrip()
        if not text.endswith(";"):
            return False
        quote: str | None = None
        i = 0
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif text.startswith("--", i):
                nl = text.find("\n", i)
                if nl < 0:
                    return False
                i = nl
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    return False
                i = end + 1
            i += 1
        return quote is None

    def run_sql(self, text: str) -> bool:
        """Run every statement in ``text``; False after the first that fails (the rest are skipped)."""
        con = self._fresh()
        try:
            statements = con.extract_statements(text)
        except duckdb.Error as exc:
            print(f"Error: {exc}", file=self.err)
            return False
        for stmt in statements:
            started = time.monotonic()
            try:
                cur = con.execute(stmt)
                if not cur.description:
                    self._print("OK")
                    continue
                columns = [d[0] for d in cur.description]
                limit = self.maxrows if self.fmt == "table" else None
                rows = cur.fetchmany(limit + 1) if limit else cur.fetchall()
                more = bool(limit) and len(rows) > limit
                self._print(format_result(QueryResult(columns, rows[:limit] if limit else rows), self.fmt))
                if more:
                    rest = len(cur.fetchall())
                    print(f"(showing the first {limit} of {limit + 1 + rest} rows: .maxrows N, or .format csv)",
                          file=self.err)
            except duckdb.Error as exc:
                message = str(exc)
                if "read-only" in message or "read only" in message:
                    message += "\n(juesuan shell is read-only: the warehouse is rebuilt by `juesuan build`)"
                print(f"Error: {message}", file=self.err)
                return False
            except KeyboardInterrupt:
                con.interrupt()
                print("(interrupted)", file=self.err)
                return False
            if self.timer:
                print(f"({time.monotonic() - started:.3f} s)", file=self.err)
        return True

    def _print(self, text: str) -> None:
        print(text, file=self.out)
        self.out.flush()

    def command(self, line: str) -> bool | None:
        """A dot command; None means quit."""
        word, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        if word in (".quit", ".exit", ".q"):
            return None
        if word == ".help":
            self._print(HELP)
        elif word in (".format", ".mode"):
            if arg not in FORMATS:
                print(f"Error: .format takes one of {', '.join(FORMATS)}", file=self.err)
                return False
            self.fmt = arg
        elif word == ".maxrows":
            if not arg.isdigit() or int(arg) < 1:
                print("Error: .maxrows takes a positive number", file=self.err)
                return False
            self.maxrows = int(arg)
        elif word == ".timer":
            self.timer = arg.lower() in ("on", "1", "true")
        elif word == ".tables":
            where = "where table_schema = ?" if arg else "where table_schema not in ('information_schema', 'pg_catalog')"
            return self._query(f"""select table_schema as schema, table_name as "table", table_type as type
                                   from information_schema.tables {where} order by 1, 2""", [arg] if arg else [])
        elif word in (".describe", ".schema"):
            if not arg:
                print("Error: .describe takes a table, e.g. .describe marts.fct_expenditure", file=self.err)
                return False
            schema, _, table = arg.rpartition(".")
            return self._query("""select column_name as "column", data_type as type, comment
                                  from duckdb_columns() where table_name = ? and (? = '' or schema_name = ?)
                                  order by schema_name, column_index""", [table, schema, schema])
        elif word == ".read":
            try:
                return self.run_sql(Path(arg).expanduser().read_text(encoding="utf-8"))
            except OSError as exc:
                print(f"Error: {exc}", file=self.err)
                return False
        else:
            print(f"Error: unknown command {word} (.help lists them)", file=self.err)
            return False
        return True

    def _query(self, sql: str, params: list[str]) -> bool:
        cur = self._fresh().execute(sql, params)
        columns = [d[0] for d in cur.description]
        self._print(format_result(QueryResult(columns, cur.fetchall()), self.fmt))
        return True

    # ------------------------------------------------------------------ loops

    def run_script(self, source: TextIO) -> int:
        """Non-interactive: run the input line by line; the first error stops it (exit 1)."""
        buffer = ""
        for line in source:
            if not buffer and line.strip().startswith("."):
                ok = self.command(line)
                if ok is None:
                    return 0
                if not ok:
                    return 1
                continue
            buffer += line
            if self.complete(buffer):
                if not self.run_sql(buffer):
                    return 1
                buffer = ""
        if buffer.strip():
            return 0 if self.run_sql(buffer) else 1
        return 0

    def run_interactive(self) -> int:
        try:
            import readline
        except ImportError:  # pragma: no cover - not on Debian's Python
            readline = None  # type: ignore[assignment]
        history = history_path()
        if readline is not None:
            readline.set_auto_history(False)  # one entry per statement, added below
            readline.set_history_length(2000)
            try:
                readline.read_history_file(history)
            except (FileNotFoundError, OSError):
                pass
        print(BANNER.format(path=self.warehouse), file=self.err)
        buffer = ""
        try:
            while True:
                try:
                    line = input(CONTINUE if buffer else PROMPT)
                except KeyboardInterrupt:
                    print(file=self.err)
                    buffer = ""
                    continue
                except EOFError:
                    print(file=self.err)
                    break
                if not buffer and line.strip().startswith("."):
                    if readline is not None:
                        readline.add_history(line.strip())
                    if self.command(line) is None:
                        break
                    continue
                if not buffer and not line.strip():
                    continue
                buffer += line + "\n"
                if self.complete(buffer):
                    if readline is not None:  # one history entry per statement, not per line
                        readline.add_history(" ".join(buffer.split()))
                    self.run_sql(buffer)
                    buffer = ""
        finally:
            if readline is not None:
                try:
                    history.parent.mkdir(parents=True, exist_ok=True)
                    readline.write_history_file(history)
                except OSError as exc:
                    print(f"(history not saved: {exc})", file=self.err)
        return 0


def run_shell(warehouse: Path, fmt: str = "table", stdin: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    shell = Shell(warehouse, fmt)
    try:
        return shell.run_interactive() if stdin.isatty() else shell.run_script(stdin)
    finally:
        shell.close()
