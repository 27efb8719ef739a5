"""Decoding and text normalisation shared by every layout parser."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ingest.records import ParseError

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")
_AMOUNT = re.compile(r"^[-−]?\d{1,3}(,\d{3})+(\.\d+)?$|^[-−]?\d+(\.\d+)?$")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding). UTF-8 (with or without BOM) first, then GB18030.

    Raises ParseError for binary data (NUL bytes) or text no encoding explains.
    """
    if not data.strip():
        raise ParseError(None, "empty file", stage="decode")
    if b"\x00" in data[:4096]:
        raise ParseError(None, "binary file (NUL bytes): not a text report", stage="decode")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ParseError(
            None, f"neither UTF-8 nor GB18030 text ({utf8_error.reason} at byte {utf8_error.start})",
            stage="decode",
        ) from None
    return text, "gb18030"


def normalize_line(line: str) -> str:
    """NFKC (full-width digits, letters, ％, （） stay as printed), strip, drop CR.

    Full-width parentheses are kept because subject names print them (（室）); NFKC is
    applied only to ASCII-range compatibility characters.
    """
    line = line.replace("\r", "").replace("\u00a0", " ").replace("\u3000", " ")
    out = []
    for ch in line:
        if "\uff10" <= ch <= "\uff19" or ch in "．，％－＋":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out).strip(" ")


def split_lines(text: str) -> list[str]:
    return [normalize_line(x) for x in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def squeeze_cjk(text: str) -> str:
    """Remove spaces that line wraps put inside Chinese words (年初预算 数 → 年初预算数)."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def compact(text: str) -> str:
    """All whitespace removed: for comparing labels and titles."""
    return re.sub(r"\s+", "", text)


def is_amount(token: str) -> bool:
    return bool(_AMOUNT.match(token.strip()))


def parse_amount(token: str) -> Decimal:
    """'1,234.50' → Decimal('1234.50'). Raises ValueError on anything else."""
    t = token.strip().replace(",", "").replace("−", "-")
    if not _AMOUNT.match(token.strip()):
        raise ValueError(f"not an amount: {token!r}")
    try:
        return Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise ValueError(f"not an amount: {token!r}") from exc
