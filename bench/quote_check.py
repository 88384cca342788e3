#!/usr/bin/env python3
"""Benchmark: quote-check latency for a 300-word quote against a database.

    .venv/bin/python bench/quote_check.py --db-url sqlite:////tmp/bench/despatchbox.db [--runs 20] [--json]

The quote is made from the bundled sample (David Hanson's answers on 26 October 2009, read from the
XML): about 300 words in 15 or so sentences, as a newspaper would print them — curly quotes, one
sentence cut in the middle ("…"), one figure changed, the rest verbatim. Each run checks it through
``despatchbox.web.quote_check.quote_check`` (what the page, the API, the CLI and the MCP tool call).

Baseline, measured in the same run: one primary-key lookup of a speech per sentence of the quote
(the floor of any design doing one indexed statement per sentence).

Library use (bench/run.py): ``measure(url) -> {"p50_ms", "p95_ms", …}``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

COMMONS = ROOT / "sample" / "parlparse-2009-10" / "scrapedxml" / "debates" / "debates2009-10-26b.xml"
WORDS = 300


def quote() -> str:
    """About 300 words of David Hanson's answers, printed as a newspaper would."""
    from despatchbox.quotes.check import sentences

    picked: list[str] = []
    for el in etree.parse(str(COMMONS)).getroot().iter("speech"):
        if "Hanson" not in (el.get("speakername") or ""):
            continue
        body = " ".join(" ".join("".join(p.itertext()).split()) for p in el.iter("p"))
        for s in sentences(body):
            if len(s.split()) >= 8:
                picked.append(s)
        if sum(len(s.split()) for s in picked) >= WORDS:
            break
    out, total = [], 0
    for k, s in enumerate(picked):
        w = s.split()
        if k == 2 and len(w) > 16:
            s = " ".join(w[:6] + ["…"] + w[10:])
        if k == 4:
            s = s.replace("the", "a", 1)
        out.append(s.replace("'", "\u2019"))
        total += len(w)
        if total >= WORDS:
            break
    return "\u201c" + " ".join(out) + "\u201d"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(url: str, runs: int = 20, warmup: int = 2) -> dict:
    from sqlalchemy import select

    from despatchbox.store.database import engine_for
    from despatchbox.store.schema import speeches
    from despatchbox.web.quote_check import quote_check

    engine = engine_for(url)
    text = quote()
    times, base = [], []
    result: dict = {}
    with engine.connect() as conn:
        for k in range(warmup + runs):
            t0 = time.perf_counter()
            result = quote_check(conn, text, speaker="David Hanson")
            if k >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
        n = len(result["sentences"])
        some_id = conn.execute(select(speeches.c.id).limit(1)).scalar()
        for k in range(warmup + runs):
            t0 = time.perf_counter()
            for _ in range(max(1, n)):
                conn.execute(select(speeches.c.text).where(speeches.c.id == some_id)).all()
            if k >= warmup:
                base.append((time.perf_counter() - t0) * 1000)
    p50, b50 = statistics.median(times), statistics.median(base)
    return {"p50_ms": round(p50, 1), "p95_ms": round(_percentile(times, 0.95), 1), "runs": runs,
            "words": len(text.split()), "sentences": n, "summary": result["summary"],
            "baseline_p50_ms": round(b50, 2), "ratio": round(p50 / b50, 1) if b50 else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", required=True, help="SQLAlchemy URL of an ingested database")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    f = measure(args.db_url, runs=args.runs)
    if args.json:
        print(json.dumps(f))
    else:
        print(f"quote-check, {f['words']} words in {f['sentences']} sentences {f['summary']}, {f['runs']} runs: "
              f"p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms; baseline (one PK lookup per sentence) "
              f"{f['baseline_p50_ms']} ms → ratio {f['ratio']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
