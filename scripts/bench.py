"""`make bench`: how far juesuan goes on one machine (issue 9).

Generates synthetic corpora (``juesuan.synth``), then measures and prints, and writes as JSON
(``bench/out/bench.json`` by default):

- generation time;
- the machine, its load averages at start and end and the share of CPU time the hypervisor
  gave other guests meanwhile (steal, /proc/stat): this host's cores are shared;
- parse throughput: reports/s in one process (and per CPU-second of it) and with ``workers=2``
  (per core = ÷ workers);
- full build time (ingest → dbt → audit → publish) for each ``--sizes`` corpus, with the time
  per phase (parse, insert, dbt, audit) and the peak memory of the build process tree; when
  that build replayed a plan (juesuan/replay.py), also the full build with dbt, as the first
  build of a project version runs it (the samples build is timed both ways: after set-up, which
  leaves the plan, and with dbt);
- rebuild time after adding one report (content-hash reuse of the unchanged ones), as a schedule
  sees it: with the SQL of the project version's first incremental build replayed, which is
  timed too when the run makes it;
- p50/p95 latency of typical analyst queries (``docs/queries/*.sql`` plus our own) on the
  largest warehouse;
- audit recall per category and precision on a corpus with injected errors, and the
  error-severity false alarms on the clean corpora;
- the time and size of a Parquet export of ``marts`` partitioned by year and province;

and compares them with the targets of issue 9.

Peak memory: the sum of the resident set sizes (RSS) of the build process and all its
descendants (parser workers, the dbt server and the dbt command it forks), sampled every
0.2 s — with psutil when it is installed, else from /proc — plus
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the largest single child of the build.

    python scripts/bench.py [--sizes 1000,10000] [--workdir DIR] [--errors 1000] [--error-rate 0.3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from benchlib.measure import (
    audit_quality,
    cpu_ticks,
    export_parquet,
    false_alarms,
    machine,
    parse_throughput,
    pdf_throughput,
    print_pdf,
    query_latency,
    steal_share,
)
from benchlib.memory import TreeSampler, memory_method

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# issue 17's targets (issue 9's for queries and audit quality)
TARGETS = {
    "full_build_s_10000": 80.0,
    "peak_memory_gb_10000": 2.5,
    "rebuild_share_of_full_1000": 0.15,
    "rebuild_share_of_full_10000": 0.05,
    "nochange_s_10000": 1.0,
    "nochange_share_of_full_samples": 0.10,
    "sample_build_s": 8.0,
    "query_p95_ms": 200.0,
    "recall": 0.95,
    "error_false_alarms": 0,
}

# ----------------------------------------------------------------------------------------------
# The build, in a child process that times its phases


def child_build(corpus: str, warehouse: str, workers: int, timings_file: str) -> int:
    """Run juesuan's build with timers around its phases; write {phase: seconds} as JSON."""
    from juesuan.prestart import prestart

    t0, own = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    c0 = own.ru_utime + own.ru_stime  # no child yet
    validator = prestart(Path(warehouse))  # as `juesuan build` does, before the imports below
    import juesuan.build as build_mod
    from ingest import loader
    from juesuan.audit import run_audit
    from juesuan.waivers import waivers_path

    timings: dict[str, float] = defaultdict(float)

    forked_dbt = [0.0]  # dbt runs in a fork of juesuan's dbt server: neither is a finished child

    def cpu() -> float:
        """CPU seconds of this process, its finished children (parser workers), its live ones
        (the dbt server's import of dbt) and the dbt commands forked from that server."""
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + live_children_cpu() + forked_dbt[0]

    def counted(fn):
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            forked_dbt[0] += result.cpu_seconds
            return result
        return wrapper

    def timed(name: str, fn, clock=cpu):
        def wrapper(*args, **kwargs):
            t0, c0 = time.perf_counter(), clock()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[name] += time.perf_counter() - t0
                timings[f"cpu_{name}"] += clock() - c0
        return wrapper

    if hasattr(build_mod, "load"):
        build_mod.load = timed("ingest", build_mod.load)
    if hasattr(loader, "_flush"):
        # this process's CPU alone: the parser workers keep parsing while it inserts, and with
        # theirs counted (cpu()) insert read ~50 CPU-s at 10,000 reports for ~20 of its own
        loader._flush = timed("insert", loader._flush, clock=time.process_time)
    if hasattr(build_mod, "dbt_command"):
        build_mod.dbt_command = timed("dbt", counted(build_mod.dbt_command))
    if hasattr(build_mod, "replay"):  # an incremental build replaying dbt's SQL: the "dbt" phase too
        build_mod.replay = timed("dbt", build_mod.replay)
    audit = timed("audit", run_audit)
    # with the waivers file, as `juesuan build` does: the build writes the no-change manifest
    try:
        result = build_mod.build([Path(corpus)], Path(warehouse), workers=workers, audit=audit,
                                 waivers=waivers_path(Path(warehouse)), validator=validator)
    finally:
        if validator is not None:
            validator.close()
    timings["total"] = time.perf_counter() - t0
    timings["cpu_total"] = cpu() - c0
    if "ingest" in timings:
        timings["parse_and_rows"] = timings["ingest"] - timings.get("insert", 0.0)
    out = dict(timings, findings=result.findings_by_severity, files_new=result.stats.files_new,
               files_unchanged=result.stats.files_unchanged, files_failed=result.stats.files_failed,
               ingest_errors=result.ingest_errors, incremental=result.incremental,
               rebuilt_documents=result.rebuilt_documents, replayed=result.replayed)
    Path(timings_file).write_text(json.dumps(out))
    return 0


def live_children_cpu() -> float:
    """CPU seconds (user + system) of this process's live children, from /proc."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # fields after the name: state, ppid, …, utime (12), stime (13)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_measured(cmd: list[str], what: str, extra_env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run ``cmd`` from the repo; its wall seconds and the peak RSS (bytes) of its process tree."""
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", GX_ANALYTICS_ENABLED="false", **(extra_env or {}))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with TreeSampler(proc.pid) as sampler:
        output, _ = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}):\n{output[-4000:]}")
    return wall, sampler.peak


# A build as on a fresh clone, or after a change to the project: no replay plan (juesuan/replay.py)
DBT_ONLY = {"JUESUAN_REPLAY": "0"}


def run_build(corpus: Path, warehouse: Path, workers: int, extra_env: dict[str, str] | None = None) -> dict:
    timings_file = warehouse.with_suffix(".timings.json")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child-build", str(corpus), str(warehouse),
           str(workers), str(timings_file)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    wall, peak = run_measured(cmd, f"build of {corpus}", extra_env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timings = json.loads(timings_file.read_text())
    dbt_nodes: dict = {}
    run_results = warehouse.parent / ".dbt-target" / "run_results.json"
    # where dbt's time goes: its slowest nodes (a replayed build leaves an older run's file)
    if run_results.exists() and not timings.get("replayed", False):
        rr = json.loads(run_results.read_text())
        slow = sorted(rr.get("results", []), key=lambda x: -x.get("execution_time", 0))[:8]
        dbt_nodes = dict(elapsed_s=round(rr.get("elapsed_time", 0), 1), nodes=len(rr.get("results", [])),
                         slowest={x["unique_id"].split(".", 2)[-1]: round(x["execution_time"], 2) for x in slow})
    return dict(wall_s=round(wall, 2),
                phases_s={k: round(v, 2) for k, v in timings.items() if isinstance(v, float) and not k.startswith("cpu_")},
                cpu_s={k[4:]: round(v, 2) for k, v in timings.items() if k.startswith("cpu_")},
                peak_tree_rss_mb=round(peak / 2**20, 1),
                max_single_process_rss_mb=round(max(before, after) / 1024, 1),
                dbt_nodes=dbt_nodes, findings=timings["findings"], files_new=timings["files_new"],
                files_unchanged=timings["files_unchanged"], files_failed=timings["files_failed"],
                ingest_errors=timings["ingest_errors"], replayed=timings.get("replayed", False))


def run_cli_build(corpus: Path | None, warehouse: Path, workers: int, extra_env: dict[str, str] | None = None) -> dict:
    """`juesuan -q build` as a user runs it (the no-change check included): wall seconds, peak RSS."""
    cmd = [str(Path(sys.executable).with_name("juesuan")), "-q", "build", "--warehouse", str(warehouse),
           "--workers", str(workers), *(["--corpus", str(corpus)] if corpus else [])]
    wall, peak = run_measured(cmd, f"juesuan build {corpus or 'samples'}", extra_env)
    return dict(wall_s=round(wall, 2), peak_tree_rss_mb=round(peak / 2**20, 1))


def sample_builds(work: Path, workers: int) -> dict:
    """The bundled samples into a new warehouse as `make build` after set-up runs it (set-up leaves
    the replay plan of this project version: juesuan.build.prepare), then again unchanged; and
    into another with dbt, as the first build after a change to the project runs."""
    # made by `make setup` already, unless the project changed since; in its own process, as there
    setup = subprocess.run([sys.executable, "-c", "import sys; from juesuan.build import prepare; sys.exit(prepare())"],
                           cwd=REPO, capture_output=True, text=True)
    if setup.returncode != 0:
        raise RuntimeError(f"set-up (juesuan.build.prepare) failed:\n{setup.stderr[-4000:]}")
    out = {}
    for key, env in (("full", None), ("full_dbt", DBT_ONLY)):
        warehouse = work / f"samples_{key}" / "juesuan.duckdb"
        if warehouse.parent.exists():
            for f in warehouse.parent.iterdir():
                if f.is_file():
                    f.unlink()
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        out[key] = run_cli_build(None, warehouse, workers, env)
    nochange = run_cli_build(None, work / "samples_full" / "juesuan.duckdb", workers)
    nochange["share_of_full"] = round(nochange["wall_s"] / out["full"]["wall_s"], 3)
    return dict(out, nochange=nochange)


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

    # 3. the samples, as `make build` runs them
    report["samples"] = sample_builds(work, args.workers)
    print(f"samples: {report['samples']}", flush=True)
    save()

    # 4. full builds, no-change rebuild, rebuild after one added report
    report["builds"] = {}
    for n in sizes:
        corpus, warehouse = work / f"corpus_{n}", work / f"warehouse_{n}.duckdb"
        for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            leftover.unlink(missing_ok=True)
        full = run_build(corpus, warehouse, args.workers)
        print(f"full build {n}{' (SQL replayed)' if full['replayed'] else ''}: {full}", flush=True)
        full_dbt = None
        if full["replayed"]:  # the first full build of a project version runs dbt: time that too
            other = work / f"warehouse_{n}_dbt.duckdb"
            for leftover in (other, other.with_name(other.name + ".wal")):
                leftover.unlink(missing_ok=True)
            full_dbt = run_build(corpus, other, args.workers, DBT_ONLY)
            print(f"full build {n} with dbt: {full_dbt}", flush=True)
        nochange = run_cli_build(corpus, warehouse, args.workers)
        nochange["share_of_full"] = round(nochange["wall_s"] / full["wall_s"], 3)
        print(f"no-change rebuild {n}: {nochange}", flush=True)
        generate(n + 1, corpus, seed=args.seed)  # prefix-stable: the first n files are unchanged
        rebuild = run_build(corpus, warehouse, args.workers)
        first_incremental = None
        if not rebuild["replayed"]:
            # The first incremental build of a project version runs dbt and keeps its SQL; later
            # ones replay it (juesuan/replay.py). Time what a schedule sees from then on: take the
            # added report out (a replayed rebuild), put it back and time that rebuild.
            first_incremental = rebuild
            first_incremental["share_of_full"] = round(rebuild["wall_s"] / full["wall_s"], 3)
            print(f"rebuild {n} + 1, first incremental build of this project version: {rebuild}", flush=True)
            max(corpus.iterdir()).unlink()  # file names start with their number: the (n + 1)-th
            run_build(corpus, warehouse, args.workers)
            generate(n + 1, corpus, seed=args.seed)
            rebuild = run_build(corpus, warehouse, args.workers)
        rebuild["share_of_full"] = round(rebuild["wall_s"] / full["wall_s"], 3)
        if full_dbt:
            rebuild["share_of_full_dbt"] = round(rebuild["wall_s"] / full_dbt["wall_s"], 3)
        print(f"rebuild {n} + 1: {rebuild}", flush=True)
        report["builds"][str(n)] = dict(full=full, full_dbt=full_dbt, nochange=nochange, rebuild_one_added=rebuild,
                                        first_incremental=first_incremental, false_alarms=false_alarms(warehouse))
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
    report["steal_share"] = steal_share(report["machine"].get("cpu_ticks_at_start"), cpu_ticks())
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
        fulls = [b["full"]]
        if b.get("full_dbt"):
            out["full_build_dbt_s"] = dict(size=int(big), value=b["full_dbt"]["wall_s"],
                                           target=TARGETS["full_build_s_10000"])
            fulls.append(b["full_dbt"])
        out["peak_memory_gb"] = dict(size=int(big), value=round(max(f["peak_tree_rss_mb"] for f in fulls) / 1024, 2),
                                     target=TARGETS["peak_memory_gb_10000"])
        out["nochange_s"] = dict(size=int(big), value=b["nochange"]["wall_s"], target=TARGETS["nochange_s_10000"])
        out["error_false_alarms"] = dict(size=int(big), value=b["false_alarms"]["error"],
                                         target=TARGETS["error_false_alarms"])
    for n, b in report.get("builds", {}).items():
        if f"rebuild_share_of_full_{n}" in TARGETS:
            out[f"rebuild_share_{n}"] = dict(size=int(n), value=b["rebuild_one_added"]["share_of_full"],
                                             target=TARGETS[f"rebuild_share_of_full_{n}"])
    sm = report.get("samples")
    if sm:
        out["sample_build_s"] = dict(value=sm["full"]["wall_s"], target=TARGETS["sample_build_s"])
        out["nochange_share_samples"] = dict(value=sm["nochange"]["share_of_full"],
                                             target=TARGETS["nochange_share_of_full_samples"])
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
    steal = report.get("steal_share")
    print(f"machine: {m['cpus']} cpus, {m['memory_gb']} GB, load {m['loadavg_at_start']} → {report.get('loadavg_at_end')}"
          + (f"; CPU time stolen by the hypervisor {steal:.1%}" if steal is not None else ""))
    if "pdf" in report:
        print_pdf(report["pdf"])
    pr = report["parse"]
    print(f"parse: {pr['single_process_reports_per_s']} reports/s in one process "
          f"({pr['single_process_reports_per_cpu_s']} per CPU-second); "
          f"{pr['parallel_reports_per_s']} reports/s with {pr['workers']} workers "
          f"({pr['parallel_reports_per_s_per_core']}/core); ms/report {pr['ms_per_report_by_layout']}")
    sm = report.get("samples")
    if sm:
        print(f"samples (make build after set-up, which leaves the replay plan): {sm['full']['wall_s']} s; no change: "
              f"{sm['nochange']['wall_s']} s ({sm['nochange']['share_of_full']:.0%} of full); "
              f"with dbt (the first build after a change to the project): {sm['full_dbt']['wall_s']} s")
    for n, b in report.get("builds", {}).items():
        f, nc, r = b["full"], b["nochange"], b["rebuild_one_added"]
        print(f"build {n}{' (SQL replayed)' if f.get('replayed') else ''}: {f['wall_s']} s; phases {f['phases_s']}; "
              f"CPU s {f['cpu_s']}; peak {f['peak_tree_rss_mb']} MB")
        if b.get("full_dbt"):
            fd = b["full_dbt"]
            print(f"  with dbt (a project version's first full build): {fd['wall_s']} s; phases {fd['phases_s']}; "
                  f"CPU s {fd['cpu_s']}; peak {fd['peak_tree_rss_mb']} MB")
        print(f"  no change: {nc['wall_s']} s ({nc['share_of_full']:.0%}); +1 report: {r['wall_s']} s "
              f"({r['share_of_full']:.0%}" + (f"; {r['share_of_full_dbt']:.0%} of the dbt one" if 'share_of_full_dbt' in r else "")
              + f"{', SQL replayed' if r.get('replayed') else ''}); phases {r['phases_s']}")
        if b.get("first_incremental"):
            fi = b["first_incremental"]
            print(f"  +1 report as the first incremental build of this project version (dbt, keeps its SQL): "
                  f"{fi['wall_s']} s ({fi['share_of_full']:.0%}); phases {fi['phases_s']}")
        print(f"  findings {b['false_alarms']['error']} error / {b['false_alarms']['warning']} warning / "
              f"{b['false_alarms']['info']} info")
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
