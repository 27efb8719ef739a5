"""The measurements of `make bench` other than the build itself: parsing, PDFs, queries, audit
quality, Parquet export and the machine."""

from __future__ import annotations

import csv
import os
import platform
import resource
import statistics
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchlib import REPO

# Our own typical analyst queries, beside docs/queries/*.sql.
OWN_QUERIES = {
    "own_three_public_by_city": """
        -- 三公经费 by city and year (决算 vs 预算)
        select u.city, d.fiscal_year, sum(t.budget_wan) as budget_wan, sum(t.final_wan) as final_wan
        from marts.fct_three_public t
        join marts.dim_document d using (document_id)
        join marts.dim_unit u using (unit_id)
        where t.item = 'total'
        group by all order by 1, 2""",
    "own_findings_by_rule_and_province": """
        -- 审计发现 by rule and province
        select u.province, f.rule_id, f.severity, count(*) as findings, count(distinct f.document_id) as documents
        from audit.findings f
        join marts.dim_document d using (document_id)
        join marts.dim_unit u using (unit_id)
        group by all order by findings desc""",
    "own_one_unit_history": """
        -- one unit's spending by 类 over the years (a typical drill-down)
        select d.fiscal_year, s.class_code, sum(e.amount_wan) as total_wan
        from marts.fct_expenditure e
        join marts.dim_document d using (document_id)
        join marts.dim_function_subject s on e.subject_code = s.subject_code
        where d.unit_id = (select min(unit_id) from marts.dim_document where layout = 'tab_separated')
          and e.fund_scope = 'all' and e.expense_type = 'total' and e.is_leaf
        group by all order by 1, 2""",
}



def _parse_one(path: str) -> tuple[str, float]:
    from ingest.parse import parse_bytes

    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    try:
        report, _, _ = parse_bytes(data)
        layout = report.layout
    except Exception:  # noqa: BLE001 - a failed parse still costs time
        layout = "failed"
    return layout, time.perf_counter() - t0


def parse_throughput(corpus: Path, sample: int, workers: int) -> dict:
    """Reports parsed per second of wall time; in one process, per CPU-second too, which leaves
    out time spent waiting for a core (not the slower cores of a busy host)."""
    paths = sorted(str(p) for p in corpus.iterdir())[:sample]
    _parse_one(paths[0])  # warm the seeds and regex caches
    t0, c0 = time.perf_counter(), time.process_time()
    per_layout: dict[str, list[float]] = defaultdict(list)
    for p in paths:
        layout, seconds = _parse_one(p)
        per_layout[layout].append(seconds)
    single, single_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_parse_one, paths, chunksize=8))
    parallel = time.perf_counter() - t0
    return dict(
        reports=len(paths),
        single_process_reports_per_s=round(len(paths) / single, 1),
        single_process_reports_per_cpu_s=round(len(paths) / single_cpu, 1),
        workers=workers,
        parallel_reports_per_s=round(len(paths) / parallel, 1),
        parallel_reports_per_s_per_core=round(len(paths) / parallel / workers, 1),
        ms_per_report_by_layout={k: round(statistics.mean(v) * 1000, 1) for k, v in sorted(per_layout.items())},
        reports_by_layout={k: len(v) for k, v in sorted(per_layout.items())},
    )


def _parse_pdf_one(path: str) -> tuple[int, float, float]:
    """(pages, seconds, peak RSS MB of this process) for one PDF; pages = -1 when it did not parse."""
    from ingest.parse import parse_document

    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    try:
        pages = max(parse_document(data).line_pages or [0])
    except Exception:  # noqa: BLE001 - a failed parse still costs time
        pages = -1
    return pages, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pdf_pass(paths: list[str], workers: int) -> dict:
    """Parse every PDF in ``workers`` fresh processes (one process = the single-core figure)."""
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_parse_pdf_one, paths, chunksize=4))
    wall = time.perf_counter() - t0
    pages = sum(p for p, _, _ in results if p > 0)
    per_report = [sec for _, sec, _ in results]
    return dict(workers=workers, wall_s=round(wall, 2), reports_per_s=round(len(paths) / wall, 2),
                pages_per_s=round(pages / wall, 1), s_per_report_mean=round(statistics.mean(per_report), 3),
                s_per_report_p95=_p95(sorted(per_report)), failed=sum(1 for p, _, _ in results if p < 0),
                peak_worker_rss_mb=round(max(m for _, _, m in results), 1))


def pdf_throughput(work: Path, n: int, seed: int, workers: int) -> dict:
    """Synthetic PDFs (synth --format pdf): s per report, pages/s, one process and ``workers``;
    the two sample PDFs of ../shared/corpus-pdf when they are beside the repository."""
    from juesuan.synth import generate

    corpus = work / f"pdf_{n}"
    t0 = time.perf_counter()
    generate(n, corpus, seed=seed, fmt="pdf")
    generated = time.perf_counter() - t0
    paths = sorted(str(p) for p in corpus.glob("*.pdf"))
    pages = [p for p, _, _ in map(_parse_pdf_one, paths[:1])]  # warm caches, imports
    one = _pdf_pass(paths, 1)
    many = _pdf_pass(paths, workers)
    pages = one["pages_per_s"] * one["wall_s"] / max(1, len(paths) - one["failed"])
    out = dict(reports=len(paths), generate_s=round(generated, 1), mean_pages=round(pages, 1),
               one_process=one, parallel=many,
               s_per_25_pages_per_core=round(one["s_per_report_mean"] * 25 / max(pages, 1), 3),
               target_s_per_25_pages_per_core=1.0)
    samples = REPO.parent / "shared" / "corpus-pdf"
    if samples.is_dir():
        out["samples"] = {}
        for path in sorted(samples.glob("*.pdf")):
            best = min((_parse_pdf_one(str(path)) for _ in range(3)), key=lambda r: r[1])
            out["samples"][path.name] = dict(pages=best[0], s=round(best[1], 3))
    return out


def print_pdf(pdf: dict) -> None:
    one, many = pdf["one_process"], pdf["parallel"]
    print(f"pdf: {pdf['reports']} synthetic PDFs ({pdf['mean_pages']} pages on average): "
          f"one process {one['s_per_report_mean']} s/report (p95 {round(one['s_per_report_p95'], 3)}), "
          f"{one['pages_per_s']} pages/s; {many['workers']} workers {many['reports_per_s']} reports/s, "
          f"{many['pages_per_s']} pages/s; peak worker RSS {max(one['peak_worker_rss_mb'], many['peak_worker_rss_mb'])} MB; "
          f"failed {one['failed']}")
    print(f"  s per 25-page report per core: {pdf['s_per_25_pages_per_core']} "
          f"(target ≤ {pdf['target_s_per_25_pages_per_core']}: "
          f"{'met' if pdf['s_per_25_pages_per_core'] <= pdf['target_s_per_25_pages_per_core'] else 'MISSED'})")
    for name, r in pdf.get("samples", {}).items():
        print(f"  sample {name}: {r['pages']} pages in {r['s']} s")


def _p95(sorted_samples: list[float]) -> float:
    return sorted_samples[min(len(sorted_samples) - 1, int(round(0.95 * (len(sorted_samples) - 1))))]


def query_latency(warehouse: Path, runs: int) -> dict:
    import duckdb

    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((REPO / "docs" / "queries").glob("*.sql"))}
    queries.update({k: v for k, v in OWN_QUERIES.items()})
    out: dict[str, dict] = {}
    t0 = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    connect_ms = (time.perf_counter() - t0) * 1000
    try:
        for name, sql in queries.items():
            try:
                rows = len(con.execute(sql).df())  # warm-up (and row count)
            except duckdb.Error as exc:
                out[name] = dict(error=str(exc).splitlines()[0])
                continue
            frame, tuples = [], []
            for _ in range(runs):
                t = time.perf_counter()
                con.execute(sql).df()
                frame.append((time.perf_counter() - t) * 1000)
            for _ in range(max(3, runs // 4)):
                t = time.perf_counter()
                con.execute(sql).fetchall()
                tuples.append((time.perf_counter() - t) * 1000)
            frame.sort()
            out[name] = dict(rows=rows, p50_ms=round(statistics.median(frame), 1), p95_ms=round(_p95(frame), 1),
                             max_ms=round(frame[-1], 1), fetchall_p50_ms=round(statistics.median(tuples), 1))
    finally:
        con.close()
    return dict(connect_ms=round(connect_ms, 1), runs=runs, queries=out,
                note="persistent read-only connection, one warm-up run; p50/p95 = execute and fetch every row "
                     "into a pandas DataFrame (columnar, as notebooks and BI drivers read results); "
                     "fetchall_p50 = the same into Python tuples of Decimal (what `juesuan sql` prints)")


def audit_quality(warehouse: Path, labels_file: Path) -> dict:
    import duckdb

    from juesuan.synth import expected_rule_ids

    with open(labels_file, encoding="utf-8", newline="") as fh:
        labels = list(csv.DictReader(fh))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalog = {r[0]: r[1] for r in con.execute("select rule_id, category from audit.rules").fetchall()}
        findings = con.execute("""select d.source_file, f.rule_id, f.category, f.severity from audit.findings f
                                  join marts.dim_document d using (document_id)""").fetchall()
        doc_key = {Path(f).name: (u, y) for f, u, y in con.execute(
            "select source_file, unit_name, fiscal_year from marts.dim_document").fetchall()}
        documents = con.execute("select count(*) from marts.dim_document").fetchone()[0]
    by_file: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for source_file, rule_id, category, severity in findings:
        by_file[Path(source_file).name].append((rule_id, category, severity))
    injected = {lab["file"]: lab for lab in labels}
    injected_years = {(lab["unit_name"], int(lab["fiscal_year"])) for lab in labels}

    def cascade(file: str, category: str) -> bool:
        """A cross-year finding on a clean report whose previous year carries an injected error."""
        unit, year = doc_key.get(file, (None, 0))
        return category == "cross_year" and (unit, year - 1) in injected_years
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: Counter())
    per_variant: dict[str, Counter] = defaultdict(Counter)
    for lab in labels:
        hits = by_file.get(lab["file"], [])
        expected = set(expected_rule_ids(lab["category"], lab["variant"], lab["layout"])) & set(catalog)
        found_category = any(c == lab["category"] for _, c, _ in hits)
        found = found_category or any(r in expected for r, _, _ in hits)
        stats = per_category[lab["category"]]
        stats["injected"] += 1
        stats["found_by_category"] += found_category
        variant = per_variant[f"{lab['category']}/{lab['variant']}"]
        variant["injected"] += 1
        variant["found"] += found
        if expected:
            stats["measurable"] += 1
            stats["found"] += found
    def precision(severities: tuple[str, ...]) -> dict:
        serious = [(f, r, c) for f, hits in by_file.items() for r, c, s in hits if s in severities]
        explained = [(f, r, c) for f, r, c in serious if f in injected or cascade(f, c)]
        flagged = {f for f, _, _ in serious}
        flagged_ok = {f for f, _, _ in explained}
        return dict(documents_flagged=len(flagged),
                    document_precision=round(len(flagged_ok) / len(flagged), 4) if flagged else None,
                    findings=len(serious),
                    finding_precision=round(len(explained) / len(serious), 4) if serious else None,
                    cascades_on_next_year=sum(1 for f, _, c in explained if f not in injected),
                    findings_on_clean_documents_by_rule=dict(Counter(
                        r for f, r, c in serious if f not in injected and not cascade(f, c)).most_common()))

    measurable = sum(s["measurable"] for s in per_category.values())
    found = sum(s["found"] for s in per_category.values())
    clean_files_with_error = sorted({f for f, hits in by_file.items() if f not in injected
                                     and any(s == "error" for _, _, s in hits)})
    return dict(
        documents=documents, injected=len(labels),
        recall=round(found / measurable, 4) if measurable else None,
        recall_note="measurable = injected errors whose expected rules exist in audit.rules; found = a finding "
                    "(any severity) of the label's category or one of its expected rules on that document",
        per_category={c: dict(s, recall=round(s["found"] / s["measurable"], 4) if s["measurable"] else None)
                      for c, s in sorted(per_category.items())},
        per_variant={k: dict(v) for k, v in sorted(per_variant.items())},
        categories_without_rules=sorted(set(per_category) - set(catalog.values())),
        precision_error=precision(("error",)),
        precision_error_warning=precision(("error", "warning")),
        precision_note="document precision = flagged documents that carry an injected error ÷ all flagged "
                       "documents; finding precision likewise per finding; flagged = a finding of the severities "
                       "named (error; error or warning). A cross-year finding on the report that follows an "
                       "injected one (same unit, next year) counts as explained (cascades_on_next_year)",
        error_findings_on_clean_documents=len(clean_files_with_error),
    )


def false_alarms(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""select rule_id, severity, count(*), count(distinct document_id) from audit.findings
                              group by all order by 3 desc""").fetchall()
    by_sev = Counter()
    for _, severity, n, _ in rows:
        by_sev[severity] += n
    return dict(error=by_sev["error"], warning=by_sev["warning"], info=by_sev["info"],
                by_rule=[dict(rule_id=r, severity=s, findings=n, documents=d) for r, s, n, d in rows])


def export_parquet(warehouse: Path, out: Path) -> dict:
    """marts.* as Parquet for a larger engine: fact tables partitioned by year and province
    (hive layout ``year=2024/province=湖北省/``), dimensions as single files."""
    import shutil

    import duckdb

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    tables: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("""select table_name from information_schema.tables
                                              where table_schema = 'marts' and table_type = 'BASE TABLE'
                                              order by 1""").fetchall()]
        for name in names:
            cols = {r[0] for r in con.execute("""select column_name from information_schema.columns
                                                 where table_schema = 'marts' and table_name = ?""", [name]).fetchall()}
            target = str(out / name).replace("'", "''")
            if "document_id" in cols and not name.startswith("dim_"):
                con.execute(f"""copy (select f.*, d.fiscal_year as year, coalesce(u.province, '未知') as province
                                      from marts.{name} f
                                      join marts.dim_document d using (document_id)
                                      join marts.dim_unit u on d.unit_id = u.unit_id)
                                to '{target}' (format parquet, partition_by (year, province), overwrite_or_ignore)""")
            else:
                con.execute(f"copy marts.{name} to '{target}.parquet' (format parquet)")
            tables[name] = con.execute(f"select count(*) from marts.{name}").fetchone()[0]
    seconds = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    return dict(seconds=round(seconds, 2), megabytes=round(size / 2**20, 1), files=len(list(out.rglob("*.parquet"))),
                warehouse_megabytes=round(warehouse.stat().st_size / 2**20, 1), rows=tables)


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                    if line.startswith("model name")), "")
    except OSError:
        pass
    mem = 0
    try:
        mem = int(next(line.split()[1] for line in open("/proc/meminfo", encoding="utf-8")
                       if line.startswith("MemTotal"))) * 1024
    except (OSError, StopIteration):
        pass
    import duckdb

    return dict(cpus=os.cpu_count(), cpu_model=cpu, memory_gb=round(mem / 2**30, 1), python=platform.python_version(),
                duckdb=duckdb.__version__, loadavg_at_start=[round(x, 2) for x in os.getloadavg()],
                cpu_ticks_at_start=cpu_ticks())


def cpu_ticks() -> list[int] | None:
    """The host's CPU time counters (/proc/stat: user nice system idle iowait irq softirq steal …)."""
    try:
        with open("/proc/stat", encoding="utf-8") as fh:
            return [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def steal_share(start: list[int] | None, end: list[int] | None) -> float | None:
    """The share of CPU time the hypervisor gave other guests between two :func:`cpu_ticks`: on a
    shared machine the figures of a run fall with it (and with neighbours on the same cores,
    which no counter shows)."""
    if not start or not end or len(start) < 8 or len(end) < 8:
        return None
    delta = [b - a for a, b in zip(start[:8], end[:8], strict=True)]
    return round(delta[7] / sum(delta), 4) if sum(delta) else None
