"""The expectation templates (expectations/templates.yml) and the Great Expectations validator.

GE through a SQLAlchemy DuckDB datasource silently fails every expectation (DESIGN §6), so
checks are validated as pandas frames; the tests prove with must-fire fixtures that each
expectation really evaluates.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import pandas as pd
import yaml

from juesuan.config import REPO_ROOT

TEMPLATES = REPO_ROOT / "expectations" / "templates.yml"


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]


def load_templates(path: Path = TEMPLATES) -> dict[str, list[Expectation]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: [Expectation(e["type"], dict(e["kwargs"])) for e in items] for name, items in data.items()}


def columns_read(expectations: list[Expectation]) -> list[str]:
    """The audit.checks columns a template's expectations look at."""
    names = (e.kwargs.get(k) for e in expectations for k in ("column", "column_A", "column_B"))
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


# Modules GE imports at its top for expectations juesuan never uses (KL divergence, KS tests):
# altair and scipy.stats were ~0.9 of GE's ~2.2 s import and context, on every audited build.
DEFERRED_MODULES = frozenset({"altair", "scipy.stats"})


class _Deferred(importlib.abc.MetaPathFinder):
    """Finds ``names`` as the other finders do, but with a loader that runs a module only when
    one of its attributes is first read (``importlib.util.LazyLoader``): the same module, later."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if isinstance(spec.loader, importlib.abc.Loader) and hasattr(spec.loader, "exec_module"):
                spec.loader = importlib.util.LazyLoader(spec.loader)
            return spec
        return None


@contextmanager
def _deferred(names: frozenset[str]) -> Iterator[None]:
    finder = _Deferred(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def import_ge() -> Any:
    """great_expectations, imported without its analytics and with DEFERRED_MODULES run on first
    use only (~1.3 s here: a build runs it beside dbt, or in a child, juesuan/audit/remote.py)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with _deferred(DEFERRED_MODULES):
        import great_expectations as gx

    return gx


def _ge_expectation(exp: Expectation) -> Any:
    gx = import_ge()
    cls_name = "".join(part.capitalize() for part in exp.type.split("_"))
    cls = getattr(gx.expectations, cls_name, None)
    if cls is None:
        raise ValueError(f"unknown expectation type {exp.type!r} in {TEMPLATES}")
    return cls(**exp.kwargs)


class RowValidator(Protocol):
    """What the audit needs of GE: :class:`Validator`, here or in a child (juesuan/audit/remote.py)."""

    def failing_rows(self, template: str, expectations: list[Expectation], frame: pd.DataFrame) -> set[int]: ...


class Validator:
    """One ephemeral GE context for a build; validates pandas frames rule by rule."""

    def __init__(self) -> None:
        gx = import_ge()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self._gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = self.ctx.data_sources.add_pandas("juesuan")
        self.batch = source.add_dataframe_asset("checks").add_batch_definition_whole_dataframe("rule")
        self._suites: dict[str, Any] = {}

    def failing_rows(self, template: str, expectations: list[Expectation], frame: pd.DataFrame) -> set[int]:
        """Row positions of ``frame`` that any of the expectations reports as unexpected."""
        if frame.empty:
            return set()
        gx = self._gx
        if template not in self._suites:
            suite = self.ctx.suites.add(gx.ExpectationSuite(
                name=template, expectations=[_ge_expectation(e) for e in expectations]))
            self._suites[template] = self.ctx.validation_definitions.add(
                gx.ValidationDefinition(name=template, data=self.batch, suite=suite))
        frame = frame.reset_index(drop=True)
        result = self._suites[template].run(batch_parameters={"dataframe": frame},
                                            result_format={"result_format": "COMPLETE"})
        bad: set[int] = set()
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"expectation {r.expectation_config.type} raised: "
                                   f"{r.exception_info.get('exception_message')}")
            if not r.success:
                bad.update(int(i) for i in r.result.get("unexpected_index_list") or [])
        return bad
