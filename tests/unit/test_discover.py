"""ingest.files.discover: every entry below the corpus, in Path order (parse order and the
loaded variant of duplicates follow it)."""

import os
from pathlib import Path

from ingest.files import discover


def test_discover_lists_entries_in_path_order(tmp_path: Path) -> None:
    for name in ["b/x.txt", "b-c/y.txt", "b c/z.txt", "B/a.txt", "b.txt", "中文/报告.txt", "a/.hidden", ".git/x"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    odd = os.fsencode(tmp_path) + b"/\xd6\xd0.txt"  # GBK bytes, not UTF-8
    with open(odd, "wb") as f:
        f.write(b"x")
    got = discover([tmp_path])
    assert got == sorted(got)  # Path's own order: by parts, so "b/x.txt" before "b c/z.txt" (as text, after)
    names = [p.relative_to(tmp_path).as_posix() for p in got]
    assert names == ["B/a.txt", "b/x.txt", "b c/z.txt", "b-c/y.txt", "b.txt", "中文/报告.txt",
                     os.fsdecode(b"\xd6\xd0.txt")]
