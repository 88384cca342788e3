#!/usr/bin/env python3
"""Page latency and throughput: member, seed-style, full debate and department pages.

    python bench/pages.py [--db-url URL] [--rounds N] [--http-seconds S] [--connections C] [--workers W]

Without --db-url the bundled sample week is ingested into a temporary SQLite database.

1. in-process: each page is rendered ``--rounds`` times through the ASGI app (Starlette's
   TestClient, no sockets), interleaved with a trivial route added for the run (a plain-text
   "ok" through the same app and middleware) as the baseline; p50/p95 of each page and its
   ratio to the baseline's p50 are printed;
2. over HTTP: ``despatchbox serve`` is started on a free loopback port (bench/loadgen.py) and
   loaded by a small asyncio load generator cycling through the same pages, then through a
   static file as the baseline; requests/s of both and their ratio are printed.

The pages measured: the busiest member (most contributions), one of their debates with their
busiest department (the seed-style page), that debate in full, and the busiest department.
Figures vary with the machine's load: compare the ratios within one run, not runs.
``measure_pages`` returns the figures for bench/run.py; nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "src")]

BASELINE_PATH = "/__bench/baseline"
STATIC_BASELINE = "/static/style.css"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def page_paths(url: str) -> dict[str, str]:
    """name → path of the pages to measure, chosen from what the database holds."""
    from despatchbox.store.database import engine_for
    from despatchbox.store.queries import debates, departments, people
    from despatchbox.web.pages.common import member_debate_url, member_url, debate_url

    engine = engine_for(url)
    with engine.connect() as conn:
        busiest = people.most_active(conn, limit=1)
        if not busiest:
            raise SystemExit("the database holds no attributed speeches: ingest something first")
        member = busiest[0]
        seed = None
        for dept in people.department_debate_counts(conn, member["id"]):
            _, rows = debates.member_department_debates(conn, member["id"], dept["department_slug"], limit=1)
            if rows:
                seed = rows[0]["id"]
                break
        if seed is None:
            seed = people.recent_contributions(conn, member["id"], limit=1)[0]["debate_id"]
        dept = max(departments.all_departments(conn), key=lambda d: d["sections"])
    return {
        "member": member_url(member["slug"], member["house"]),
        "seed": member_debate_url(member["slug"], member["house"], seed),
        "debate": debate_url(seed),
        "department": f"/dept/{dept['slug']}",
    }


def measure_pages(url: str, rounds: int = 30, paths: dict[str, str] | None = None) -> dict:
    """p50/p95 (ms) of each page rendered in-process, and of a trivial route in the same app."""
    from fastapi.responses import PlainTextResponse
    from fastapi.testclient import TestClient

    from despatchbox.web.app import create_app

    paths = paths or page_paths(url)
    app = create_app(url)
    app.add_api_route(BASELINE_PATH, lambda: PlainTextResponse("ok"), include_in_schema=False)
    client = TestClient(app)
    for path in [BASELINE_PATH, *paths.values()]:               # warm: templates compiled, caches filled
        r = client.get(path)
        if r.status_code != 200:
            raise RuntimeError(f"GET {path} answered {r.status_code}")
    timings: dict[str, list[float]] = {name: [] for name in ["baseline", *paths]}
    for _ in range(rounds):
        for name, path in [("baseline", BASELINE_PATH), *paths.items()]:
            started = time.perf_counter()
            client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
    base_p50 = percentile(timings["baseline"], 50)
    by_page = {}
    for name, path in paths.items():
        ms = timings[name]
        by_page[name] = {"path": path, "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
                         "ratio_p50": round(percentile(ms, 50) / base_p50, 1)}
    everything = [t for name in paths for t in timings[name]]
    return {"p50_ms": round(percentile(everything, 50), 2), "p95_ms": round(percentile(everything, 95), 2),
            "baseline_p50_ms": round(base_p50, 3), "baseline_p95_ms": round(percentile(timings["baseline"], 95), 3),
            "ratio_p95": round(percentile(everything, 95) / base_p50, 1), "rounds": rounds, "by_page": by_page,
            "paths": list(paths.values())}


def measure_throughput(url: str, paths: list[str], seconds: float = 5.0, connections: int = 8,
                       workers: int | None = None) -> dict:
    """Requests/s of the pages and of a static file (the baseline) against `despatchbox serve`."""
    import loadgen

    workers = workers or loadgen.recommended_workers(url)
    with loadgen.Server(url, workers) as server:
        for path in [*paths, STATIC_BASELINE]:
            status = loadgen._probe(server.port, path)
            if status >= 400:
                raise RuntimeError(f"GET {path} answered {status}")
        pages = loadgen.load(server.base, paths, seconds, connections)
        baseline = loadgen.load(server.base, [STATIC_BASELINE], seconds, connections)
    return {"rps": pages["rps"], "p50_ms": pages.get("p50_ms"), "p95_ms": pages.get("p95_ms"),
            "errors": pages["errors"], "baseline_rps": baseline["rps"], "baseline_p95_ms": baseline.get("p95_ms"),
            "ratio": round(pages["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
            "workers": workers, "connections": connections, "seconds": seconds,
            "loadgen_cpu_share": pages.get("loadgen_cpu_share")}


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
    parser.add_argument("--rounds", type=int, default=30, help="renders of each page in-process")
    parser.add_argument("--http-seconds", type=float, default=5.0, help="seconds of load over HTTP (0: skip)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="despatchbox serve --workers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="despatchbox-pages-") as tmp:
        url = args.db_url or _sample_database(Path(tmp))
        paths = page_paths(url)
        result = {"pages": measure_pages(url, args.rounds, paths)}
        if args.http_seconds > 0:
            result["http"] = measure_throughput(url, list(paths.values()), args.http_seconds, args.connections,
                                                args.workers)
    if args.json:
        print(json.dumps(result))
        return
    p = result["pages"]
    print(f"in-process, {p['rounds']} rounds; baseline (trivial route) p50 {p['baseline_p50_ms']:.3f} ms, "
          f"p95 {p['baseline_p95_ms']:.3f} ms")
    for name, q in p["by_page"].items():
        print(f"  {name:<11} p50 {q['p50_ms']:8.2f} ms  p95 {q['p95_ms']:8.2f} ms  "
              f"p50/baseline {q['ratio_p50']:7.1f}x  {q['path']}")
    print(f"  all pages   p50 {p['p50_ms']:8.2f} ms  p95 {p['p95_ms']:8.2f} ms  p95/baseline p50 {p['ratio_p95']:.1f}x")
    h = result.get("http")
    if h:
        print(f"over HTTP ({h['workers']} worker(s), {h['connections']} connections, {h['seconds']:.0f}s each): "
              f"pages {h['rps']:,.1f} req/s (p95 {h['p95_ms']} ms, {h['errors']} errors) vs static file "
              f"{h['baseline_rps']:,.1f} req/s: ratio {h['ratio']}")


if __name__ == "__main__":
    main()
