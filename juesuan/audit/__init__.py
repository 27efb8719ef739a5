"""The audit: Great Expectations over audit.checks → audit.findings, and findings for people.

- ``expectations``: the templates of expectations/templates.yml and the GE validator;
- ``runner``: ``run_audit`` (the build's step) and ``evaluate`` (hand-made frames), both through
  ``evaluate_rules``; writes audit.findings, fills source_page, applies the waivers;
- ``presentation``: ``load_findings`` / ``format_findings`` and their filters (``juesuan findings``).
"""

from juesuan.audit.expectations import Expectation, Validator, columns_read, load_templates
from juesuan.audit.presentation import FilterError, FindingFilter, format_findings, load_findings
from juesuan.audit.runner import FINDING_COLUMNS, SEVERITIES, by_template, evaluate, evaluate_rules, run_audit

__all__ = [
    "FINDING_COLUMNS", "SEVERITIES", "Expectation", "FilterError", "FindingFilter", "Validator", "columns_read",
    "by_template", "evaluate", "evaluate_rules", "format_findings", "load_findings", "load_templates", "run_audit",
]
