"""Snippets: a window of a speech's text around the matched words, escaped, with ``<mark>`` around them.

Both backends hand back the whole text with the matched words between two control characters
(``START``/``STOP``: they cannot occur in XML text), once per index (stemmed and exact). The
marked ranges are merged, the densest window is chosen, and the text is escaped here, once.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from html import escape

from markupsafe import Markup

START, STOP = "\x02", "\x03"
#: words shown in a snippet
SNIPPET_WORDS = 36
ELLIPSIS = "…"
_WORD = re.compile(r"\S+")
_TOKEN = re.compile(r"[^\W_]+")


def _fold(token: str) -> str:
    token = token.lower()
    if token.isascii():
        return token
    token = unicodedata.normalize("NFKD", token)
    return "".join(c for c in token if not unicodedata.combining(c))


def exact_ranges(text: str, phrases: list[tuple[str, ...]], prefixes: list[str]) -> list[tuple[int, int]]:
    """Where exact phrases (consecutive words, any case) and prefixes occur in the text — as the
    unstemmed index reads it: words are runs of letters and digits, accents ignored."""
    if not phrases and not prefixes:
        return []
    tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text)]
    words = [t[2] for t in tokens]
    out: list[tuple[int, int]] = []
    for phrase in phrases:
        n = len(phrase)
        if not n:
            continue
        want = list(phrase)
        for i in range(len(words) - n + 1):
            if words[i] == want[0] and words[i:i + n] == want:
                out.append((tokens[i][0], tokens[i + n - 1][1]))
    for prefix in prefixes:
        out.extend((start, end) for start, end, word in tokens if word.startswith(prefix))
    return out


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


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _best_window(words: list[tuple[int, int]], ranges: list[tuple[int, int]], width: int) -> int:
    """Index of the first word of a ``width``-word window holding the most marked words, with the
    marked words of that window centred."""
    if not ranges or len(words) <= width:
        return 0
    starts = [w[0] for w in words]
    marked = sorted({max(0, bisect_right(starts, start) - 1) for start, _end in ranges})
    best_i, best_count = 0, 0
    for i, first in enumerate(marked):                 # windows that begin at a marked word
        count = bisect_left(marked, first + width) - i
        if count > best_count:
            best_i, best_count = i, count
    inside = marked[best_i:best_i + best_count]
    spare = width - (inside[-1] - inside[0] + 1)
    return max(0, min(inside[0] - spare // 2, len(words) - width))


def snippet(text: str, ranges: list[tuple[int, int]], width: int = SNIPPET_WORDS) -> Markup:
    """Escaped text of about ``width`` words around the marked ranges, each wrapped in <mark>."""
    ranges = merge(ranges)
    words = [m.span() for m in _WORD.finditer(text)]
    if not words:
        return Markup("")
    first = _best_window(words, ranges, width)
    last = min(len(words), first + width) - 1
    lo, hi = words[first][0], words[last][1]
    out: list[str] = [ELLIPSIS + " " if first > 0 else ""]
    pos = lo
    for start, end in ranges:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        out.append(_plain(text[pos:start]))
        out.append("<mark>" + _plain(text[start:end]) + "</mark>")
        pos = end
    out.append(_plain(text[pos:hi]))
    if last < len(words) - 1:
        out.append(" " + ELLIPSIS)
    return Markup("".join(out))


def _plain(piece: str) -> str:
    return escape(" ".join(piece.split("\n")), quote=True)


def snippet_from_marked(marked_versions: list[str], text: str, extra: list[tuple[int, int]] = (),
                        width: int = SNIPPET_WORDS) -> Markup:
    """One snippet of ``text`` with the marks of its highlighted versions (those that are the same
    text once the markers are taken out) and the ``extra`` ranges."""
    ranges = list(extra)
    for marked in marked_versions:
        version_plain, found = marked_ranges(marked)
        if version_plain == text:
            ranges.extend(found)
    return snippet(text, ranges, width)
