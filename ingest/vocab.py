"""The words every parser compares by, in one place: name keys, list numbering, seed files.

Printed names drift in whitespace (line wraps put spaces inside words), bracket width
(（室） vs (室)) and quotation marks (“三公” vs "三公"). :func:`name_key` is the one
comparison key for them; its two options keep each caller's established matching:

============================  ===========  ================  =====================================
caller                        keep_quotes  keep_list_comma   why
============================  ===========  ================  =====================================
table titles, 01/04 labels,   True         False             the seeds print “三公”; 、 is list
subject and economic names                                   punctuation inside labels
PDF header cells              False        False             headers print the quotes or not
narrated 类/款/项 names        False        True              the narrative quotes names
                                                             inconsistently; a 、 inside a name
                                                             is part of it
============================  ===========  ================  =====================================

Seed CSV files (``seeds/*.csv``, read by dbt too) and the CSV data beside the code are read
by :func:`read_csv`.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ingest.text import compact

_BRACKETS = {"（": "(", "）": ")"}
_KEYS = {
    (keep_quotes, keep_list_comma): str.maketrans({
        **_BRACKETS,
        **({"“": '"', "”": '"'} if keep_quotes else {"“": "", "”": "", '"': ""}),
        **({} if keep_list_comma else {"、": ""}),
    })
    for keep_quotes in (True, False) for keep_list_comma in (True, False)
}


@lru_cache(maxsize=1 << 16)  # names recur in every report (subjects, rows): ~6% of parsing one
def name_key(name: str, *, keep_quotes: bool = True, keep_list_comma: bool = False) -> str:
    """A printed name's comparison key: no whitespace, ASCII brackets.

    ``keep_quotes``: quotation marks become one ASCII ``"`` (True) or are dropped (False).
    ``keep_list_comma``: the enumeration comma 、 is kept (True) or dropped (False).
    See the module docstring for which caller uses which.
    """
    return compact(name).translate(_KEYS[(keep_quotes, keep_list_comma)])


_NUMBERING = re.compile(r"^[一二三四五六七八九十]+、")


def strip_numbering(label: str) -> str:
    """'二十一、国有资本经营预算支出' → '国有资本经营预算支出' (whitespace removed too)."""
    return _NUMBERING.sub("", compact(label))


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file (a byte-order mark, as spreadsheet programs write, is skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
