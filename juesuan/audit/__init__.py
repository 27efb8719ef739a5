"""The audit: Great Expectations over audit.checks → audit.findings, and findings for people.

- ``expectations``: the templates of expectations/templates.yml and the GE validator;
- ``runner``: ``run_audit`` (the build's step) and ``evaluate`` (hand-made frames), both through
  ``evaluate_rules``; writes audit.findings, fills source_page, applies the waivers;
- ``presentation``: ``load_findings`` / ``format_findings`` and their filters (``juesuan findings``);
- ``remote``: the validator in a child process.

The names below are imported on first use: importing ``juesuan.audit.remote`` must not import
pandas and DuckDB first, so that a build can fork GE's child before its own imports.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "expectations": ("Expectation", "Validator", "columns_read", "load_templates"),
    "presentation": ("FilterError", "FindingFilter", "format_findings", "load_findings"),
    "runner": ("FINDING_COLUMNS", "SEVERITIES", "by_template", "evaluate", "evaluate_rules", "run_audit"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
