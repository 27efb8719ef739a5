"""The corpus: reports in sequence (``iter_docs``), written to a directory with their labels
(``generate``)."""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from juesuan.synth.inject import CATEGORY_ORDER, Label, eligible, inject
from juesuan.synth.model import LAYOUT_WEIGHTS, Report, Unit, make_report, unit_plan, year_figures
from juesuan.synth.narrative import Narrative, build_narrative
from juesuan.synth.render_text import RENDERERS
from juesuan.synth.tables import Tables, build_tables

FORMATS = ("text", "pdf")
LABEL_COLUMNS = ("file", "unit_name", "fiscal_year", "report_scope", "layout", "category", "variant",
                 "expected_rule_ids", "table_key", "subject_code", "description")


@dataclass
class SynthDoc:
    index: int
    file: str
    data: bytes
    unit_name: str
    fiscal_year: int
    report_scope: str
    layout: str
    label: Label | None
    report: Report
    tables: Tables
    narrative: Narrative


def _slots(seed: int) -> Iterator[tuple[Unit, int]]:
    """(unit, k-th year of the unit) for doc 0, 1, 2, … — a prefix-stable layout of the corpus."""
    u = 0
    while True:
        unit = unit_plan(seed, u)
        for k in range(unit.years):
            yield unit, k
        u += 1


def iter_docs(n_docs: int, seed: int = 1, error_rate: float = 0.0, fmt: str = "text",
              pdf_options: Mapping[str, object] | None = None) -> Iterator[SynthDoc]:
    """The corpus, one document at a time (deterministic; see the module docstring).

    ``fmt="pdf"`` draws each report as a PDF in the 2024 national template
    (``juesuan.synth.pdf``; its variants come from the seed, ``pdf_options`` forces fields of
    ``PdfOptions``); the model, tables, narrative and labels are the same as for text.
    """
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must lie in [0, 1]")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if fmt == "pdf":
        from juesuan.synth import pdf as synth_pdf
    series: dict[int, tuple[random.Random, dict[str, int] | None]] = {}
    for i, (unit, k) in zip(range(n_docs), _slots(seed), strict=False):
        if k == 0:
            series = {unit.index: (random.Random(unit.rng_seed), None)}
        rng, prev = series[unit.index]
        year = unit.first_year + k
        report = make_report(unit, year, rng, prev)
        series[unit.index] = (rng, year_figures(report))
        doc_rng = random.Random(f"juesuan-synth:{seed}:doc:{i}")
        if doc_rng.random() < 0.5:  # a publisher mostly keeps its format, not always
            report.layout = doc_rng.choices([x for x, _ in LAYOUT_WEIGHTS], [w for _, w in LAYOUT_WEIGHTS])[0]
        tables = build_tables(report)
        narrative = build_narrative(report, doc_rng)
        label = None
        err_rng = random.Random(f"juesuan-synth:{seed}:error:{i}")
        if err_rng.random() < error_rate:
            category = CATEGORY_ORDER[i % len(CATEGORY_ORDER)]
            if not eligible(category, report, narrative):
                category = err_rng.choice([c for c in CATEGORY_ORDER if eligible(c, report, narrative)])
            label = inject(category, report, tables, narrative, err_rng)
        if fmt == "pdf":
            # an image page only where no injected error could hide behind it
            options = synth_pdf.draw_options(random.Random(f"juesuan-synth:{seed}:pdf:{i}"), report,
                                             allow_image=label is None, **(pdf_options or {}))
            data = synth_pdf.render_pdf(report, tables, narrative, doc_rng, options=options)
        else:
            text = RENDERERS[report.layout](report, tables, narrative, doc_rng)
            encoding = str(report.style["encoding"])
            data = text.encode("gb18030") if encoding == "gb18030" else text.encode(encoding)
        scope = "unit" if unit.own_level or unit.kind == "单位" else "department"
        name = f"{i:06d}_{hashlib.sha256(data).hexdigest()[:12]}.{'pdf' if fmt == 'pdf' else 'txt'}"
        yield SynthDoc(i, name, data, unit.name, year, scope, report.layout, label, report, tables, narrative)


_SYNTH_NAME = re.compile(r"^\d{6}_[0-9a-f]{12}\.(?:txt|pdf)$")


def labels_path(out_dir: Path) -> Path:
    """``<DIR>.labels.csv`` beside the corpus directory ``DIR`` (inside it, a build would try to
    parse it as a report)."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}.labels.csv"


def generate(n_docs: int, out_dir: Path, seed: int = 1, error_rate: float = 0.0, fmt: str = "text",
             pdf_options: Mapping[str, object] | None = None) -> dict[str, object]:
    """Write ``n_docs`` reports to ``out_dir`` (and ``labels.csv`` beside them, outside the corpus).

    ``fmt`` is ``"text"`` (``.txt`` in the three text layouts) or ``"pdf"`` (``.pdf``, see
    ``iter_docs``).

    Returns ``{"documents", "errors_injected", "labels_file", "layouts", "categories"}``.
    The corpus directory holds only report texts, so it can be passed to ``juesuan build``;
    reports an earlier run left there (same naming, not part of this run) are removed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels_file = labels_path(out_dir)
    layouts: dict[str, int] = {}
    categories: dict[str, int] = {}
    labels: list[dict[str, object]] = []
    count = 0
    written: set[str] = set()
    for doc in iter_docs(n_docs, seed, error_rate, fmt, pdf_options):
        path = out_dir / doc.file
        written.add(doc.file)
        if not path.exists() or path.read_bytes() != doc.data:
            path.write_bytes(doc.data)
        layouts[doc.layout] = layouts.get(doc.layout, 0) + 1
        count += 1
        if doc.label:
            lab = doc.label
            categories[lab.category] = categories.get(lab.category, 0) + 1
            labels.append(dict(file=doc.file, unit_name=doc.unit_name, fiscal_year=doc.fiscal_year,
                               report_scope=doc.report_scope, layout=doc.layout, category=lab.category,
                               variant=lab.variant, expected_rule_ids=";".join(lab.expected), table_key=lab.table_key,
                               subject_code=lab.subject_code or "", description=lab.description))
    for stale in out_dir.iterdir():  # reports of an earlier run with other arguments; other files stay
        if _SYNTH_NAME.match(stale.name) and stale.name not in written:
            stale.unlink()
    with labels_file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LABEL_COLUMNS)
        writer.writeheader()
        writer.writerows(labels)
    return {"documents": count, "errors_injected": len(labels), "labels_file": str(labels_file),
            "layouts": layouts, "categories": categories}
