"""`make bench`: how far juesuan goes on one machine (issue 9).

Generates synthetic corpora (``juesuan.synth``), then measures and prints, and writes as JSON
(``bench/out/bench.json`` by default):

- generation time;
- parse throughput: reports/s in one process and with ``workers=2`` (per core = ÷ workers);
- full build time (ingest → dbt → audit → publish) for each ``--sizes`` corpus, with the time
  per phase (parse, insert, dbt, audit) and the peak memory of the build process tree;
- rebuild time after adding one report (content-hash reuse of the unchanged ones);
- p50/p95 latency of typical analyst queries (``docs/queries/*.sql`` plus our own) on the
  largest warehouse;
- audit recall per category and precision on a corpus with injected errors, and the
  error-severity false alarms on the clean corpora;
- the time and size of a Parquet export of ``marts`` partitioned by year and province;

and compares them with the targets of issue 9.

Peak memory: the sum of the resident set sizes (RSS) of the build process and all its
descendants (parser workers, the dbt subprocess), sampled every 0.2 s — with psutil when it is
installed, else from /proc — plus ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the
largest single process.

    python scripts/bench.py [--sizes 1000,10000] [--workdir DIR] [--errors 1000] [--error-rate 0.3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGETS = {
    "full_build_s_10000": 180.0,
    "peak_memory_gb_10000": 4.0,
    "rebuild_share_of_full": 0.15,
    "query_p95_ms": 200.0,
    "recall": 0.95,
    "error_false_alarms": 0,
}

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


# ----------------------------------------------------------------------------------------------
# Memory of a process tree


def _tree_rss_proc(root: int) -> int:
    """Σ VmRSS (bytes) of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            with open(f"/proc/{pid}/statm", "rb") as fh:
                rss[pid] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        children[ppid].append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def _tree_rss(root: int) -> int:
    try:
        import psutil
    except ImportError:
        return _tree_rss_proc(root)
    try:
        proc = psutil.Process(root)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def memory_method() -> str:
    try:
        import psutil  # noqa: F401

        how = "psutil"
    except ImportError:
        how = "/proc"
    return (f"peak Σ RSS of the build process and all descendants, sampled every 0.2 s ({how}); "
            "max_single_process from resource.getrusage(RUSAGE_CHILDREN).ru_maxrss")


class TreeSampler:
    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ----------------------------------------------------------------------------------------------
# The build, in a child process that times its phases


def child_build(corpus: str, warehouse: str, workers: int, timings_file: str) -> int:
    """Run juesuan's build with timers around its phases; write {phase: seconds} as JSON."""
    import juesuan.build as build_mod
    from ingest import loader
    from juesuan.audit import run_audit

    timings: dict[str, float] = defaultdict(float)

    def cpu() -> float:
        """CPU seconds of this process and its finished children (parser workers, dbt)."""
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def timed(name: str, fn):
        def wrapper(*args, **kwargs):
            t0, c0 = time.perf_counter(), cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[name] += time.perf_counter() - t0
                timings[f"cpu_{name}"] += cpu() - c0
        return wrapper

    if hasattr(build_mod, "load"):
        build_mod.load = timed("ingest", build_mod.load)
    if hasattr(loader, "_flush"):
        loader._flush = timed("insert", loader._flush)
    if hasattr(build_mod, "dbt_command"):
        build_mod.dbt_command = timed("dbt", build_mod.dbt_command)
    audit = timed("audit", run_audit)
    t0, c0 = time.perf_counter(), cpu()
    result = build_mod.build([Path(corpus)], Path(warehouse), workers=workers, audit=audit)
    timings["total"] = time.perf_counter() - t0
    timings["cpu_total"] = cpu() - c0
    if "ingest" in timings:
        timings["parse_and_rows"] = timings["ingest"] - timings.get("insert", 0.0)
    out = dict(timings, findings=result.findings_by_severity, files_new=result.stats.files_new,
               files_unchanged=result.stats.files_unchanged, files_failed=result.stats.files_failed,
               ingest_errors=result.ingest_errors, incremental=result.incremental,
               rebuilt_documents=result.rebuilt_documents)
    Path(timings_file).write_text(json.dumps(out))
    return 0


def run_build(corpus: Path, warehouse: Path, workers: int) -> dict:
    timings_file = warehouse.with_suffix(".timings.json")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child-build", str(corpus), str(warehouse),
           str(workers), str(timings_file)]
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", GX_ANALYTICS_ENABLED="false")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with TreeSampler(proc.pid) as sampler:
        output, _ = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"build of {corpus} failed ({proc.returncode}):\n{output[-4000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timings = json.loads(timings_file.read_text())
    dbt_nodes: dict = {}
    run_results = warehouse.parent / ".dbt-target" / "run_results.json"
    if run_results.exists():  # where dbt's time goes: its slowest nodes
        rr = json.loads(run_results.read_text())
        slow = sorted(rr.get("results", []), key=lambda x: -x.get("execution_time", 0))[:8]
        dbt_nodes = dict(elapsed_s=round(rr.get("elapsed_time", 0), 1), nodes=len(rr.get("results", [])),
                         slowest={x["unique_id"].split(".", 2)[-1]: round(x["execution_time"], 2) for x in slow})
    return dict(wall_s=round(wall, 2),
                phases_s={k: round(v, 2) for k, v in timings.items() if isinstance(v, float) and not k.startswith("cpu_")},
                cpu_s={k[4:]: round(v, 2) for k, v in timings.items() if k.startswith("cpu_")},
                peak_tree_rss_mb=round(sampler.peak / 2**20, 1),
                max_single_process_rss_mb=round(max(before, after) / 1024, 1),
                dbt_nodes=dbt_nodes, findings=timings["findings"], files_new=timings["files_new"],
                files_unchanged=timings["files_unchanged"], files_failed=timings["files_failed"],
                ingest_errors=timings["ingest_errors"])


# ----------------------------------------------------------------------------------------------
# Measurements


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
    paths = sorted(str(p) for p in corpus.iterdir())[:sample]
    _parse_one(paths[0])  # warm the seeds and regex caches
    t0 = time.perf_counter()
    per_layout: dict[str, list[float]] = defaultdict(list)
    for p in paths:
        layout, seconds = _parse_one(p)
        per_layout[layout].append(seconds)
    single = time.perf_counter() - t0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_parse_one, paths, chunksize=8))
    parallel = time.perf_counter() - t0
    return dict(
        reports=len(paths),
        single_process_reports_per_s=round(len(paths) / single, 1),
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
                duckdb=duckdb.__version__, loadavg_at_start=[round(x, 2) for x in os.getloadavg()])


# ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000", help="corpus sizes to build (default 1000,10000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2, help="parser processes for the builds (default 2)")
    p.add_argument("--workdir", default=str(REPO / "bench" / "out" / "work"),
                   help="corpora and warehouses (default bench/out/work, git-ignored)")
    p.add_argument("--out", default=str(REPO / "bench" / "out" / "bench.json"))
    p.add_argument("--errors", type=int, default=1000, help="size of the corpus with injected errors (0 = skip)")
    p.add_argument("--error-rate", type=float, default=0.3)
    p.add_argument("--parse-sample", type=int, default=400, help="reports timed for the parse throughput")
    p.add_argument("--query-runs", type=int, default=20)
    p.add_argument("--pdfs", type=int, default=200, help="synthetic PDFs for the PDF throughput (0 = skip)")
    p.add_argument("--pdf-only", action="store_true", help="measure only the PDF throughput")
    p.add_argument("--_child-build", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._child_build:
        corpus, warehouse, workers, timings = args._child_build
        return child_build(corpus, warehouse, int(workers), timings)

    from juesuan.synth import generate, labels_path

    sizes = sorted(int(x) for x in args.sizes.split(",") if x.strip())
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    report: dict = dict(started_at=datetime.now(UTC).isoformat(timespec="seconds"), machine=machine(),
                        memory_method=memory_method(), targets=TARGETS, sizes=sizes, workers=args.workers)

    def save() -> None:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    # 0. PDF input
    if args.pdfs:
        report["pdf"] = pdf_throughput(work, args.pdfs, args.seed, args.workers)
        print_pdf(report["pdf"])
        save()
        if args.pdf_only:
            return 0

    # 1. corpora
    report["generate"] = {}
    for n in sizes:
        corpus = work / f"corpus_{n}"
        if corpus.exists():  # a previous run's corpus may hold an extra (n + 1-th) report
            for f in corpus.iterdir():
                f.unlink()
        t0 = time.perf_counter()
        summary = generate(n, corpus, seed=args.seed)
        report["generate"][str(n)] = dict(seconds=round(time.perf_counter() - t0, 2), layouts=summary["layouts"])
        print(f"generated {n} reports in {report['generate'][str(n)]['seconds']} s  {summary['layouts']}", flush=True)

    # 2. parse throughput
    report["parse"] = parse_throughput(work / f"corpus_{sizes[-1]}", args.parse_sample, args.workers)
    print(f"parse: {report['parse']}", flush=True)
    save()

    # 3. full builds, 4. rebuild after one added report
    report["builds"] = {}
    for n in sizes:
        corpus, warehouse = work / f"corpus_{n}", work / f"warehouse_{n}.duckdb"
        for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            leftover.unlink(missing_ok=True)
        full = run_build(corpus, warehouse, args.workers)
        print(f"full build {n}: {full}", flush=True)
        generate(n + 1, corpus, seed=args.seed)  # prefix-stable: the first n files are unchanged
        rebuild = run_build(corpus, warehouse, args.workers)
        rebuild["share_of_full"] = round(rebuild["wall_s"] / full["wall_s"], 3)
        print(f"rebuild {n} + 1: {rebuild}", flush=True)
        report["builds"][str(n)] = dict(full=full, rebuild_one_added=rebuild,
                                        false_alarms=false_alarms(warehouse))
        save()

    # 5. queries on the largest warehouse
    largest = work / f"warehouse_{sizes[-1]}.duckdb"
    report["queries"] = query_latency(largest, args.query_runs)
    print(f"queries: {json.dumps(report['queries'], ensure_ascii=False)}", flush=True)
    save()

    # 5b. export for a larger engine
    report["export_parquet"] = export_parquet(largest, work / "export_parquet")
    print(f"parquet export: {report['export_parquet']['seconds']} s, {report['export_parquet']['megabytes']} MB "
          f"in {report['export_parquet']['files']} files", flush=True)
    save()

    # 6. audit recall / precision on injected errors
    if args.errors:
        corpus = work / f"errors_{args.errors}"
        if corpus.exists():
            for f in corpus.iterdir():
                f.unlink()
        summary = generate(args.errors, corpus, seed=args.seed + 1000, error_rate=args.error_rate)
        warehouse = work / f"warehouse_errors_{args.errors}.duckdb"
        for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            leftover.unlink(missing_ok=True)
        build = run_build(corpus, warehouse, args.workers)
        quality = audit_quality(warehouse, labels_path(corpus))
        report["audit_quality"] = dict(corpus=args.errors, error_rate=args.error_rate,
                                       injected_by_category=summary["categories"], build=build, **quality)
        print(f"audit quality: {json.dumps(quality, ensure_ascii=False)}", flush=True)
    report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["verdict"] = verdict(report, sizes)
    save()
    print_summary(report)
    print(f"\nwritten {args.out}")
    return 0


def verdict(report: dict, sizes: list[int]) -> dict:
    out: dict[str, dict] = {}
    big = str(sizes[-1])
    if big in report.get("builds", {}):
        b = report["builds"][big]
        out["full_build_s"] = dict(size=int(big), value=b["full"]["wall_s"], target=TARGETS["full_build_s_10000"])
        out["peak_memory_gb"] = dict(size=int(big), value=round(b["full"]["peak_tree_rss_mb"] / 1024, 2),
                                     target=TARGETS["peak_memory_gb_10000"])
        out["rebuild_share"] = dict(size=int(big), value=b["rebuild_one_added"]["share_of_full"],
                                    target=TARGETS["rebuild_share_of_full"])
        out["error_false_alarms"] = dict(size=int(big), value=b["false_alarms"]["error"],
                                         target=TARGETS["error_false_alarms"])
    q = [v["p95_ms"] for v in report.get("queries", {}).get("queries", {}).values() if "p95_ms" in v]
    if q:
        out["query_p95_ms"] = dict(value=max(q), target=TARGETS["query_p95_ms"])
    aq = report.get("audit_quality")
    if aq and aq.get("recall") is not None:
        out["recall"] = dict(value=aq["recall"], target=TARGETS["recall"])
    for k, v in out.items():
        v["met"] = v["value"] >= v["target"] if k == "recall" else v["value"] <= v["target"]
    return out


def print_summary(report: dict) -> None:
    print("\n== juesuan bench ==")
    m = report["machine"]
    print(f"machine: {m['cpus']} cpus, {m['memory_gb']} GB, load {m['loadavg_at_start']} → {report.get('loadavg_at_end')}")
    if "pdf" in report:
        print_pdf(report["pdf"])
    pr = report["parse"]
    print(f"parse: {pr['single_process_reports_per_s']} reports/s in one process; "
          f"{pr['parallel_reports_per_s']} reports/s with {pr['workers']} workers "
          f"({pr['parallel_reports_per_s_per_core']}/core); ms/report {pr['ms_per_report_by_layout']}")
    for n, b in report.get("builds", {}).items():
        f, r = b["full"], b["rebuild_one_added"]
        print(f"build {n}: {f['wall_s']} s {f['phases_s']}; peak {f['peak_tree_rss_mb']} MB; "
              f"rebuild +1: {r['wall_s']} s ({r['share_of_full']:.0%}); findings {b['false_alarms']['error']} error "
              f"/ {b['false_alarms']['warning']} warning / {b['false_alarms']['info']} info")
    for name, q in report.get("queries", {}).get("queries", {}).items():
        print(f"query {name}: " + (f"p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms ({q['rows']} rows)"
                                   if "p50_ms" in q else q.get("error", "")))
    ex = report.get("export_parquet")
    if ex:
        print(f"parquet export: {ex['seconds']} s, {ex['megabytes']} MB in {ex['files']} files "
              f"(warehouse {ex['warehouse_megabytes']} MB)")
    aq = report.get("audit_quality")
    if aq:
        pe, pw = aq["precision_error"], aq["precision_error_warning"]
        print(f"audit: recall {aq['recall']} (per category "
              f"{ {c: s['recall'] for c, s in aq['per_category'].items()} })")
        print(f"  precision (error findings): documents {pe['document_precision']}, findings {pe['finding_precision']}; "
              f"(error+warning): documents {pw['document_precision']}, findings {pw['finding_precision']}; "
              f"on clean documents: {pw['findings_on_clean_documents_by_rule']}")
    print("targets:")
    for k, v in report.get("verdict", {}).items():
        print(f"  {k:<20} {v['value']!s:>10}  target {v['target']!s:>8}  {'met' if v['met'] else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
