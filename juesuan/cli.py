"""`juesuan` command line: a thin layer over the services (build, query, audit, publish, synth)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from juesuan import __version__
from juesuan.config import (
    EXIT_FAILURE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_STRICT,
    EXIT_USAGE,
    MAX_DEFAULT_WORKERS,
    default_workers,
    log,
    setup_logging,
    warehouse_path,
)

DESCRIPTION = """\
juesuan (决算): Chinese government final-accounts disclosures (部门决算公开) as an audited
DuckDB star schema.

Typical use:
  juesuan build                          # bundled samples → warehouse/juesuan.duckdb
  juesuan build --corpus ~/reports       # your own reports: PDF, or text (tab, pdftotext, narrative-only)
  juesuan inspect report.pdf             # what the loader reads from one report, table by table
  juesuan sql "select * from marts.dim_document"
  juesuan shell                          # interactive read-only SQL prompt, with history
  juesuan findings --severity error      # what the audit found, in Chinese and English

Every verb that touches the warehouse takes --warehouse PATH (default $JUESUAN_WAREHOUSE,
else warehouse/juesuan.duckdb in the repository).
Exit codes: 0 ok, 1 failure (published warehouse unchanged), 2 usage error, 3 published but
--strict found error-severity findings, 75 another build holds the lock."""

_BUILD_PROGRESS = None  # juesuan.progress.BuildProgress of the running build, on a terminal

WAREHOUSE_HELP = "warehouse file (default: $JUESUAN_WAREHOUSE, else warehouse/juesuan.duckdb)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with the usage line
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _failed(reason: object, code: int = EXIT_FAILURE) -> int:
    """Log why a verb failed; its exit code."""
    log.error("%s", reason)
    return code


def _strict_exit(strict: bool, errors: int) -> int:
    """--strict turns error-severity findings of a published build into exit 3."""
    if strict and errors:
        log.error("--strict: published, with %d error-severity findings (exit %d)", errors, EXIT_STRICT)
        return EXIT_STRICT
    return EXIT_OK


def _findings_line(sev: dict) -> str:
    waived = f", {sev['waived']} waived" if sev.get("waived") else ""
    return (f"  findings: {sev.get('error', 0)} error, {sev.get('warning', 0)} warning, {sev.get('info', 0)} info"
            f"{waived}  (juesuan findings)")


def _progress(done: int, total: int) -> None:
    """The loader's progress callback: feeds the parse bar of a build drawn on a terminal."""
    if _BUILD_PROGRESS is not None:
        _BUILD_PROGRESS.parse(done, total)


def _print_unchanged(warehouse: Path, summary: dict) -> None:
    s, sev = summary.get("stats", {}), summary.get("findings", {})
    print(f"juesuan build: nothing changed since the published build of {warehouse}: no work, run recorded")
    print(f"  files: {s.get('files_seen', 0)} seen, all unchanged ({s.get('files_failed', 0)} failed: "
          f"see raw.ingest_errors: {summary.get('ingest_errors', 0)} rows)")
    print(f"  documents: {s.get('documents', 0)}")
    print(_findings_line(sev))
    print(f"  time: {summary.get('seconds', 0):.2f} s")


def cmd_build(args: argparse.Namespace) -> int:
    from juesuan.config import SAMPLES_DIR
    from juesuan.lock import BuildLocked
    from juesuan.nochange import try_skip
    from juesuan.waivers import waivers_path

    warehouse = warehouse_path(args.warehouse)
    corpora = [Path(c) for c in args.corpus] if args.corpus else [SAMPLES_DIR]
    waivers = waivers_path(warehouse)
    try:
        # no change, no work: decided before the parsers, DuckDB and dbt are even imported
        skipped = None if args.full_rebuild else try_skip(warehouse, corpora, waivers)
    except BuildLocked as exc:
        return _failed(exc, EXIT_LOCKED)
    if skipped is not None:
        _print_unchanged(warehouse, skipped)
        return _strict_exit(args.strict, skipped.get("findings", {}).get("error", 0))

    from juesuan.prestart import prestart

    # dbt's server or GE's child, started before the imports below (juesuan/prestart.py)
    validator = prestart(warehouse, full_rebuild=args.full_rebuild)
    try:
        from juesuan.audit import run_audit
        from juesuan.build import BuildFailed, build

        result = build(corpora, warehouse, workers=args.workers, progress=None if args.quiet else _progress,
                       audit=partial(run_audit, waivers=waivers), full_rebuild=args.full_rebuild, waivers=waivers,
                       validator=validator)
    except BuildLocked as exc:
        return _failed(exc, EXIT_LOCKED)
    except BuildFailed as exc:
        log.error("build failed; the published warehouse is unchanged.\n%s", exc)
        return EXIT_FAILURE
    except FileNotFoundError as exc:
        return _failed(exc, EXIT_USAGE)
    finally:
        if validator is not None:
            validator.close()
    s = result.stats
    sev = result.findings_by_severity
    print(f"juesuan build: published {result.warehouse}")
    print(f"  files: {s.files_seen} seen, {s.files_new} parsed, {s.files_unchanged} unchanged, "
          f"{s.duplicates} duplicate, {s.files_failed} failed (see raw.ingest_errors: {result.ingest_errors} rows)")
    print(f"  documents: {s.documents}"
          + (f" ({result.rebuilt_documents} recomputed, incremental"
             + ("; the last incremental build's SQL replayed without dbt" if result.replayed else "") + ")"
             if result.incremental else
             " (full build; the last incremental build's SQL replayed without dbt)" if result.replayed else ""))
    print(_findings_line(sev))
    print(f"  time: {result.seconds:.1f} s")
    return _strict_exit(args.strict, sev.get("error", 0))


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from juesuan.query import WarehouseMissing, format_result, run_query

    try:
        result = run_query(warehouse_path(args.warehouse), args.query)
    except WarehouseMissing as exc:
        return _failed(exc)
    except duckdb.Error as exc:
        log.error("query failed: %s", exc)
        return EXIT_FAILURE
    print(format_result(result, args.format))
    return EXIT_OK


def cmd_findings(args: argparse.Namespace) -> int:
    from juesuan.audit import FilterError, FindingFilter, format_findings, load_findings
    from juesuan.query import WarehouseMissing

    flt = FindingFilter(unit=args.unit, year=args.year, severity=args.severity, category=args.category,
                        rule=args.rule, include_all=args.all)
    try:
        rows = load_findings(warehouse_path(args.warehouse), flt)
    except WarehouseMissing as exc:
        return _failed(exc)
    except FilterError as exc:
        return _failed(exc, EXIT_USAGE)
    print(format_findings(rows))
    return EXIT_OK


def cmd_waive(args: argparse.Namespace) -> int:
    from juesuan.query import WarehouseMissing
    from juesuan.waivers import WaiverError, add_waiver, waivers_path

    warehouse = warehouse_path(args.warehouse)
    if not warehouse.exists():
        return _failed(WarehouseMissing(f"no warehouse at {warehouse}: run `juesuan build` first"))
    path = waivers_path(warehouse)
    try:
        waiver = add_waiver(warehouse, path, args.finding_key, args.reason, args.by)
    except WaiverError as exc:
        return _failed(exc, EXIT_USAGE)
    print(f"waived {waiver.finding_key} ({waiver.rule_id}, {waiver.document_id}) in {path}; "
          "the next build marks it waived (findings hides it; findings --all shows it)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from juesuan.query import WarehouseMissing
    from juesuan.report import write_reports

    try:
        pages = write_reports(warehouse_path(args.warehouse), Path(args.out), args.document or None)
    except (WarehouseMissing, KeyError) as exc:
        log.error("%s", exc.args[0] if exc.args else exc)
        return EXIT_FAILURE
    print(f"wrote {len(pages)} audit report page(s) and index.html to {args.out}")
    return EXIT_OK


def cmd_publish_postgres(args: argparse.Namespace) -> int:
    from juesuan.pgpublish import PublishError, publish_postgres

    try:
        counts = publish_postgres(warehouse_path(args.warehouse), args.url, reader_role=args.reader_role,
                                  reader_password=args.reader_password or os.environ.get("JUESUAN_READER_PASSWORD"))
    except PublishError as exc:
        return _failed(exc)
    print(f"published {len(counts)} tables to PostgreSQL ({sum(counts.values())} rows); "
          f"read-only role: {args.reader_role}")
    return EXIT_OK


def cmd_synth(args: argparse.Namespace) -> int:
    from juesuan.synth import generate

    if args.docs < 0 or not 0.0 <= args.error_rate <= 1.0:
        log.error("--docs must be ≥ 0 and --error-rate between 0 and 1")
        return EXIT_USAGE
    summary = generate(args.docs, Path(args.out), seed=args.seed, error_rate=args.error_rate, fmt=args.fmt)
    print(f"wrote {summary['documents']} {args.fmt} reports to {args.out} "
          f"({summary['errors_injected']} injected errors labelled in {summary['labels_file']})")
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from ingest.records import ParseError
    from juesuan.inspect import inspect_file

    try:
        sys.stdout.write(inspect_file(Path(args.file)))
    except ParseError as exc:
        log.error("%s: %s: %s", args.file, exc.stage, exc)
        return EXIT_FAILURE
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from juesuan.docs import build_docs

    try:
        out = build_docs(warehouse_path(args.warehouse), Path(args.out))
    except RuntimeError as exc:
        return _failed(exc)
    print(f"docs site: {out}")
    return EXIT_OK


def cmd_shell(args: argparse.Namespace) -> int:
    from juesuan.query import WarehouseMissing
    from juesuan.shell import run_shell

    try:
        return run_shell(warehouse_path(args.warehouse), args.format)
    except WarehouseMissing as exc:
        return _failed(exc)


def _verb(sub: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int], help_: str,
          description: str) -> argparse.ArgumentParser:
    """The parser of one verb; ``main`` runs ``func`` with its arguments."""
    parser = sub.add_parser(name, help=help_, description=description)
    parser.set_defaults(func=func)
    return parser


# The options several verbs share, spelled once so their help reads alike everywhere.
def _warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", metavar="PATH", help=WAREHOUSE_HELP)


def _format_option(parser: argparse.ArgumentParser, help_: str) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help=help_)


def _out_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--out", default=default, metavar="DIR", help=f"output directory (default {default})")


def make_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="juesuan", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"juesuan {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    p.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only, no progress bar")
    sub = p.add_subparsers(dest="verb", required=True, parser_class=_Parser, metavar="VERB")

    b = _verb(sub, "build", cmd_build, "ingest, dbt build, audit, publish",
              "Parse every file below the corpus directories, build the star schema "
              "with dbt, run the audit suites and publish the warehouse atomically. Files that "
              "cannot be parsed are recorded in raw.ingest_errors; they never stop the build.")
    b.add_argument("--corpus", action="append", metavar="DIR",
                   help="directory (or file) of report texts; repeatable (default: bundled samples)")
    _warehouse_option(b)
    b.add_argument("--strict", action="store_true",
                   help="exit 3 (after publishing) when the audit finds error-severity findings")
    b.add_argument("--workers", type=int, default=default_workers(), metavar="N",
                   help=f"parser processes (default: one per CPU, at most {MAX_DEFAULT_WORKERS}; here {default_workers()})")
    b.add_argument("--full-rebuild", action="store_true",
                   help="recompute every document, not only those of units whose reports changed")

    s = _verb(sub, "sql", cmd_sql, "read-only query of the published warehouse",
              "Run one SQL statement on a read-only connection to the published warehouse. "
              "Schemas: marts (star schema), audit (rules, findings, build_runs), raw (loader output).")
    s.add_argument("query", metavar="QUERY", help="SQL text, e.g. \"select * from marts.dim_document\"")
    _warehouse_option(s)
    _format_option(s, "output format")

    f = _verb(sub, "findings", cmd_findings, "the audit result, readable by a person",
              "List audit findings (审计发现) with both numbers, the rule's Chinese title "
              "and the source line.")
    f.add_argument("--unit", help="unit name or part of it (e.g. 硚口)")
    f.add_argument("--year", type=int, help="fiscal year")
    f.add_argument("--severity", choices=("error", "warning", "info"), help="only this severity")
    f.add_argument("--category", help="only this category (within_table, completion_rate, …; a wrong one lists them)")
    f.add_argument("--rule", help="only this rule id (CR02) or family (CR)")
    f.add_argument("--all", action="store_true",
                   help="also waived findings, superseded report versions and waivers that no longer apply")
    _warehouse_option(f)

    w = _verb(sub, "waive", cmd_waive, "accept a finding after review (豁免)",
              "Append a waiver for FINDING_KEY (shown by `juesuan findings`) to the waivers "
              "CSV ($JUESUAN_WAIVERS, default waivers.csv beside the warehouse; keep it in version "
              "control). The next build marks the finding waived: `findings` hides it, `findings --all` "
              "shows it, the build summary counts it apart. A waiver is keyed on the report's content: "
              "when the report changes it no longer applies, and `findings --all` says so.")
    w.add_argument("finding_key", metavar="FINDING_KEY")
    w.add_argument("--reason", required=True, help="why the finding is accepted")
    w.add_argument("--by", help="who reviewed it (default $USER)")
    _warehouse_option(w)

    rp = _verb(sub, "report", cmd_report, "offline HTML audit site: a ranked index and one page per document",
               "Write <out>/index.html (totals, charts, the reports ranked by errors then "
               "warnings, filters and search that run in the page) and <out>/<document_id>.html for "
               "every document, or those given with --document: each finding with the rule's Chinese "
               "title, both figures, page and line, the table rows as printed with the compared cells "
               "highlighted or the narrative sentence with its figures marked, and charts of the "
               "report. Every page is one file with its CSS and script inline: nothing is loaded "
               "from the network. Chinese needs a CJK font on the reading machine (fonts-noto-cjk).")
    _warehouse_option(rp)
    _out_option(rp, "reports/audit")
    rp.add_argument("--document", action="append", metavar="ID", help="only this document_id (repeatable)")

    pg = _verb(sub, "publish-postgres", cmd_publish_postgres, "mirror marts and audit into PostgreSQL for BI tools",
               "Copy the marts and audit schemas into PostgreSQL in one transaction "
               "(schema swap) and grant a read-only role.")
    pg.add_argument("url", metavar="URL", help="postgresql://user@host:port/dbname")
    _warehouse_option(pg)
    pg.add_argument("--reader-role", default="juesuan_reader", help="read-only role (default juesuan_reader)")
    pg.add_argument("--reader-password", metavar="PW", help="make the read-only role a login role with this "
                    "password (default $JUESUAN_READER_PASSWORD; without it a new role is NOLOGIN: grant it to "
                    "your BI logins, see docs/serving.md)")

    sy = _verb(sub, "synth", cmd_synth, "synthetic corpus for scale tests",
               "Write N realistic synthetic reports in all three layouts, deterministic "
               "for a seed; with --error-rate, inject labelled errors (labels.csv beside them).")
    sy.add_argument("--docs", type=int, required=True, metavar="N", help="number of reports")
    sy.add_argument("--out", required=True, metavar="DIR", help="output directory")
    sy.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    sy.add_argument("--error-rate", type=float, default=0.0, metavar="R",
                    help="share of reports with one injected error (0–1, default 0)")
    sy.add_argument("--format", dest="fmt", choices=("text", "pdf"), default="text",
                    help="text: .txt in the three text layouts (default); pdf: .pdf in the 2024 national "
                    "template, its variants drawn per report from the seed")

    ins = _verb(sub, "inspect", cmd_inspect, "what the loader reads from one report, without building",
                "Parse one report file (.txt or .pdf) as `build` would and print what was "
                "read: unit, year and scope; each of the nine tables as TSV (one line per printed row, "
                "one column per recognised amount column, with page, row and line); the narrative "
                "facts; code repairs; and every problem with its line. Nothing is written. Use it to "
                "check a report from a new city or layout before building.")
    ins.add_argument("file", metavar="FILE", help="report file (.txt or .pdf)")

    d = _verb(sub, "docs", cmd_docs, "static offline documentation site (dbt docs --static)",
              "Write <out>/index.html: the dbt documentation of the published warehouse "
              "as one offline HTML file (no server, nothing loaded from the network). It opens on an "
              "overview (schemas, the star schema, filtering is_current, where findings come from) and "
              "documents every table and column with its Chinese term and lineage; relations are named "
              "as you query them (juesuan.marts.fct_expenditure for warehouse/juesuan.duckdb). Reads a "
              "copy of the warehouse; run `juesuan build` first. `make docs` builds only when no "
              "warehouse is published.")
    _warehouse_option(d)
    _out_option(d, "reports/docs")

    sh = _verb(sub, "shell", cmd_shell, "interactive read-only SQL prompt on the published warehouse",
               "An interactive SQL prompt on a read-only connection to the published "
               "warehouse, with history (~/.juesuan_history, or $JUESUAN_HISTORY). Statements end with "
               "';' and may span lines; several on a line run in order. Dot commands: .tables, "
               ".describe TABLE, .format table|csv|json, .timer on, .read FILE, .help, .quit. When "
               "stdin is not a terminal, the input runs as a script and the first error exits 1: "
               "juesuan shell < queries.sql")
    _warehouse_option(sh)
    _format_option(sh, "output format, as for `sql` (default table; .format changes it)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    setup_logging(-1 if args.quiet else args.verbose)
    if args.verb == "build":
        return _with_progress(args)
    return int(args.func(args))


def _with_progress(args: argparse.Namespace) -> int:
    """Bars for parse, dbt, audit and publish when stderr is a terminal (not with -q, not in cron)."""
    global _BUILD_PROGRESS
    from juesuan.progress import BuildProgress

    progress = BuildProgress(warehouse_path(args.warehouse), enabled=False if args.quiet else None)
    _BUILD_PROGRESS = progress
    try:
        with progress:
            return int(args.func(args))
    finally:
        _BUILD_PROGRESS = None


if __name__ == "__main__":
    sys.exit(main())
