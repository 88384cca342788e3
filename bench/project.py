#!/usr/bin/env python3
"""Project the measured costs to the whole record (about 12 million contributions).

    python bench/project.py docs/benchmarks/run-*.json [--to 12000000] [--json]

Reads `bench/run.py --json` outputs of different corpus sizes. For each cost it fits a power law
``cost = a · N^b`` through the two largest runs (on log-log axes: ``b`` is the growth exponent, 1 is
linear, 0 flat) and extends it to ``--to`` contributions. The exponent from the two largest runs is
the honest one: fixed costs dominate small runs and flatten the curve there. Printed as a Markdown
table, with each figure at every measured size, its exponent and its projection, so a reader can
judge the fit; the disk a whole installation needs is the database plus its search index.

A projection is not a measurement: the synthetic corpus repeats the sample week's text under
other dates (bench/make_corpus.py), and the real record's members and debates are more varied.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

#: (label, unit, how to read it from a run) — the costs a self-hoster plans for
COSTS = [
    ("XML to ingest", "GB", lambda r: _num(r, "corpus", "bytes", scale=1e-9)),
    ("database + search index", "GB", lambda r: _storage_gb(r)),
    ("storage per contribution", "KB", lambda r: _num(r, "storage", "kb_per_contribution")),
    ("ingest, wall-clock", "h", lambda r: _ingest_hours(r)),
    ("ingest, CPU", "h", lambda r: _num(r, "ingest", "ingest_cpu_s", scale=1 / 3600)),
    ("ingest peak RSS", "MB", lambda r: _num(r, "ingest", "peak_rss_mb")),
    ("search p95", "ms", lambda r: _num(r, "search", "p95_ms")),
    ("pages p95 (cache off)", "ms", lambda r: _num(r, "pages", "p95_ms")),
    ("one new day, ingest", "s", lambda r: _num(r, "one_day", "large_seconds")),
]


def _num(run: dict, section: str, key: str, scale: float = 1.0) -> float | None:
    value = (run.get(section) or {}).get(key)
    return value * scale if isinstance(value, (int, float)) and value > 0 else None


def _storage_gb(run: dict) -> float | None:
    st = run.get("storage") or {}
    if not isinstance(st.get("database_mb"), (int, float)):
        return None
    return (st["database_mb"] + (st.get("search_index_mb") or 0)) / 1000


def _ingest_hours(run: dict) -> float | None:
    i = run.get("ingest") or {}
    if i.get("mb") and i.get("mb_s"):
        return i["mb"] / i["mb_s"] / 3600
    return None


def size_of(run: dict) -> int:
    """The contributions a run measured: the storage section's count, else the corpus's speeches."""
    return int((run.get("storage") or {}).get("contributions") or run["corpus"]["speeches"])


def fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(a, b) of cost = a·N^b through the two largest points, or None with fewer than two."""
    points = sorted(p for p in points if p[1] is not None)
    if len(points) < 2 or points[-1][0] == points[-2][0]:
        return None
    (n1, y1), (n2, y2) = points[-2], points[-1]
    b = math.log(y2 / y1) / math.log(n2 / n1)
    return y2 / n2 ** b, b


def project(runs: list[dict], to: int) -> list[dict]:
    runs = sorted(runs, key=size_of)
    out = []
    for label, unit, read in COSTS:
        values = [(size_of(r), read(r)) for r in runs]
        model = fit(values)
        out.append({"figure": label, "unit": unit, "measured": {str(n): v for n, v in values},
                    "exponent": None if model is None else round(model[1], 2),
                    "projected": None if model is None else model[0] * to ** model[1]})
    return out


def _cell(v: float | None) -> str:
    if v is None:
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def _size(n: int) -> str:
    return f"{n / 1e6:.3g}M" if n >= 1_000_000 else f"{n / 1e3:.3g}k"


def markdown(rows: list[dict], runs: list[dict], to: int) -> str:
    sizes = sorted(size_of(r) for r in runs)
    head = ["cost", *(_size(n) for n in sizes), "growth exponent", f"projected at {_size(to)}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [_cell(row["measured"].get(str(n))) for n in sizes]
        exponent = "—" if row["exponent"] is None else f"{row['exponent']:.2f}"
        lines.append("| " + " | ".join([f"{row['figure']} ({row['unit']})", *cells, exponent,
                                        _cell(row["projected"])]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path, help="bench/run.py --json outputs, two sizes or more")
    ap.add_argument("--to", type=int, default=12_000_000, help="contributions to project to (default 12 million)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the Markdown table")
    args = ap.parse_args()
    runs = [json.loads(p.read_text()) for p in args.runs]
    if len({size_of(r) for r in runs}) < 2:
        ap.error("give runs of at least two corpus sizes")
    rows = project(runs, args.to)
    if args.json:
        print(json.dumps({"to": args.to, "costs": rows}))
    else:
        print(markdown(rows, runs, args.to), end="")


if __name__ == "__main__":
    main()
