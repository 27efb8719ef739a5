"""Synthetic 部门决算公开 corpus for scale tests (`juesuan synth`).

``generate(n_docs, out_dir, seed=, error_rate=)`` writes ``n_docs`` report texts that mimic
the bundled samples closely enough for our own parsers: the tab-separated layout of sample
001, the pdftotext flow layout of sample 002 and the narrative-only layout of 000/004 — same
title lines, table titles and numbering (表1–表9 in 2020, 公开01–09表 later), headers, row
shapes and the narrative sentences ``ingest/narrative.py`` reads.

How a report is made
--------------------
1. A *model* in 分 (0.01 万元, integers): leaf 项 amounts (basic/project, fiscal and
   non-fiscal money, income per subject, 年初预算), carry-overs, the 06 economic split,
   三公, projects, procurement. Everything printed is summed upward from the leaves, so
   every identity of the nine tables (and between them) holds exactly; the narrative's
   totals, shares, completion rates (rounded half-up from the printed amounts) and
   大于/小于 wording are computed from the same printed figures.
2. *Tables* (rows of printed cells) and *narrative figures* are derived from the model.
3. With ``error_rate`` R a share R of reports gets exactly one injected error (one of the
   audit categories, see ``CATEGORIES``), applied to the tables or the narrative figures.
4. *Rendering* in the report's layout — or, with ``fmt="pdf"``, as a PDF in the 2024 national
   template (``juesuan.synth.pdf``); the label of each injected error goes to
   ``<DIR>.labels.csv`` beside the corpus directory (see ``LABEL_COLUMNS``).

Determinism: the text of report ``i`` depends only on ``seed`` and ``i`` (units are laid out
in consecutive runs of years, each unit drawn from its own ``random.Random``), so the same
arguments give the same bytes, and ``generate(n + 1, …)`` rewrites the first ``n`` files
byte-identically and adds one — what the incremental-rebuild benchmark needs.

Modules, in the order a report passes through them
--------------------------------------------------
``reference``    code lists from ``seeds/``, places, departments, weights
``model``        ``Unit``, ``Leaf``, ``Report``: step 1 (``unit_plan``, ``make_report``)
``tables``       ``Tables``, ``build_tables``: step 2, the printed rows of the nine tables
``narrative``    ``Narrative``, ``build_narrative``, ``narrative_paragraphs``: step 2, 情况说明
``inject``       ``CATEGORIES``, ``eligible``, ``inject``, ``Label``: step 3; the rules each
                 injected error is expected to fire are ``injections.csv`` (``expected_rule_ids``)
``render_text``  the three text layouts (``RENDERERS``) and their ``Doc`` helper: step 4
``pdf``          the PDF renderer (with ``pdf_grid`` and ``pdf_raster``; imported on demand)
``corpus``       ``iter_docs``, ``generate``, ``labels_path``: the corpus and its labels
``fmt``          printed forms of amounts, rates and years, shared by the renderers
"""

from juesuan.synth.corpus import FORMATS, LABEL_COLUMNS, SynthDoc, generate, iter_docs, labels_path
from juesuan.synth.fmt import pct, trim, wan
from juesuan.synth.inject import CATEGORIES, CATEGORY_ORDER, Label, eligible, expected_rule_ids, inject
from juesuan.synth.model import (
    FIRST_YEAR,
    LAST_YEAR,
    LAYOUT_FLOW,
    LAYOUT_NARRATIVE,
    LAYOUT_TAB,
    LAYOUT_WEIGHTS,
    Leaf,
    Report,
    Unit,
)
from juesuan.synth.narrative import Execution, Narrative, build_narrative, narrative_paragraphs
from juesuan.synth.reference import CodeLists, code_lists
from juesuan.synth.render_text import RENDERERS, render_flow, render_narrative, render_tab
from juesuan.synth.tables import SubjectRow, Tables, build_tables

__all__ = [
    "CATEGORIES", "CATEGORY_ORDER", "FIRST_YEAR", "FORMATS", "LABEL_COLUMNS", "LAST_YEAR", "LAYOUT_FLOW",
    "LAYOUT_NARRATIVE", "LAYOUT_TAB", "LAYOUT_WEIGHTS", "RENDERERS", "CodeLists", "Execution", "Label", "Leaf",
    "Narrative", "Report", "SubjectRow", "SynthDoc", "Tables", "Unit", "build_narrative", "build_tables",
    "code_lists", "eligible", "expected_rule_ids", "generate", "inject", "iter_docs", "labels_path", "narrative_paragraphs", "pct",
    "render_flow", "render_narrative", "render_tab", "trim", "wan",
]
