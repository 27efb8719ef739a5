"""Offline HTML audit site: ``index.html`` plus one page per document (``<document_id>.html``).

The index ranks the reports by errors, then warnings, with totals by severity and category,
charts and filters (severity, category, rule, unit, year, waived, version) and a search that
run in the page itself, without a server. A report page shows each finding with the rule's
Chinese title, both figures, the page and line, and the evidence: the table rows as printed
with the compared cells highlighted, the narrative sentence with its figures marked, or the
stated and recomputed rates side by side. Charts are SVG drawn here in Python
(:mod:`juesuan.site.charts`); pages come from the Jinja2 templates in ``juesuan/site/templates``
with the CSS and the small filter script inlined, so every page is one self-contained file that
loads nothing from the network.

The work is split by job: :mod:`.model` (labels and records), :mod:`.load` (reading the
warehouse), :mod:`.evidence` (rows and sentences with the compared figures highlighted) and
:mod:`.render` (the Jinja2 pages). This module re-exports what callers use.
"""

from juesuan.report.evidence import RULE_TABLES, DocumentEvidence, TableRow, _table_excerpt, _targets
from juesuan.report.model import NINE_TABLES, OTHER_SOURCES, Catalog, Document, Finding, fmt_num
from juesuan.report.render import FindingGroup, group_plain, write_reports

__all__ = ["RULE_TABLES", "NINE_TABLES", "OTHER_SOURCES", "Catalog", "Document", "DocumentEvidence", "Finding",
           "FindingGroup", "TableRow", "_table_excerpt", "_targets", "fmt_num", "group_plain", "write_reports"]
