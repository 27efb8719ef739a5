"""`juesuan publish-postgres` against a real throwaway PostgreSQL cluster.

The cluster is created per test session: `initdb` into a temp dir, `postgres` on a free
loopback port with its unix socket in that dir, stopped and removed afterwards. As root,
the server runs as the `postgres` user (or `nobody`), because PostgreSQL refuses root.

The server binaries come from $JUESUAN_PG_BIN, else PATH (`initdb`), else
/usr/lib/postgresql/15/bin (Debian's postgresql-15; `make test` installs it as root when it
is missing). Without them these tests FAIL with the install command; they never skip.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg import errors as pgerrors
from psycopg import sql

from juesuan.cli import main
from juesuan.pgpublish import PublishError, pg_type, publish_postgres

pytestmark = pytest.mark.postgres

ADMIN = "juesuan_admin"
PUBLISHER = "juesuan_publisher"
PUBLISHER_PASSWORD = "publisher-secret"
READER_PASSWORD = "reader-secret"


# --------------------------------------------------------------------------------------------
# The throwaway cluster


def find_pg_bin() -> Path | None:
    """Directory holding initdb, pg_ctl and postgres (version 15 preferred)."""
    candidates: list[Path] = []
    if os.environ.get("JUESUAN_PG_BIN"):
        candidates.append(Path(os.environ["JUESUAN_PG_BIN"]))
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)
    candidates.append(Path("/usr/lib/postgresql/15/bin"))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    candidates.extend(versions)
    for c in candidates:
        if all((c / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            return c
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int
    admin_password: str

    def url(self, user: str, password: str, dbname: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(ADMIN, self.admin_password, dbname), autocommit=True)


def _run_as(user: pwd.struct_passwd | None, cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    kwargs: dict = {}
    if user is not None:  # root: drop to the service user (PostgreSQL refuses to run as root)
        kwargs = dict(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(cwd)}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
                          **kwargs)


def _service_user() -> tuple[pwd.struct_passwd | None, str | None]:
    """(user to run the server as, temp user to delete afterwards)."""
    if os.geteuid() != 0:
        return None, None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name), None
        except KeyError:
            continue
    name = f"jspg{os.getpid()}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return pwd.getpwnam(name), name


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in "
                    "/usr/lib/postgresql/15/bin. Install them: `apt-get install postgresql-15` (Debian; "
                    "`make test` does this when run as root), or set JUESUAN_PG_BIN to their directory.",
                    pytrace=False)
    user, temp_user = _service_user()
    root = Path(tempfile.mkdtemp(prefix="juesuan-pg-"))
    data = root / "data"
    started = False
    try:
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
        password = "admin-" + os.urandom(6).hex()
        pwfile = root / "pw"
        pwfile.write_text(password + "\n")
        if user is not None:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        init = _run_as(user, [str(pg_bin / "initdb"), "-D", str(data), "-U", ADMIN, f"--pwfile={pwfile}",
                              "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
                              "--no-sync"], root)
        assert init.returncode == 0, f"initdb failed:\n{init.stdout}\n{init.stderr}"
        for _attempt in range(3):
            port = free_port()
            opts = (f"-p {port} -k {shlex.quote(str(root))} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40")
            start = _run_as(user, [str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                                   "-w", "-t", "60", "-o", opts, "start"], root)
            if start.returncode == 0:
                started = True
                break
        log_text = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        assert started, f"postgres did not start:\n{start.stdout}\n{start.stderr}\n{log_text[-3000:]}"
        cluster = Cluster(pg_bin, root, port, password)
        with cluster.admin() as con:
            con.execute(sql.SQL("create role {} login createrole password {}").format(
                sql.Identifier(PUBLISHER), sql.Literal(PUBLISHER_PASSWORD)))
        yield cluster
    finally:
        if started:
            stop = _run_as(user, [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"],
                           root)
            if stop.returncode != 0:  # last resort: the postmaster's pid
                pid_file = data / "postmaster.pid"
                if pid_file.exists():
                    try:
                        os.kill(int(pid_file.read_text().split()[0]), 9)
                    except (ProcessLookupError, ValueError):
                        pass
        shutil.rmtree(root, ignore_errors=True)
        if temp_user:
            subprocess.run(["userdel", temp_user], check=False)


_db_counter = iter(range(1, 10_000))


@dataclass
class Target:
    cluster: Cluster
    dbname: str
    url: str
    role: str  # a reader role name unique to this test (roles are cluster-wide)

    def connect(self, user: str = PUBLISHER, password: str = PUBLISHER_PASSWORD) -> psycopg.Connection:
        return psycopg.connect(self.cluster.url(user, password, self.dbname), autocommit=True)


@pytest.fixture()
def target(pg_cluster: Cluster) -> Iterator[Target]:
    """A fresh database owned by a non-superuser publisher (CREATEROLE only), as in docs/serving.md."""
    n = next(_db_counter)
    dbname = f"juesuan_t{n}"
    with pg_cluster.admin() as con:
        con.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(dbname), sql.Identifier(PUBLISHER)))
    yield Target(pg_cluster, dbname, pg_cluster.url(PUBLISHER, PUBLISHER_PASSWORD, dbname), f"reader_t{n}")


def duck_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""select table_schema, table_name from information_schema.tables
                                where table_schema in ('marts', 'audit') order by 1, 2""").fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}


def pg_counts(con: psycopg.Connection) -> dict[str, int]:
    tables = con.execute("""select table_schema, table_name from information_schema.tables
                            where table_schema in ('marts', 'audit') order by 1, 2""").fetchall()
    return {f"{s}.{t}": con.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(s, t))).fetchone()[0]
            for s, t in tables}


@pytest.fixture(scope="module")
def smaller_warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples without the 2024 report: a second warehouse with different totals."""
    out = tmp_path_factory.mktemp("pgwh") / "smaller.duckdb"
    shutil.copy(sample_warehouse, out)
    with duckdb.connect(str(out)) as con:
        for (table,) in con.execute("""select table_name from duckdb_columns() where schema_name = 'marts'
                                       and column_name = 'document_id' and table_name <> 'dim_document'""").fetchall():
            con.execute(f"delete from marts.{table} where document_id in "
                        "(select document_id from marts.dim_document where fiscal_year = 2024)")
        con.execute("delete from marts.dim_document where fiscal_year = 2024")
        con.execute("checkpoint")
    return out


# --------------------------------------------------------------------------------------------
# Tests


def test_row_counts_match_duckdb(sample_warehouse: Path, target: Target):
    counts = publish_postgres(sample_warehouse, target.url, reader_role=target.role)
    expected = duck_counts(sample_warehouse)
    assert counts == expected
    assert {k.split(".")[0] for k in expected} == {"marts", "audit"}
    with target.connect() as con:
        assert pg_counts(con) == expected
        schemas = {r[0] for r in con.execute("select nspname from pg_namespace").fetchall()}
        assert {"marts", "audit"} <= schemas
        assert not {"marts_new", "audit_new"} & schemas


def test_types_and_chinese_comments(sample_warehouse: Path, target: Target):
    publish_postgres(sample_warehouse, target.url, reader_role=target.role)
    with duckdb.connect(str(sample_warehouse), read_only=True) as duck:
        cols = duck.execute("""select table_name, column_name, data_type, is_nullable, comment from duckdb_columns()
                               where schema_name = 'marts' and table_name = 'fct_expenditure'""").fetchall()
        table_comment = duck.execute("""select comment from duckdb_tables() where schema_name = 'marts'
                                        and table_name = 'fct_expenditure'""").fetchone()[0]
        amounts = duck.execute("select sum(amount_wan) from marts.fct_expenditure").fetchone()[0]
    with target.connect() as con:
        pg = {r[0]: r[1:] for r in con.execute("""
            select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(a.attrelid, a.attnum)
            from pg_attribute a where a.attrelid = 'marts.fct_expenditure'::regclass and a.attnum > 0
            and not a.attisdropped""").fetchall()}
        assert con.execute("select obj_description('marts.fct_expenditure'::regclass, 'pg_class')").fetchone()[0] \
            == table_comment
        assert con.execute("select sum(amount_wan) from marts.fct_expenditure").fetchone()[0] == amounts
    assert pg["amount_wan"][0] == "numeric(18,2)"
    assert pg["document_id"][0] == "text"
    for _, name, dtype, nullable, comment in cols:
        assert pg[name][0] == pg_type(dtype)[0]
        assert pg[name][1] == (not nullable), name
        assert pg[name][2] == comment, name
    assert any("万元" in (c or "") for *_, c in pg.values()), "Chinese column descriptions are copied"


def test_type_mapping_round_trip(tmp_path: Path, target: Target):
    wh = tmp_path / "types.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema marts; create schema audit")
        con.execute("""create table marts.t (
            amount_wan decimal(18,2) not null, rate_pct decimal(9,2), name varchar, flag boolean, n integer,
            big bigint, huge hugeint, x double, d date, ts timestamp, tstz timestamptz, doc json,
            tags varchar[], nested struct(a integer, b varchar), tiny tinyint, u uuid)""")
        con.execute("comment on table marts.t is '类型测试'")
        con.execute("comment on column marts.t.amount_wan is '金额（万元）'")
        con.execute("""insert into marts.t values
            (1234.50, 97.20, '武汉市硚口区', true, 7, 9007199254740993, 170141183460469231731687303715884105727,
             0.5, date '2024-12-31', timestamp '2025-01-02 03:04:05.123456', timestamptz '2025-01-02 03:04:05+08',
             '{"科目": [1, 2]}', ['a', '本级'], {'a': 1, 'b': '乙'}, -3, '12345678-1234-5678-1234-567812345678'),
            (0.00, null, '', false, null, null, null, null, null, null, null, null, [], null, null, null)""")
        con.execute("create table audit.empty (k varchar)")
        con.execute("create view marts.v as select name, amount_wan from marts.t")
    counts = publish_postgres(wh, target.url, reader_role=target.role)
    assert counts == {"marts.t": 2, "marts.v": 2, "audit.empty": 0}
    with target.connect() as con:
        types = dict(con.execute("""select column_name, format_type(a.atttypid, a.atttypmod) from
            information_schema.columns c join pg_attribute a on a.attrelid = 'marts.t'::regclass
            and a.attname = c.column_name where c.table_schema = 'marts' and c.table_name = 't'""").fetchall())
        assert types == {
            "amount_wan": "numeric(18,2)", "rate_pct": "numeric(9,2)", "name": "text", "flag": "boolean",
            "n": "integer", "big": "bigint", "huge": "numeric(39,0)", "x": "double precision", "d": "date",
            "ts": "timestamp without time zone", "tstz": "timestamp with time zone", "doc": "jsonb",
            "tags": "text[]", "nested": "jsonb", "tiny": "smallint", "u": "uuid"}
        rows = con.execute("select * from marts.t order by amount_wan desc").fetchall()
        first, second = rows
        assert first[0] == Decimal("1234.50") and first[1] == Decimal("97.20")
        assert first[2] == "武汉市硚口区" and first[3] is True and first[5] == 9007199254740993
        assert first[6] == 170141183460469231731687303715884105727
        assert str(first[9]) == "2025-01-02 03:04:05.123456"
        assert first[10].utcoffset() is not None
        assert first[11] == {"科目": [1, 2]}
        assert first[12] == ["a", "本级"]
        assert first[13] == {"a": 1, "b": "乙"}
        assert second[2] == "" and second[12] == [] and second[1] is None and second[11] is None
        assert con.execute("select col_description('marts.t'::regclass, 1)").fetchone()[0] == "金额（万元）"
        assert con.execute("select obj_description('marts.t'::regclass, 'pg_class')").fetchone()[0] == "类型测试"
        assert con.execute("select count(*) from marts.v").fetchone()[0] == 2


def test_reader_role_reads_and_cannot_write(sample_warehouse: Path, target: Target):
    publish_postgres(sample_warehouse, target.url, reader_role=target.role, reader_password=READER_PASSWORD)
    with target.connect(target.role, READER_PASSWORD) as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone()[0] == 4
        assert con.execute("select count(*) from audit.rules").fetchone()[0] > 0
        # read-only by default for this role …
        with pytest.raises(pgerrors.ReadOnlySqlTransaction):
            con.execute("insert into marts.dim_unit (unit_id) values ('x')")
        # … and without privileges even when a session switches read-only off
        con.execute("set default_transaction_read_only = off")
        for stmt in ("insert into marts.dim_unit (unit_id) values ('x')",
                     "update audit.rules set severity = 'info'",
                     "delete from marts.fct_expenditure",
                     "truncate marts.dim_document",
                     "create table marts.mine (k int)",
                     "create table audit.mine (k int)",
                     "create table public.mine (k int)",
                     "create schema mine",
                     "drop table marts.dim_unit",
                     "alter table marts.dim_unit add column k int"):
            with pytest.raises((pgerrors.InsufficientPrivilege, pgerrors.ReadOnlySqlTransaction)) as exc:
                con.execute(stmt)
            assert isinstance(exc.value, pgerrors.InsufficientPrivilege), stmt
    # the publisher's future tables in the published schemas are readable too (ALTER DEFAULT PRIVILEGES)
    with target.connect() as con:
        con.execute("create table marts.added_later as select 1 as k")
    with target.connect(target.role, READER_PASSWORD) as con:
        assert con.execute("select k from marts.added_later").fetchone()[0] == 1


def test_default_role_is_nologin_and_usable_through_membership(sample_warehouse: Path, target: Target, capsys):
    """No password: `juesuan_reader` is a NOLOGIN group role; BI logins get it by GRANT (docs/serving.md)."""
    with target.cluster.admin() as admin:
        exists = admin.execute("select 1 from pg_roles where rolname = 'juesuan_reader'").fetchone()
        if exists:  # another test may have created it; start from scratch
            admin.execute("drop owned by juesuan_reader cascade")
            admin.execute("drop role juesuan_reader")
    assert main(["-q", "publish-postgres", target.url, "--warehouse", str(sample_warehouse)]) == 0
    assert "juesuan_reader" in capsys.readouterr().out
    with target.connect() as con:
        assert con.execute("select rolcanlogin from pg_roles where rolname = 'juesuan_reader'").fetchone()[0] is False
        con.execute("create role bi_metabase login password 'metabase-pw' in role juesuan_reader")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in|authentication failed"):
        target.connect("juesuan_reader", "anything")
    with target.connect("bi_metabase", "metabase-pw") as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone()[0] == 4
    # re-publish: membership and grants carry over to the new schemas; then give it a password
    assert main(["-q", "publish-postgres", target.url, "--warehouse", str(sample_warehouse),
                 "--reader-password", READER_PASSWORD]) == 0
    with target.connect("bi_metabase", "metabase-pw") as con:
        assert con.execute("select count(*) from marts.fct_expenditure").fetchone()[0] > 0
    with target.connect("juesuan_reader", READER_PASSWORD) as con:
        assert con.execute("select count(*) from audit.findings").fetchone()[0] >= 0
        assert con.execute("show default_transaction_read_only").fetchone()[0] == "on"


def test_concurrent_reader_sees_old_or_new_never_a_mix(sample_warehouse: Path, smaller_warehouse: Path,
                                                       target: Target):
    publish_postgres(sample_warehouse, target.url, reader_role=target.role, reader_password=READER_PASSWORD)
    pair_sql = ("select (select count(*) from marts.dim_document), (select count(*) from marts.fct_expenditure), "
                "(select count(*) from marts.fct_expenditure e join marts.dim_document d using (document_id))")
    with target.connect() as con:
        full = tuple(con.execute(pair_sql).fetchone())
    with duckdb.connect(str(smaller_warehouse), read_only=True) as duck:
        small = tuple(duck.execute(pair_sql).fetchone())
    assert full != small and full[0] == 4 and small[0] == 3

    stop = threading.Event()
    seen: list[tuple] = []
    errors: list[str] = []

    def single_statement() -> None:
        n = 0
        while not stop.is_set():
            try:
                with target.connect(target.role, READER_PASSWORD) as con:
                    for _ in range(20):
                        seen.append(tuple(con.execute(pair_sql).fetchone()))
                        n += 1
            except Exception as exc:
                errors.append(f"single: {type(exc).__name__}: {exc}")
                time.sleep(0.05)

    def two_statements() -> None:
        while not stop.is_set():
            try:
                with target.connect(target.role, READER_PASSWORD) as con:
                    for _ in range(20):
                        with con.transaction():
                            docs = con.execute("select count(*) from marts.dim_document").fetchone()[0]
                            time.sleep(0.002)
                            facts = con.execute("select count(*) from marts.fct_expenditure").fetchone()[0]
                        seen.append((docs, facts, None))
            except Exception as exc:
                errors.append(f"two: {type(exc).__name__}: {exc}")
                time.sleep(0.05)

    threads = [threading.Thread(target=single_statement), threading.Thread(target=two_statements)]
    for t in threads:
        t.start()
    try:
        for k in range(6):
            time.sleep(0.15)
            publish_postgres(smaller_warehouse if k % 2 == 0 else sample_warehouse, target.url,
                             reader_role=target.role, reader_password=READER_PASSWORD)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    allowed = {full, small, (*full[:2], None), (*small[:2], None)}
    assert set(seen) <= allowed, set(seen) - allowed
    assert full in seen and small in seen
    assert (*full[:2], None) in seen and (*small[:2], None) in seen
    assert len(seen) > 50


def test_dependent_view_outside_blocks_swap_and_keeps_live_data(sample_warehouse: Path, smaller_warehouse: Path,
                                                                target: Target):
    publish_postgres(sample_warehouse, target.url, reader_role=target.role)
    with target.connect() as con:
        con.execute("create view public.my_docs as select * from marts.dim_document")
    with pytest.raises(PublishError, match="depend") as exc:
        publish_postgres(smaller_warehouse, target.url, reader_role=target.role)
    assert "my_docs" in str(exc.value) and "CASCADE" not in str(exc.value)
    with target.connect() as con:
        assert con.execute("select count(*) from public.my_docs").fetchone()[0] == 4
        schemas = {r[0] for r in con.execute("select nspname from pg_namespace").fetchall()}
        assert "marts_new" not in schemas and "audit_new" not in schemas
        con.execute("drop view public.my_docs")
    publish_postgres(smaller_warehouse, target.url, reader_role=target.role)
    with target.connect() as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone()[0] == 3


def test_long_reader_makes_publish_fail_cleanly(sample_warehouse: Path, smaller_warehouse: Path, target: Target):
    """A reader transaction that outlasts the swap budget: the publish gives up, readers are never aborted."""
    publish_postgres(sample_warehouse, target.url, reader_role=target.role, reader_password=READER_PASSWORD)
    with target.connect(target.role, READER_PASSWORD) as reader, reader.transaction():
        assert reader.execute("select count(*) from marts.dim_document").fetchone()[0] == 4
        t0 = time.monotonic()
        with pytest.raises(PublishError, match="readers held"):
            publish_postgres(smaller_warehouse, target.url, reader_role=target.role, swap_timeout_s=1.5)
        assert time.monotonic() - t0 < 30
        assert reader.execute("select count(*) from marts.dim_unit").fetchone()[0] > 0  # still alive
    with target.connect() as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone()[0] == 4
        schemas = {r[0] for r in con.execute("select nspname from pg_namespace").fetchall()}
        assert "marts_new" not in schemas and "audit_new" not in schemas


def test_clear_errors(sample_warehouse: Path, pg_cluster: Cluster, tmp_path: Path, capsys):
    # missing warehouse
    assert main(["publish-postgres", pg_cluster.url(ADMIN, pg_cluster.admin_password, "postgres"),
                 "--warehouse", str(tmp_path / "none.duckdb")]) == 1
    assert "no warehouse" in capsys.readouterr().err
    # connection refused
    url = f"postgresql://{PUBLISHER}:{PUBLISHER_PASSWORD}@127.0.0.1:{free_port()}/postgres"
    assert main(["publish-postgres", url, "--warehouse", str(sample_warehouse)]) == 1
    err = capsys.readouterr().err
    assert "connection refused" in err.lower()
    assert PUBLISHER_PASSWORD not in err, "the password must not be printed"
    # wrong password
    url = pg_cluster.url(PUBLISHER, "wrong-password", "postgres")
    assert main(["publish-postgres", url, "--warehouse", str(sample_warehouse)]) == 1
    err = capsys.readouterr().err
    assert "authentication failed" in err
    assert "wrong-password" not in err
    # reader role = publishing user, and a superuser reader role
    with pytest.raises(PublishError, match="differ"):
        publish_postgres(sample_warehouse, pg_cluster.url(PUBLISHER, PUBLISHER_PASSWORD, "postgres"),
                         reader_role=PUBLISHER)
    # a warehouse without the published schemas
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PublishError, match="no tables in schema"):
        publish_postgres(empty, pg_cluster.url(PUBLISHER, PUBLISHER_PASSWORD, "postgres"))
