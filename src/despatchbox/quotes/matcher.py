"""Who said this? Attribute pasted, unattributed text to speeches in the record.

Each non-blank input line is a *paragraph*. For each one:

1. **Furniture** (dates, venue labels, "Read Full debate", bylines…) is
   recognised and stripped (:mod:`.furniture`); a line that is all furniture is
   reported with ``furniture=True`` and never matched.
2. **Candidates**: the paragraph's winnowed shingle fingerprints
   (:mod:`.fingerprint`) are looked up in the index, which answers the speeches
   sharing the most of them.
3. **Verification** by a real alignment on normalised tokens (:mod:`.alignment`): every 3-token
   run of the paragraph found in the speech is a *hit* ``(i, j)``; hits are
   chained in order (both positions increasing, the diagonal drifting by at
   most ``MAX_SHIFT`` tokens between hits and gaps of at most ``MAX_GAP``, so a
   typo, a dropped "[Interruption.]" or a changed word just leaves a hole). The
   paragraph tokens covered by the best chain, over all paragraph tokens, is
   the **confidence**; only runs of ≥ 3 equal tokens count, so scattered
   "the"/"of" never add up.
4. **Decision**:
   * best confidence ≥ ``MIN_CONFIDENCE`` (0.75) and no other candidate within
     ``TIE`` (0.05) of it → that speech. A cut paragraph covers ~100%, a few
     typos cost about a token each; a paragraph that merely shares a stock
     phrase ("I thank the hon. Gentleman for his question") covers far less,
     and so does a loose paraphrase.
   * a line holding the end of one speech and the start of the next: if two or
     more chains that do not overlap explain ≥ ``MERGED_MIN`` (0.8) of the line,
     and each earlier part ends where its speech ends and each later part
     starts where its speech starts, the line goes to the part covering most of
     it (confidence = that part's share, so it may be below the threshold).
   * lines under ``FREE_STANDING`` (12) tokens are too likely to be stock
     phrases ("Will the Minister give way?") and need context support (below),
     as do ties.
   * otherwise unmatched — text not in the record is never forced onto a speech.
5. **Context** (second pass, repeated while it helps) for lines still
   unresolved: *anchors* are the nearest resolved lines before and after
   (within ``CONTEXT_LINES`` content lines). The anchors' speeches (a speech
   spanning several lines) and, when the optional ``neighbours`` hint is given,
   the speeches around them in record order are added as candidates and
   aligned. Each candidate gets a *deviation* per anchor: 0 for the anchor's
   own speech if the line's part of it lies beside the anchor's part, else
   how far its record position is from the anchor's position + δ, δ being the
   line distance (one line per speech; unresolved short lines — headings,
   mostly — are not counted). Then, among the equally good speeches (≥ the
   threshold), the one with the smallest total deviation wins if it is unique
   and within ``MAX_DEVIATION`` (3) of an anchor; else the line stays
   unmatched. Lines under ``SHORT`` (5) tokens ("indicated dissent.",
   "Answer!") must equal a whole paragraph of a speech within deviation 1 —
   never from the index alone.

``neighbours(speech_id)`` returns the ids of the speeches around that one
(itself included) in record order — a window of the sitting, as
:meth:`InMemorySpeechIndex.neighbours` does; the store can answer it from a
speech's position. Without it only same-speech continuity is used, so short
lines and ties between different speeches stay unmatched.

Cost: one ``candidates`` call per paragraph of ≥ 5 tokens, one ``texts`` call
for pass 1 and at most one per context round; alignment is linear in the
paragraph length times the repeats of its 3-grams in the speech.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .alignment import GRAM, Alignment, SpeechTokens, align_paragraph
from .fingerprint import fingerprints_of_tokens
from .furniture import page_names, strip_furniture
from .normalise import tokens

__all__ = [
    "SpeechIndex", "Neighbours", "ParagraphMatch", "attribute_text", "debates_of",
    "MIN_CONFIDENCE", "SHORT",
]

MIN_CONFIDENCE = 0.75  # share of paragraph tokens the alignment must cover
TIE = 0.05             # candidates this close to the best are "equally good"
MERGED_MIN = 0.8       # a line split across speeches must be this well explained
SHORT = 5              # fewer tokens than this: context-only, exact match
FREE_STANDING = 12     # fewer tokens than this: matched only with context support
CANDIDATES = 12        # asked of the index per paragraph
VERIFY = 8             # aligned per paragraph (best fingerprint counts first)
PRUNE = 0.25           # … and only those sharing ≥ this share of the best count,
TIE_PRUNE = 0.6        # … or this share once a match is in hand
EDGE_SLACK = 3         # tokens from a speech's start/end still counting as the edge
CONTEXT_LINES = 4      # how far (content lines) to look for anchors
MAX_DEVIATION = 3      # context positions tolerated for tie-breaking


@runtime_checkable
class SpeechIndex(Protocol):
    def candidates(self, fingerprints: Sequence[int], limit: int) -> dict[str, int]:
        """speech_id → number of shared fingerprints, at most ``limit``, best first.

        May skip fingerprints shared by very many speeches (stop shingles).
        """
        ...

    def texts(self, speech_ids: Sequence[str]) -> dict[str, str]:
        """Plain text of those speeches (paragraphs separated by ``"\\n"``)."""
        ...


Neighbours = Callable[[str], Sequence[str]]


@dataclass
class ParagraphMatch:
    line: int                 # 1-based line number in the input
    text: str                 # the line (furniture stripped) — whole line if furniture
    speech_id: str | None     # None: unmatched (or furniture)
    confidence: float         # share of the paragraph's tokens covered by the alignment;
                              # unmatched: the best share seen (1.0 for an unresolved tie)
    start: int | None         # char span covered within the speech's text
    end: int | None
    furniture: bool = False


# --- per-paragraph state ---------------------------------------------------------------


@dataclass
class _Para:
    line: int
    text: str
    toks: list[str]
    furniture: bool = False
    aligned: dict[str, Alignment] = field(default_factory=dict)
    tied: list[str] = field(default_factory=list)      # equally good speeches, if ambiguous
    speech: str | None = None
    align: Alignment | None = None
    order: int = 0                                     # index among content lines


def _decide(p: _Para) -> None:
    """Pass-1 decision from the aligned candidates alone."""
    if not p.aligned or len(p.toks) < SHORT:
        return
    ranked = sorted(p.aligned.items(), key=lambda kv: -kv[1].covered)
    best_sid, best = ranked[0]
    if best.coverage >= MIN_CONFIDENCE:
        tied = [s for s, a in ranked if a.coverage >= best.coverage - TIE]
        if len(tied) == 1 and len(p.toks) >= FREE_STANDING:
            p.speech, p.align = best_sid, best
        else:
            p.tied = tied
        return
    # a line running across speeches: disjoint parts, edge to edge
    if len(p.toks) < FREE_STANDING:
        return
    parts: list[tuple[str, Alignment]] = []
    for sid, a in ranked:
        if a.covered < GRAM + 2:
            break
        if all(a.a_hi <= b.a_lo or a.a_lo >= b.a_hi for _, b in parts):
            parts.append((sid, a))
    if len(parts) < 2:
        return
    parts.sort(key=lambda sa: sa[1].a_lo)
    if sum(a.covered for _, a in parts) < MERGED_MIN * len(p.toks):
        return
    for (_, a), (_, b) in zip(parts, parts[1:]):
        if a.b_hi < a.b_len - EDGE_SLACK or b.b_lo > EDGE_SLACK:
            return
    sid, a = max(parts, key=lambda sa: sa[1].covered)
    if sum(1 for _, b in parts if b.covered == a.covered) == 1:
        p.speech, p.align = sid, a


def attribute_text(text: str, index: SpeechIndex,
                   neighbours: Neighbours | None = None) -> list[ParagraphMatch]:
    """One :class:`ParagraphMatch` per non-blank line of ``text``, in order."""
    lines = text.splitlines()
    names = page_names(lines)
    paras: list[_Para] = []
    content: list[_Para] = []
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        body = strip_furniture(raw, names)
        if not body:
            paras.append(_Para(n, raw.strip(), [], furniture=True))
            continue
        toks = tokens(body)
        p = _Para(n, body, toks, furniture=not toks, order=len(content))
        paras.append(p)
        if toks:
            content.append(p)

    speeches: dict[str, SpeechTokens] = {}

    def load(ids) -> None:
        missing = [s for s in dict.fromkeys(ids) if s not in speeches]
        if missing:
            for sid, t in index.texts(missing).items():
                speeches[sid] = SpeechTokens(sid, t)

    # pass 1: fingerprints → candidates → alignment
    wanted: dict[int, list[str]] = {}
    counts: dict[int, dict[str, int]] = {}
    for p in content:
        if len(p.toks) < SHORT:
            continue
        fps = fingerprints_of_tokens(p.toks)
        if fps:
            cands = counts[p.order] = index.candidates(sorted(fps), CANDIDATES)
            ranked = sorted(cands, key=lambda s: -cands[s])[:VERIFY]
            if ranked:
                # speeches sharing far fewer fingerprints than the best cannot cover
                # the line (nor tie with it): skip their alignment
                floor = cands[ranked[0]] * PRUNE
                wanted[p.order] = [s for k, s in enumerate(ranked) if k < 2 or cands[s] >= floor]
    load(s for ids in wanted.values() for s in ids)
    for p in content:
        ids = wanted.get(p.order, [])
        for k, sid in enumerate(ids):
            sp = speeches.get(sid)
            if sp is None:
                continue
            if k >= 2 and counts[p.order][sid] < TIE_PRUNE * counts[p.order][ids[0]] and any(
                    a.coverage >= MIN_CONFIDENCE for a in p.aligned.values()):
                # a match is in hand: only a speech holding (nearly) all of the
                # line could tie with it, and that one shares most fingerprints
                continue
            a = align_paragraph(p.toks, sp)
            if a is not None:
                p.aligned[sid] = a
        _decide(p)

    # pass 2: context from resolved neighbouring lines
    position_cache: dict[str, dict[str, int]] = {}

    def positions(sid: str) -> dict[str, int]:
        if sid not in position_cache:
            ids = list(neighbours(sid)) if neighbours is not None else [sid]
            position_cache[sid] = {s: k for k, s in enumerate(ids)}
        return position_cache[sid]

    def anchors(p: _Para) -> list[tuple[str, Alignment, int]]:
        """Nearest resolved line on each side, as (its speech, its alignment, the line distance δ).

        Unresolved short lines (headings, most likely) do not count in δ.
        """
        out = []
        for step in (-1, 1):
            q, delta = p.order + step, 1
            while 0 <= q < len(content) and abs(q - p.order) <= CONTEXT_LINES:
                c = content[q]
                if c.speech is not None and c.align is not None:     # a resolved line has both
                    out.append((c.speech, c.align, -step * delta))
                    break
                if len(c.toks) >= SHORT:
                    delta += 1
                q += step
        return out

    def context(anch: list[tuple[str, Alignment, int]]) -> set[str]:
        ids: set[str] = set()
        for speech, _, delta in anch:
            ids.add(speech)
            pos = positions(speech)
            if speech in pos:
                expect = pos[speech] + delta
                ids.update(s for s, at in pos.items() if abs(at - expect) <= MAX_DEVIATION)
        return ids

    def deviation(sid: str, al: Alignment, anch: list[tuple[str, Alignment, int]]) -> tuple[int, int]:
        """(nearest, total) deviation of ``sid`` from where the anchors predict.

        An anchor's own speech fits (0) if the line sits beside the anchor's
        part of it (a speech over several lines); else the position in record
        order is compared with the anchor's position + δ.
        """
        cap = MAX_DEVIATION + 1
        devs = []
        for speech, align, delta in anch:
            if sid == speech and (al.b_lo >= align.b_hi if delta > 0 else al.b_hi <= align.b_lo):
                devs.append(0)
                continue
            pos = positions(speech)
            if sid in pos and speech in pos:
                devs.append(min(cap, abs(pos[sid] - pos[speech] - delta)))
            else:
                devs.append(cap)
        return min(devs), sum(devs)

    def pick(options: list[tuple[tuple[int, int], str, Alignment]], max_dev: int):
        options = sorted((o for o in options if o[0][0] <= max_dev), key=lambda o: (o[0][1], o[0][0]))
        if options and (len(options) == 1 or options[0][0][1] < options[1][0][1]):
            return options[0][1], options[0][2]
        return None

    for _ in range(4):
        progress = False
        todo = [p for p in content if p.speech is None]
        anchs = {p.order: anchors(p) for p in todo}
        ctx = {p.order: context(anchs[p.order]) for p in todo}
        load(s for ids in ctx.values() for s in ids)          # one texts() call per round
        for p in todo:
            anch = anchors(p)          # lines resolved earlier in this round count too
            if not anch:
                continue
            nearby = ctx[p.order] | context(anch)
            load(nearby)
            if len(p.toks) < SHORT:
                # short line: the whole of a paragraph of a speech just here
                options = []
                for sid in nearby:
                    sp = speeches.get(sid)
                    span = sp.find_paragraph(p.toks) if sp is not None else None
                    if sp is not None and span is not None:
                        al = Alignment(len(p.toks), 1.0, 0, len(p.toks), span[0], span[1], len(sp.toks))
                        options.append((deviation(sid, al, anch), sid, al))
                got = pick(options, 1)
                if got:
                    p.speech, p.align = got
                    progress = True
                continue
            for sid in nearby:
                if sid not in p.aligned and sid in speeches:
                    found = align_paragraph(p.toks, speeches[sid])
                    if found is not None:
                        p.aligned[sid] = found
            p.tied = []
            _decide(p)                  # again, with the context candidates aligned
            if p.speech is not None:
                progress = True
                continue
            if p.tied:
                # equally good speeches: the one that fits the context best
                got = pick([(deviation(s, p.aligned[s], anch), s, p.aligned[s]) for s in p.tied],
                           MAX_DEVIATION)
                if got:
                    p.speech, p.align = got
                    p.tied = []
                    progress = True
        if not progress:
            break

    # a paragraph of the record appears once in a copied page: two short lines placed by context on
    # the same paragraph ("My Lords—" twice, from two speakers) cannot both be it, and which one is
    # cannot be told, so neither is attributed (precision over recall)
    placed: dict[tuple, list[_Para]] = {}
    for p in content:
        if p.speech is not None and p.align is not None and len(p.toks) < SHORT:
            placed.setdefault((p.speech, p.align.b_lo, p.align.b_hi), []).append(p)
    for group in placed.values():
        if len(group) > 1:
            for p in group:
                p.speech, p.align = None, None

    out = []
    for p in paras:
        if p.speech is None or p.align is None:
            out.append(ParagraphMatch(p.line, p.text, None, 0.0 if p.furniture else _best(p),
                                      None, None, p.furniture))
            continue
        a = p.align
        start, end = speeches[p.speech].char_span(a.b_lo, a.b_hi)
        out.append(ParagraphMatch(p.line, p.text, p.speech, round(a.coverage, 4), start, end, False))
    return out


def _best(p: _Para) -> float:
    """Confidence reported for an unmatched paragraph: the best coverage seen."""
    return round(max((a.coverage for a in p.aligned.values()), default=0.0), 4)


def debates_of(matches: Sequence[ParagraphMatch],
               debate_of: Callable[[str], str | None]) -> dict[str, list[int]]:
    """Debates the text came from → the input lines attributed to each, first seen first.

    ``debate_of`` maps a speech id to its debate (the store knows).
    """
    out: dict[str, list[int]] = {}
    for m in matches:
        if m.speech_id is not None:
            d = debate_of(m.speech_id)
            if d is not None:
                out.setdefault(d, []).append(m.line)
    return out
