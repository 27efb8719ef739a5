"""Bad PDFs end in raw.ingest_errors with a clear reason and never stop the other files (DESIGN §2):
encrypted, corrupt, zero pages, image-only, thousands of pages, the blank template, a parser that
hangs and a parser worker that dies. The loader runs into an in-memory DuckDB: no dbt, seconds."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import duckdb
import pytest

import ingest.parse
from ingest.loader import load
from juesuan.synth import iter_docs
from tests.fixtures.pdf import bad_pdfs


def _good_pdf() -> bytes:
    return next(d for d in iter_docs(2, seed=23, fmt="pdf", pdf_options=dict(image_tables=frozenset()))
                if d.layout != "narrative_only").data


def _load(corpus: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    con = duckdb.connect()
    load(con, [corpus], workers=1)
    status = {Path(f).name: s for f, s in con.execute("select source_file, status from raw.source_files").fetchall()}
    errors = {Path(f).name: (stage, reason) for f, stage, reason in con.execute(
        "select source_file, stage, reason from raw.ingest_errors where fatal").fetchall()}
    return status, errors


def test_every_bad_pdf_is_an_ingest_error_and_the_good_one_loads(tmp_path: Path) -> None:
    files = {
        "good.pdf": _good_pdf(),
        "encrypted.pdf": bad_pdfs.encrypted(),
        "truncated.pdf": bad_pdfs.truncated(),
        "random.PDF": bad_pdfs.random_after_header(),
        "zero_pages.pdf": bad_pdfs.zero_pages(),
        "scan.pdf": bad_pdfs.image_only(),
        "3000_pages.pdf": bad_pdfs.thousands_of_pages(),
        "template.pdf": bad_pdfs.blank_template(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    status, errors = _load(tmp_path)
    assert status.pop("good.pdf") == "loaded"
    assert set(status.values()) == {"error"} and sorted(status) == sorted(errors)  # nothing lost
    expected = {
        "encrypted.pdf": ("pdf", "encrypted PDF (needs a password)"),
        "truncated.pdf": ("pdf", "not a readable PDF (corrupt or truncated?)"),
        "random.PDF": ("pdf", "No /Root object"),
        "zero_pages.pdf": ("pdf", "PDF has no pages"),
        "scan.pdf": ("pdf", "without a text layer"),
        "3000_pages.pdf": ("pdf", "3000 pages (limit 500)"),
        "template.pdf": ("identity", "blank template"),
    }
    for name, (stage, fragment) in expected.items():
        assert errors[name][0] == stage and fragment in errors[name][1], (name, errors[name])


def _hang(_data: bytes) -> None:
    time.sleep(60)


def _die(_data: bytes) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(("stand_in", "fragment"), [(_hang, "parser took longer than 1 s"),
                                                    (_die, "parser worker died (signal 9")])
def test_a_parser_that_hangs_or_dies_is_recorded_and_the_build_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stand_in, fragment: str) -> None:
    (tmp_path / "pathological.pdf").write_bytes(_good_pdf())
    (tmp_path / "001.txt").write_bytes((Path(__file__).parents[2] / "data" / "samples"
                                        / "001_12d88111db7f2822.txt").read_bytes())
    monkeypatch.setenv("JUESUAN_PDF_TIMEOUT", "1")
    monkeypatch.setattr(ingest.parse, "parse_pdf", stand_in)
    started = time.monotonic()
    status, errors = _load(tmp_path)
    assert time.monotonic() - started < 30
    assert status == {"pathological.pdf": "error", "001.txt": "loaded"}
    assert errors["pathological.pdf"][0] == "parse" and fragment in errors["pathological.pdf"][1]
