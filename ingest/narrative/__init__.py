"""Every figure the 情况说明 (narrative) states, as typed :class:`NarrativeFact` records.

``extract_facts(lines, resolver)`` is pure: it reads the decoded document (``lines`` from
``ingest.text.split_lines``, index 0 = source line 1), finds the narrative part (第三部分 …
情况说明) and the 附件 part, joins the physical lines of each paragraph (sentences run over
lines, blank lines and page breaks), and matches the phrases the 决算公开 template prints.

Joining keeps a char → line map, so each fact's ``source_line`` is the line where its
number starts in the original file. Matching runs on a "compact" copy of each paragraph
(whitespace removed, except between two digits) so ``年初预算 数`` or ``支出决 算`` still
match; ``span`` is the sentence the figure came from, with its printed spacing.

Subjects narrated as ``X（类）Y（款）Z（项）`` are resolved to codes by
:class:`SubjectResolver`, level by level; a name that does not resolve yields a
:class:`ParseError`, never a guess. The caller may pass the report's own code ↔ name pairs
(``own_subjects``, see :func:`own_subjects_from_rows`): they are consulted first, because
reports print codes the bundled code list lacks (2024 Shanghai: 20139 社会工作事务).

Metric vocabulary (values are warehouse values; keep them stable) — see ``METRICS``.

The package, by job:

- ``paragraphs`` — where the narrative and 附件 parts are; paragraphs joined with a line map
- ``resolver`` — narrated 类/款/项 names → codes (code list, aliases, the report's own codes)
- ``facts`` — the metric and unit vocabulary; ``Out``, through which every scanner emits
- one module per family of scanners: ``levels`` (totals, composition, basic split,
  procurement), ``execution`` (一般公共预算: 类 structure, budget execution, wording),
  ``three_public`` (三公), ``assets`` (国有资产), ``performance`` (绩效, 整体, score)
- this module — ``extract_facts``: which scanners read which section
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from ingest.narrative.assets import scan_assets
from ingest.narrative.execution import scan_class_shares, scan_execution
from ingest.narrative.facts import (
    METRICS,
    QUALIFIER_OVERALL,
    STAGE,
    UNIT_COUNT,
    UNIT_DIRECTION,
    UNIT_PCT,
    UNIT_SCORE,
    UNIT_WAN,
    Out,
)
from ingest.narrative.levels import scan_levels, scan_procurement
from ingest.narrative.paragraphs import PART, Paragraph, find_part, paragraphs, part_heads
from ingest.narrative.performance import scan_performance, scan_score, scan_unit_overall
from ingest.narrative.resolver import (
    OWN_PATH_SEP,
    Subject,
    SubjectResolver,
    UnresolvedSubject,
    own_subjects_from_rows,
)
from ingest.narrative.three_public import scan_three_public
from ingest.records import NarrativeFact, ParseError

__all__ = [
    "METRICS", "OWN_PATH_SEP", "QUALIFIER_OVERALL", "STAGE", "UNIT_COUNT", "UNIT_DIRECTION", "UNIT_PCT",
    "UNIT_SCORE", "UNIT_WAN", "Subject", "SubjectResolver", "UnresolvedSubject", "extract_facts",
    "own_subjects_from_rows",
]

log = logging.getLogger("juesuan")


def _scan(para: Paragraph, resolver: SubjectResolver, out: Out) -> None:
    scan_levels(para, out)
    if para.section == "gpb":
        scan_class_shares(para, resolver, out)
        scan_execution(para, resolver, out)
    elif para.section == "three_public":
        scan_three_public(para, out)
    elif para.section == "procurement":
        scan_procurement(para, out)
    elif para.section == "assets":
        scan_assets(para, out)
    elif para.section == "performance":
        scan_performance(para, out)
    elif para.section == "annex":
        scan_unit_overall(para, out)
        scan_score(para, out)


def _narrative_range(lines: Sequence[str], heads: list[int] | None = None) -> tuple[int, int] | None:
    part = find_part(lines, "情况说明", heads)
    if part:
        return part
    # no part heading: start at the (last, i.e. not the contents') first section heading
    starts = [i for i, line in enumerate(lines) if re.match(r"^一、收入支出决算总体情况", line.strip())]
    if not starts:
        return None
    end = next((j for j in range(starts[-1], len(lines)) if PART.match(lines[j].strip())), len(lines))
    return starts[-1], end


def extract_facts(
    lines: list[str], resolver: SubjectResolver, own_subjects: Mapping[str, str] | None = None
) -> tuple[list[NarrativeFact], list[ParseError]]:
    """All figures the narrative states, with the problems met on the way (never raises).

    ``own_subjects`` (normalised name path such as ``社会工作事务/行政运行``, or a bare name →
    3/5/7-digit code; :func:`own_subjects_from_rows` builds it from the report's table rows)
    is consulted before the code list; None keeps the code list alone."""
    if own_subjects:
        resolver = resolver.with_own_subjects(own_subjects)
    out = Out()
    heads = part_heads(lines)
    narrative = _narrative_range(lines, heads)
    if narrative is None:
        out.errors.append(ParseError(None, "no 情况说明 (narrative) part found", stage=STAGE))
        return out.facts, out.errors
    paras = paragraphs(lines, narrative[0], narrative[1], None)
    annex = find_part(lines, "附件", heads)
    if annex and annex[0] > narrative[0]:
        paras += paragraphs(lines, annex[0], annex[1], "annex")
    for para in paras:
        _scan(para, resolver, out)
    out.facts.sort(key=lambda fact: fact.source_line)  # stable: same-line facts keep text order
    log.debug("narrative: %d facts, %d problems", len(out.facts), len(out.errors))
    return out.facts, out.errors
