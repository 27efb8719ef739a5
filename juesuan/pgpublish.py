"""Mirror the `marts` and `audit` schemas of the published warehouse into PostgreSQL.

BI tools that cannot open a DuckDB file (Metabase, Power BI, Excel, Tableau …) get a real
PostgreSQL endpoint with MVCC concurrency and a read-only role.

How a publish runs (one PostgreSQL connection, serialized per database by an advisory lock):

1. Open the DuckDB warehouse **read-only** and list every table and view of ``marts`` and
   ``audit`` with their columns, types, NOT NULL flags and comments (dbt ``persist_docs``).
2. Staging transaction: drop leftovers, create ``marts_new`` / ``audit_new``, create each
   table with mapped types, stream the rows with ``COPY``, copy the table and column comments
   (the Chinese descriptions BI users see), ``ANALYZE``. Commit. The live schemas are untouched.
3. Swap transaction (short): lock every live table ``ACCESS EXCLUSIVE`` (with a short
   ``lock_timeout``; on timeout the swap rolls back and retries, so readers are never the ones
   aborted), drop the live tables and schemas, rename ``*_new`` → live, create the read-only
   role if missing, ``GRANT CONNECT/USAGE/SELECT`` and ``ALTER DEFAULT PRIVILEGES``. Commit.

Because the swap holds exclusive locks on every old table until it commits, a reader's
statement (or transaction) sees either all old tables or all new ones, never a mix.

The read-only role (default ``juesuan_reader``) is created ``NOLOGIN`` unless a password is
given: grant it to per-tool login roles (``GRANT juesuan_reader TO metabase``), or pass
``--reader-password`` / ``$JUESUAN_READER_PASSWORD`` to make it a login role itself. An existing
role keeps its login and password; a publish never drops it.

``marts`` and ``audit`` belong to juesuan: everything in them is replaced on every publish.
Objects elsewhere that depend on them (a BI user's view in another schema) are never dropped:
the swap fails with PostgreSQL's list of dependent objects instead (see docs/serving.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg
from psycopg import errors as pgerrors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from juesuan import __version__
from juesuan.config import log

SCHEMAS = ("marts", "audit")
STAGING_SUFFIX = "_new"
DEFAULT_READER_ROLE = "juesuan_reader"
# pg_advisory_lock key that serializes publishers on one database ("juesuan" in ASCII).
ADVISORY_KEY = 0x6A75657375616E
BATCH_ROWS = 10_000


class PublishError(Exception):
    """The PostgreSQL mirror could not be published; the live schemas are unchanged."""


@dataclass
class Column:
    name: str
    duck_type: str
    nullable: bool
    comment: str | None
    pg_type: str = ""
    select_expr: str = ""


@dataclass
class Table:
    schema: str
    name: str
    comment: str | None
    kind: str  # "table" or "view" (views are mirrored as tables holding their rows)
    columns: list[Column] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


# --------------------------------------------------------------------------------------------
# DuckDB → PostgreSQL types

_SCALAR = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "UTINYINT": "smallint",
    "SMALLINT": "smallint",
    "USMALLINT": "integer",
    "INTEGER": "integer",
    "UINTEGER": "bigint",
    "BIGINT": "bigint",
    "UBIGINT": "numeric(20,0)",
    "HUGEINT": "numeric(39,0)",
    "UHUGEINT": "numeric(39,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "BLOB": "bytea",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp(0)",
    "TIMESTAMP_MS": "timestamp(3)",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_LIST = re.compile(r"(.+?)(\[\d*\])$")


def pg_type(duck_type: str) -> tuple[str, str]:
    """PostgreSQL type for a DuckDB type, and how to select the value (``{}`` is the column).

    Scalars map one to one (DECIMAL(p,s) → numeric(p,s), VARCHAR → text, JSON → jsonb …);
    lists of scalars become arrays; STRUCT, MAP, UNION and nested lists become jsonb;
    anything else (ENUM, BIT, user types) is copied as text.
    """
    t = duck_type.strip().upper()
    if t in _SCALAR:
        return _SCALAR[t], "{}"
    if m := _DECIMAL.fullmatch(t):
        return f"numeric({m.group(1)},{m.group(2)})", "{}"
    if t == "JSON":
        return "jsonb", "CAST({} AS VARCHAR)"
    if m := _LIST.fullmatch(t):
        inner, select = pg_type(m.group(1))
        if select == "{}" and not inner.endswith("[]") and inner != "bytea":
            return inner + "[]", "{}"
        return "jsonb", "CAST(to_json({}) AS VARCHAR)"
    if t.startswith(("STRUCT", "MAP", "UNION")):
        return "jsonb", "CAST(to_json({}) AS VARCHAR)"
    return "text", "CAST({} AS VARCHAR)"


def _duck_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------------------------
# Reading the warehouse


def read_catalog(con: duckdb.DuckDBPyConnection, schemas: Iterable[str] = SCHEMAS) -> list[Table]:
    """Tables and views of ``schemas`` in the warehouse, with columns and comments."""
    schemas = list(schemas)
    marks = ", ".join("?" for _ in schemas)
    rows = con.execute(f"""
        select schema_name, table_name, comment, 'table' as kind from duckdb_tables()
        where database_name = current_database() and schema_name in ({marks})
        union all
        select schema_name, view_name, comment, 'view' from duckdb_views()
        where database_name = current_database() and schema_name in ({marks}) and not internal
        order by 1, 2""", schemas + schemas).fetchall()
    tables = {(s, n): Table(s, n, c or None, k) for s, n, c, k in rows}
    cols = con.execute(f"""
        select schema_name, table_name, column_name, data_type, is_nullable, comment
        from duckdb_columns() where database_name = current_database() and schema_name in ({marks})
        order by schema_name, table_name, column_index""", schemas).fetchall()
    for s, n, col, dtype, nullable, comment in cols:
        table = tables.get((s, n))
        if table is None:
            continue
        pgt, expr = pg_type(dtype)
        table.columns.append(Column(col, dtype, bool(nullable), comment or None, pgt,
                                    expr.format(_duck_ident(col))))
    return list(tables.values())


def _open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise PublishError(f"no warehouse at {warehouse}: run `juesuan build` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise PublishError(f"cannot open the warehouse {warehouse} read-only: {exc}") from exc


# --------------------------------------------------------------------------------------------
# PostgreSQL side


def redact(url: str) -> str:
    """The connection string without its password, for messages and logs."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<unparsable connection string>"
    params.pop("password", None)
    return make_conninfo(**params) or "(libpq defaults)"


def _connect(url: str) -> psycopg.Connection:
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise PublishError(f"invalid PostgreSQL URL: {exc}") from exc
    params.setdefault("connect_timeout", "10")
    params.setdefault("application_name", "juesuan publish-postgres")
    where = redact(url)
    try:
        conn = psycopg.connect(make_conninfo(**params), autocommit=True)
    except psycopg.OperationalError as exc:
        text = " ".join(str(exc).split())
        low = text.lower()
        if "password authentication failed" in low or "authentication failed" in low or "no password" in low:
            hint = "authentication failed: check the user and password (URL, $PGPASSWORD or ~/.pgpass)"
        elif "connection refused" in low:
            hint = "connection refused: is PostgreSQL running and listening on that host and port?"
        elif "does not exist" in low and "database" in low:
            hint = "the database does not exist: create it first (createdb)"
        elif "no such file or directory" in low and "socket" in low:
            hint = "no PostgreSQL socket there: is the server running, and is host= its socket directory?"
        elif "timeout" in low:
            hint = "connection timed out"
        else:
            hint = "cannot connect"
        raise PublishError(f"PostgreSQL {where}: {hint}\n  ({text})") from exc
    conn.execute("set client_encoding = 'UTF8'")
    return conn


def _acquire_publish_lock(conn: psycopg.Connection, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        row = conn.execute("select pg_try_advisory_lock(%s)", [ADVISORY_KEY]).fetchone()
        if row and row[0]:
            return
        if time.monotonic() > deadline:
            raise PublishError("another `juesuan publish-postgres` is running on this database; try again later")
        time.sleep(0.5)


def _copy_table(duck: duckdb.DuckDBPyConnection, conn: psycopg.Connection, table: Table, target: str) -> int:
    ident = sql.Identifier(target, table.name)
    coldefs = [sql.SQL("{} {}{}").format(sql.Identifier(c.name), sql.SQL(c.pg_type),
                                          sql.SQL("" if c.nullable else " NOT NULL")) for c in table.columns]
    conn.execute(sql.SQL("create table {} ({})").format(ident, sql.SQL(", ").join(coldefs)))
    if table.comment:
        conn.execute(sql.SQL("comment on table {} is {}").format(ident, sql.Literal(table.comment)))
    for c in table.columns:
        if c.comment:
            conn.execute(sql.SQL("comment on column {} is {}").format(
                sql.Identifier(target, table.name, c.name), sql.Literal(c.comment)))
    select = "select {} from {}.{}".format(", ".join(c.select_expr for c in table.columns),
                                           _duck_ident(table.schema), _duck_ident(table.name))
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    rows = 0
    result = duck.execute(select)
    with conn.cursor() as cur, cur.copy(sql.SQL("copy {} ({}) from stdin").format(ident, names)) as copy:
        while batch := result.fetchmany(BATCH_ROWS):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    conn.execute(sql.SQL("analyze {}").format(ident))
    return rows


def _stage(duck: duckdb.DuckDBPyConnection, conn: psycopg.Connection, tables: list[Table],
           schemas: tuple[str, ...], source: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with conn.transaction():
        conn.execute("set local client_min_messages = warning")
        for schema in schemas:
            staged = sql.Identifier(schema + STAGING_SUFFIX)
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(staged))
            conn.execute(sql.SQL("create schema {}").format(staged))
            conn.execute(sql.SQL("comment on schema {} is {}").format(staged, sql.Literal(
                f"juesuan {schema} (决算 warehouse), published {stamp} from {source} by juesuan {__version__}; "
                "read-only mirror, replaced on every publish")))
        for table in tables:
            t0 = time.monotonic()
            counts[table.qualified] = _copy_table(duck, conn, table, table.schema + STAGING_SUFFIX)
            log.debug("staged %s: %d rows in %.2f s", table.qualified, counts[table.qualified],
                      time.monotonic() - t0)
    return counts


_DROP = {"v": "view", "m": "materialized view", "r": "table", "p": "table"}  # views first


def _live_relations(conn: psycopg.Connection, schema: str) -> list[tuple[str, str]]:
    rows = conn.execute("""select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                           where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm')
                           order by c.relname""", [schema]).fetchall()
    return [(r[0], r[1]) for r in rows]


def _ensure_role(conn: psycopg.Connection, role: str, password_verifier: str | None, dbname: str) -> bool:
    """Create the reader role if missing; set its password when one is given. Returns can-login."""
    row = conn.execute("select rolsuper, rolcanlogin from pg_roles where rolname = %s", [role]).fetchone()
    ident = sql.Identifier(role)
    if row is None:
        login = sql.SQL("login password {}").format(sql.Literal(password_verifier)) if password_verifier \
            else sql.SQL("nologin")
        conn.execute(sql.SQL("create role {} {} nosuperuser nocreatedb nocreaterole noreplication nobypassrls")
                     .format(ident, login))
        conn.execute(sql.SQL("alter role {} in database {} set default_transaction_read_only = on")
                     .format(ident, sql.Identifier(dbname)))
        return bool(password_verifier)
    if row[0]:
        raise PublishError(f"role {role} is a superuser; choose another --reader-role for read-only access")
    if password_verifier:
        conn.execute(sql.SQL("alter role {} login password {}").format(ident, sql.Literal(password_verifier)))
        return True
    return bool(row[1])


def _swap(conn: psycopg.Connection, schemas: tuple[str, ...], role: str, password_verifier: str | None,
          lock_timeout_ms: int) -> bool:
    """One transaction: lock and drop the live tables, rename staged → live, role and grants."""
    with conn.transaction():
        conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(f"{lock_timeout_ms}ms")))
        conn.execute("set local client_min_messages = warning")
        locked: set[tuple[str, str]] = set()
        while True:  # lock every live relation, including any created while we waited
            live = {s: _live_relations(conn, s) for s in schemas}
            todo = [(s, name) for s in schemas for name, _ in live[s] if (s, name) not in locked]
            if not todo:
                break
            conn.execute(sql.SQL("lock table {} in access exclusive mode").format(
                sql.SQL(", ").join(sql.Identifier(s, name) for s, name in todo)))
            locked.update(todo)
        dbname = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        for schema in schemas:
            if conn.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone():
                # RESTRICT everywhere: objects outside the schema that depend on a published table
                # (a BI user's view) make the swap fail instead of vanishing silently.
                for kind in dict.fromkeys(_DROP.values()):
                    names = [name for name, k in live[schema] if _DROP[k] == kind]
                    if names:
                        conn.execute(sql.SQL(f"drop {kind} {{}}").format(
                            sql.SQL(", ").join(sql.Identifier(schema, n) for n in names)))
                conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(schema)))
            conn.execute(sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(schema + STAGING_SUFFIX), sql.Identifier(schema)))
        can_login = _ensure_role(conn, role, password_verifier, dbname)
        ident = sql.Identifier(role)
        conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(dbname), ident))
        for schema in schemas:
            s = sql.Identifier(schema)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(s, ident))
            conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(s, ident))
            conn.execute(sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(s, ident))
    return can_login


def _drop_staged(conn: psycopg.Connection, schemas: tuple[str, ...]) -> None:
    try:
        with conn.transaction():
            conn.execute("set local client_min_messages = warning")
            for schema in schemas:
                conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema + STAGING_SUFFIX)))
    except psycopg.Error as exc:  # best effort: the next publish drops them too
        log.warning("could not drop the staging schemas: %s", exc)


def _pg_message(exc: psycopg.Error) -> str:
    diag = exc.diag
    parts = [diag.message_primary or str(exc).strip()]
    if diag.message_detail:
        parts.append(diag.message_detail)
    if diag.message_hint:
        parts.append("hint: " + diag.message_hint)
    return "\n  ".join(parts)


def publish_postgres(warehouse: Path, url: str, *, reader_role: str = DEFAULT_READER_ROLE,
                     reader_password: str | None = None, schemas: tuple[str, ...] = SCHEMAS,
                     lock_timeout_ms: int = 500, swap_timeout_s: float = 120.0) -> dict[str, int]:
    """Mirror ``schemas`` of the warehouse into the PostgreSQL database at ``url``.

    Returns the number of rows copied per table (``"marts.dim_document": 4``). Raises
    PublishError with a readable message on any failure; the live schemas are then unchanged.
    """
    if not reader_role:
        raise PublishError("the reader role name is empty")
    duck = _open_warehouse(Path(warehouse))
    try:
        tables = read_catalog(duck, schemas)
        present = {t.schema for t in tables}
        missing = [s for s in schemas if s not in present]
        if missing:
            raise PublishError(f"the warehouse {warehouse} has no tables in schema(s) {', '.join(missing)}: "
                               "was it built by `juesuan build`?")
        conn = _connect(url)
        try:
            user = conn.execute("select current_user").fetchone()[0]  # type: ignore[index]
            if user == reader_role:
                raise PublishError(f"the reader role must differ from the publishing user ({user})")
            verifier = None
            if reader_password:
                verifier = conn.pgconn.encrypt_password(reader_password.encode(), reader_role.encode()).decode()
            _acquire_publish_lock(conn, swap_timeout_s)
            t0 = time.monotonic()
            try:
                counts = _stage(duck, conn, tables, schemas, str(warehouse))
            except psycopg.Error as exc:
                raise PublishError(f"copying into PostgreSQL failed; the live schemas are unchanged:\n  "
                                   f"{_pg_message(exc)}") from exc
            log.info("staged %d tables (%d rows) in %.1f s", len(counts), sum(counts.values()),
                     time.monotonic() - t0)
            deadline = time.monotonic() + swap_timeout_s
            attempt = 0
            while True:
                attempt += 1
                try:
                    can_login = _swap(conn, schemas, reader_role, verifier, lock_timeout_ms)
                    break
                except (pgerrors.LockNotAvailable, pgerrors.DeadlockDetected) as exc:
                    if time.monotonic() > deadline:
                        _drop_staged(conn, schemas)
                        raise PublishError(f"readers held the published tables for over {swap_timeout_s:.0f} s "
                                           f"({attempt} attempts); the live schemas are unchanged") from exc
                    log.debug("swap attempt %d: %s; retrying", attempt, exc.diag.message_primary)
                    time.sleep(min(2.0, 0.1 * attempt))
                except PublishError:
                    _drop_staged(conn, schemas)
                    raise
                except pgerrors.DependentObjectsStillExist as exc:
                    _drop_staged(conn, schemas)
                    raise PublishError(
                        "other objects depend on the published tables (or are not tables or views), so the swap "
                        "would break them; the live schemas are unchanged. Drop or move these objects (keep BI "
                        f"views in the BI tool, see docs/serving.md):\n  {exc.diag.message_detail or exc}") from exc
                except psycopg.Error as exc:
                    _drop_staged(conn, schemas)
                    raise PublishError(f"the schema swap failed; the live schemas are unchanged:\n  "
                                       f"{_pg_message(exc)}") from exc
            if attempt > 1:
                log.info("schema swap needed %d attempts (readers held locks)", attempt)
            row = conn.execute("select has_schema_privilege(%s, 'public', 'CREATE')", [reader_role]).fetchone() \
                if conn.execute("select 1 from pg_namespace where nspname = 'public'").fetchone() else None
            if row and row[0]:
                log.warning("role %s can create tables in schema public (a pre-PostgreSQL-15 default): "
                            "run REVOKE CREATE ON SCHEMA public FROM PUBLIC", reader_role)
            if not can_login:
                log.info("role %s is NOLOGIN: grant it to login roles (GRANT %s TO metabase) or run "
                         "`ALTER ROLE %s LOGIN PASSWORD '…'` (see docs/serving.md)", reader_role, reader_role,
                         reader_role)
            return counts
        finally:
            conn.close()
    except duckdb.Error as exc:
        raise PublishError(f"reading the warehouse {warehouse} failed: {exc}") from exc
    except psycopg.Error as exc:
        raise PublishError(f"PostgreSQL error; the live schemas are unchanged:\n  {_pg_message(exc)}") from exc
    finally:
        duck.close()
