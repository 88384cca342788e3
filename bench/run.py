#!/usr/bin/env python3
"""One benchmark that measures everything, each figure beside a baseline from the same run.

    python bench/run.py [--speeches N] [--json] [--workdir DIR] [--db-url URL] [--corpus DIR]
                        [--only ingest,storage,search,pages,http,who_said,quote_check,one_day] [--http-seconds S]

1. builds (or reuses) a synthetic corpus of about N speeches (bench/make_corpus.py) in
   WORKDIR/corpus, and ingests it into WORKDIR/despatchbox.db (or --db-url). What was ingested
   (the corpus, the migrations, the ingest figures) is written beside the database
   (``despatchbox.db.json``); a later run with the same corpus and unchanged migrations reuses the
   database and its ingest figures. Migrations added since are applied in place (Alembic) and
   noted; a migration that *changed* since the ingest means the database is rebuilt.
2. measures
   - ingest: MB/s and records/s end to end vs ``lxml`` parsing of the same files, and (SQLite) vs a
     bare bulk load of the same rows into an empty database of the same schema (bench/ingest.py);
   - search: p50/p95 of a fixed mix of word, phrase, boolean and filtered queries through
     ``store.search.search`` vs the engine's own top 20 for the same queries on the same index (bench/search.py);
   - pages: p50/p95 of member, seed-style, full debate and department pages rendered in-process
     (bench/pages.py), for the busiest member, one of their debates, the busiest department; and,
     beside them with no goal of its own, the search page for a mix of its forms;
   - http: requests/s and p95 of those pages from a load generator on loopback (bench/loadgen.py)
     against ``despatchbox serve --workers W`` started as a subprocess and always stopped;
   - who_said: latency for a 30-paragraph text, once ``despatchbox.quotes`` is wired to the store;
   - quote_check: latency for a 300-word quote (bench/quote_check.py) vs a PK lookup per sentence;
   - one_day: one new real sitting day ingested into a copy of the database vs into an empty one
     (bench/one_day.py), what `despatchbox update` costs as the database grows.
3. prints each figure with its target (targets are for N = 1 000 000) and whether it is met, or
   with --json exactly one JSON object.

The machine is shared and noisy: compare figures with their baselines, not across runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "src")]

from make_corpus import make_corpus  # noqa: E402
from targets import TARGET_N, TARGETS  # noqa: E402

MIGRATIONS = ROOT / "src" / "despatchbox" / "store" / "migrations" / "versions"
META_FORMAT = 1
SECTIONS = ("ingest", "storage", "search", "pages", "http", "who_said", "quote_check", "one_day")
#: the corpus.json fields that identify a corpus (timings and "reused" left out)
CORPUS_IDENTITY = ("format", "speeches_requested", "source", "files", "speeches", "bytes", "first_date",
                   "last_date")


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- the corpus and its database ----------------------------------------------------------------

def migration_hashes() -> dict[str, str]:
    """revision id → sha256 of its migration file, for every migration in the tree."""
    out = {}
    for path in sorted(MIGRATIONS.glob("*.py")):
        data = path.read_bytes()
        m = re.search(rb"^revision\s*=\s*['\"]([^'\"]+)['\"]", data, re.M)
        if m:
            out[m.group(1).decode()] = hashlib.sha256(data).hexdigest()
    return out


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return None


def _remove_sqlite(path: Path) -> None:
    import shutil
    for suffix in ("", "-wal", "-shm", "-journal", ".ingest-lock", ".schema-lock", ".json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.search", ignore_errors=True)     # the search index beside it


def _database_is_empty(url: str) -> bool:
    from sqlalchemy import inspect

    from despatchbox.store.database import make_engine
    engine = make_engine(url)                   # the URLs despatchbox takes (postgresql:// is psycopg 3)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def prepare(args) -> tuple[dict, str, dict, list[str]]:
    """Build or reuse the corpus and the database. Returns (corpus, url, ingest figures, notes)."""
    import ingest as bench_ingest

    notes: list[str] = []
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_dir = args.corpus or workdir / "corpus"
    started = time.perf_counter()
    corpus = make_corpus(corpus_dir, args.speeches)
    if not corpus.get("reused"):
        notes.append(f"corpus built in {time.perf_counter() - started:.0f}s")
    corpus_id = {k: corpus.get(k) for k in CORPUS_IDENTITY}

    url = args.db_url or f"sqlite:///{workdir / 'despatchbox.db'}"
    db_file = _sqlite_path(url)
    meta_path = Path(f"{db_file}.json") if db_file else workdir / "database.json"
    meta = None
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
        except ValueError:
            meta = None
    current = migration_hashes()
    reuse = (meta is not None and meta.get("format") == META_FORMAT and meta.get("corpus") == corpus_id
             and meta.get("url") == _public_url(url) and not args.reingest
             and (db_file is None or db_file.exists()))
    if reuse:
        changed = sorted(r for r, sha in meta["migrations"].items() if current.get(r) != sha)
        if changed and not args.keep_db:
            notes.append(f"migrations changed since the ingest ({', '.join(changed)}): database rebuilt")
            reuse = False
    if reuse:
        added = sorted(set(current) - set(meta["migrations"]))
        if added or changed:
            from despatchbox.store.database import engine_for
            t0 = time.perf_counter()
            engine_for(url)                       # Alembic: new migrations applied in place
            took = round(time.perf_counter() - t0, 1)
            meta.setdefault("upgrades", []).append({"at": _now(), "added": added, "changed_kept": changed,
                                                    "seconds": took})
            meta["migrations"] = current
            meta_path.write_text(json.dumps(meta, indent=1))
            notes.append(f"database upgraded in place by Alembic ({', '.join(added) or 'no new revision'}"
                         f"{'; kept despite changed ' + ', '.join(changed) if changed else ''}) in {took}s")
        notes.append(f"database reused: ingested {meta['ingested_at']}")
        return corpus, url, meta["ingest"], notes + meta.get("notes", [])

    if db_file:
        _remove_sqlite(db_file)
    elif not _database_is_empty(url):
        raise SystemExit(f"{_public_url(url)} is not empty and holds no matching benchmark ingest "
                         f"({meta_path}); give an empty database")
    log(f"ingesting {corpus['files']} files ({corpus['bytes'] / 1e6:.0f} MB) into {_public_url(url)} …")
    cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = bench_ingest.measure(corpus_dir, url, bulk=False)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # the bare bulk load of what the ingest made, after it (outside the RSS sampler and the CPU window)
    log("bulk-loading the same rows into an empty database (the baseline) …")
    figures.update(bench_ingest.bulk_figures(bench_ingest.run_bulk_load(url), figures["mb"],
                                             figures["ingest_seconds"]))
    # CPU seconds hold up better than wall-clock on a shared machine. The ingest runs in a child (the
    # only one waited for in between); lxml's parse is timed alone inside raw_parse. This process's own
    # CPU over the measure (bench_cpu_s) is not the baseline: it also holds the tree sampler's thread,
    # reading /proc every 0.1 s while the ingest runs (0.7 s of a 20k ingest, more the longer it
    # runs), which until 6 December (evening) was counted as lxml's and doubled cpu_ratio
    bench_cpu, ingest_cpu = (sum(getattr(cpu1[i], f) - getattr(cpu0[i], f) for f in ("ru_utime", "ru_stime"))
                             for i in (0, 1))
    figures["bench_cpu_s"], figures["ingest_cpu_s"] = round(bench_cpu, 1), round(ingest_cpu, 1)
    parse_cpu = figures.get("raw_parse_cpu_s")
    figures["cpu_ratio"] = round(parse_cpu / ingest_cpu, 3) if ingest_cpu and parse_cpu else None
    figures["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    # the largest process's RSS at its peak, split into heap and file-backed pages (bench/ingest.TreeSampler)
    if figures.get("peak_one_anon_mb"):
        figures["peak_rss_anon_mb"] = figures["peak_one_anon_mb"]
        figures["peak_rss_file_mb"] = figures["peak_one_file_mb"]
    meta = {"format": META_FORMAT, "url": _public_url(url), "corpus_dir": str(corpus_dir), "corpus": corpus_id,
            "migrations": current, "ingested_at": _now(), "ingest": figures, "machine": machine()}
    meta_path.write_text(json.dumps(meta, indent=1))
    return corpus, url, figures, notes


def _public_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load_avg": [round(x, 2) for x in os.getloadavg()]}


def code_version() -> dict:
    """The commit measured, and how many files of the tree differed from it (others work in it too)."""
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"commit": head, "modified_files": len(dirty)}


# --- percentiles ----------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2), "n": len(ms)}


# --- the sections -------------------------------------------------------------------------------

def section_ingest(ctx: dict) -> dict:
    fig = ctx["ingest_figures"]
    return {"mb_s": fig["mb_s"], "raw_mb_s": fig["raw_mb_s"], "ratio": fig["ratio"],
            "peak_rss_mb": fig["peak_rss_mb"], "records_s": fig["records_s"], "records": fig["records"],
            "cpu_ratio": fig.get("cpu_ratio"), "ingest_cpu_s": fig.get("ingest_cpu_s"),
            "raw_parse_cpu_s": fig.get("raw_parse_cpu_s"), "bench_cpu_s": fig.get("bench_cpu_s"), "peak_rss_anon_mb": fig.get("peak_rss_anon_mb"), "peak_rss_file_mb": fig.get("peak_rss_file_mb"),
            "mb": fig["mb"], "seconds": fig["ingest_seconds"], "errors": fig["errors"],
            "rebuild_seconds": fig.get("rebuild_seconds"),
            **{k: v for k, v in fig.items() if k.startswith("bulk_")},
            "reused": ctx["reused_ingest"]}


def _bench_module(name: str):
    """bench/<name>.py, or None while it is not written yet."""
    import importlib
    if not (BENCH / f"{name}.py").exists():
        return None
    return importlib.import_module(name)


def section_search(ctx: dict) -> dict:
    """bench/search.py's fixed mix (words, phrases, boolean, filtered) vs the engine's own top 20."""
    search = _bench_module("search")
    if search is None:
        return {"skipped": "bench/search.py is not there yet"}
    out = search.measure_search(ctx["url"], rounds=ctx["rounds"])
    out["common_vs_rare_ratio"] = (out.get("common_vs_rare") or {}).get("ratio")
    return out


def section_storage(ctx: dict) -> dict:
    """Bytes per contribution: the database (every table and index: SQLite's dbstat, or PostgreSQL's
    relation sizes) and the search index beside it."""
    path = _sqlite_path(ctx["url"])
    if path is None:
        return _storage_postgresql(ctx["url"])
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        contributions = con.execute("SELECT count(*) FROM speeches").fetchone()[0] or 1
        try:
            by_name = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:           # an SQLite built without dbstat
            by_name = []
    finally:
        con.close()
    index_bytes = _folder_bytes(Path(f"{path}.search"))
    db_bytes = path.stat().st_size
    total = db_bytes + index_bytes
    return {"contributions": contributions, "database_mb": round(db_bytes / 1e6, 1),
            "search_index_mb": round(index_bytes / 1e6, 1),
            "kb_per_contribution": round(total / contributions / 1000, 2),
            "by_table_bytes_per_contribution": {name: round(size / contributions) for name, size in by_name[:25]}}


def _folder_bytes(folder: Path | None) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder and folder.exists() else 0


def _storage_postgresql(url: str) -> dict:
    """Bytes per contribution on PostgreSQL: every table of the schema (its heap, TOAST and maps, by
    pg_table_size) and every index (pg_relation_size), and the search index in its folder
    (DESPATCHBOX_SEARCH_DIR). The catalogs are left out: they are a constant, not the record."""
    from sqlalchemy import text

    from despatchbox.store.database import engine_for
    from despatchbox.store.search.index_marks import index_dir

    engine = engine_for(url)
    with engine.connect() as conn:
        contributions = conn.execute(text("SELECT count(*) FROM speeches")).scalar_one() or 1
        by_name = conn.execute(text(
            "SELECT c.relname, CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 'm') ORDER BY 2 DESC")).all()
    db_bytes = sum(int(size) for _name, size in by_name)
    index_bytes = _folder_bytes(index_dir(engine))
    return {"contributions": contributions, "database_mb": round(db_bytes / 1e6, 1),
            "search_index_mb": round(index_bytes / 1e6, 1),
            "kb_per_contribution": round((db_bytes + index_bytes) / contributions / 1000, 2),
            "by_table_bytes_per_contribution": {name: round(int(size) / contributions) for name, size in by_name[:25]}}


def _page_paths(ctx: dict, pages) -> dict[str, str]:
    """The busiest member, one of their debates (seed-style and in full), the busiest department."""
    if ctx.get("page_paths") is None:
        ctx["page_paths"] = pages.page_paths(ctx["url"])
    return ctx["page_paths"]


def section_pages(ctx: dict) -> dict:
    """bench/pages.py: the four pages rendered every time (page cache off: the figures held to the
    target), first renders of distinct pages of each kind, then the four again from the page cache."""
    pages = _bench_module("pages")
    if pages is None:
        return {"skipped": "bench/pages.py is not there yet"}
    paths = _page_paths(ctx, pages)
    out = pages.measure_pages(ctx["url"], rounds=ctx["page_rounds"], paths=paths, cold=ctx["cold_pages"],
                              page_cache=False)
    cached = pages.measure_pages(ctx["url"], rounds=ctx["page_rounds"], paths=paths, page_cache=True)
    if cached.get("page_cache") == "on":
        out["cached"] = {k: cached[k] for k in ("p50_ms", "p95_ms", "baseline_p50_ms")}
    if hasattr(pages, "measure_search_pages"):
        out["search_page"] = pages.measure_search_pages(ctx["url"], rounds=ctx["page_rounds"])
    return out


def section_http(ctx: dict) -> dict:
    """Requests/s and latency of the same pages against `despatchbox serve`, beside a static file and
    a bare FastAPI route on the same workers (the baseline, bench/trivial_app.py):
    every page rendered (page cache off: the figures held to the target), then with the page cache on."""
    pages = _bench_module("pages")
    if pages is None:
        return {"skipped": "bench/pages.py is not there yet"}
    paths = list(_page_paths(ctx, pages).values())

    def run(page_cache: bool) -> dict:
        return pages.measure_throughput(ctx["url"], paths, seconds=ctx["http_seconds"],
                                        connections=ctx["http_connections"], workers=ctx["workers"],
                                        page_cache=page_cache)
    out = run(False)
    cached = run(True)
    if cached.get("page_cache") == "on":
        out["cached"] = {k: cached.get(k) for k in ("rps", "p50_ms", "p95_ms", "errors", "baseline_rps", "ratio")}
    return out


def section_who_said(ctx: dict) -> dict:
    """bench/who_said.py: a 30-paragraph web copy through despatchbox.web.who_said vs as many
    primary-key lookups as the fingerprint index issued (baseline)."""
    who_said = _bench_module("who_said")
    if who_said is None:
        return {"skipped": "bench/who_said.py is not there yet"}
    return who_said.measure(ctx["url"], runs=ctx["page_rounds"])


def section_quote_check(ctx: dict) -> dict:
    """bench/quote_check.py: a 300-word quote through despatchbox.web.quote_check vs one primary-key
    lookup per sentence (baseline)."""
    quote_check = _bench_module("quote_check")
    if quote_check is None:
        return {"skipped": "bench/quote_check.py is not there yet"}
    return quote_check.measure(ctx["url"], runs=ctx["page_rounds"])


def section_one_day(ctx: dict) -> dict:
    """bench/one_day.py: one new real sitting day ingested into a copy of this database vs into an
    empty one with the same members (issue 18: an update into a large database as fast as into an empty one)."""
    one_day = _bench_module("one_day")
    assert one_day is not None, "bench/one_day.py ships with bench/run.py"
    return one_day.measure(ctx["url"], ctx["args"].workdir)


RUNNERS = {"ingest": section_ingest, "storage": section_storage, "search": section_search, "pages": section_pages,
           "http": section_http,
           "who_said": section_who_said, "quote_check": section_quote_check, "one_day": section_one_day}


# --- output -------------------------------------------------------------------------------------

def verdicts(result: dict) -> list[dict]:
    out = []
    for section, key, op, target, unit in TARGETS:
        value = (result.get(section) or {}).get(key)
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        out.append({"figure": f"{section}.{key}", "value": value, "target": f"{op} {target}{unit}", "met": met})
    return out


def _fmt(value, unit="") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}{unit}" if abs(value) < 1 else f"{value:,.2f}{unit}"
    return f"{value:,}{unit}"


def print_report(result: dict) -> None:
    c = result["corpus"]
    m = result["machine"]
    print(f"despatchbox benchmark — {result['speeches']:,} speeches requested, {c['speeches']:,} in "
          f"{c['files']:,} files ({c['bytes'] / 1e6:,.0f} MB)")
    print(f"code: commit {result['code'].get('commit')} ({result['code'].get('modified_files')} modified files)")
    print(f"machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
          f"SQLite {m['sqlite']}, load average at start {m['load_avg']}")
    for note in result.get("notes", []):
        print(f"  note: {note}")
    i = result.get("ingest") or {}
    if i:
        print(f"\ningest   {_fmt(i.get('mb_s'), ' MB/s')}, {_fmt(i.get('records_s'), ' records/s')} "
              f"vs raw lxml parse {_fmt(i.get('raw_mb_s'), ' MB/s')}: ratio {_fmt(i.get('ratio'))}; "
              f"by CPU time {_fmt(i.get('cpu_ratio'))} (lxml {_fmt(i.get('raw_parse_cpu_s'), ' s')}, "
              f"ingest {_fmt(i.get('ingest_cpu_s'), ' s')}); "
              f"peak RSS {_fmt(i.get('peak_rss_mb'), ' MB')} (sampled peaks: heap {_fmt(i.get('peak_rss_anon_mb'), ' MB')}"
              f", file-backed {_fmt(i.get('peak_rss_file_mb'), ' MB')}){' (reused ingest)' if i.get('reused') else ''}")
        if i.get("bulk_seconds") is not None:
            print(f"    vs a bare bulk load of the same rows and indexes, one transaction: {_fmt(i['bulk_mb_s'], ' MB/s')} "
                  f"({_fmt(i['bulk_seconds'], ' s')}, {_fmt(i['bulk_cpu_s'], ' s')} CPU, {i['bulk_rows']:,} rows): "
                  f"ratio {_fmt(i['bulk_ratio'])}")
        if i.get("rebuild_seconds") is not None:
            print(f"    of which the vacuum and index rebuild after the load: {_fmt(i['rebuild_seconds'], ' s')}")
    st = result.get("storage") or {}
    if st and "kb_per_contribution" in st:
        print(f"storage  {_fmt(st['kb_per_contribution'], ' KB')} per contribution: database {_fmt(st['database_mb'], ' MB')}"
              f" + search index {_fmt(st['search_index_mb'], ' MB')} for {st['contributions']:,} contributions; "
              f"bytes per contribution by table/index: "
              + ", ".join(f"{n} {b}" for n, b in list(st["by_table_bytes_per_contribution"].items())[:12]))
    s = result.get("search") or {}
    if s:
        print(f"search   p50 {_fmt(s.get('p50_ms'), ' ms')}, p95 {_fmt(s.get('p95_ms'), ' ms')} vs the engine's own "
              f"top 20 p95 {_fmt(s.get('raw_p95_ms'), ' ms')}: ratio {_fmt(s.get('ratio'))}")
        g = s.get("common_vs_rare") or {}
        if g:
            print(f"    common word {g['common']!r} ({g['common_total']:,} matches) p95 {_fmt(g['common_p95_ms'], ' ms')}"
                  f" vs rare {g['rare']!r} ({g['rare_total']:,}) p95 {_fmt(g['rare_p95_ms'], ' ms')}: ratio {g['ratio']}")
        for name, q in (s.get("by_group") or {}).items():
            print(f"    {name:<22} p50 {_fmt(q.get('p50_ms'), ' ms'):>10}  p95 {_fmt(q.get('p95_ms'), ' ms'):>10}"
                  f"  raw p95 {_fmt(q.get('raw_p95_ms'), ' ms'):>10}  ratio {_fmt(q.get('ratio'))}")
        for name, q in (s.get("by_query") or {}).items():
            print(f"    {name:<22} p50 {_fmt(q.get('p50_ms'), ' ms'):>10}  p95 {_fmt(q.get('p95_ms'), ' ms'):>10}"
                  f"  raw p95 {_fmt(q.get('raw_p95_ms'), ' ms'):>10}  hits {_fmt(q.get('total'))}")
    p = result.get("pages") or {}
    if p:
        print(f"pages    p50 {_fmt(p.get('p50_ms'), ' ms')}, p95 {_fmt(p.get('p95_ms'), ' ms')} rendered every time "
              f"(in-process; a trivial route through the same app: p50 {_fmt(p.get('baseline_p50_ms'), ' ms')}); "
              f"CPU per render {_fmt((p.get('cpu_ms') or {}).get('mean'), ' ms')}")
        for name, q in (p.get("by_page") or {}).items():
            print(f"    {name:<22} p50 {_fmt(q.get('p50_ms'), ' ms'):>10}  p95 {_fmt(q.get('p95_ms'), ' ms'):>10}"
                  f"  CPU {_fmt(q.get('cpu_ms'), ' ms'):>9}  {q.get('path', '')}")
        if p.get("cold"):
            c = p["cold"]
            print(f"    first renders ({c['pages']:>3})  p50 {_fmt(c.get('p50_ms'), ' ms'):>10}  "
                  f"p95 {_fmt(c.get('p95_ms'), ' ms'):>10}  (distinct pages of each kind, each once)")
        if p.get("cached"):
            c = p["cached"]
            print(f"    from the page cache    p50 {_fmt(c.get('p50_ms'), ' ms'):>10}  p95 {_fmt(c.get('p95_ms'), ' ms'):>10}")
        if p.get("search_page"):
            c = p["search_page"]
            print(f"    the search page ({len(c['by_page'])} forms) p50 {_fmt(c.get('p50_ms'), ' ms'):>10}  "
                  f"p95 {_fmt(c.get('p95_ms'), ' ms'):>10}  (rendered every time; no goal names it)")
            for name, q in c["by_page"].items():
                print(f"      {name:<20} p50 {_fmt(q.get('p50_ms'), ' ms'):>10}  p95 {_fmt(q.get('p95_ms'), ' ms'):>10}"
                      f"  CPU {_fmt(q.get('cpu_ms'), ' ms'):>9}  {q.get('path', '')}")
    h = result.get("http") or {}
    if h:
        print(f"http     {_fmt(h.get('rps'), ' req/s')}, p50 {_fmt(h.get('p50_ms'), ' ms')}, "
              f"p95 {_fmt(h.get('p95_ms'), ' ms')} vs a bare FastAPI route {_fmt(h.get('baseline_rps'), ' req/s')}: "
              f"ratio {_fmt(h.get('ratio'))} (a static file {_fmt(h.get('static_rps'), ' req/s')}, "
              f"{_fmt(h.get('static_ratio'))} of the route; {h.get('workers')} workers, {h.get('connections')} connections, "
              f"{h.get('errors', 0)} errors, load generator {_fmt(h.get('loadgen_cpu_share'))} of the CPU); "
              f"every page rendered")
        if h.get("cpu_ms_per_request"):
            print(f"    server CPU per request: pages {_fmt(h.get('cpu_ms_per_request'), ' ms')}, the bare route "
                  f"{_fmt(h.get('baseline_cpu_ms_per_request'), ' ms')} (route / pages {_fmt(h.get('cpu_ratio'))})")
        if h.get("balance_rounds"):
            print(f"    ratio by round {h.get('ratio_rounds')}; the workers' balance by round (1.0 even): pages "
                  f"{h.get('balance_rounds')}, the bare route {h.get('baseline_balance_rounds')}")
        if h.get("cached"):
            c = h["cached"]
            print(f"    from the page cache    {_fmt(c.get('rps'), ' req/s')}, p50 {_fmt(c.get('p50_ms'), ' ms')}, "
                  f"p95 {_fmt(c.get('p95_ms'), ' ms')} ({c.get('errors')} errors)")
    w = result.get("who_said") or {}
    if w and "p50_ms" in w:
        print(f"who-said p50 {_fmt(w.get('p50_ms'), ' ms')}, p95 {_fmt(w.get('p95_ms'), ' ms')} for "
              f"{w.get('paragraphs')} paragraphs ({w.get('matched')} attributed) vs as many primary-key lookups "
              f"as index statements ({w.get('index_statements')}) {_fmt(w.get('baseline_p50_ms'), ' ms')}: "
              f"ratio {_fmt(w.get('ratio'))}")
    q = result.get("quote_check") or {}
    if q and "p50_ms" in q:
        print(f"quote-check p50 {_fmt(q.get('p50_ms'), ' ms')}, p95 {_fmt(q.get('p95_ms'), ' ms')} for a "
              f"{q.get('words')}-word quote ({q.get('sentences')} sentences) vs one primary-key lookup per sentence "
              f"{_fmt(q.get('baseline_p50_ms'), ' ms')}: ratio {_fmt(q.get('ratio'))}")
    d = result.get("one_day") or {}
    if d and "ratio" in d:
        print(f"one day  {d['files']} files of {d['day']} ({d['records']:,} records) into this database "
              f"{_fmt(d['large_seconds'], ' s')} ({_fmt(d['large_cpu_s'], ' s')} CPU) vs into an empty one "
              f"{_fmt(d['empty_seconds'], ' s')} ({_fmt(d['empty_cpu_s'], ' s')} CPU): ratio {_fmt(d['ratio'])}; "
              f"who-said merges {d.get('merges')}, then {d.get('compact_merges')} left to compaction "
              f"({_fmt(d.get('compact_seconds'), ' s')})")
    for name in SECTIONS:
        sec = result.get(name) or {}
        if sec.get("skipped"):
            print(f"{name:<8} skipped: {sec['skipped']}")
        if sec.get("error"):
            print(f"{name:<8} FAILED: {sec['error']}")
    scale = "" if result["speeches"] >= TARGET_N else f" (targets are for N = {TARGET_N:,}; this run is smaller)"
    print(f"\ntargets{scale}:")
    for v in result["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[v["met"]]
        print(f"  {v['figure']:<20} {_fmt(v['value']):>12}   target {v['target']:<14} {met}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speeches", "-n", type=int, default=20_000, metavar="N", help="corpus size (default 20000)")
    ap.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    ap.add_argument("--workdir", type=Path, help="where the corpus and database live "
                    "(default: $TMPDIR/despatchbox-bench/N)")
    ap.add_argument("--corpus", type=Path, help="corpus directory (default WORKDIR/corpus)")
    ap.add_argument("--db-url", help="database URL (default sqlite:///WORKDIR/despatchbox.db); "
                    "a PostgreSQL database must be empty or hold this benchmark's earlier ingest")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run "
                    f"(default all: {','.join(SECTIONS)})")
    ap.add_argument("--reingest", action="store_true", help="ingest again even if the database could be reused")
    ap.add_argument("--keep-db", action="store_true", help="reuse the database even if a migration changed")
    ap.add_argument("--rounds", type=int, default=10, help="timed rounds over the search mix and the who-said "
                    "texts (the four pages get 3 × as many)")
    ap.add_argument("--cold-pages", type=int, default=5, help="distinct pages of each kind rendered once "
                    "(first renders)")
    ap.add_argument("--http-seconds", type=float, default=10.0, help="load generator duration")
    ap.add_argument("--http-connections", type=int, default=8, help="concurrent keep-alive connections")
    ap.add_argument("--workers", type=int, help="serve workers (default: the recommended number for this "
                    "machine and database)")
    args = ap.parse_args(argv)
    args.workdir = args.workdir or Path(tempfile.gettempdir()) / "despatchbox-bench" / str(args.speeches)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    result: dict = {"speeches": args.speeches, "machine": machine(), "code": code_version(),
                    "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])}
    corpus, url, figures, notes = prepare(args)
    result["corpus"] = {k: corpus.get(k) for k in ("speeches", "files", "bytes", "days", "first_date", "last_date")}
    result["database"] = _public_url(url)
    ctx = {"args": args, "url": url, "corpus": corpus, "ingest_figures": figures,
           "reused_ingest": any(n.startswith("database reused") for n in notes),
           "rounds": args.rounds, "page_rounds": args.rounds * 3, "cold_pages": args.cold_pages, "http_seconds": args.http_seconds, "http_connections": args.http_connections,
           "workers": args.workers, "page_paths": None, "notes": notes}
    for name in SECTIONS:
        if name not in wanted:
            continue
        t0 = time.perf_counter()
        log(f"measuring {name} …")
        try:
            result[name] = RUNNERS[name](ctx)
        except Exception as exc:  # a broken section must not hide the others' figures
            log(traceback.format_exc())
            result[name] = {"error": f"{type(exc).__name__}: {exc}"}
        result[name]["bench_seconds"] = round(time.perf_counter() - t0, 1)
    result["notes"] = notes
    result["targets"] = verdicts(result)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
