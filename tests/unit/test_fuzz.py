"""Property-based fuzzing of the parsers (issue 8).

The sample texts are mutated (truncation at random points, shuffled / duplicated / deleted
lines, huge lines, byte noise, odd numbers such as 1e9999, ０.５, 1,234,567.891, -0, '—',
re-encodings) and fed to ``ingest.parse.parse_document`` and ``ingest.loader.parse_file``.
Properties:

* nothing but ParseError is ever raised (``parse_file`` never raises at all);
* every number emitted comes from the text: each TableCell.amount_wan appears in its raw
  line(s) and each NarrativeFact.value in its span (5.5 == 5.50, thousands separators
  ignored; direction codes and the 0 of "持平" / "无…" wording are not printed numbers);
* a report truncated anywhere yields only cells the full report has, in the same place.

Crashes and violations are counted, not raised, so a long run reports every distinct
failure instead of stopping at the first; ``test_zz_summary`` prints the counts and fails
if there is any. The smallest input per distinct crash is saved under
``$JUESUAN_FUZZ_DIR`` (default: ``$TMPDIR/juesuan-fuzz``) for replay.

Examples per test: ``$JUESUAN_FUZZ_EXAMPLES`` (default 200, deterministic; ``make fuzz``
runs 20000 with random seeds). Time budget: ``$JUESUAN_FUZZ_SECONDS`` (default none) counted from
the import of this module; once spent, the remaining examples are counted as skipped instead of
run. The counts are printed in every case: by ``test_zz_summary``, or at exit when the run was cut
off (Ctrl-C, or SIGTERM from ``timeout`` when a budget or a long run is set).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loader import parse_file
from ingest.parse import parse_document
from ingest.records import ParsedReport, ParseError
from tests.conftest import SAMPLE

EXAMPLES = int(os.environ.get("JUESUAN_FUZZ_EXAMPLES", "200"))
LONG_RUN = EXAMPLES > 1000
BUDGET = float(os.environ["JUESUAN_FUZZ_SECONDS"]) if os.environ.get("JUESUAN_FUZZ_SECONDS") else None
STARTED = time.monotonic()
CRASH_DIR = Path(os.environ.get("JUESUAN_FUZZ_DIR") or Path(tempfile.gettempdir()) / "juesuan-fuzz")
CRASH_DIR.mkdir(parents=True, exist_ok=True)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,  # the short run in `make test` is reproducible; the long run explores
    database=None,
    suppress_health_check=list(HealthCheck),
)

TEXTS = {key: path.read_text(encoding="utf-8") for key, path in SAMPLE.items()}
ODD_NUMBERS = (
    "1e9999", "1E5", "０.５", "．５", "1,234,567.891", "-0", "−3.20", "+5", "—", "－", "--1", "-",
    "9" * 40, "12345678901234567890.12", "0.000001", ".5", "5.", "1..2", "1,2,3", "00012", "1 234.56",
    "１２３，４５６．７８", "NaN", "Infinity", "∞", "0x1F", "1_000", "٣", "²", "½", "①", "〇", "5.50", "0.00",
)
TOKENS = ("\t", "  ", "\t\t", "合计", "总计", "万元", "元", "%", "（类）", "（款）", "（项）", "年初预算", "决算数",
          "。", "，", "第三部分", "2024 年度收入决算表", "公开01表", "栏次", "\u3000", "\r", "\x0c", "\ufeff")
KINDS = ("truncate", "shuffle", "duplicate", "delete", "swap", "huge_line", "long_token", "odd_number",
         "insert_token", "bytes_flip", "bytes_insert", "bytes_delete")
MAX_CHARS = 1_000_000  # mutated texts stay below this (20× a real report)
ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16")

STATS: Counter[str] = Counter()
CRASHES: dict[str, tuple[int, str, Path]] = {}  # signature → (input size, message, saved input)
VIOLATIONS: dict[str, str] = {}  # kind → first example


# ------------------------------------------------------------------------------------------
# mutation


def _number_spans(line: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\d+(?:[.,]\d+)*", line)]


def mutate(text: str, ops: list[tuple[str, int, int, str]], encoding: str) -> bytes:
    """Apply ``ops`` (kind, a, b, odd) to ``text`` and encode; a/b are reduced modulo the sizes."""
    lines = text.split("\n")
    byte_ops = []
    for kind, a, b, odd in ops:
        n = max(len(lines), 1)
        i = a % n
        width = 1 + b % 60
        if kind == "truncate":
            joined = "\n".join(lines)
            lines = joined[: a % (len(joined) + 1)].split("\n")
        elif kind == "shuffle":
            window = lines[i:i + width]
            order = sorted(range(len(window)), key=lambda k: hashlib.md5(f"{b}:{k}".encode()).digest())
            lines[i:i + width] = [window[k] for k in order]
        elif kind == "duplicate":
            lines[i:i] = lines[i:i + width] * (1 + b % 3)
        elif kind == "delete":
            del lines[i:i + width]
        elif kind == "swap" and lines:
            j = b % n
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "huge_line" and lines:
            lines[i] = lines[i] * (2 + b % 500)
        elif kind == "long_token" and lines:
            lines[i] += "\t" + (odd * (1 + b % 5000))[:100_000]
        elif kind == "odd_number" and lines:
            spans = _number_spans(lines[i])
            if spans:
                s, e = spans[b % len(spans)]
                lines[i] = lines[i][:s] + odd + lines[i][e:]
            else:
                lines[i] += odd
        elif kind == "insert_token" and lines:
            line = lines[i]
            at = b % (len(line) + 1)
            token = TOKENS[b % len(TOKENS)] if b % 2 else odd
            lines[i] = line[:at] + token + line[at:]
        elif kind.startswith("bytes_"):
            byte_ops.append((kind, a, b))
        if sum(map(len, lines)) > MAX_CHARS:  # bounded: the loader refuses big files before parsing
            lines = "\n".join(lines)[:MAX_CHARS].split("\n")
    data = "\n".join(lines).encode(encoding, errors="replace")
    for kind, a, b in byte_ops:
        if not data:
            break
        at = a % len(data)
        if kind == "bytes_flip":
            data = data[:at] + bytes([b % 256]) + data[at + 1:]
        elif kind == "bytes_insert":
            data = data[:at] + bytes((b >> k) % 256 for k in range(0, 8 * (1 + b % 4), 8)) + data[at:]
        else:
            data = data[:at] + data[at + 1 + b % 8:]
    return data


op = st.tuples(st.sampled_from(KINDS), st.integers(0, 2**32), st.integers(0, 2**32), st.sampled_from(ODD_NUMBERS))
ops_strategy = st.lists(op, min_size=1, max_size=6)


# ------------------------------------------------------------------------------------------
# properties


_NUMBER = re.compile(r"\d+(?:,\d+)*(?:\.\d+)?")


def numbers_in(text: str) -> set[Decimal]:
    """Every value a printed number in ``text`` can stand for: 1,234.50 → 1234.50 (and 1, 234.50)."""
    out: set[Decimal] = set()
    for m in _NUMBER.finditer(text):
        for token in {m.group().replace(",", ""), *m.group().split(",")}:
            try:
                out.add(Decimal(token))
            except InvalidOperation:
                pass
    return out


def _wording_fact(metric: str, value: Decimal, qualifier: str | None) -> bool:
    """Facts whose value encodes wording, not a printed number: direction (1/0/-1), 持平, 无…."""
    if metric.endswith("direction") and value in (-1, 0, 1):
        return True
    return value == 0 and bool(qualifier) and ("持平" in qualifier or qualifier.startswith("无"))


def violations(report: ParsedReport, line_count: int) -> list[tuple[str, str]]:
    out = []
    for c in report.cells:
        if c.amount_wan.copy_abs() not in numbers_in(c.raw_text):
            out.append(("cell amount not in its line", f"{c.table_key} line {c.source_line}: {c.amount_wan} "
                        f"from {c.raw_text[:200]!r}"))
        if not 1 <= c.source_line <= line_count:
            out.append(("cell line out of range", f"{c.table_key} line {c.source_line} of {line_count}"))
    for f in report.facts:
        if not _wording_fact(f.metric, f.value, f.qualifier) and f.value.copy_abs() not in numbers_in(f.span):
            out.append(("fact value not in its span", f"{f.metric} line {f.source_line}: {f.value} "
                        f"from {f.span[:200]!r}"))
        if not 1 <= f.source_line <= line_count:
            out.append(("fact line out of range", f"{f.metric} line {f.source_line} of {line_count}"))
    return out


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inner = next((fr for fr in reversed(frames) if "/ingest/" in fr.filename), frames[-1] if frames else None)
    where = f"{Path(inner.filename).name}:{inner.lineno} ({inner.name})" if inner else "?"
    return f"{type(exc).__name__} at {where}"


def record_crash(exc: BaseException, data: bytes) -> None:
    STATS["crashes"] += 1
    sig = _signature(exc)
    if sig in CRASHES and CRASHES[sig][0] <= len(data):
        return
    path = CRASH_DIR / f"crash_{hashlib.sha1(sig.encode()).hexdigest()[:10]}.txt"
    path.write_bytes(data)
    CRASHES[sig] = (len(data), f"{exc!s}"[:300], path)


def record_violations(found: list[tuple[str, str]]) -> None:
    for kind, example in found:
        STATS["violations"] += 1
        VIOLATIONS.setdefault(kind, example)


def _progress() -> None:
    """Long runs: a line on the real stderr every 1000 iterations (pytest captures sys.stderr)."""
    if LONG_RUN and STATS["iterations"] % 1000 == 0:
        sys.__stderr__.write(f"  fuzz {time.strftime('%H:%M:%S')}: {dict(STATS)}\n")


def out_of_time() -> bool:
    """True once ``$JUESUAN_FUZZ_SECONDS`` is spent; the example is then counted, not run."""
    if BUDGET is not None and time.monotonic() - STARTED > BUDGET:
        STATS["skipped (time budget)"] += 1
        return True
    return False


def run_parse(data: bytes) -> None:
    STATS["iterations"] += 1
    _progress()
    try:
        doc = parse_document(data)
    except ParseError:
        STATS["not a report (ParseError)"] += 1
        return
    except Exception as exc:  # noqa: BLE001 - the property under test: counted and saved
        record_crash(exc, data)
        return
    STATS["parsed"] += 1
    record_violations(violations(doc.report, doc.line_count))


# ------------------------------------------------------------------------------------------
# tests


@FUZZ
@given(key=st.sampled_from(sorted(TEXTS)), ops=ops_strategy, encoding=st.sampled_from(ENCODINGS))
def test_parse_bytes_never_crashes_and_invents_no_number(key: str, ops, encoding: str):
    if out_of_time():
        return
    run_parse(mutate(TEXTS[key], ops, encoding))


@settings(FUZZ, max_examples=max(20, EXAMPLES // 10))
@given(key=st.sampled_from(sorted(TEXTS)), ops=ops_strategy, encoding=st.sampled_from(ENCODINGS))
def test_parse_file_never_raises(key: str, ops, encoding: str):
    if out_of_time():
        return
    data = mutate(TEXTS[key], ops, encoding)
    path = CRASH_DIR / "current_input.txt"
    path.write_bytes(data)
    STATS["files"] += 1
    try:
        res = parse_file(path)
    except Exception as exc:  # noqa: BLE001 - parse_file must never raise
        record_crash(exc, data)
        return
    if res.error is None:
        assert res.report is not None and res.document is not None
        record_violations(violations(res.report, res.line_count))
    else:
        assert isinstance(res.error, ParseError) and res.error.reason


FULL = {key: parse_document(SAMPLE[key].read_bytes()) for key in ("001", "002")}


@settings(FUZZ, max_examples=max(20, EXAMPLES // 10))
@given(key=st.sampled_from(sorted(FULL)), cut=st.floats(0, 1))
def test_truncated_report_only_has_cells_of_the_full_report(key: str, cut: float):
    if out_of_time():
        return
    data = SAMPLE[key].read_bytes()
    data = data[: int(len(data) * cut)]
    STATS["truncations"] += 1
    try:
        doc = parse_document(data)
    except ParseError:
        return
    except Exception as exc:  # noqa: BLE001
        record_crash(exc, data)
        return
    full = {(c.table_key, c.source_line, c.column_key, c.side, c.amount_wan) for c in FULL[key].report.cells}
    for c in doc.report.cells:
        if (c.table_key, c.source_line, c.column_key, c.side, c.amount_wan) not in full:
            record_violations([("truncated report: cell not in the full report",
                                f"{key} cut at byte {len(data)}: {c.table_key} line {c.source_line} "
                                f"{c.column_key} = {c.amount_wan}")])


def test_odd_numbers_in_a_table_row_parse_or_fail_cleanly():
    """Each odd number in place of one amount of 001's 行政运行 row: no crash, no invented value."""
    for odd in ODD_NUMBERS:
        text = TEXTS["001"]
        start = text.index("\n2011350\t") + 1
        end = text.index("\n", start)
        row = text[start:end].replace("255.74", odd, 1)
        run_parse((text[:start] + row + text[end:]).encode("utf-8"))


def _replace_line(key: str, index: int, old: str, new: str) -> bytes:
    lines = TEXTS[key].split("\n")
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new, 1)
    return "\n".join(lines).encode("utf-8")


def _three_public_columns_row(key: str) -> int:
    lines = TEXTS[key].split("\n")
    return next(k for k, x in enumerate(lines) if [c for c in x.split("\t") if c.strip()] == [str(n) for n in range(1, 13)])


# Crashes the fuzzer once found (int() of tokens str.isdigit() accepts: '²', 5,000 digits); kept as
# regression inputs: each must now parse or fail with a ParseError.
KNOWN_CRASHES = [
    pytest.param(lambda: _replace_line("001", 100, "\t1\t", "\t²\t"), id="tabular-summary-line-no-superscript"),
    pytest.param(lambda: _replace_line("001", _three_public_columns_row("001"), "\t12", "\t12\t" + "9" * 5000),
                 id="tabular-three-public-column-numbers-5000-digits"),
    pytest.param(lambda: _replace_line("002", 92, "1 217.35", "9" * 5000 + " 217.35"),
                 id="flow-summary-line-no-5000-digits"),
]


@pytest.mark.parametrize("make_input", KNOWN_CRASHES)
def test_known_crash_inputs(make_input):
    try:
        parse_document(make_input())
    except ParseError:
        pass


def summary_lines() -> list[str]:
    budget = f", budget {BUDGET:g} s" if BUDGET is not None else ""
    lines = [f"fuzz ({EXAMPLES} examples per test, {'random' if LONG_RUN else 'derandomized'}{budget}, "
             f"{time.monotonic() - STARTED:.0f} s): " + ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))]
    for sig, (size, message, path) in sorted(CRASHES.items()):
        lines.append(f"  CRASH {sig}: {message} — smallest input ({size} bytes): {path}")
    for kind, example in sorted(VIOLATIONS.items()):
        lines.append(f"  VIOLATION {kind}: {example}")
    return lines


SUMMARY_PRINTED = False


def _summary_at_exit() -> None:
    """A run cut off before ``test_zz_summary`` still prints what it counted."""
    if not SUMMARY_PRINTED and STATS:
        sys.__stderr__.write("\n".join(["", "(cut off before the summary)", *summary_lines()]) + "\n")


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # pytest ends the session cleanly; the exit hook prints the counts


atexit.register(_summary_at_exit)
if (BUDGET is not None or LONG_RUN) and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _sigterm)


def test_zz_summary(capsys: pytest.CaptureFixture[str]):
    """Runs last: prints the counts of the whole run and fails on any crash or violation."""
    global SUMMARY_PRINTED
    lines = summary_lines()
    with capsys.disabled():
        print("\n" + "\n".join(lines) + f"\n  ({time.strftime('%H:%M:%S')}; crash inputs in {CRASH_DIR})")
    SUMMARY_PRINTED = True
    assert STATS["crashes"] == 0, "\n".join(lines)
    assert STATS["violations"] == 0, "\n".join(lines)
