"""The alignment that verifies a candidate speech for a pasted paragraph (:mod:`.matcher`, step 3):
the best in-order chain of the 3-token runs the paragraph shares with the speech, and a speech's
tokens, paragraphs and character spans as the matcher reads them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .normalise import token_spans, tokens

__all__ = ["Alignment", "SpeechTokens", "align_paragraph", "GRAM", "MAX_SHIFT", "MAX_GAP"]

GRAM = 3               # alignment seed length, tokens
MAX_SHIFT = 4          # diagonal drift allowed between consecutive hits
MAX_GAP = 12           # paragraph tokens allowed between consecutive hits


@dataclass(slots=True)
class Alignment:
    covered: int         # paragraph tokens covered
    coverage: float
    a_lo: int            # paragraph token range [a_lo, a_hi)
    a_hi: int
    b_lo: int            # speech token range [b_lo, b_hi)
    b_hi: int
    b_len: int           # speech length in tokens


class SpeechTokens:
    __slots__ = ("sid", "text", "toks", "_paras", "_spans")

    def __init__(self, sid: str, text: str) -> None:
        self.sid = sid
        self.text = text
        self.toks = tokens(text)
        self._paras: list[tuple[int, int]] | None = None
        self._spans: list[tuple[str, int, int]] | None = None

    def find_paragraph(self, ptoks: Sequence[str]) -> tuple[int, int] | None:
        """Token range of a paragraph of this speech equal to ``ptoks``, if any."""
        if self._paras is None:
            ranges, at = [], 0
            for para in self.text.split("\n"):
                n = len(tokens(para))
                ranges.append((at, at + n))
                at += n
            self._paras = ranges
        for lo, hi in self._paras:
            if hi - lo == len(ptoks) and self.toks[lo:hi] == list(ptoks):
                return lo, hi
        return None

    def char_span(self, b_lo: int, b_hi: int) -> tuple[int, int]:
        if self._spans is None:
            self._spans = token_spans(self.text)
        spans = self._spans
        if not spans or b_hi <= b_lo:
            return 0, 0
        return spans[b_lo][1], spans[min(b_hi, len(spans)) - 1][2]


def align_paragraph(ptoks: Sequence[str], sp: SpeechTokens) -> Alignment | None:
    """Best in-order chain of shared 3-token runs (see :mod:`.matcher`, step 3).

    Hits ``(i, j)`` (paragraph 3-gram ``i`` = speech 3-gram ``j``) are first
    merged into diagonal runs; runs are then chained by dynamic programming,
    each step adding the paragraph tokens it newly covers.
    """
    n = len(ptoks)
    st = sp.toks
    if n < GRAM or len(st) < GRAM:
        return None
    pg: dict[tuple[str, str, str], list[int]] = {}
    for i, g in enumerate(zip(ptoks, ptoks[1:], ptoks[2:])):
        pg.setdefault(g, []).append(i)
    hits = [(i, j) for j, g in enumerate(zip(st, st[1:], st[2:])) if g in pg for i in pg[g]]
    if not hits:
        return None
    # diagonal runs: [a, a_end) in the paragraph, [b, b + a_end - a) in the speech
    open_runs: dict[int, int] = {}          # diagonal → index in runs
    runs: list[list[int]] = []              # [a, b, a_end]
    for i, j in hits:                       # in j order
        d = j - i
        r = open_runs.get(d)
        if r is not None and runs[r][2] == i + GRAM - 1:
            runs[r][2] = i + GRAM
        else:
            open_runs[d] = len(runs)
            runs.append([i, j, i + GRAM])
    runs.sort()
    score = [r[2] - r[0] for r in runs]
    back = [-1] * len(runs)
    longest = 0
    for x, (a, b, a_end) in enumerate(runs):
        d = b - a
        best, bp = score[x], -1
        for y in range(x - 1, -1, -1):
            a0, b0, e0 = runs[y]
            if a0 < a - MAX_GAP - longest:
                break
            if a0 >= a or b0 >= b or a - e0 > MAX_GAP or abs((b0 - a0) - d) > MAX_SHIFT:
                continue
            gain = a_end - (e0 if e0 > a else a)
            if gain > 0 and score[y] + gain > best:
                best, bp = score[y] + gain, y
        score[x], back[x] = best, bp
        longest = max(longest, a_end - a)
    x = max(range(len(runs)), key=score.__getitem__)
    covered = score[x]
    a_hi = runs[x][2]
    b_hi = runs[x][1] + (runs[x][2] - runs[x][0])
    while back[x] >= 0:
        x = back[x]
    a_lo, b_lo = runs[x][0], runs[x][1]
    return Alignment(covered, covered / n, a_lo, a_hi, b_lo, b_hi, len(st))
