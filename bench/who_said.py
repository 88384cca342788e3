#!/usr/bin/env python3
"""Benchmark: "who said this?" latency for a 30-paragraph text against a database.

    .venv/bin/python bench/who_said.py --db-url sqlite:////tmp/bench-1m/despatchbox.db [--runs 30] [--json]

The text is a copy of a web page (30 speeches of Home Office questions and a Lords question of
26 October 2009, read from the bundled sample: curly quotes, dashes, two typos, a cut paragraph,
furniture lines). Each run attributes it through ``despatchbox.web.who_said.who_said`` — the
function the page, the API and the CLI call: fingerprint lookups (one statement per paragraph),
one fetch of candidate texts, context lookups, details of the matched speeches and debates.

On the synthetic corpus (``bench/make_corpus.py``: the sample week copied ~200 times under other
dates) every paragraph has ~200 identical copies, so it is *reported unmatched* (a tie), yet each
lookup gathers ~200 postings per fingerprint: the pessimistic case for the index. Against a
database holding the real week once, every paragraph is attributed.

Baseline, measured in the same run: the same number of primary-key lookups of speeches
(one statement each), i.e. the floor of any design doing one indexed statement per paragraph.

Library use (bench/run.py): ``measure(url) -> {"p50_ms", "p95_ms", …}``.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SAMPLE = ROOT / "sample" / "parlparse-2009-10" / "scrapedxml"
COMMONS = SAMPLE / "debates" / "debates2009-10-26b.xml"
LORDS = SAMPLE / "lordspages" / "daylord2009-10-26a.xml"
PARAGRAPHS = 30


def _speeches(path: Path, first: str, n: int) -> list[str]:
    out, on = [], False
    for el in etree.parse(str(path)).getroot().iter("speech"):
        on = on or el.get("id", "").endswith(first)
        if on:
            body = " ".join(" ".join("".join(p.itertext()).split()) for p in el.iter("p")).strip()
            if body:
                out.append(body)
        if len(out) == n:
            break
    return out


def _web(body: str) -> str:
    body = re.sub(r"(?<=\w)'(?=\w)", "\u2019", body)
    body = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", body)
    return re.sub(r"(?<=\w) ?- ?(?=\w)", " \u2013 ", body, count=1)


def paste() -> str:
    """The 30-paragraph text (plus 6 furniture lines)."""
    commons = _speeches(COMMONS, "26b.10.2", 22)
    lords = _speeches(LORDS, "26a.978.3", PARAGRAPHS - len(commons))
    commons[1] = commons[1].replace("bureaucracy", "beaurocracy")
    commons[6] = " ".join(commons[6].split()[:22]) + "\u2026"
    lords[2] = lords[2].replace("grateful", "greatful")
    lines = (["Main Page: David Hanson (Labour - Delyn)", "Monday 26th October 2009", "(16 years ago)",
              "Commons Chamber"] + [_web(s) for s in commons] + ["Read Full debate", "Lords Chamber"]
             + [_web(s) for s in lords])
    assert sum(1 for s in commons + lords if s) == PARAGRAPHS
    return "\n".join(lines) + "\n"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def measure(url: str, runs: int = 30, warmup: int = 3) -> dict:
    """p50/p95 latency (ms) of attributing the 30-paragraph text against the database at ``url``."""
    from sqlalchemy import select

    from despatchbox.store.database import engine_for
    from despatchbox.store.schema import speeches
    from despatchbox.web.who_said import who_said

    engine = engine_for(url)            # brings the schema (and the index) up to date
    text = paste()
    times: list[float] = []
    base: list[float] = []
    result: dict = {}
    stats: dict = {}
    with engine.connect() as conn:
        for k in range(warmup + runs):
            t0 = time.perf_counter()
            result = who_said(conn, text, stats)
            if k >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
        statements = stats.get("index_statements", 0)
        # baseline: as many primary-key lookups of a speech as the index issued statements
        some_id = conn.execute(select(speeches.c.id).limit(1)).scalar()
        for k in range(warmup + runs):
            t0 = time.perf_counter()
            for _ in range(max(1, statements)):
                conn.execute(select(speeches.c.text).where(speeches.c.id == some_id)).all()
            if k >= warmup:
                base.append((time.perf_counter() - t0) * 1000)
    paragraphs = [p for p in result["paragraphs"] if not p["furniture"]]
    p50, p95 = statistics.median(times), _percentile(times, 0.95)
    b50 = statistics.median(base)
    return {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "runs": runs, "paragraphs": len(paragraphs),
            "matched": sum(1 for p in paragraphs if p["match"]), "index_statements": statements,
            "baseline_p50_ms": round(b50, 2), "ratio": round(p50 / b50, 1) if b50 else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True, help="SQLAlchemy URL of an ingested database")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    figures = measure(args.db_url, runs=args.runs)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"who-said, {figures['paragraphs']} paragraphs ({figures['matched']} attributed), "
              f"{figures['runs']} runs: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms; "
              f"{figures['index_statements']} index statements a run; baseline (as many PK lookups) "
              f"{figures['baseline_p50_ms']} ms → ratio {figures['ratio']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
