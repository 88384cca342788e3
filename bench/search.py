#!/usr/bin/env python3
"""Search latency against the raw full-text query, on the same database in the same run.

    python bench/search.py [--db URL] [--rounds N] [--json]

Without ``--db`` the sample week is ingested into a temporary SQLite database; with it, an
existing database (SQLite or PostgreSQL, e.g. the scale corpus of bench/run.py) is searched as
it is — nothing is written to it, not even a migration (its search index, outside it, catches up
before timing starts).

A fixed mix of queries — one to three words, exact phrases, boolean forms, filters — runs
through ``store.search.search`` (total count, a ranked page of 20, speakers, debates,
departments, questions, snippets: what the page and the API get, totals estimated where they
allow it: ``SearchQuery.exact_total`` False). Each is paired with the raw
full-text query of the same words on the same index, interleaved round by round: tantivy's own
top 20 for the query alone (BM25 with block-max pruning), on either database. For a query that needs both fields (words and phrases mixed) the raw figure is the sum of the
raw queries of its parts; for a filtered query it is the raw query without the filter.
Reported: p50/p95 per query, per group, overall, and ratio = our p95 / raw p95.
Library use: ``measure_search(url, rounds)`` returns the same figures as a dict.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: name → (group, query text, filters)
QUERIES: dict[str, tuple[str, str, dict]] = {
    "crime": ("words", "crime", {}),
    "police": ("words", "police", {}),
    "pensions": ("words", "pensions", {}),
    "hedgerows": ("words", "hedgerows", {}),
    "knife crime": ("words", "knife crime", {}),
    "child poverty": ("words", "child poverty", {}),
    "national health service": ("words", "national health service", {}),
    '"organised crime"': ("phrase", '"organised crime"', {}),
    '"identity cards"': ("phrase", '"identity cards"', {}),
    '"the minister"': ("phrase", '"the minister"', {}),
    '"child poverty"': ("phrase", '"child poverty"', {}),
    "crime OR police": ("boolean", "crime OR police", {}),
    '(knife OR gun) crime': ("boolean", "(knife OR gun) crime", {}),
    'crime -"organised crime"': ("boolean", 'crime -"organised crime"', {}),
    'prosecute "organised crime"': ("boolean", 'prosecute "organised crime"', {}),
    "immig*": ("boolean", "immig*", {}),
    "crime party=Labour": ("filtered", "crime", {"party_codes": ("Lab",)}),
    "police kind=wrans": ("filtered", "police", {"kind": "wrans"}),
    "police person=Hanson": ("filtered", "police", {"person_id": 10259}),
    "crime dept=home-office": ("filtered", "crime", {"department_slug": "home-office"}),
    '"the minister" Oct 2009': ("filtered", '"the minister"', {"date_from": date(2009, 10, 1),
                                                                "date_to": date(2009, 10, 31)}),
    "crime sort=date": ("filtered", "crime", {"sort": "date"}),
    "crime by debate": ("filtered", "crime", {"group_by_debate": True}),
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _raw_queries(conn, parsed):
    """The bare queries a query stands against, one per field it uses, as callables: the engine's
    own top 20 for that part of the query alone (tantivy, on either database)."""
    from despatchbox.store.search import query_language as ql
    from despatchbox.store.search import query_plan as qp
    from despatchbox.store.search import tantivy_search

    plan = qp.plan(parsed.root)
    parts = [plan] if isinstance(plan, qp.Match) else _positive_matches(plan)
    return [lambda alone=ql.ParsedQuery(parsed.text, part.node): tantivy_search.raw_top(conn, alone, 20)
            for part in parts]


def _positive_matches(plan):
    from despatchbox.store.search import query_plan as qp
    if isinstance(plan, qp.Match):
        return [plan]
    if isinstance(plan, qp.NoneOf):
        return [plan.part] if isinstance(plan.part, qp.Match) else _positive_matches(plan.part)
    return [m for p in plan.parts for m in _positive_matches(p)]


def measure_search(url: str, rounds: int = 20, queries: dict | None = None, cpu: bool = False) -> dict:
    from despatchbox.store.database import engine_for
    from despatchbox.store.search import SearchQuery, parse, search

    queries = queries or QUERIES
    clock = time.process_time if cpu else time.perf_counter
    engine = engine_for(url, ensure_schema=False)
    ours: dict[str, list[float]] = {name: [] for name in queries}
    raw: dict[str, list[float]] = {name: [] for name in queries}
    totals: dict[str, int] = {}
    with engine.connect() as conn:
        items = conn.exec_driver_sql("SELECT count(*) FROM search_items").scalar_one()
        search(conn, SearchQuery("crime"))                     # the index caught up before timing
        prepared = {name: (SearchQuery(q, **filters, exact_total=False), _raw_queries(conn, parse(q)))
                    for name, (_group, q, filters) in queries.items()}
        for name, (query, raws) in prepared.items():          # warm caches once
            totals[name] = search(conn, query).total
            for run in raws:
                run()
        for _ in range(rounds):
            for name, (query, raws) in prepared.items():
                t0 = clock()
                for run in raws:
                    run()
                t1 = clock()
                search(conn, query)
                t2 = clock()
                raw[name].append(t1 - t0)
                ours[name].append(t2 - t1)

    def fig(ms_ours: list[float], ms_raw: list[float]) -> dict:
        a = [s * 1000 for s in ms_ours]
        b = [s * 1000 for s in ms_raw]
        p95, raw95 = percentile(a, 95), percentile(b, 95)
        return {"p50_ms": round(percentile(a, 50), 2), "p95_ms": round(p95, 2),
                "raw_p50_ms": round(percentile(b, 50), 2), "raw_p95_ms": round(raw95, 2),
                "ratio": round(p95 / raw95, 2) if raw95 else None}

    by_query = {name: {**fig(ours[name], raw[name]), "group": queries[name][0], "total": totals[name]}
                for name in queries}
    groups = sorted({g for g, _q, _f in queries.values()}, key=["words", "phrase", "boolean", "filtered"].index)
    by_group = {g: fig([t for n in queries if queries[n][0] == g for t in ours[n]],
                       [t for n in queries if queries[n][0] == g for t in raw[n]]) for g in groups}
    overall = fig([t for n in queries for t in ours[n]], [t for n in queries for t in raw[n]])
    # the cost of a query must not grow with its matches: the commonest single word against the rarest
    words = [n for n in queries if queries[n][0] == "words" and " " not in queries[n][1]]
    common = max(words, key=lambda n: totals[n]) if words else None
    rare = min(words, key=lambda n: totals[n]) if words else None
    growth = None
    if common and rare and by_query[rare]["p95_ms"]:
        growth = {"common": common, "common_total": totals[common], "common_p95_ms": by_query[common]["p95_ms"],
                  "rare": rare, "rare_total": totals[rare], "rare_p95_ms": by_query[rare]["p95_ms"],
                  "ratio": round(by_query[common]["p95_ms"] / by_query[rare]["p95_ms"], 2)}
    return {**overall, "common_vs_rare": growth, "backend": engine.dialect.name, "items": int(items), "rounds": rounds,
            "clock": "cpu" if cpu else "wall",
            "by_group": by_group, "by_query": by_query}


def _sample_database(workdir: Path) -> str:
    from despatchbox.config import SAMPLE_DIR
    from despatchbox.pipeline.run import ingest
    from despatchbox.store.database import engine_for

    url = f"sqlite:///{workdir / 'sample.db'}"
    report = ingest(engine_for(url), [SAMPLE_DIR / "parlparse-2009-10"])
    if not report.ok:
        raise SystemExit(f"ingest of the sample failed: {report.errors}")
    return url


def print_report(result: dict) -> None:
    print(f"search on {result['backend']}, {result['items']:,} indexed items, {result['rounds']} rounds"
          f" ({result.get('clock', 'wall')} clock)")
    print(f"overall  p50 {result['p50_ms']:.2f} ms  p95 {result['p95_ms']:.2f} ms   raw p50 {result['raw_p50_ms']:.2f} ms"
          f"  raw p95 {result['raw_p95_ms']:.2f} ms   ratio (p95/raw p95) {result['ratio']}")
    if result.get("common_vs_rare"):
        g = result["common_vs_rare"]
        print(f"common word {g['common']!r} ({g['common_total']:,} matches) p95 {g['common_p95_ms']:.2f} ms vs rare "
              f"{g['rare']!r} ({g['rare_total']:,}) p95 {g['rare_p95_ms']:.2f} ms: ratio {g['ratio']} (goal ≤ 3)")
    for group, g in result["by_group"].items():
        print(f"  {group:<9} p50 {g['p50_ms']:8.2f}  p95 {g['p95_ms']:8.2f}   raw p50 {g['raw_p50_ms']:8.2f}"
              f"  raw p95 {g['raw_p95_ms']:8.2f}   ratio {g['ratio']}")
    print(f"  {'query':<30} {'total':>9} {'p50 ms':>8} {'p95 ms':>8} {'raw p95':>8} {'ratio':>6}")
    for name, q in result["by_query"].items():
        print(f"  {name:<30} {q['total']:>9,} {q['p50_ms']:>8.2f} {q['p95_ms']:>8.2f} {q['raw_p95_ms']:>8.2f}"
              f" {q['ratio'] if q['ratio'] is not None else '—':>6}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="database URL to search (default: the sample week in a temporary SQLite file)")
    ap.add_argument("--rounds", type=int, default=20, help="timed rounds over the query mix")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--cpu", action="store_true",
                    help="time with the process's CPU clock, not the wall clock (steadier on a shared machine)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="despatchbox-bench-search-") as tmp:
        url = args.db or _sample_database(Path(tmp))
        result = measure_search(url, rounds=args.rounds, cpu=args.cpu)
        if not args.db:
            from despatchbox.store.database import dispose_engine
            dispose_engine(url)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
