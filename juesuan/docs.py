"""Static, offline documentation site: ``dbt docs generate --static`` over a copy of the warehouse.

The site opens on the project's overview (``models/overview.md``: the schemas, the star schema,
the ``is_current`` filter, where findings come from) and names every relation as a user queries
it: the copy dbt reads has the published file's name, so ``warehouse/juesuan.duckdb`` gives
``juesuan.marts.fct_expenditure``, the name DuckDB gives it when that file is opened.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from juesuan.config import log
from juesuan.dbtrun import dbt_command


def build_docs(warehouse: Path, out_dir: Path) -> Path:
    """Write ``out_dir/index.html``: one self-contained file (manifest and catalog inlined).

    dbt needs a read-write connection for the catalog, so it reads a copy and never
    touches the published warehouse readers use.
    """
    if not warehouse.exists():
        raise RuntimeError(f"no warehouse at {warehouse}: run `juesuan build` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="juesuan-docs-") as tmp:
        # same file name as the published warehouse: dbt-duckdb names the database after it
        copy = Path(tmp) / warehouse.name
        shutil.copyfile(warehouse, copy)
        target = Path(tmp) / "target"
        proc = dbt_command(["docs", "generate", "--static", "--quiet"], copy, target)
        if proc.returncode != 0:
            raise RuntimeError("dbt docs generate failed:\n" + proc.output[-3000:])
        page = target / "static_index.html"
        dest = out_dir / "index.html"
        shutil.copyfile(page, dest)
    log.info("docs site written to %s", dest)
    return dest
