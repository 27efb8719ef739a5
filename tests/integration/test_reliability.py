"""Bad input end to end (issue 8): every corpus entry ends in the warehouse or in
raw.ingest_errors, the build exits 0 for bad data, good reports keep their facts, and the
same corpus gives the same marts whatever the file names, order or rebuild.

The bad corpus is generated in a temporary directory (nothing binary is committed):
nested samples, byte copies, re-encodings of 001 (GB18030, GBK+CRLF, UTF-8 BOM, UTF-16,
full-width digits), 001 truncated inside a table, 001 republished with a later date,
empty / binary / image / archive / PDF / HTML / shopping-list files, a title without tables
or narrative, a 10 MB report, an oversize file, a broken symlink, a FIFO, a socket and a
symlink to a directory.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import socket
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.loader import load, path_text, read_input
from ingest.parse import parse_document
from ingest.records import ParseError
from juesuan.cli import main
from tests.conftest import SAMPLE
from tests.helpers import marts_snapshot

pytestmark = pytest.mark.slow

TEXT_001 = SAMPLE["001"].read_text(encoding="utf-8")
REPUBLISHED_DATE = "2025 年 11 月 5 日"
BIG_UNIT = "武汉市测试区超大文件中心"
TIMINGS: dict[str, float] = {}


# ------------------------------------------------------------------------------------------
# corpus generation


def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


def with_row_amount(text: str, code: str, amount: str) -> tuple[str, int]:
    """``text`` with the first amount of the first table row of ``code`` replaced; → (text, line)."""
    start = text.index(f"\n{code}\t") + 1
    end = text.index("\n", start)
    row = text[start:end]
    cells = row.split("\t")
    k = next(i for i, c in enumerate(cells) if i > 1 and c.strip())
    cells[k] = amount
    return text[:start] + "\t".join(cells) + text[end:], text[:start].count("\n") + 1


def truncated_001() -> str:
    """001 cut inside the 支出决算表 row of 行政运行: the file ends in '255.7' (printed 255.74)."""
    start = TEXT_001.index("2011350\t")
    cut = TEXT_001.index("255.74", start) + len("255.7")
    return TEXT_001[:cut]


def republished_001() -> str:
    """A corrected edition: later date under the title and one sentence changed."""
    text = TEXT_001.replace("2025 年 10 月 28 日", REPUBLISHED_DATE, 1)
    assert text != TEXT_001
    return text.replace("目 录", "目 录（更正版）", 1)


def big_report(size: int = 10 * 1024 * 1024) -> str:
    """A 10 MB report of another unit: 001's text with ~10 MB of prose paragraphs in its narrative."""
    text = TEXT_001.replace("武汉市硚口区企业服务中心", BIG_UNIT)
    para = ("本单位持续加强内部控制建设，完善财务管理制度，规范资金使用流程，"
            "严格执行预算管理各项规定，确保资金使用安全、规范、有效。\n\n")
    at = text.index("第三部分")
    return text[:at] + para * (size // len(para.encode("utf-8")) + 1) + text[at:]


def write_bad_corpus(root: Path) -> dict[str, str]:
    """Write the bad corpus; returns {relative path: expected outcome} where the outcome is
    ``loaded``, ``duplicate``, ``loaded|duplicate`` (one of a group of byte-identical files is
    loaded) or ``error:<stage>:<reason fragment>``."""
    expected: dict[str, str] = {}

    def put(rel: str, data: bytes | str, outcome: str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[rel] = outcome
        return path

    # good reports, nested at different depths
    put("reports/2024/001.txt", SAMPLE["001"].read_bytes(), "loaded|duplicate")
    put("reports/2023/hongshan/000.txt", SAMPLE["000"].read_bytes(), "loaded")
    put("reports/old/2020/jianghan/002.txt", SAMPLE["002"].read_bytes(), "loaded")
    put("reports/2022/004.txt", SAMPLE["004"].read_bytes(), "loaded")
    # the same report again: byte copy and re-encodings (same normalised text → duplicate)
    put("copies/001 (1).txt", SAMPLE["001"].read_bytes(), "loaded|duplicate")  # byte copies: first path loads
    put("encodings/001_gb18030.txt", TEXT_001.encode("gb18030"), "duplicate")
    put("encodings/001_gbk_crlf.txt", TEXT_001.replace("\n", "\r\n").encode("gbk"), "duplicate")
    put("encodings/001_utf8_bom.txt", b"\xef\xbb\xbf" + SAMPLE["001"].read_bytes(), "duplicate")
    put("encodings/001_crlf.txt", TEXT_001.replace("\n", "\r\n"), "duplicate")
    put("encodings/001_utf16.txt", TEXT_001.encode("utf-16"), "duplicate")
    put("encodings/001_fullwidth_digits.txt", _full_width(TEXT_001), "duplicate")
    # other versions of 001: truncated download, corrected republication
    put("truncated/001_cut_in_table.txt", truncated_001(), "loaded")
    put("republished/001_corrected.txt", republished_001(), "loaded")
    # not reports
    put("junk/empty.txt", b"", "error:decode:empty file")
    put("junk/blank.txt", b"  \n\r\n\t\n", "error:decode:empty file")
    put("junk/bom_only.txt", b"\xef\xbb\xbf", "error:decode:empty file")
    put("junk/random.bin", random.Random(8).randbytes(5000), "error:decode:binary")
    put("junk/image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "error:decode:PNG")
    put("junk/archive.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), "error:decode:ZIP")
    put("junk/scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "error:pdf:not a readable PDF")
    put("junk/shopping.txt", "milk 2.50\neggs 3.10\n", "error:identity:no report title")
    put("junk/page.html", "<html><body><h1>通知公告</h1><p>2025 年 10 月 28 日</p></body></html>\n",
        "error:identity:no report title")
    gbk_name = os.fsdecode(b"junk/\xd6\xd0\xce\xc4_gbk_name.txt")  # not UTF-8: as unzipped from a GBK archive
    put(gbk_name, "会议通知\n", "error:identity:no report title")
    expected[path_text(Path(gbk_name))] = expected.pop(gbk_name)
    put("junk/unknown_layout.txt", "2024 年度武汉市某某区某某中心部门决算公开\n\n（全文见附件图片）\n",
        "error:layout:layout not recognised")
    # size: 10 MB loads; above the 16 MB limit is recorded without being read (sparse file)
    put("big/huge_report.txt", big_report(), "loaded")
    too_large = put("big/too_large.txt", b"", "error:read:too large")
    with too_large.open("wb") as fh:
        fh.truncate(17 * 1024 * 1024)
    # entries that are not regular files (as root chmod does not stop reads: these stand in
    # for unreadable files); none may hang or crash the build
    special = root / "special"
    special.mkdir()
    (special / "broken_link.txt").symlink_to(root / "does-not-exist.txt")
    expected["special/broken_link.txt"] = "error:read:broken symlink"
    os.mkfifo(special / "pipe.txt")
    expected["special/pipe.txt"] = "error:read:FIFO"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(special / "sock"))
    sock.close()
    expected["special/sock"] = "error:read:socket"
    (special / "dir_link").symlink_to(root / "reports", target_is_directory=True)
    expected["special/dir_link"] = "error:read:symlink to a directory"
    # hidden files and directories are skipped by design (README: Bad input)
    (root / ".hidden.txt").write_bytes(SAMPLE["002"].read_bytes())
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return expected


def build(corpus: Path, warehouse: Path, label: str, *extra: str) -> None:
    started = time.monotonic()
    code = main(["-q", "build", "--corpus", str(corpus), "--warehouse", str(warehouse), *extra])
    TIMINGS[label] = round(time.monotonic() - started, 1)
    assert code == 0, f"build of {label} exited {code}"


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    corpus = tmp_path_factory.mktemp("bad_corpus")
    expected = write_bad_corpus(corpus)
    warehouse = tmp_path_factory.mktemp("bad_wh") / "juesuan.duckdb"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    build(corpus, warehouse, "bad corpus")
    TIMINGS["max RSS growth MB"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) // 1024
    return corpus, warehouse, expected


def _rel(corpus: Path, source_file: str) -> str:
    return Path(source_file).relative_to(corpus).as_posix()


def _doc_id(con: duckdb.DuckDBPyConnection, corpus: Path, rel: str) -> str:
    return con.execute("select document_id from raw.source_files where source_file = ?",
                       [str(corpus / rel)]).fetchone()[0]


# ------------------------------------------------------------------------------------------
# the bad corpus, end to end


def test_every_entry_accounted_for(bad):
    corpus, warehouse, expected = bad
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select source_file, status, document_id from raw.source_files").fetchall()
        errors = con.execute("select source_file, stage, reason, line from raw.ingest_errors where fatal").fetchall()
        docs = {r[0] for r in con.execute("select document_id from marts.dim_document").fetchall()}
    status = {_rel(corpus, f): (s, d) for f, s, d in rows}
    assert len(status) == len(rows), "one raw.source_files row per entry"
    assert sorted(status) == sorted(expected), "every non-hidden entry, nothing else"
    fatal = {}
    for f, stage, reason, line in errors:
        assert _rel(corpus, f) not in fatal, f"one fatal error per file: {f}"
        fatal[_rel(corpus, f)] = (stage, reason, line)
    for rel, outcome in expected.items():
        got, doc = status[rel]
        if outcome.startswith("error:"):
            _, stage, fragment = outcome.split(":", 2)
            assert got == "error" and doc is None, rel
            assert fatal[rel][0] == stage and fragment in fatal[rel][1], (rel, fatal[rel])
        else:
            assert got in outcome.split("|"), (rel, got, fatal.get(rel))
            assert doc in docs, rel
    assert [status[r][0] for r in expected if expected[r] == "loaded|duplicate"].count("loaded") == 1
    assert set(fatal) == {r for r, o in expected.items() if o.startswith("error:")}


def test_reencoded_copies_are_duplicates_of_the_original(bad):
    corpus, warehouse, expected = bad
    with duckdb.connect(str(warehouse), read_only=True) as con:
        original = _doc_id(con, corpus, "reports/2024/001.txt")
        for rel in (r for r in expected if r.startswith(("encodings/", "copies/"))):
            assert _doc_id(con, corpus, rel) == original, rel
        assert con.execute("select count(*) from raw.documents where document_id = ?", [original]).fetchone()[0] == 1


def _content(con: duckdb.DuckDBPyConnection, table: str, doc: str) -> list[tuple]:
    cols = [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
        "and column_name not in ('document_id', 'loaded_at', 'recorded_at', 'source_file') "
        "order by ordinal_position", [table]).fetchall()]
    rows = con.execute(f"select {', '.join(cols)} from raw.{table} where document_id = ?", [doc]).fetchall()
    return sorted(rows, key=repr)


def _marts_rows(con: duckdb.DuckDBPyConnection, doc: str) -> dict[str, list[tuple]]:
    out = {}
    for (table,) in con.execute("select distinct table_name from information_schema.columns where "
                                "table_schema = 'marts' and column_name = 'document_id' and table_name like 'fct%'"
                                ).fetchall():
        out[table] = sorted(con.execute(f"select * from marts.{table} where document_id = ?", [doc]).fetchall(),
                            key=repr)
    return out


def test_good_reports_facts_unchanged(bad, sample_warehouse: Path):
    """The bad files change nothing for the four good reports (raw facts, and marts facts for the
    reports without competing versions)."""
    _, warehouse, _ = bad
    with duckdb.connect(str(sample_warehouse), read_only=True) as clean, \
            duckdb.connect(str(warehouse), read_only=True) as dirty:
        ids = [d for (d,) in clean.execute("select document_id from raw.documents order by 1").fetchall()]
        assert len(ids) == 4
        for doc in ids:
            for table in ("table_cells", "narrative_facts", "table_presence", "code_repairs", "ambiguities"):
                assert _content(clean, table, doc) == _content(dirty, table, doc), (doc, table)
            single = dirty.execute("select count(*) = 1 from raw.documents where (unit_id, fiscal_year, report_scope) "
                                   "= (select (unit_id, fiscal_year, report_scope) from raw.documents "
                                   "where document_id = ?)", [doc]).fetchone()[0]
            if single:
                assert _marts_rows(clean, doc) == _marts_rows(dirty, doc), doc


def test_truncated_report_never_a_wrong_number(bad):
    corpus, warehouse, _ = bad
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cut = _doc_id(con, corpus, "truncated/001_cut_in_table.txt")
        original = _doc_id(con, corpus, "reports/2024/001.txt")
        key = "table_key, source_line, column_key, amount_wan"
        got = set(con.execute(f"select {key} from raw.table_cells where document_id = ?", [cut]).fetchall())
        full = set(con.execute(f"select {key} from raw.table_cells where document_id = ?", [original]).fetchall())
        assert got and got < full  # the parsed part loads, every number in its place as in the full report
        # a code the cut-off tables would have proven stays unrepaired (NULL), never a different code
        wrong = con.execute("""select c.source_line, c.code, f.code from raw.table_cells c join raw.table_cells f
                               on c.table_key = f.table_key and c.source_line = f.source_line
                               and c.column_key = f.column_key and c.side is not distinct from f.side
                               where c.document_id = ? and f.document_id = ? and c.code is distinct from f.code
                               and c.code is not null""", [cut, original]).fetchall()
        assert wrong == []
        cut_line = TEXT_001[: TEXT_001.index("255.74", TEXT_001.index("2011350\t"))].count("\n") + 1
        assert not any(line == cut_line for _, line, *_ in got)  # the cut row is not read
        notes = con.execute("select stage, line, reason from raw.ingest_errors where document_id = ? "
                            "and not fatal", [cut]).fetchall()
        assert ("decode", cut_line) in {(s, n) for s, n, _ in notes}


def test_republished_report_both_kept_latest_current(bad):
    corpus, warehouse, _ = bad
    with duckdb.connect(str(warehouse), read_only=True) as con:
        original = _doc_id(con, corpus, "reports/2024/001.txt")
        corrected = _doc_id(con, corpus, "republished/001_corrected.txt")
        cut = _doc_id(con, corpus, "truncated/001_cut_in_table.txt")
        raw = dict(con.execute("select document_id, (published_on, version_rank, is_current) from raw.documents "
                               "where document_id in (?, ?, ?)", [original, corrected, cut]).fetchall())
        assert raw[corrected] == (date(2025, 11, 5), 1, True)
        assert raw[original] == (date(2025, 10, 28), 2, False)  # same date as the cut copy, longer text
        assert raw[cut] == (date(2025, 10, 28), 3, False)
        dims = dict(con.execute("select document_id, is_current from marts.dim_document "
                                "where document_id in (?, ?, ?)", [original, corrected, cut]).fetchall())
        assert set(dims) == {original, corrected, cut}
        multi = con.execute("select unit_id, fiscal_year, report_scope from marts.dim_document group by all "
                            "having count(*) filter (where is_current) <> 1").fetchall()
        assert multi == [], "exactly one current document per unit, year and scope"
        assert dims[corrected], "marts.dim_document.is_current must follow raw.documents.is_current"


def test_big_file_loads(bad):
    corpus, warehouse, _ = bad
    assert (corpus / "big/huge_report.txt").stat().st_size >= 10 * 1024 * 1024
    with duckdb.connect(str(warehouse), read_only=True) as con:
        doc = _doc_id(con, corpus, "big/huge_report.txt")
        name, lines = con.execute("select unit_name, line_count from raw.documents where document_id = ?",
                                  [doc]).fetchone()
        assert name == BIG_UNIT and lines > 100_000
        assert con.execute("select count(*) from raw.table_cells where document_id = ?", [doc]).fetchone()[0] > 100
    assert TIMINGS["bad corpus"] < 180


# ------------------------------------------------------------------------------------------
# idempotence


EXCLUDED_COLUMNS = "TIMESTAMP-typed columns (loaded_at) and source_file: they name files and load times"


def raw_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """raw.* without timestamps and without raw.source_files (its status says loaded / unchanged)."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables where table_schema = 'raw' "
                                    "and table_name <> 'source_files' order by 1").fetchall():
            cols = [f'"{c}"' for c, typ in con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
                "and table_name = ? order by ordinal_position", [table]).fetchall() if not typ.startswith("TIMESTAMP")]
            out[table] = sorted(con.execute(f'select {", ".join(cols)} from raw."{table}"').fetchall(), key=repr)
    return out


def test_idempotent_rebuild_and_file_order(bad, tmp_path: Path):
    corpus, warehouse, _ = bad
    first, first_raw = marts_snapshot(warehouse), raw_snapshot(warehouse)
    assert first["dim_document"], "marts are not empty"
    # 1. the same corpus again onto the published warehouse: a no-change build does no work, and a
    # forced one copies the unchanged documents instead of parsing them
    build(corpus, warehouse, "rebuild (nothing changed)")
    assert marts_snapshot(warehouse) == first
    build(corpus, warehouse, "rebuild (unchanged reused)", "--full-rebuild")
    assert marts_snapshot(warehouse) == first
    assert raw_snapshot(warehouse) == first_raw
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.source_files where status = 'unchanged'").fetchone()[0] == 7
    # 2. the regular files under other names, in another order and nesting, into a new warehouse
    shuffled = tmp_path / "shuffled"
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.is_symlink()
                   and ".git" not in p.parts and not p.name.startswith("."))
    random.Random(3).shuffle(files)
    for k, src in enumerate(files):
        dst = shuffled / f"d{k % 3}" / f"{len(files) - k:03d}_{src.stem[::-1]}.dat"
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.stat().st_size > 16 * 1024 * 1024:
            continue  # the sparse oversize file: recorded, never in marts
        shutil.copyfile(src, dst)
    other = tmp_path / "other.duckdb"
    build(shuffled, other, "renamed + reordered")
    assert marts_snapshot(other, with_paths=False) == marts_snapshot(warehouse, with_paths=False)


# ------------------------------------------------------------------------------------------
# thousands of files


def test_thousands_of_files(tmp_path: Path):
    """2,000 entries: mostly not reports, plus copies and re-encodings of the samples."""
    corpus = tmp_path / "many"
    rng = random.Random(5)
    n = 0
    for k in range(1900):
        d = corpus / f"batch{k % 40:02d}" / f"sub{k % 7}"
        d.mkdir(parents=True, exist_ok=True)
        kind = k % 4
        if kind == 0:
            (d / f"note_{k}.txt").write_text(f"会议纪要 第 {k} 号\n参会人员 {rng.randint(3, 30)} 人\n", encoding="utf-8")
        elif kind == 1:
            (d / f"blob_{k}.bin").write_bytes(rng.randbytes(rng.randint(1, 4000)))
        elif kind == 2:
            (d / f"list_{k}.csv").write_text("item,amount\n" + f"a,{rng.random():.2f}\n" * 20, encoding="utf-8")
        else:
            (d / f"empty_{k}.txt").write_bytes(b"")
        n += 1
    samples = list(SAMPLE.values())
    for k in range(100):
        src = samples[k % 4]
        data = src.read_bytes()
        if k % 10 == 9:  # a few re-encodings: same report, other bytes
            data = data.decode("utf-8").replace("\n", "\r\n").encode("gb18030")
        (corpus / f"batch{k % 40:02d}" / f"report_copy_{k}.txt").write_bytes(data)
        n += 1
    assert n == 2000
    warehouse = tmp_path / "many.duckdb"
    build(corpus, warehouse, "2,000 files")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = dict(con.execute("select status, count(*) from raw.source_files group by 1").fetchall())
        assert sum(got.values()) == 2000
        assert got["error"] == 1900 and got["loaded"] == 4 and got["duplicate"] == 96
        assert con.execute("select count(*) from raw.ingest_errors where fatal").fetchone()[0] == 1900
        assert con.execute("select count(*) from marts.dim_document").fetchone()[0] == 4
    assert TIMINGS["2,000 files"] < 60


# ------------------------------------------------------------------------------------------
# fast checks without a build


def _facts(doc) -> tuple:
    rep = doc.report
    return ([asdict(c) for c in rep.cells], [asdict(f) for f in rep.facts], [asdict(p) for p in rep.presence],
            [asdict(r) for r in rep.repairs], [(p.stage, p.line, p.reason) for p in rep.problems])


@pytest.mark.parametrize("variant", ["gb18030", "gbk_crlf", "bom", "crlf", "bom_crlf", "utf16", "fullwidth"])
@pytest.mark.parametrize("key", ["001", "002"])
def test_reencoded_report_parses_to_the_same_facts(key: str, variant: str):
    raw = SAMPLE[key].read_bytes()
    text = raw.decode("utf-8")
    data = {
        "gb18030": text.encode("gb18030"),
        "gbk_crlf": text.replace("\n", "\r\n").encode("gbk"),
        "bom": b"\xef\xbb\xbf" + raw,
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "bom_crlf": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
        "utf16": text.encode("utf-16"),
        "fullwidth": _full_width(text).encode("utf-8"),
    }[variant]
    original, other = parse_document(raw), parse_document(data)
    assert other.text_sha256 == original.text_sha256
    assert _facts(other) == _facts(original)
    assert other.published_on == original.published_on


def test_full_width_amounts_in_a_table_row():
    text, line = with_row_amount(TEXT_001, "2011350", "２５５．７４")
    cells = [c for c in parse_document(text.encode("utf-8")).report.cells if c.source_line == line]
    assert len(cells) == 2 and all(str(c.amount_wan) == "255.74" for c in cells)


def test_published_on_is_parsed_and_checked():
    assert parse_document(SAMPLE["001"].read_bytes()).published_on == date(2025, 10, 28)
    assert parse_document(SAMPLE["001"].read_bytes()).published_line == 5
    cn = TEXT_001.replace("2025 年 10 月 28 日", "二〇二五年十一月五日", 1)
    assert parse_document(cn.encode("utf-8")).published_on == date(2025, 11, 5)
    early = parse_document(TEXT_001.replace("2025 年 10 月 28 日", "2024 年 10 月 28 日", 1).encode("utf-8"))
    assert early.published_on is None
    assert any(p.stage == "identity" and p.line == 5 for p in early.report.problems)
    for key in ("000", "002", "004"):  # no date under their titles; 填报日期 in the annex is not one
        assert parse_document(SAMPLE[key].read_bytes()).published_on is None


def test_file_cut_inside_a_utf8_character_loads():
    data = SAMPLE["001"].read_bytes()
    cut = data[: data.rindex("第三部分".encode()) + 4]  # ends inside 三 (3 bytes in UTF-8)
    doc = parse_document(cut)
    assert doc.encoding == "utf-8"
    assert any("ends inside" in p.reason for p in doc.report.problems)
    full = {(c.table_key, c.source_line, c.column_key, c.amount_wan) for c in parse_document(data).report.cells}
    assert {(c.table_key, c.source_line, c.column_key, c.amount_wan) for c in doc.report.cells} == full


def test_corrupt_bytes_in_utf8_text_are_not_read_as_gb18030():
    data = bytearray(SAMPLE["001"].read_bytes())
    at = data.index("部门主要职责".encode())
    data[at + 1] = 0xFF
    doc = parse_document(bytes(data))
    assert doc.encoding == "utf-8"
    assert any("U+FFFD" in p.reason for p in doc.report.problems)
    assert len(doc.report.cells) == len(parse_document(SAMPLE["001"].read_bytes()).report.cells)


def test_fifo_and_broken_symlink_never_block(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "missing")
    old = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("read_input blocked")))
    signal.alarm(5)
    try:
        for name, fragment in (("pipe", "FIFO"), ("link", "broken symlink")):
            with pytest.raises(ParseError, match=fragment):
                read_input(tmp_path / name)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_amounts_that_do_not_fit_are_recorded_not_stored(tmp_path: Path):
    """A 20-digit amount would overflow DECIMAL(18,2) and a 3-decimal one would be rounded:
    both are reported with their line, the rest of the report loads (no build crash)."""
    text, line = with_row_amount(TEXT_001, "2011350", "12345678901234567890.12")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "r.txt").write_text(text, encoding="utf-8")
    with duckdb.connect() as con:
        stats = load(con, [tmp_path / "c"])
        assert stats.files_new == 1
        errors = con.execute("select line, reason from raw.ingest_errors where not fatal and stage = 'parse'").fetchall()
        assert any(n == line and "not stored" in r for n, r in errors)
        assert con.execute("select count(*) from raw.table_cells where source_line = ?", [line]).fetchone()[0] < 2


def test_timings_report():
    """Not a check: prints the build timings of this module (pytest -s)."""
    print("\nreliability timings (s):", TIMINGS)
