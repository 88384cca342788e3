"""A member's activity as a small bar chart in SVG, drawn on the server (no JavaScript).

Bars are days when the record spans under three months, months otherwise; each bar stacks
speeches, questions and answers, and carries a ``<title>`` tooltip. The chart has a text
alternative (``aria-label``) and the numbers are also given in a table on the page.
"""
from __future__ import annotations

from datetime import date
from html import escape

from markupsafe import Markup

from ..formatting import MONTHS, short_date

WIDTH, HEIGHT, PAD = 560, 140, 22
SERIES = (("speeches", "#0b5d3b"), ("questions", "#c17d11"), ("answers", "#3465a4"))


def buckets(record: dict) -> list[dict]:
    """The bars of a person's activity (``store.queries.people.activity_and_counts``): one per day
    when it holds every day (a record spanning under three months), else one per month."""
    by_month = record["days"] is None
    out = []
    for r in (record["months"] or []) if by_month else record["days"]:
        d: date = r["date"]
        out.append({"label": f"{MONTHS[d.month - 1][:3]} {d.year}" if by_month else short_date(d),
                    "speeches": r["speeches"], "questions": r["questions"], "answers": r["answers"]})
    return out


def activity_svg(record: dict, who: str) -> Markup:
    bars = buckets(record)
    if not bars:
        return Markup("")
    top = max(b["speeches"] + b["questions"] + b["answers"] for b in bars) or 1
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / len(bars)
    bar_w = max(2.0, min(48.0, step * 0.7))
    total = sum(b["speeches"] + b["questions"] + b["answers"] for b in bars)
    label = (f"Activity of {who}: {total} contributions from {bars[0]['label']} to {bars[-1]['label']}"
             if len(bars) > 1 else f"Activity of {who}: {total} contributions on {bars[0]['label']}")
    parts = [f'<svg class="activity" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>',
             f'<text x="{PAD}" y="{PAD - 8}" font-size="11" fill="#555">{top}</text>']
    for i, b in enumerate(bars):
        x = PAD + i * step + (step - bar_w) / 2
        y = HEIGHT - PAD
        tip = escape(f"{b['label']}: {b['speeches']} speeches, {b['questions']} questions, {b['answers']} answers")
        parts.append(f"<g><title>{tip}</title>")
        for name, colour in SERIES:
            h = inner_h * b[name] / top
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}"/>')
        parts.append("</g>")
        if len(bars) <= 12 or i in (0, len(bars) - 1):
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 6}" font-size="11" text-anchor="middle" '
                         f'fill="#555">{escape(b["label"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


LEGEND = tuple((name, colour) for name, colour in SERIES)
