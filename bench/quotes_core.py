"""Micro benchmark: "who said this?" attribution against a large in-memory index.

    .venv/bin/python bench/quotes_core.py [--speeches 200000] [--repeat 20]

Builds a synthetic corpus from the real 2009 sample (every real speech, plus
copies rotated by a few words with every 9th word altered, so that copies
share many but not all shingles — a harsher case than real data, where few
passages repeat), indexes it with :class:`InMemorySpeechIndex`, then attributes
a 30-paragraph paste (one line per paragraph; web quotes/dashes, typos, cut
paragraphs, merged lines, furniture lines) and prints the median time, the time to merely normalise the
same input (baseline) and their ratio. No assertions: numbers to watch.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from despatchbox.quotes import InMemorySpeechIndex, attribute_text, fingerprints  # noqa: E402
from despatchbox.quotes.normalise import tokens  # noqa: E402

DEBATES = ROOT / "sample" / "parlparse-2009-10" / "scrapedxml" / "debates"
FILES = ["debates2009-10-26b.xml", "debates2009-10-27d.xml", "debates2009-10-28c.xml"]


def load() -> dict[str, str]:
    texts = {}
    for name in FILES:
        for el in etree.parse(str(DEBATES / name)).getroot().iter("speech"):
            if el.get("speakerid"):
                paras = [" ".join("".join(p.itertext()).split()) for p in el.iter("p")]
                texts[el.get("id")] = "\n".join(x for x in paras if x)
    return texts


def synthetic(texts: dict[str, str], n: int) -> list[tuple[str, str]]:
    real = list(texts.items())
    out = list(real)
    copy = 1
    while len(out) < n:
        for j, (sid, text) in enumerate(real):
            if len(out) >= n:
                break
            ws = text.split()
            r = (copy * 37 + j) % max(1, len(ws))
            ws = ws[r:] + ws[:r]
            ws = [w + str(copy) if k % 9 == copy % 9 else w for k, w in enumerate(ws)]
            out.append((f"{sid}#{copy}", " ".join(ws)))
        copy += 1
    return out


def _fps(chunk: list[tuple[str, str]]) -> list[list[int]]:
    return [sorted(fingerprints(t)) for _, t in chunk]


def build(items: list[tuple[str, str]]) -> InMemorySpeechIndex:
    idx = InMemorySpeechIndex()
    size = 5000
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for chunk, fps in zip(chunks, pool.map(_fps, chunks)):
            for (sid, text), f in zip(chunk, fps):
                idx.add(sid, text, fps=f)
    return idx


def web(text: str) -> str:
    text = re.sub(r"(?<=\w)-(?=\w)", "\u2014", text)
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    return " ".join(text.split())


def paste(texts: dict[str, str], rng: random.Random) -> tuple[str, list[str | None]]:
    """30 paragraphs from a run of consecutive real speeches, as copied from a page:
    one line per paragraph, web quotes and dashes, typos, cut paragraphs, the end
    of a speech run into the next one, furniture lines."""
    ids = list(texts)
    start = rng.randrange(0, len(ids) - 60)
    lines, expected = ["Commons Chamber", "(16 years ago)"], [None, None]
    carry = ""
    for sid in ids[start:]:
        for n, para in enumerate(texts[sid].split("\n")):
            ws = web(para).split()
            if len(expected) - expected.count(None) == 30:
                return "\n".join(lines), expected
            if len(ws) < 12:
                continue
            kind = rng.randrange(6)
            if kind == 1:       # typos
                ws = [w[:-2] + w[-1] + w[-2] if len(w) > 6 and rng.random() < 0.05 else w for w in ws]
            elif kind == 2:     # cut short
                ws = ws[:rng.randrange(12, len(ws) + 1)]
            elif kind == 3 and n == 0 and carry:   # end of the previous speech run in
                ws = carry.split()[-6:] + ws
            lines.append(" ".join(ws))
            expected.append(sid)
            if kind == 4:
                lines.append("Read Full debate")
                expected.append(None)
        carry = texts[sid]
    return "\n".join(lines), expected


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--speeches", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    texts = load()
    items = synthetic(texts, args.speeches)
    t0 = time.perf_counter()
    idx = build(items)
    t_build = time.perf_counter() - t0
    n_words = sum(len(tokens(t)) for _, t in items[:20000]) / min(20000, len(items))
    print(f"index: {len(idx):,} speeches, {idx.rows:,} fingerprint rows "
          f"({idx.rows / len(idx):.1f}/speech, {n_words:.0f} words/speech), built in {t_build:.1f} s")

    rng = random.Random(args.seed)
    attribution, baseline, right, wrong, missed = [], [], 0, 0, 0
    for _ in range(args.repeat):
        text, expected = paste(texts, rng)
        t = time.perf_counter()
        for line in text.splitlines():
            tokens(line)
        baseline.append(time.perf_counter() - t)
        t = time.perf_counter()
        results = attribute_text(text, idx, idx.neighbours)
        attribution.append(time.perf_counter() - t)
        for m, e in zip(results, expected):
            if e is None:
                wrong += m.speech_id is not None
            elif m.speech_id == e:
                right += 1
            elif m.speech_id is None:
                missed += 1
            else:
                wrong += 1
    med_a, med_b = statistics.median(attribution), statistics.median(baseline)
    print(f"30 paragraphs: attribution median {med_a * 1000:.1f} ms (max {max(attribution) * 1000:.1f} ms), "
          f"normalise-only baseline {med_b * 1000:.2f} ms, ratio {med_a / med_b:.0f}x")
    print(f"accuracy over {args.repeat} pastes: {right} right, {wrong} wrong, {missed} unmatched")


if __name__ == "__main__":
    main()
