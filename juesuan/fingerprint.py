"""The project fingerprint: everything besides the corpus that shapes a built warehouse.

Standard library only, so that ``juesuan build`` can tell "nothing changed" (juesuan/nochange.py)
before it imports DuckDB, pandas or the parsers.
"""

from __future__ import annotations

import hashlib
import importlib.metadata

from juesuan import __version__
from juesuan.config import REPO_ROOT

# What the dbt tables and audit.findings are computed from, besides the corpus: the parsers
# (ingest/, PARSER_VERSION included) and the audit code too, so a code change is never "no change"
PROJECT_INPUTS = ("models", "macros", "seeds", "expectations", "dbt_project.yml", "ingest", "juesuan")
DISTRIBUTIONS = ("duckdb", "dbt-core", "dbt-duckdb", "great_expectations", "pdfplumber")
_SKIP_SUFFIXES = (".pyc",)


def project_fingerprint() -> str:
    h = hashlib.sha256()
    for name in PROJECT_INPUTS:
        root = REPO_ROOT / name
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and not p.name.endswith(_SKIP_SUFFIXES)) if root.is_dir() else [root]
        for f in files:
            h.update(f"{f.relative_to(REPO_ROOT)}\0".encode())
            h.update(f.read_bytes())
    for dist in DISTRIBUTIONS:
        h.update(f"\0{dist}={importlib.metadata.version(dist)}".encode())
    h.update(f"\0juesuan={__version__}".encode())
    return h.hexdigest()
