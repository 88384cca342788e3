"""Snippets: a window of a speech's text around the matched words, escaped, with ``<mark>`` around them.

Matched words come as character ranges of the text: stemmed words from the engine (tantivy's
stemmed terms), exact phrases and prefixes from :func:`exact_ranges`. The ranges are merged, the densest window
is chosen, and the text is escaped here, once.

Speeches run to thousands of words; everything here looks at the words near the matches only.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from html import escape

from markupsafe import Markup

START, STOP = "\x02", "\x03"
#: words shown in a snippet
SNIPPET_WORDS = 36
#: characters looked at around the densest matches (well over SNIPPET_WORDS words)
REGION_CHARS = 1200
ELLIPSIS = "…"
_WORD = re.compile(r"\S+")
_TOKEN = re.compile(r"[^\W_]+")
_NOT_IN_WORD = r"(?<![^\W_])"      # not preceded by a letter or digit
_WORD_ENDS = r"(?![^\W_])"         # not followed by one


def fold(token: str) -> str:
    """Lower case, accents removed: how the unstemmed index compares words."""
    token = token.lower()
    if token.isascii():
        return token
    token = unicodedata.normalize("NFKD", token)
    return "".join(c for c in token if not unicodedata.combining(c))


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every word — a run of letters and digits — folded."""
    return [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=4096)
def _base_char(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    return base if len(base) == 1 else c


@lru_cache(maxsize=64)
def fold_in_place(text: str) -> str:
    """The text with accented letters replaced by their base letters, keeping every position
    (remembered for the last few texts: a snippet's text is folded for each kind of match)."""
    if text.isascii():
        return text
    table = {ord(c): base for c in set(text) if not c.isascii() and (base := _base_char(c)) != c}
    return text.translate(table) if table else text


_ASCII = frozenset(map(chr, range(128)))


@lru_cache(maxsize=4096)
def _one_ascii_letter(c: str) -> bool:
    """Whether a character is no letter or digit, or folds in place to one ASCII letter or digit."""
    return not (c.isalnum() or c == "_") or _base_char(c).isascii()


@lru_cache(maxsize=64)
def folds_to_ascii(text: str) -> bool:
    """Whether every word of the text, folded in place, is ASCII letters and digits: true but for a
    letter such as æ, ß or ø, which has no one-letter base (tantivy folds it to two letters, or another)."""
    return text.isascii() or all(map(_one_ascii_letter, set(text).difference(_ASCII)))


@lru_cache(maxsize=64)
def lowered(text: str) -> str | None:
    """The text folded in place and in lower case, when matching in it is matching in the folded
    text ignoring case (its words are ASCII: ``folds_to_ascii``); else None."""
    if not folds_to_ascii(text):
        return None
    low = fold_in_place(text).lower()
    return low if len(low) == len(text) else None


def _at_word_starts(pattern: re.Pattern, low: str) -> list[tuple[int, int]]:
    """The spans of ``pattern``'s matches that begin a word (not after a letter or digit), found as
    ``_NOT_IN_WORD + pattern`` finds them — but with the pattern's letters first, which the
    regular expression engine looks for quickly (a look-behind first is tried at every character)."""
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := pattern.search(low, pos)) is not None:
        start, end = m.span()
        if start and low[start - 1].isalnum():     # inside a word: look again one character on
            pos = start + 1
            continue
        out.append((start, end))
        pos = end if end > start else start + 1
    return out


def _phrase_body(words: tuple[str, ...], prefix: bool) -> str:
    return r"[\W_]+".join(re.escape(w) for w in words) + (r"[^\W_]*" if prefix else _WORD_ENDS)


@lru_cache(maxsize=256)
def _phrase_pattern(words: tuple[str, ...], prefix: bool) -> re.Pattern:
    return re.compile(_NOT_IN_WORD + _phrase_body(words, prefix), re.IGNORECASE)


@lru_cache(maxsize=256)
def _lower_phrase_pattern(words: tuple[str, ...], prefix: bool) -> re.Pattern | None:
    """The phrase's pattern for a lowered text (None for words that are not ASCII: they are
    matched as typed, ignoring case, by ``_phrase_pattern``)."""
    if not all(w.isascii() for w in words):
        return None
    return re.compile(_phrase_body(tuple(w.lower() for w in words), prefix))


def exact_ranges(text: str, phrases: list[tuple[str, ...]], prefixes: list[str]) -> list[tuple[int, int]]:
    """Where exact phrases (consecutive words, any case) and prefixes occur in the text — as the
    unstemmed index reads it: words are runs of letters and digits, accents ignored."""
    wanted = [(tuple(p), False) for p in phrases if p] + [((p,), True) for p in prefixes]
    if not wanted:
        return []
    low = lowered(text)
    out: list[tuple[int, int]] = []
    for words, prefix in wanted:
        fast = _lower_phrase_pattern(words, prefix) if low is not None else None
        if fast is not None and low is not None:
            out.extend(_at_word_starts(fast, low))
        else:
            out.extend(m.span() for m in _phrase_pattern(words, prefix).finditer(fold_in_place(text)))
    return out


class Starting:
    """Words beginning with one of some beginnings (lower case), whole: their spans and folded, lower-case words."""

    def __init__(self, heads: frozenset[str]):
        body = "(?:" + "|".join(re.escape(h) for h in sorted(heads)) + r")[^\W_]*"
        self.pattern = re.compile(_NOT_IN_WORD + body, re.IGNORECASE)
        self.lower = re.compile(body) if all(h.isascii() and h == h.lower() for h in heads) else None

    def words(self, text: str) -> list[tuple[int, int, str]]:
        low = lowered(text) if self.lower is not None else None
        if self.lower is not None and low is not None:
            return [(start, end, low[start:end]) for start, end in _at_word_starts(self.lower, low)]
        return [(m.start(), m.end(), m.group().lower()) for m in self.pattern.finditer(fold_in_place(text))]


@lru_cache(maxsize=64)
def starting(heads: frozenset[str]) -> Starting:
    """Words beginning with one of ``heads`` (lower case)."""
    return Starting(heads)


def marked_ranges(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with START/STOP markers → (plain text, [(start, end) of each marked run])."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    pos, opened = 0, None
    for piece in re.split(f"([{START}{STOP}])", marked):
        if piece == START:
            opened = pos
        elif piece == STOP:
            if opened is not None and pos > opened:
                ranges.append((opened, pos))
            opened = None
        else:
            plain.append(piece)
            pos += len(piece)
    return "".join(plain), ranges


def ranges_from_marked(marked: str, text: str) -> list[tuple[int, int]]:
    """The marked ranges of a highlighted version of ``text`` (none if it is not the same text)."""
    plain, found = marked_ranges(marked)
    return found if plain == text else []


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _region(text: str, ranges: list[tuple[int, int]]) -> tuple[int, int]:
    """The stretch of text (about REGION_CHARS) around the densest run of matches."""
    if len(text) <= REGION_CHARS:
        return 0, len(text)
    if not ranges:
        return 0, REGION_CHARS
    starts = [r[0] for r in ranges]
    reach = REGION_CHARS // 3
    best, best_count = 0, 0
    for i, start in enumerate(starts):
        count = bisect_left(starts, start + reach) - i
        if count > best_count:
            best, best_count = i, count
    lo = max(0, starts[best] - reach)
    return lo, min(len(text), lo + REGION_CHARS)


class _Words:
    """The words of a region of a text — runs of non-space, as ``_WORD`` finds them from ``lo`` to
    ``hi`` (a run cut by either end counts from or to it) — less the first when the region begins
    inside the text and the last when it ends before it (either may be cut). Counted and placed
    with ``str.split`` (whose spaces are ``\\s``'s) rather than listed one match at a time: a
    snippet needs their number, the word holding each match and where some 40 of them are
    (listing a 1,200-character region's words was two thirds of a snippet's time)."""

    def __init__(self, text: str, lo: int, hi: int):
        self.text, self.lo, self.hi = text, lo, hi
        self.seg = text[lo:hi]
        self.tokens = self.seg.split()
        runs = len(self.tokens)
        self.skip = 1 if lo and runs else 0                     # the first run may be cut
        n = runs - self.skip
        self.n = n - (1 if hi < len(text) and n else 0)         # so may the last

    def start(self, k: int) -> int:
        """Where word ``k`` begins (from whichever end of the region is nearer)."""
        run = k + self.skip
        runs = len(self.tokens)
        if run <= runs - 1 - run:
            return self.hi - len(self.seg.split(None, run)[-1])
        end = self.lo + len(self.seg.rsplit(None, runs - 1 - run)[0]) if run < runs - 1 \
            else self.lo + len(self.seg.rstrip())
        return end - len(self.tokens[run])

    def end(self, k: int) -> int:
        """Where word ``k`` ends (within the region)."""
        return self.start(k) + len(self.tokens[k + self.skip])

    def before(self, positions: list[int]) -> list[int]:
        """For ascending positions within the region's end, how many of the words begin at or before each."""
        out: list[int] = []
        text, lo = self.text, self.lo
        prev, runs = -1, 0
        for p in positions:
            if p < lo:
                out.append(0)
                continue
            if prev < 0:
                runs = len(text[lo:p + 1].split())
            else:
                piece = text[prev + 1:p + 1]
                runs += len(piece.split())
                if piece and not text[prev].isspace() and not piece[0].isspace():
                    runs -= 1                               # the run holding prev, counted already
            prev = p
            out.append(min(self.n, max(0, runs - self.skip)))
        return out


def _best_window(words: _Words, ranges: list[tuple[int, int]], width: int) -> int:
    """Index of the first word of a ``width``-word window holding the most marked words, with the
    marked words of that window centred."""
    if not ranges or words.n <= width:
        return 0
    marked = sorted({max(0, b - 1) for b in words.before([start for start, _end in ranges])})
    best_i, best_count = 0, 0
    for i, first in enumerate(marked):                 # windows that begin at a marked word
        count = bisect_left(marked, first + width) - i
        if count > best_count:
            best_i, best_count = i, count
    inside = marked[best_i:best_i + best_count]
    spare = width - (inside[-1] - inside[0] + 1)
    return max(0, min(inside[0] - spare // 2, words.n - width))


def snippet(text: str, ranges: list[tuple[int, int]], width: int = SNIPPET_WORDS) -> Markup:
    """Escaped text of about ``width`` words around the marked ranges, each wrapped in <mark>."""
    ranges = merge(ranges)
    region_lo, region_hi = _region(text, ranges)
    words = _Words(text, region_lo, region_hi)
    if not words.n:
        return Markup("")
    first_start, last_end = words.start(0), words.end(words.n - 1)
    inside = [r for r in ranges if r[1] > first_start and r[0] < last_end]
    first = _best_window(words, inside, width)
    last = min(words.n, first + width) - 1
    lo, hi = words.start(first), words.end(last)
    lead = ELLIPSIS + " " if lo > _leading_space(text) else ""
    tail = " " + ELLIPSIS if text[hi:].strip() else ""
    window = text[lo:hi]
    if START in window or STOP in window:              # (XML text cannot hold them: never, but exact)
        return Markup(lead + _marked_pieces(text, inside, lo, hi) + tail)
    # the marks as START/STOP, the window escaped once, then the markers made tags
    pieces, rest = _cut(text, inside, lo, hi)
    body = "".join(plain + START + marked + STOP for plain, marked in pieces) + rest
    return Markup(lead + _plain(body).replace(START, "<mark>").replace(STOP, "</mark>") + tail)


def _cut(text: str, inside: list[tuple[int, int]], lo: int, hi: int) -> tuple[list[tuple[str, str]], str]:
    """``text[lo:hi]`` cut at the ranges ``inside``: (text before a range, the range's text) pairs, and
    the text after the last one."""
    pieces: list[tuple[str, str]] = []
    pos = lo
    for start, end in inside:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        pieces.append((text[pos:start], text[start:end]))
        pos = end
    return pieces, text[pos:hi]


def _marked_pieces(text: str, inside: list[tuple[int, int]], lo: int, hi: int) -> str:
    pieces, rest = _cut(text, inside, lo, hi)
    return "".join(_plain(plain) + "<mark>" + _plain(marked) + "</mark>" for plain, marked in pieces) + _plain(rest)


def _leading_space(text: str) -> int:
    return len(text) - len(text.lstrip())


def _plain(piece: str) -> str:
    return escape(piece.replace("\n", " "), quote=True)
