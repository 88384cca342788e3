"""Every result of bench/search.py's mix, as JSON, to compare two trees' searches on one database.

    PYTHONPATH=<tree>/src python dump_results.py sqlite:///…/despatchbox.db > out.json

(The tree on PYTHONPATH is the one searched. A tree whose index schema differs from the index's
rebuilds it: search a copy.)

Each of the 23 queries at offsets 0, 20 and 200, estimates allowed (as bench/search.py runs them)
and exact (as alerts, feeds and MCP run them), and 10 more (grouped by debate, by date, filters,
offsets). For each: the total, the debates' total, whether each is an estimate, and every hit (id,
score, snippet, hits in debate, the question shown)."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import despatchbox  # noqa: E402  (the tree on PYTHONPATH: its bench/search.py, which puts its src first)

sys.path.insert(0, str(Path(despatchbox.__file__).resolve().parents[2] / "bench"))
from search import QUERIES  # noqa: E402

from despatchbox.store.database import engine_for  # noqa: E402
from despatchbox.store.search import SearchQuery, search  # noqa: E402

MORE = [
    SearchQuery("crime", group_by_debate=True, sort="date"),
    SearchQuery("police", group_by_debate=True, party_codes=("Lab",)),
    SearchQuery("police", sort="date", offset=20),
    SearchQuery("immig*", group_by_debate=True, person_id=10259),
    SearchQuery('"the minister"', group_by_debate=True, offset=20),
    SearchQuery("pensions", sort="date", kind="wrans"),
    SearchQuery("child poverty", group_by_debate=True, date_from=date(2009, 1, 1)),
    SearchQuery("crime OR police", sort="date", offset=200),
    SearchQuery("hedgerows", group_by_debate=True),
    SearchQuery("national health service", department_slug="health"),
]


def _query(text: str, filters: dict) -> SearchQuery:
    return SearchQuery(text, **filters)


def main() -> None:
    engine = engine_for(sys.argv[1], ensure_schema=False)
    out = {}
    with engine.connect() as conn:
        queries = [(f"{name} @{offset} {'exact' if exact else 'about'}", replace(_query(q, f), offset=offset, exact_total=exact))
                   for name, (_g, q, f) in QUERIES.items() for offset in (0, 20, 200) for exact in (False, True)]
        queries += [(f"more {n} {'exact' if exact else 'about'}", replace(q, exact_total=exact))
                    for n, q in enumerate(MORE) for exact in (False, True)]
        for name, query in queries:
            try:
                r = search(conn, query)
            except Exception as e:                   # noqa: BLE001 (an unknown department: say so)
                out[name] = {"error": str(e)}
                continue
            out[name] = {"total": r.total, "debates": r.total_debates, "total_is_estimate": r.total_is_estimate,
                         "debates_is_estimate": r.total_debates_is_estimate,
                         "hits": [[h.id, round(h.score, 5), str(h.snippet), h.hits_in_debate,
                                   h.question.id if h.question else None] for h in r.hits]}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
