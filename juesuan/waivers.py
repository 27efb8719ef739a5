"""Waivers (豁免): findings an auditor has reviewed and accepted, kept in a plain CSV.

The file (``$JUESUAN_WAIVERS``, default ``waivers.csv`` beside the warehouse) is meant for
version control: one line per waiver, appended by ``juesuan waive``, never rewritten. A
finding's key hashes the document id (which hashes the report's text), the rule, the table,
the subject and the column, so a waiver survives rebuilds of the same report and stops
applying when the report changes; ``audit.waivers.status`` says which.
"""

from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the no-change check reads waivers_path without them
    import duckdb

COLUMNS = ("finding_key", "document_id", "rule_id", "subject_code", "actual", "reason", "waived_by", "waived_at")

# Status of each waiver after a build (audit.waivers.status).
APPLIED = "applied"  # the finding is raised again and carries waived = true
REPORT_CHANGED = "report_changed"  # the unit's report for that year and scope has other content now
NOT_RAISED = "not_raised"  # same report, but the finding is no longer raised (a rule changed)
REPORT_MISSING = "report_missing"  # no report of that unit, year and scope in the warehouse

WAIVERS_DDL = """
create or replace table audit.waivers (
    finding_key varchar not null, document_id varchar, rule_id varchar, subject_code varchar,
    actual varchar, reason varchar not null, waived_by varchar, waived_at varchar, status varchar not null)
"""
WAIVERS_COMMENTS = """
comment on table audit.waivers is '豁免 (waivers): every line of the waivers CSV and whether it still applies.';
comment on column audit.waivers.finding_key is '发现键 (the waived finding: audit.findings.finding_key).';
comment on column audit.waivers.document_id is '文件标识 of the report the finding was raised on when it was waived.';
comment on column audit.waivers.rule_id is '规则编号 of the waived finding.';
comment on column audit.waivers.subject_code is '科目编码 of the waived finding (may be empty).';
comment on column audit.waivers.actual is '核对数 (the printed figure) when it was waived, as text.';
comment on column audit.waivers.reason is '理由 (why it was accepted).';
comment on column audit.waivers.waived_by is '审核人 (who accepted it).';
comment on column audit.waivers.waived_at is '豁免时间 (UTC, ISO 8601).';
comment on column audit.waivers.status is '状态: applied (the finding is raised and marked waived), report_changed (the report has other content now: the waiver no longer applies), not_raised (same report, finding no longer raised), report_missing (no such report).';
"""


class WaiverError(ValueError):
    """A waiver that cannot be recorded: unknown finding key, empty reason."""


@dataclass(frozen=True)
class Waiver:
    finding_key: str
    document_id: str
    rule_id: str
    subject_code: str
    actual: str
    reason: str
    waived_by: str
    waived_at: str


def waivers_path(warehouse: Path) -> Path:
    """$JUESUAN_WAIVERS, else waivers.csv beside the warehouse."""
    value = os.environ.get("JUESUAN_WAIVERS")
    return Path(value).expanduser() if value else warehouse.with_name("waivers.csv")


def read_waivers(path: Path) -> list[Waiver]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("finding_key", "reason") if c not in (reader.fieldnames or [])]
        if missing:
            raise WaiverError(f"{path}: not a waivers file (no column {', '.join(missing)}; expected {','.join(COLUMNS)})")
        return [Waiver(**{c: (row.get(c) or "").strip() for c in COLUMNS}) for row in reader if row.get("finding_key")]


def add_waiver(warehouse: Path, path: Path, finding_key: str, reason: str, by: str | None) -> Waiver:
    """Append a waiver for a finding of the published warehouse. Raises WaiverError."""
    if not reason.strip():
        raise WaiverError("--reason must say why the finding is accepted")
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select document_id, rule_id, coalesce(subject_code, ''), coalesce(cast(actual as varchar), '') "
                          "from audit.findings where finding_key = ?", [finding_key]).fetchone()
    if row is None:
        raise WaiverError(f"no finding with key {finding_key!r} in {warehouse} (keys: juesuan findings --all, "
                          "or select finding_key from audit.findings)")
    waiver = Waiver(finding_key, row[0], row[1], row[2], row[3], reason.strip(),
                    (by or os.environ.get("USER") or "").strip(),
                    datetime.now(UTC).replace(microsecond=0).isoformat())
    new = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(asdict(waiver))
    return waiver


def apply_waivers(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    """Mark waived findings and write audit.waivers with each waiver's status. → count by status."""
    import pandas as pd

    waivers = read_waivers(path)
    frame = pd.DataFrame([asdict(w) for w in waivers], columns=list(COLUMNS))  # noqa: F841 - read by DuckDB
    con.execute(WAIVERS_DDL)
    con.execute(WAIVERS_COMMENTS)
    # the latest line for a key wins (a re-review appends, it never rewrites the file)
    con.execute("""
        insert into audit.waivers
        select w.*, case
            when f.finding_key is not null then ?
            when exists (select 1 from raw.documents d where d.document_id = w.document_id) then ?
            when exists (select 1 from raw.documents d where d.is_current and regexp_replace(d.document_id, '_[^_]*$', '')
                         = regexp_replace(w.document_id, '_[^_]*$', '')) then ?
            else ? end
        from frame w left join audit.findings f using (finding_key)
        qualify row_number() over (partition by w.finding_key order by w.waived_at desc) = 1""",
                [APPLIED, NOT_RAISED, REPORT_CHANGED, REPORT_MISSING])
    con.execute("update audit.findings set waived = false, waived_by = null, waived_reason = null, waived_at = null")
    con.execute("""
        update audit.findings f set waived = true, waived_by = w.waived_by, waived_reason = w.reason,
            waived_at = w.waived_at
        from audit.waivers w where w.finding_key = f.finding_key and w.status = ?""", [APPLIED])
    return dict(con.execute("select status, count(*) from audit.waivers group by 1").fetchall())
