#!/usr/bin/env python3
"""How each benchmark figure scales with the corpus: an SVG of small multiples, dependency-free.

    python bench/plot.py docs/benchmarks/run-*.json --out docs/benchmarks/scaling.svg [--markdown]

Reads `bench/run.py --json` outputs (one per corpus size) and draws one panel per figure against
the number of speeches on a log axis. Latency panels also show, dotted, where the figure would be if
it grew linearly with the corpus from the smallest run, so sub-linear growth is plain to see; the
target (for 1 M speeches, from bench/targets.py) is dashed red.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import TARGET_N, target_of  # noqa: E402

#: (title, unit, [(label, section, key, colour)], draw the first series' target?, linear reference?, log y?)
#: — targets come from bench/targets.py, the list bench/run.py checks
PANELS = [
    ("Ingest throughput", "MB/s", [("ingest", "ingest", "mb_s", "#1f77b4"),
                                   ("raw lxml parse", "ingest", "raw_mb_s", "#999999")], False, False, True),
    ("Ingest / raw parse (CPU time)", "ratio", [("CPU time", "ingest", "cpu_ratio", "#1f77b4"),
                                                ("wall-clock", "ingest", "ratio", "#aec7e8")], True, False, False),
    ("Ingest peak RSS", "MB", [("peak RSS", "ingest", "peak_rss_mb", "#1f77b4")], True, False, False),
    ("Search latency", "ms", [("p95", "search", "p95_ms", "#d62728"), ("p50", "search", "p50_ms", "#ff9896"),
                              ("engine's own p95", "search", "raw_p95_ms", "#999999")], True, True, True),
    ("Page render latency", "ms", [("p95", "pages", "p95_ms", "#2ca02c"), ("p50", "pages", "p50_ms", "#98df8a")],
     True, True, True),
    ("HTTP throughput", "req/s", [("pages rendered", "http", "rps", "#9467bd"),
                                  ("page cache", "http", "cached.rps", "#c5b0d5"),
                                  ("bare FastAPI route", "http", "baseline_rps", "#999999")], True, False, True),
    ("HTTP latency", "ms", [("p95", "http", "p95_ms", "#9467bd"), ("p50", "http", "p50_ms", "#c5b0d5")],
     False, True, True),
    ("Who said this? (30 paragraphs)", "ms", [("p95", "who_said", "p95_ms", "#8c564b"),
                                              ("p50", "who_said", "p50_ms", "#c49c94")], False, True, True),
]
W, H = 300, 222            # one panel
PAD_L, PAD_R, PAD_T, PAD_B = 52, 12, 30, 56
COLS = 4


def _value(run: dict, section: str, key: str):
    v = run.get(section) or {}
    for part in key.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return v if isinstance(v, (int, float)) and v > 0 else None


def _nice_ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        lo_e, hi_e = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        ticks = []
        for e in range(lo_e, hi_e + 1):
            for m in (1, 2, 5):
                t = m * 10 ** e
                if lo <= t <= hi:
                    ticks.append(t)
        return ticks or [lo, hi]
    span = hi - lo or 1
    step = 10 ** math.floor(math.log10(span / 4))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= 5:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def _fmt(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1e6:g}M"
    if v >= 1000:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def panel(runs: list[dict], spec, ox: int, oy: int) -> list[str]:
    title, unit, series, show_target, linear, log_y = spec
    found = target_of(series[0][1], series[0][2]) if show_target else None
    target = found[1] if found else None
    xs = [r["speeches"] for r in runs]
    out = [f'<g transform="translate({ox},{oy})">',
           f'<text x="{W / 2}" y="16" text-anchor="middle" font-weight="bold">{escape(title)}</text>']
    points = {label: [(r["speeches"], _value(r, sec, key)) for r in runs] for label, sec, key, _ in series}
    values = [v for pts in points.values() for _, v in pts if v is not None]
    if not values:
        out.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" fill="#999">not measured</text></g>')
        return out
    refs = []
    if linear:                                   # linear growth from the smallest run of the first series
        first = next(((x, v) for x, v in points[series[0][0]] if v is not None), None)
        if first:
            refs = [(x, first[1] * x / first[0]) for x in xs if x >= first[0]]
    all_v = values + ([target] if target else [])      # the linear reference is clipped, not fitted
    lo, hi = min(all_v), max(all_v)
    if log_y:
        lo, hi = lo / 1.3, hi * 1.3
    else:
        lo, hi = 0.0, hi * 1.15
    x_lo, x_hi = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def sx(x: float) -> float:
        return PAD_L + (math.log10(x) - x_lo) / (x_hi - x_lo) * pw

    def sy(y: float) -> float:
        if log_y:
            f = (math.log10(y) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            f = (y - lo) / (hi - lo)
        return PAD_T + ph - f * ph

    clip = f"clip{ox}-{oy}"
    out.append(f'<clipPath id="{clip}"><rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}"/></clipPath>'
               f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>')
    for t in _nice_ticks(lo, hi, log_y):
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#eee"/>'
                   f'<text x="{PAD_L - 4}" y="{sy(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for x in sorted(set(xs)):
        out.append(f'<text x="{sx(x):.1f}" y="{PAD_T + ph + 14}" text-anchor="middle">{_fmt(x)}</text>')
    out.append(f'<text x="{PAD_L + pw / 2}" y="{H - 26}" text-anchor="middle" fill="#555">speeches '
               f'(log) · {escape(unit)}{" (log)" if log_y else ""}</text>')
    if target:
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{sy(target):.1f}" y2="{sy(target):.1f}" '
                   f'stroke="#d62728" stroke-dasharray="5,3"/>'
                   f'<text x="{PAD_L + pw - 2}" y="{sy(target) - 3:.1f}" text-anchor="end" fill="#d62728">'
                   f'target {_fmt(target)}</text>')
    if len(refs) > 1:
        path = " ".join(f"{sx(x):.1f},{sy(v):.1f}" for x, v in refs)
        lx, lv = refs[1]
        out.append(f'<polyline points="{path}" fill="none" stroke="#888" stroke-dasharray="2,3" '
                   f'clip-path="url(#{clip})"/>')
        if sy(lv) > PAD_T:
            out.append(f'<text x="{sx(lx) + 4:.1f}" y="{sy(lv):.1f}" fill="#888">if linear</text>')
    lx = PAD_L
    for label, _, _, colour in series:
        pts = [(x, v) for x, v in points[label] if v is not None]
        if not pts:
            continue
        if len(pts) > 1:
            path = " ".join(f"{sx(x):.1f},{sy(v):.1f}" for x, v in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, v in pts:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(v):.1f}" r="3" fill="{colour}">'
                       f'<title>{escape(label)} at {x:,}: {v:g} {escape(unit)}</title></circle>')
        out.append(f'<text x="{lx}" y="{H - 8}" fill="{colour}">■ {escape(label)}</text>')
        lx += 14 + 6 * len(label)
    out.append("</g>")
    return out


def render(runs: list[dict]) -> str:
    runs = sorted(runs, key=lambda r: r["speeches"])
    rows = math.ceil(len(PANELS) / COLS)
    width, height = COLS * W, rows * H + 30
    sizes = ", ".join(_fmt(r["speeches"]) for r in runs)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="8" y="18" font-size="13" font-weight="bold">despatchbox: how each figure scales '
             f'({escape(sizes)} speeches; bench/run.py)</text>']
    for i, spec in enumerate(PANELS):
        parts += panel(runs, spec, (i % COLS) * W, 30 + (i // COLS) * H)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


#: rows of the cost-growth table: (label, path into a run's JSON); a figure's target at 1 M is looked up
TABLE_ROWS = [
    ("ingest MB/s", ("ingest", "mb_s")),
    ("raw lxml parse MB/s (baseline)", ("ingest", "raw_mb_s")),
    ("ingest / raw parse, wall-clock", ("ingest", "ratio")),
    ("ingest / raw parse, CPU time", ("ingest", "cpu_ratio")),
    ("ingest / bare bulk load", ("ingest", "bulk_ratio")),
    ("ingest records/s", ("ingest", "records_s")),
    ("ingest peak RSS MB", ("ingest", "peak_rss_mb")),
    ("… of which heap (anonymous) MB", ("ingest", "peak_rss_anon_mb")),
    ("… of which file-backed (mmap) MB", ("ingest", "peak_rss_file_mb")),
    ("storage per contribution KB", ("storage", "kb_per_contribution")),
    ("search p50 ms", ("search", "p50_ms")),
    ("search p95 ms", ("search", "p95_ms")),
    ("engine's own top-20 p95 ms (baseline)", ("search", "raw_p95_ms")),
    ("search p95 / engine's p95", ("search", "ratio")),
    ("common word p95 / rare word p95", ("search", "common_vs_rare_ratio")),
    ("pages p50 ms (rendered)", ("pages", "p50_ms")),
    ("pages p95 ms (rendered)", ("pages", "p95_ms")),
    ("… member page CPU ms", ("pages", "by_page", "member", "cpu_ms")),
    ("… seed-style page CPU ms", ("pages", "by_page", "seed", "cpu_ms")),
    ("… full debate CPU ms", ("pages", "by_page", "debate", "cpu_ms")),
    ("… department page CPU ms", ("pages", "by_page", "department", "cpu_ms")),
    ("first renders p95 ms (distinct pages)", ("pages", "cold", "p95_ms")),
    ("pages p95 ms from the page cache", ("pages", "cached", "p95_ms")),
    ("HTTP req/s (rendered)", ("http", "rps")),
    ("HTTP req/s rendered / bare route", ("http", "ratio")),
    ("HTTP p95 ms (rendered)", ("http", "p95_ms")),
    ("HTTP req/s, bare FastAPI route (baseline)", ("http", "baseline_rps")),
    ("HTTP req/s from the page cache", ("http", "cached", "rps")),
    ("who-said p50 ms (30 paragraphs)", ("who_said", "p50_ms")),
    ("who-said p95 ms", ("who_said", "p95_ms")),
    ("quote check p95 ms (300 words)", ("quote_check", "p95_ms")),
    ("one new day: into the big database / into an empty one", ("one_day", "ratio")),
]


def _target_cell(path: tuple) -> str:
    found = target_of(*path) if len(path) == 2 else None
    if not found:
        return ""
    op, value = found
    return f"{'≥' if op == '>=' else '≤'} {value:g}"


def _get(run: dict, path: tuple):
    for key in path:
        run = run.get(key) if isinstance(run, dict) else None
    return run if isinstance(run, (int, float)) else None


def _cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, int) or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def markdown(runs: list[dict]) -> str:
    """The cost-growth table: each figure at each size, and its growth from the smallest to the largest."""
    runs = sorted(runs, key=lambda r: r["speeches"])
    head = ["figure", *(f"{_fmt(r['speeches'])}" for r in runs), f"× from {_fmt(runs[0]['speeches'])} to "
            f"{_fmt(runs[-1]['speeches'])}", f"target at {_fmt(TARGET_N)}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, path in TABLE_ROWS:
        values = [_get(r, path) for r in runs]
        if all(v is None for v in values):
            continue
        first, last = values[0], values[-1]
        growth = f"{last / first:.1f}" if first and last is not None else "—"
        lines.append("| " + " | ".join([label, *(_cell(v) for v in values), growth, _target_cell(path)]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path, help="bench/run.py --json outputs")
    ap.add_argument("--out", type=Path, help="the SVG to write")
    ap.add_argument("--markdown", action="store_true", help="print the cost-growth table (Markdown)")
    args = ap.parse_args()
    runs = [json.loads(p.read_text()) for p in args.runs]
    if args.out:
        args.out.write_text(render(runs))
    if args.markdown:
        print(markdown(runs), end="")


if __name__ == "__main__":
    main()
