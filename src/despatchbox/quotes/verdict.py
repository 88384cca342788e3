"""A quote against one speech: the official wording, the differences word by word, and a verdict.

Both texts are cut into normalised tokens (:func:`despatchbox.quotes.normalise.token_spans`: case,
quote marks, dashes and digit separators already do not count) and then *folded*, so that what a
newspaper changes without changing the words does not count either:

* spelling variants: ``organised``/``organized``, ``analyse``/``analyze``, ``centre``/``center``,
  ``labour``/``labor``, ``travelled``/``traveled``, ``defence``/``defense``, ``programme``/``program``,
  ``judgement``/``judgment``;
* figures: a number word is its digits (``nine out of 10`` = ``9 out of 10``), and
  ``per cent``/``percent``/``%`` are nothing (``10 per cent`` = ``10%``).

Folding is applied to both sides alike, so it can only make two spellings of one word equal.

:func:`compare` aligns the folded quote with the speech (``difflib`` over tokens, in order, on the
region of the speech the quote's longest shared runs point to) and returns a :class:`Comparison`:

* ``verbatim`` — every word of the quote, in order, with nothing left out in between;
* ``abridged`` — the quote's words are all there, in order, but words of the record were left out
  between them (with or without ``…``/``[...]``), and each kept piece is at least
  :data:`MIN_PIECE` words long;
* ``altered`` — words were changed or added, yet most of the quote (≥ :data:`ALTERED_MIN`) is
  the speech's, with a shared run of at least :data:`MIN_RUN` words;
* ``None`` — not this speech.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .normalise import token_spans, tokens

__all__ = ["Comparison", "Change", "compare", "fold_tokens", "speech_matcher", "MIN_PIECE", "MIN_RUN", "ALTERED_MIN"]

MIN_PIECE = 3        # an abridged quote's kept pieces are at least this long (else: altered)
MIN_RUN = 6          # an altered quote shares at least one run this long with the speech
ALTERED_MIN = 0.6    # … and at least this share of its words
CLUSTER_GAP = 200    # speech tokens allowed between two shared runs of one quote
EDGE_REACH = 8       # … and beyond the outer runs, for the quote's unmatched ends

_NUMBERS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBERS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
                 "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000",
                 "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th"})
_WORDS = {"programme": "program", "programmes": "programs", "defence": "defense", "offence": "offense",
          "offences": "offenses", "licence": "license", "licences": "licenses", "judgement": "judgment",
          "judgements": "judgments", "ageing": "aging", "acknowledgement": "acknowledgment", "enrol": "enroll",
          "fulfil": "fulfill", "fulfilment": "fulfillment", "cheque": "check", "grey": "gray", "tyre": "tire",
          "tyres": "tires", "pyjamas": "pajamas", "manoeuvre": "maneuver", "aluminium": "aluminum",
          "whilst": "while", "amongst": "among", "towards": "toward", "mum": "mom", "plough": "plow"}
_OUR = ("colour", "honour", "favour", "behaviour", "labour", "neighbour", "harbour", "humour", "rumour", "vigour",
        "endeavour", "savour", "armour", "flavour", "parlour", "valour", "odour", "splendour", "rigour",
        "saviour", "glamour", "clamour", "tumour", "vapour", "candour", "fervour", "ardour")
_OUR_RE = re.compile(r"^(" + "|".join(w[:-3] for w in _OUR) + r")our(s|ed|ing|able|ably|ite|ites|ful|hood|er|ers)?$")
_ISE = re.compile(r"^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|ational)$")
_YSE = re.compile(r"^(\w+)ys(e|es|ed|ing|er|ers)$")
_TRE = re.compile(r"^(cent|theat|met|lit|fib|calib|spec|sab|lust|mana|sombre)re(s|d)?$")
_ELL = re.compile(r"^(\w{3,}e)ll(ed|ing|er|ers)$")


@lru_cache(maxsize=65536)
def _fold(tok: str) -> str:
    if tok in _NUMBERS:
        return _NUMBERS[tok]
    if tok in _WORDS:
        return _WORDS[tok]
    if len(tok) < 5 or tok.isdigit():
        return tok
    m = _OUR_RE.match(tok)
    if m:
        return f"{m.group(1)}or{m.group(2) or ''}"
    m = _TRE.match(tok)
    if m:
        return f"{m.group(1)}ter{m.group(2) or ''}"
    m = _ISE.match(tok)
    if m:
        return f"{m.group(1)}iz{m.group(2)}"
    m = _YSE.match(tok)
    if m:
        return f"{m.group(1)}yz{m.group(2)}"
    m = _ELL.match(tok)
    if m:
        return f"{m.group(1)}l{m.group(2)}"
    return tok


class _Spans:
    """Character spans of folded tokens, worked out only when asked (the slow part of tokenising)."""

    __slots__ = ("text", "origin", "_spans")

    def __init__(self, text: str, origin: Sequence[int]) -> None:
        self.text, self.origin = text, origin
        self._spans: list[tuple[int, int]] | None = None

    def __getitem__(self, k: int) -> tuple[int, int]:
        if self._spans is None:
            self._spans = [(a, b) for _, a, b in token_spans(self.text)]
        return self._spans[self.origin[k]]


def fold_tokens(text: str) -> tuple[list[str], _Spans]:
    """Folded tokens of ``text`` and, for each, its character span in ``text`` (computed lazily)."""
    raw = tokens(text)
    if "percent" not in raw and "cent" not in raw:                     # the usual case: one for one
        return list(map(_fold, raw)), _Spans(text, range(len(raw)))
    toks: list[str] = []
    origin: list[int] = []
    for i, tok in enumerate(raw):
        if tok == "percent":
            continue
        if tok == "cent" and toks and toks[-1] == "per":
            toks.pop()
            origin.pop()
            continue
        toks.append(_fold(tok))
        origin.append(i)
    return toks, _Spans(text, origin)


@dataclass
class Change:
    """One step of the word-by-word comparison, in the official wording's order."""
    op: str                # same | omitted (in the record, not in the quote) | added | changed
    official: str          # the record's words ("" for added)
    quoted: str            # the quote's words ("" for omitted)

    def as_dict(self) -> dict:
        return {"op": self.op, "official": self.official, "quoted": self.quoted}


@dataclass
class Comparison:
    wording: str                    # verbatim | abridged | altered
    matched: int                    # quote words found in the speech, in order
    quote_words: int
    omitted: int                    # the record's words left out between the quote's
    _texts: Callable[[], tuple[int, int, list[Change]]] = field(repr=False, compare=False)
    _built: tuple | None = field(default=None, repr=False, compare=False)

    def _get(self) -> tuple[int, int, list[Change]]:
        if self._built is None:         # character offsets are worked out only for what is shown
            self._built = self._texts()
        return self._built

    @property
    def start(self) -> int:
        """Where the official wording starts in the speech's text."""
        return self._get()[0]

    @property
    def end(self) -> int:
        return self._get()[1]

    @property
    def changes(self) -> list[Change]:
        """The comparison word by word, in the record's order."""
        return self._get()[2]

    @property
    def share(self) -> float:
        return self.matched / self.quote_words if self.quote_words else 0.0


def speech_matcher(s: list[str]) -> SequenceMatcher:
    """A matcher over a speech's folded tokens, reusable for every quote compared with it."""
    sm = SequenceMatcher(None, autojunk=False)
    sm.set_seq2(s)
    return sm


def _region(q: list[str], s: list[str], sm: SequenceMatcher | None = None) -> tuple[int, int] | None:
    """The part of the speech the quote's shared runs point to (extended by the quote's unmatched ends)."""
    sm = sm or speech_matcher(s)
    sm.set_seq1(q)
    blocks = [b for b in sm.get_matching_blocks() if b.size >= 2]
    if not blocks:
        return None
    seed = max(range(len(blocks)), key=lambda k: blocks[k].size)
    lo = hi = seed
    while lo > 0 and blocks[lo].b - (blocks[lo - 1].b + blocks[lo - 1].size) <= CLUSTER_GAP:
        lo -= 1
    while hi + 1 < len(blocks) and blocks[hi + 1].b - (blocks[hi].b + blocks[hi].size) <= CLUSTER_GAP:
        hi += 1
    first, last = blocks[lo], blocks[hi]
    start = max(0, first.b - first.a - EDGE_REACH)
    end = min(len(s), last.b + last.size + (len(q) - last.a - last.size) + EDGE_REACH)
    return start, end


def _run_at(q: list[str], s: list[str]) -> int | None:
    """Where the quote's words stand in the speech's, word for word, or None."""
    n, first = len(q), q[0]
    i = -1
    try:
        while True:
            i = s.index(first, i + 1, len(s) - n + 1)
            if s[i:i + n] == q:
                return i
    except ValueError:
        return None


def _verbatim(quote: str, speech: str, qspans, sspans, at: int, n: int) -> Comparison:
    """The comparison of a quote found word for word at token ``at`` of the speech (what the
    alignment would give, without it: most sentences checked are verbatim)."""
    def texts() -> tuple[int, int, list[Change]]:
        start, end = sspans[at][0], sspans[at + n - 1][1]
        return start, end, [Change("same", speech[start:end], quote[qspans[0][0]:qspans[n - 1][1]])]
    return Comparison("verbatim", n, n, 0, texts)


def compare(quote: str, speech: str, *, quote_folded=None, speech_folded=None,
            matcher: SequenceMatcher | None = None) -> Comparison | None:
    """The quote against one speech's text (see the module docstring); None if it is not from it."""
    q, qspans = quote_folded or fold_tokens(quote)
    s, sspans = speech_folded or fold_tokens(speech)
    if not q or not s:
        return None
    at = _run_at(q, s)
    if at is not None:                         # word for word: no alignment needed
        return _verbatim(quote, speech, qspans, sspans, at, len(q))
    region = _region(q, s, matcher)
    if region is None:
        return None
    r0, r1 = region
    ops = SequenceMatcher(None, q, s[r0:r1], autojunk=False).get_opcodes()
    # the record's words before the quote starts and after it ends are context, not omissions
    while ops and ops[0][0] == "insert":
        ops = ops[1:]
    while ops and ops[-1][0] == "insert":
        ops = ops[:-1]
    if not ops:
        return None
    # a quote's own words at its start or end ("He said …") are additions, not changes of the context
    if ops[0][0] == "replace":
        _, i1, i2, j1, j2 = ops[0]
        ops[0] = ("delete", i1, i2, j2, j2)
    if ops[-1][0] == "replace":
        _, i1, i2, j1, j2 = ops[-1]
        ops[-1] = ("delete", i1, i2, j1, j1)

    def qtext(i, j):
        return quote[qspans[i][0]:qspans[j - 1][1]] if j > i else ""

    def stext(i, j):
        i, j = i + r0, j + r0
        return speech[sspans[i][0]:sspans[j - 1][1]] if j > i else ""

    matched = longest = 0
    pieces: list[int] = []
    added = changed = omitted = 0
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            matched += i2 - i1
            longest = max(longest, i2 - i1)
            pieces.append(i2 - i1)
        elif tag == "insert":                      # difflib: in b (the speech) only
            omitted += j2 - j1
        elif tag == "delete":                      # in a (the quote) only
            added += i2 - i1
        else:
            changed += i2 - i1

    def texts() -> tuple[int, int, list[Change]]:
        names = {"equal": "same", "insert": "omitted", "delete": "added", "replace": "changed"}
        changes = [Change(names[tag], stext(j1, j2) if tag != "delete" else "",
                          qtext(i1, i2) if tag != "insert" else "") for tag, i1, i2, j1, j2 in ops]
        kept = [op for op in ops if op[0] != "delete"]
        first_j = kept[0][3] if kept else 0
        last_j = max((op[4] for op in kept), default=first_j)
        if last_j <= first_j:
            return 0, 0, changes
        return sspans[r0 + first_j][0], sspans[r0 + last_j - 1][1], changes

    n = len(q)
    if not added and not changed:
        if not omitted:
            wording = "verbatim"
        elif min(pieces) >= MIN_PIECE or (n >= 8 and sum(p for p in pieces if p < MIN_PIECE) <= 1):
            wording = "abridged"
        else:
            return None
    elif matched >= ALTERED_MIN * n and longest >= min(MIN_RUN, n):
        wording = "altered"
    else:
        return None
    return Comparison(wording, matched, n, omitted, texts)
