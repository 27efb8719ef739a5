"""Decoding and text normalisation shared by every layout parser."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ingest.records import ParseError

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")
_AMOUNT = re.compile(r"^[-−]?\d{1,3}(,\d{3})+(\.\d+)?$|^[-−]?\d+(\.\d+)?$")


# Formats people drop into a corpus by mistake: named in the error instead of "not text".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/OFD): not a text report"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image: not a text report (OCR is out of scope)"),
    (b"\xff\xd8\xff", "a JPEG image: not a text report (OCR is out of scope)"),
    (b"GIF8", "a GIF image: not a text report"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 file (DOC/XLS/WPS): convert it to text first"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"Rar!\x1a\x07", "a RAR archive: unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive: unpack it first"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_NOT_ODD = (*_TEXT_CONTROLS, "\u3000", "\u00a0")  # text controls, and spaces that are not odd either
_SNIFF_CHARS = 65536  # characters inspected for control / unassigned code points


@dataclass
class Decoded:
    """Decoded text plus non-fatal notes (e.g. a multi-byte character cut at the end of the file)."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def _decode_cut_tail(data: bytes, codec: str) -> tuple[str, int]:
    """Decode; a multi-byte character cut by a truncated download (≤ 3 bytes at the end) is dropped.

    Returns (text, bytes dropped). Raises UnicodeDecodeError for any other invalid byte.
    """
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3 or exc.end != len(data):
            raise
        return data[: exc.start].decode(codec), len(data) - exc.start


def _not_text_share(text: str) -> float:
    """Share of control, private-use and unassigned code points: high for binary data decoded as text."""
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return 0.0
    # Fast path (exact): without the text controls and the spaces (Zs) of Chinese text, nothing
    # is Cc/Cf/Cs/Co/Cn/Z*. str.replace, not str.translate: a dict lookup per character was
    # ~8% of parsing a report.
    rest = sample
    for ch in _NOT_ODD:
        if ch in rest:
            rest = rest.replace(ch, "")
    if rest.isprintable():
        return 0.0
    odd = sum(1 for ch in sample if ch not in _TEXT_CONTROLS and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    return odd / len(sample)


def decode_text(data: bytes) -> Decoded:
    """Bytes → Decoded. BOM (UTF-8/UTF-16) first, then UTF-8, then GB18030 (superset of GBK/GB2312).

    Raises ParseError (stage ``decode``) for empty files, known binary formats, NUL bytes and
    text no encoding explains. Never raises anything else.
    """
    if not data.strip() or data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise ParseError(None, "empty file", stage="decode")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ParseError(None, f"binary file: {what}", stage="decode")
    candidates = [enc for bom, enc in _BOMS if data.startswith(bom)]
    if not candidates:
        if b"\x00" in data[:4096]:
            raise ParseError(None, "binary file (NUL bytes): not a text report", stage="decode")
        candidates = ["utf-8", "gb18030"]
    first_error: UnicodeDecodeError | None = None
    for codec in candidates:
        notes: list[str] = []
        try:
            text, dropped = _decode_cut_tail(data, codec)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            if not codec.startswith("utf-8"):
                continue
            # A few corrupt bytes in UTF-8 text are not GB18030: GB18030 would turn the whole file
            # into mojibake (and can swallow ASCII digits into 4-byte sequences). U+FFFD is never
            # a digit, so a replaced byte can only make a number unreadable, never change it.
            replaced = data.decode(codec, errors="replace")
            bad = replaced.count("\ufffd")
            if bad * 50 > sum(1 for ch in replaced if ord(ch) > 127):
                continue
            text, dropped = replaced, 0
            first = exc.start + (3 if codec == "utf-8-sig" else 0)  # the sig codec counts after the BOM
            notes.append(f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD (first at byte {first})")
        if codec.startswith("utf-16"):
            text = text.lstrip("\ufeff")
        elif codec == "utf-8-sig":
            text = text.removeprefix("\ufeff")
        share = _not_text_share(text)
        if share > 0.01:
            raise ParseError(None, f"binary file: {share:.0%} control or unassigned characters when read as {codec}",
                             stage="decode")
        if dropped:
            notes.append(f"file ends inside a {codec} character ({dropped} byte(s) dropped): truncated download?")
        return Decoded(text, codec, notes)
    assert first_error is not None
    raise ParseError(None, f"neither UTF-8 nor GB18030 text ({first_error.reason} at byte {first_error.start})",
                     stage="decode")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding); see :func:`decode_text`. Raises ParseError for data that is not text."""
    got = decode_text(data)
    return got.text, got.encoding


# What normalize_line replaces: NFKC of full-width digits and ．，％－＋, CR dropped, no-break and
# ideographic spaces as spaces. One str.replace per character over the whole text is ~10x faster
# than str.translate, which looks every character up in a dict (~8% of parsing a report).
_LINE_REPLACE = tuple(
    (ch, unicodedata.normalize("NFKC", ch)) for ch in [*map(chr, range(0xFF10, 0xFF1A)), *"．，％－＋"]
) + (("\r", ""), ("\u00a0", " "), ("\u3000", " "))


def _replace_chars(text: str) -> str:
    for old, new in _LINE_REPLACE:
        if old in text:
            text = text.replace(old, new)
    return text


def normalize_line(line: str) -> str:
    """NFKC (full-width digits, letters, ％, （） stay as printed), strip, drop CR.

    Full-width parentheses are kept because subject names print them (（室）); NFKC is
    applied only to ASCII-range compatibility characters.
    """
    return _replace_chars(line).strip(" ")


def split_lines(text: str) -> list[str]:
    """The text's lines, each as normalize_line leaves it."""
    return [x.strip(" ") for x in _replace_chars(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")]


def squeeze_cjk(text: str) -> str:
    """Remove spaces that line wraps put inside Chinese words (年初预算 数 → 年初预算数)."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def compact(text: str) -> str:
    """All whitespace removed: for comparing labels and titles. (str.split splits on exactly the
    characters ``\\s`` matches, at a fraction of re.sub's cost: the parsers call this ~4,000 times a report.)"""
    return "".join(text.split())


# The parsers ask about the same few tokens again and again (a report prints each amount in
# several tables and its narrative: 93 % of is_amount's and 79 % of parse_amount's calls repeat
# a token of the same run); the answers are immutable, so they are kept.
@lru_cache(maxsize=8192)
def is_amount(token: str) -> bool:
    return bool(_AMOUNT.match(token.strip()))


def line_number(token: str) -> int | None:
    """A 行次 or column number ('1'…'999'), else None. ASCII digits only and bounded: str.isdigit()
    also accepts '²', and int() of a 5,000-digit token raises, both of which noise produces."""
    t = token.strip()
    return int(t) if 0 < len(t) <= 3 and t.isascii() and t.isdecimal() else None


@lru_cache(maxsize=8192)
def parse_amount(token: str) -> Decimal:
    """'1,234.50' → Decimal('1234.50'). Raises ValueError on anything else."""
    t = token.strip()
    if not _AMOUNT.match(t):
        raise ValueError(f"not an amount: {token!r}")
    try:
        return Decimal(t.replace(",", "").replace("−", "-"))
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise ValueError(f"not an amount: {token!r}") from exc
