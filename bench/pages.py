#!/usr/bin/env python3
"""Page latency and throughput: member, seed-style, full debate and department pages.

    python bench/pages.py [--db-url URL] [--rounds N] [--cold N] [--http-seconds S] [--connections C]
                          [--workers W] [--http-page-cache on|off|both] [--json]

Without --db-url the bundled sample week is ingested into a temporary SQLite database.

1. in-process, through the ASGI app (Starlette's TestClient, no sockets; ``Accept-Encoding: gzip``
   as browsers send; one client kept open for each measure, so one event loop and thread serve its
   requests as a server's do — ``--client-per-request`` opens one per request, as before 7 December
   2026, which added ~1 ms of the client's own CPU to every figure), interleaved with a trivial route
   added for the run (a plain-text "ok" through the same app and middleware) as the baseline:
   - **render**: each page rendered ``--rounds`` times with the page cache (web/page_cache.py)
     turned off — what every uncached request costs. These are the headline ``p50_ms``/``p95_ms``
     (bench/run.py's "pages" figure);
   - **cold**: first renders — ``--cold`` distinct pages of each kind (the busiest members, one of
     their debates seed-style and in full, the departments with most sections), each requested once
     in a fresh app (page cache on, so each is a miss: a real render, with nothing of that page in
     any cache of the process);
   - **cached**: the same four pages again with the page cache on (hits, after one render each);
   - **search**: the search page (``/search``, HTML) for :data:`SEARCH_PAGES` — a common word, a
     phrase, filters, date order, grouping by debate, a later page — rendered ``--rounds`` times each
     with the page cache off (``measure_search_pages``). No goal of issue 18 names it (its search goal
     is the store's query, bench/search.py); it is here so that what the page adds around that query
     (the form's choices, the people found, the snippets) is measured at scale too.
2. over HTTP: ``despatchbox serve --workers W`` (default :func:`recommended_workers`) and a bare
   FastAPI route under the same uvicorn settings and workers (bench/trivial_app.py, the baseline)
   are started on free loopback ports (bench/loadgen.py) and loaded in turn by a small asyncio load
   generator, in alternated rounds (the four pages cycled, then the bare route, :data:`HTTP_ROUNDS`
   times); then a static file from the site; requests/s of all three, the pages' share of the
   baseline (the median of the rounds' ratios) and the static file's. ``--http-page-cache`` runs it with the page cache on (default: what is deployed),
   off (every request renders), or both.

The pages measured: the busiest member (most contributions), one of their debates with their
busiest department (the seed-style page), that debate in full, and the busiest department.
Figures vary with the machine's load: compare the ratios within one run, not runs.
``measure_pages`` and ``measure_throughput`` return the figures for bench/run.py; nothing here
asserts a time.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "src")]

BASELINE_PATH = "/__bench/baseline"
STATIC_BASELINE = "/static/style.css"
#: the page cache's budget when a measurement turns it on (web/page_cache.DEFAULT_BUDGET_MB)
DEFAULT_CACHE_MB = 64


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def recommended_workers(url: str) -> int:
    """`despatchbox serve --workers` for this machine. SQLite: one per core (2 on this 2-core machine):
    pages are CPU-bound Python and readers never wait for each other in WAL mode, while a third
    worker only adds contention and another page cache to fill (measured in docs/benchmarks.md,
    "Pages"). PostgreSQL: 2 × cores, as the server does part of the work."""
    cores = os.cpu_count() or 1
    return cores if url.startswith("sqlite") else 2 * cores


def page_paths(url: str) -> dict[str, str]:
    """name → path of the pages to measure, chosen from what the database holds."""
    return page_sets(url, 1)[0]


def page_sets(url: str, n: int) -> list[dict[str, str]]:
    """``n`` sets of {member, seed, debate, department} paths: the n busiest members, for each one of
    their debates with their busiest department, that debate, and the n departments with most sections."""
    from despatchbox.store.database import engine_for
    from despatchbox.store.queries import debates, departments, people
    from despatchbox.web.pages.common import member_debate_url, member_url, debate_url

    engine = engine_for(url)
    out = []
    with engine.connect() as conn:
        busiest = people.most_active(conn, limit=n)
        if not busiest:
            raise SystemExit("the database holds no attributed speeches: ingest something first")
        depts = sorted(departments.all_departments(conn), key=lambda d: -d["sections"])
        for member, dept in zip(busiest, depts):
            seed = None
            for counted in people.department_debate_counts(conn, member["id"]):
                try:
                    _, rows = debates.member_department_debates(conn, member["id"], counted["department_slug"],
                                                                limit=1, with_total=False)
                except TypeError:                                 # code from before with_total
                    _, rows = debates.member_department_debates(conn, member["id"], counted["department_slug"],
                                                                limit=1)
                if rows:
                    seed = rows[0]["id"]
                    break
            if seed is None:
                seed = people.recent_contributions(conn, member["id"], limit=1)[0]["debate_id"]
            out.append({
                "member": member_url(member["slug"], member["house"]),
                "seed": member_debate_url(member["slug"], member["house"], seed),
                "debate": debate_url(seed),
                "department": f"/dept/{dept['slug']}",
            })
    return out


#: whether the in-process measures keep one test client open for all their requests (one event loop
#: in one thread, started once, and the app's lifespan run, as a server keeps them) or open a new one
#: for every request, as they did until 7 December 2026 (``--client-per-request``): Starlette's
#: TestClient outside a ``with`` starts a thread and an event loop for each request — ~1 ms of CPU on
#: this machine added to every page measured (the trivial route: 2.1–2.8 ms a request, 1.2–1.65 ms
#: through one client; docs/benchmarks.md).
ONE_CLIENT = True


def _app(url: str):
    from fastapi.responses import PlainTextResponse
    from fastapi.testclient import TestClient

    from despatchbox.web.app import create_app

    app = create_app(url)
    app.add_api_route(BASELINE_PATH, lambda: PlainTextResponse("ok"), include_in_schema=False)
    return app, TestClient(app)


@contextlib.contextmanager
def _serving(url: str):
    """(app, client) for in-process requests (:func:`_app`), the client kept open while in use unless
    :data:`ONE_CLIENT` is off."""
    app, client = _app(url)
    if not ONE_CLIENT:
        yield app, client
        return
    with client:
        yield app, client


def _page_cache(app):
    try:
        from despatchbox.web.page_cache import page_cache_of
    except ImportError:                                          # before the page cache existed
        return None
    return page_cache_of(app)


#: CPU time (ms) of the requests timed by _timed, by path: steadier than wall time on a shared machine
_CPU: dict[str, list[float]] = {}


def _timed(client, path: str) -> float:
    cpu = time.process_time()
    started = time.perf_counter()
    r = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    _CPU.setdefault(path, []).append((time.process_time() - cpu) * 1000)
    if r.status_code != 200:
        raise RuntimeError(f"GET {path} answered {r.status_code}")
    return elapsed


def _cpu_mean(path: str, last: int) -> float:
    values = _CPU.get(path, [])[-last:]
    return round(sum(values) / len(values), 2) if values else 0.0


def _figures(ms: list[float], base_p50: float) -> dict:
    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "ratio_p50": round(percentile(ms, 50) / base_p50, 1)}


def measure_pages(url: str, rounds: int = 30, paths: dict[str, str] | None = None, cold: int = 0,
                  page_cache: bool | None = None) -> dict:
    """p50/p95 (ms) of each page requested in-process ``rounds`` times, and of a trivial route in the same
    app. ``page_cache``: False — rendered every time (the page cache off); True — served by the page
    cache (rendered once first); None — as the environment says (DESPATCHBOX_PAGE_CACHE_MB, as
    `despatchbox serve` would). ``cold`` > 0 adds first renders of that many distinct pages of each kind."""
    paths = paths or page_paths(url)
    with _serving(url) as (app, client):
        out = _measured(app, client, paths, rounds, page_cache)
    if cold > 0:
        out["cold"] = measure_cold(url, cold)
    return out


def _measured(app, client, paths: dict[str, str], rounds: int, page_cache: bool | None) -> dict:
    """:func:`measure_pages`' figures, through ``client``."""
    cache = _page_cache(app)
    if cache is not None and page_cache is not None:
        if not page_cache:
            cache.resize(0)
        elif not cache.enabled:
            cache.resize(DEFAULT_CACHE_MB * 1024 * 1024)
    mode = "on" if cache is not None and cache.enabled else ("off" if cache is not None else "none")
    for path in [BASELINE_PATH, *paths.values()]:               # warm: templates compiled, pages cached
        _timed(client, path)
    timings: dict[str, list[float]] = {name: [] for name in ["baseline", *paths]}
    for _ in range(rounds):
        for name, path in [("baseline", BASELINE_PATH), *paths.items()]:
            timings[name].append(_timed(client, path))
    base_p50 = percentile(timings["baseline"], 50)
    by_page = {name: {"path": path, **_figures(timings[name], base_p50), "cpu_ms": _cpu_mean(path, rounds)}
               for name, path in paths.items()}
    everything = [t for name in paths for t in timings[name]]
    out = {"p50_ms": round(percentile(everything, 50), 2), "p95_ms": round(percentile(everything, 95), 2),
           "baseline_p50_ms": round(base_p50, 3), "baseline_p95_ms": round(percentile(timings["baseline"], 95), 3),
           "ratio_p95": round(percentile(everything, 95) / base_p50, 1), "rounds": rounds, "by_page": by_page,
           "paths": list(paths.values()), "page_cache": mode,
           "cpu_ms": {"mean": round(sum(q["cpu_ms"] for q in by_page.values()) / len(by_page), 2),
                      "baseline": _cpu_mean(BASELINE_PATH, rounds)}}
    if cache is not None and cache.enabled:
        out["page_cache_stats"] = cache.stats()
    return out


def measure_cold(url: str, n: int = 10) -> dict:
    """First renders: ``n`` distinct pages of each kind, each requested once in a fresh app. One more
    set is rendered first, unmeasured, so that templates are compiled and code paths warm."""
    sets = page_sets(url, n + 1)
    with _serving(url) as (_app_made, client):
        return _first_renders(client, sets)


def _first_renders(client, sets: list[dict[str, str]]) -> dict:
    """:func:`measure_cold`'s figures, through ``client``: the last set warms, the others are measured."""
    for path in [BASELINE_PATH, *sets[-1].values()]:
        _timed(client, path)
    seen: set[str] = set()
    by_kind: dict[str, list[float]] = {kind: [] for kind in sets[0]}
    cpu: dict[str, list[float]] = {kind: [] for kind in sets[0]}
    baseline: list[float] = []
    for page_set in sets[:-1]:
        for kind, path in page_set.items():
            if path in seen:                                      # two members may share a debate
                continue
            seen.add(path)
            by_kind[kind].append(_timed(client, path))
            cpu[kind].append(_CPU[path][-1])
            baseline.append(_timed(client, BASELINE_PATH))
    base_p50 = percentile(baseline, 50)
    everything = [t for ms in by_kind.values() for t in ms]
    return {"pages": len(everything), "p50_ms": round(percentile(everything, 50), 2),
            "p95_ms": round(percentile(everything, 95), 2), "max_ms": round(max(everything), 2),
            "baseline_p50_ms": round(base_p50, 3),
            "by_kind": {kind: {"n": len(ms), **_figures(ms, base_p50),
                               "cpu_ms": round(sum(cpu[kind]) / len(cpu[kind]), 2)}
                        for kind, ms in by_kind.items() if ms}}


#: the search page's requests measured by :func:`measure_search_pages`: name → path (words of
#: bench/search.py's mix, which the sample and the synthetic corpora hold)
SEARCH_PAGES: dict[str, str] = {
    "word": "/search?q=crime",
    "phrase": "/search?q=%22the+minister%22",
    "party": "/search?q=crime&party=Labour",
    "kind": "/search?q=police&kind=wrans",
    "date order": "/search?q=crime&sort=date",
    "by debate": "/search?q=crime&group=1",
    "page 3": "/search?q=police&page=3",
}


def measure_search_pages(url: str, rounds: int = 30, paths: dict[str, str] | None = None) -> dict:
    """:func:`measure_pages` of the search page's forms (:data:`SEARCH_PAGES`), the page cache off."""
    return measure_pages(url, rounds, paths or SEARCH_PAGES, page_cache=False)


#: alternated rounds of the pages' load and the bare route's (see :func:`measure_throughput`)
HTTP_ROUNDS = 4
#: the warm-up of every round after the first (the connections are opened again each round)
ROUND_WARMUP_SECONDS = 0.25


def measure_throughput(url: str, paths: list[str], seconds: float = 5.0, connections: int = 8,
                       workers: int | None = None, page_cache: bool | None = None,
                       rounds: int = HTTP_ROUNDS) -> dict:
    """Requests/s of the pages and of a static file against `despatchbox serve`, and of a bare FastAPI
    route on the same workers (bench/trivial_app.py: the baseline, ``ratio`` = pages / it; the static
    file's share of it, ``static_ratio``, is what the middleware stack costs).

    The pages and the bare route are loaded in ``rounds`` alternated rounds of ``seconds / rounds``
    each (both servers up, the one not loaded idle): ``ratio`` is the median of the rounds' ratios
    (``ratio_rounds``), so that the machine's speed drifting between the two loads — the req/s of
    the same code moved by a factor of two from one run to the next — moves both sides of a pair.
    ``rps`` and ``baseline_rps`` are over all rounds. The load generator opens its connections one
    after another (bench/loadgen.py); ``balance_rounds`` and ``baseline_balance_rounds`` say, per
    round, how evenly the workers shared the load (:func:`worker_balance`).
    ``page_cache``: False — DESPATCHBOX_PAGE_CACHE_MB=0 (every request renders); True — the default
    budget; None — as the environment says."""
    import loadgen
    import trivial_app

    workers = workers or recommended_workers(url)
    rounds = max(1, rounds)
    each = seconds / rounds
    saved = os.environ.get("DESPATCHBOX_PAGE_CACHE_MB")
    if page_cache is False:
        os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
    elif page_cache is True and saved is not None and float(saved or 0) <= 0:
        os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = str(DEFAULT_CACHE_MB)
    mode = "off" if float(os.environ.get("DESPATCHBOX_PAGE_CACHE_MB") or DEFAULT_CACHE_MB) <= 0 else "on"
    try:
        with loadgen.Server(url, workers) as server, loadgen.TrivialServer(url, workers) as trivial:
            for path in [*paths, STATIC_BASELINE]:
                status = loadgen._probe(server.port, path)
                if status >= 400:
                    raise RuntimeError(f"GET {path} answered {status}")
            if loadgen._probe(trivial.port, trivial_app.PATH) >= 400:
                raise RuntimeError("the trivial route did not answer 200")
            page_rounds, base_rounds = [], []
            for n in range(rounds):
                warmup = loadgen.WARMUP_SECONDS if n == 0 else ROUND_WARMUP_SECONDS
                page_rounds.append(_loaded(server, paths, each, connections, warmup))
                base_rounds.append(_loaded(trivial, [trivial_app.PATH], each, connections, warmup))
            static = loadgen.load(server.base, [STATIC_BASELINE], seconds, connections)
    finally:
        if saved is None:
            os.environ.pop("DESPATCHBOX_PAGE_CACHE_MB", None)
        else:
            os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = saved
    pages, pages_cpu = _pooled(page_rounds)
    baseline, baseline_cpu = _pooled(base_rounds)
    ratios = [round(p["rps"] / b["rps"], 3) for (p, _), (b, _) in zip(page_rounds, base_rounds) if b["rps"]]
    return {"rps": pages["rps"], "p50_ms": pages.get("p50_ms"), "p95_ms": pages.get("p95_ms"),
            "errors": pages["errors"], "baseline_rps": baseline["rps"], "baseline_p95_ms": baseline.get("p95_ms"),
            "ratio": round(statistics.median(ratios), 3) if ratios else None, "ratio_rounds": ratios,
            "static_rps": static["rps"], "static_p95_ms": static.get("p95_ms"),
            "static_ratio": round(static["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
            "workers": workers, "connections": connections, "seconds": seconds, "rounds": rounds,
            "page_cache": mode,
            "loadgen_cpu_share": pages.get("loadgen_cpu_share"),
            # per round, how evenly the workers shared the load (worker_balance; 1.0 even)
            "balance_rounds": [o.get("worker_balance") for o, _ in page_rounds],
            "baseline_balance_rounds": [o.get("worker_balance") for o, _ in base_rounds],
            # server CPU per request (ms): steadier than requests/s when other work shares the cores
            "cpu_ms_per_request": pages_cpu, "baseline_cpu_ms_per_request": baseline_cpu,
            "cpu_ratio": round(baseline_cpu / pages_cpu, 3) if pages_cpu and baseline_cpu else None}


def _loaded(server, paths: list[str], seconds: float, connections: int,
            warmup: float) -> tuple[dict, tuple[float, float] | None]:
    """loadgen.load against ``server``, and the server's CPU over it: (CPU seconds, requests served,
    the warm-up's counted at the measured rate); None where the CPU cannot be read. The load's figures
    gain ``worker_balance`` (:func:`worker_balance`) where the CPU could be read."""
    import loadgen

    before = server.cpu_by_process() if hasattr(server, "cpu_by_process") else None
    out = loadgen.load(server.base, paths, seconds, connections, warmup)
    after = server.cpu_by_process() if before is not None else None
    if after is None or before is None:
        return out, None
    used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}
    balance = worker_balance(used, server.workers)
    if balance is not None:
        out["worker_balance"] = balance
    return out, (sum(used.values()), out["rps"] * (seconds + warmup))


def worker_balance(used: dict[int, float], workers: int) -> float | None:
    """How evenly the server's workers shared a load: the CPU the least busy of its ``workers``
    busiest processes used, over the busiest one's (1.0 even; 0.0 one worker did all the work, as
    when every connection was accepted by the same worker). None for one worker, or no CPU used."""
    busiest = sorted(used.values(), reverse=True)[:workers]
    if workers < 2 or len(busiest) < workers or busiest[0] <= 0:
        return None
    return round(busiest[-1] / busiest[0], 2)


def _pooled(loads: list[tuple[dict, tuple[float, float] | None]]) -> tuple[dict, float | None]:
    """Rounds of :func:`_loaded` as one load: req/s over the rounds' windows, the latencies' figures
    of the round with the median req/s, the loadgen's CPU share averaged, errors summed; and the
    server's CPU ms per request over every round (None where it could not be read)."""
    outs = [out for out, _ in loads]
    window = sum(o["window_s"] for o in outs)
    middle = sorted(outs, key=lambda o: o["rps"])[len(outs) // 2]
    pooled = {"rps": round(sum(o["requests"] for o in outs) / window, 1) if window else 0.0,
              "errors": sum(o["errors"] for o in outs),
              "loadgen_cpu_share": round(statistics.mean(o["loadgen_cpu_share"] for o in outs), 3)}
    pooled.update({k: middle[k] for k in ("p50_ms", "p95_ms", "p99_ms") if k in middle})
    cpu = [c for _, c in loads]
    if any(c is None for c in cpu):
        return pooled, None
    seconds, requests = sum(c[0] for c in cpu), sum(c[1] for c in cpu)   # type: ignore[index]
    return pooled, (round(seconds * 1000 / requests, 2) if requests else None)


def _sample_database(workdir: Path) -> str:
    from despatchbox.config import SAMPLE_DIR
    from despatchbox.pipeline.run import ingest
    from despatchbox.store.database import engine_for

    url = f"sqlite:///{workdir / 'pages-bench.db'}"
    report = ingest(engine_for(url), [SAMPLE_DIR / "parlparse-2009-10"])
    if not report.ok:
        raise SystemExit(f"ingest of the sample failed: {report.errors}")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="database to measure (default: the sample week in a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=30, help="requests of each page in-process, per mode")
    parser.add_argument("--cold", type=int, default=10, help="distinct pages of each kind rendered once (0: skip)")
    parser.add_argument("--http-seconds", type=float, default=5.0, help="seconds of load over HTTP (0: skip)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None,
                        help="despatchbox serve --workers (default: recommended_workers())")
    parser.add_argument("--http-page-cache", choices=["on", "off", "both"], default="both",
                        help="the page cache in the served app (default: both, off first)")
    parser.add_argument("--client-per-request", action="store_true",
                        help="in-process, a new test client (thread and event loop) for every request, as before "
                             "7 December 2026, not one kept open")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    global ONE_CLIENT
    ONE_CLIENT = not args.client_per_request
    with tempfile.TemporaryDirectory(prefix="despatchbox-pages-") as tmp:
        url = args.db_url or _sample_database(Path(tmp))
        paths = page_paths(url)
        result = {"pages": measure_pages(url, args.rounds, paths, cold=args.cold, page_cache=False)}
        if _page_cache_exists():
            result["pages_cached"] = measure_pages(url, args.rounds, paths, page_cache=True)
        result["search_page"] = measure_search_pages(url, args.rounds)
        if args.http_seconds > 0:
            modes = {"on": [True], "off": [False], "both": [False, True]}[args.http_page_cache]
            if not _page_cache_exists():
                modes = [None]
            for cached in modes:
                key = "http_cached" if cached else "http"
                result[key] = measure_throughput(url, list(paths.values()), args.http_seconds, args.connections,
                                                 args.workers, page_cache=cached)
    if args.json:
        print(json.dumps(result))
        return
    for key, label in (("pages", "rendered every time (page cache off)"), ("pages_cached", "from the page cache")):
        p = result.get(key)
        if not p:
            continue
        print(f"in-process, {label}, {p['rounds']} rounds; baseline (trivial route) p50 {p['baseline_p50_ms']:.3f} ms, "
              f"p95 {p['baseline_p95_ms']:.3f} ms")
        for name, q in p["by_page"].items():
            print(f"  {name:<11} p50 {q['p50_ms']:8.2f} ms  p95 {q['p95_ms']:8.2f} ms  "
                  f"p50/baseline {q['ratio_p50']:7.1f}x  CPU {q['cpu_ms']:7.2f} ms  {q['path']}")
        print(f"  all pages   p50 {p['p50_ms']:8.2f} ms  p95 {p['p95_ms']:8.2f} ms  "
              f"p95/baseline p50 {p['ratio_p95']:.1f}x")
        if "cold" in p:
            c = p["cold"]
            print(f"  first renders of {c['pages']} distinct pages: p50 {c['p50_ms']:.2f} ms, p95 {c['p95_ms']:.2f} ms, "
                  f"max {c['max_ms']:.2f} ms (baseline p50 {c['baseline_p50_ms']:.3f} ms)")
            for kind, q in c["by_kind"].items():
                print(f"    {kind:<11} n={q['n']:<3} p50 {q['p50_ms']:8.2f} ms  p95 {q['p95_ms']:8.2f} ms  "
                      f"CPU {q['cpu_ms']:7.2f} ms")
    s = result["search_page"]
    print(f"in-process, the search page rendered every time (page cache off), {s['rounds']} rounds; baseline "
          f"(trivial route) p50 {s['baseline_p50_ms']:.3f} ms")
    for name, q in s["by_page"].items():
        print(f"  {name:<11} p50 {q['p50_ms']:8.2f} ms  p95 {q['p95_ms']:8.2f} ms  CPU {q['cpu_ms']:7.2f} ms  {q['path']}")
    print(f"  all         p50 {s['p50_ms']:8.2f} ms  p95 {s['p95_ms']:8.2f} ms")
    for key in ("http", "http_cached"):
        h = result.get(key)
        if h:
            print(f"over HTTP ({h['workers']} worker(s), {h['connections']} connections, {h['seconds']:.0f}s each, "
                  f"page cache {h['page_cache']}): pages {h['rps']:,.1f} req/s (p95 {h['p95_ms']} ms, "
                  f"{h['errors']} errors); static file {h['static_rps']:,.1f} req/s; bare FastAPI route (baseline) "
                  f"{h['baseline_rps']:,.1f} req/s: pages {h['ratio']}, static file {h['static_ratio']} of it")
            if h.get("cpu_ms_per_request"):
                print(f"  server CPU per request: pages {h['cpu_ms_per_request']} ms, bare route "
                      f"{h['baseline_cpu_ms_per_request']} ms (bare / pages {h['cpu_ratio']})")


def _page_cache_exists() -> bool:
    return (ROOT / "src" / "despatchbox" / "web" / "page_cache.py").exists()


if __name__ == "__main__":
    main()
