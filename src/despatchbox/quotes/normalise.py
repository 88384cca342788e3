"""Text → normalised tokens, the same at index time and at query time.

What is unified (so that a copy from a web page compares equal to the record):

* Unicode compatibility forms and accents (NFKD, combining marks dropped):
  ``café`` → ``cafe``, ``ﬁ`` → ``fi``, ``½`` → ``1/2`` → ``1 2``;
* case (``str.casefold``);
* quotes: curly/straight single quotes and apostrophes are *deleted*
  (``don’t`` = ``don't`` = ``dont``); double quotes are separators;
* dashes of every kind (``- – — ‒ ― −`` and ``--``) and all whitespace are
  separators, so ``yes-of course`` = ``yes—of course`` = ``yes - of course``;
* digit group separators: ``4,818`` = ``4818`` and ``2.5`` = ``25``;
* every other punctuation mark is a separator.

A token is a maximal run of letters/digits (no underscore). :func:`tokens`
is the fast path (``str.translate`` + ``split``);
:func:`token_spans` gives the same tokens with their character offsets in the
original text (used only to report where a match sits in a speech).
:func:`normalise` is the tokens joined by single spaces and is idempotent.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "tokens", "token_spans"]

_SINGLE_QUOTES = "'`´ʹʻʼʽˈˊ‘’‚‛′‵＇"
_DOUBLE_QUOTES = "\"«»“”„‟″‶〝〞＂"
_DASHES = "-‐‑‒–—―−⁃﹘﹣－"


def _one_step(ch: str) -> str:
    """One round of the per-character mapping (may need repeating)."""
    if ch in _SINGLE_QUOTES:
        return ""                                  # apostrophes vanish: don’t = dont
    if ch in _DOUBLE_QUOTES or ch in _DASHES or ch.isspace():
        return " "
    if ch in ".,":
        return ch                                  # kept for digit groups, see tokens()
    out = []
    for d in unicodedata.normalize("NFKD", ch).casefold():
        for e in unicodedata.normalize("NFKD", d):
            if unicodedata.category(e).startswith("M"):   # combining marks
                continue
            out.append(e)
    return "".join(out)


class _CharMap(dict):
    """ord → replacement string, computed lazily to a fixed point.

    Replacements hold only letters/digits that map to themselves, ``.``/``,``
    and spaces — which is what makes :func:`normalise` idempotent and lets
    :func:`tokens` split on whitespace.
    """

    def __missing__(self, code: int) -> str:
        value = self._resolve(chr(code), 0)
        self[code] = value
        return value

    def _resolve(self, ch: str, depth: int) -> str:
        step = _one_step(ch)
        if step == ch or depth > 8:
            if len(step) == 1 and (step.isalnum() or step in ".,"):
                return step
            return "".join(c if c.isalnum() else " " for c in step)
        return "".join(self._resolve(c, depth + 1) for c in step)


_MAP = _CharMap()
for _c in range(256):          # warm the common part
    _MAP[_c]

_HAS_DIGIT_SEP = re.compile(r"\d[.,]\d")
_DIGIT_SEP = re.compile(r"(\d)[.,](?=\d)")
_SEP_TO_SPACE = str.maketrans(".,", "  ")
# token_spans' equivalent of "drop digit separators, then split"
_TOKEN_RE = re.compile(r"\w+(?:(?<=\d)[.,](?=\d)\w+)*")
_SEPS = str.maketrans("", "", ".,")


def _ascii_table() -> tuple[bytes, bytes] | None:
    """:data:`_MAP` on ASCII as a ``bytes.translate`` table and the bytes it deletes (None should an
    ASCII character ever map to more than one character)."""
    table, delete = bytearray(range(256)), bytearray()
    for code in range(128):
        out = _MAP[code]
        if len(out) > 1 or (out and not out.isascii()):
            return None
        if out:
            table[code] = ord(out)
        else:
            delete.append(code)
    return bytes(table), bytes(delete)


_ASCII = _ascii_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _non_ascii(m: re.Match) -> str:
    return _MAP[ord(m.group())]


def _mapped(text: str) -> str:
    """``text.translate(_MAP)``, faster: ``str.translate`` looks every character up in a dict, while
    ``bytes.translate`` indexes a table. The few characters beyond ASCII are mapped first (their
    replacements are letters, digits, ``.``, ``,`` and spaces, which the ASCII table leaves as they are)."""
    if _ASCII is not None:
        text = _ascii_mapped(text)
        if text.isascii():
            return text.encode("ascii").translate(*_ASCII).decode("ascii")
    return text.translate(_MAP)


def _ascii_mapped(text: str) -> str:
    """``text`` with its few characters beyond ASCII mapped first (their replacements are letters,
    digits, ``.``, ``,`` and spaces, which the ASCII table leaves as they are), when that leaves it all
    ASCII; else ``text`` as it is (a letter beyond ASCII that stays itself: ø, ß …)."""
    if text.isascii():
        return text
    swapped = _NON_ASCII.sub(_non_ascii, text)
    return swapped if swapped.isascii() else text


_HAS_DIGIT_SEP_ASCII = re.compile(rb"\d[.,]\d")
_SEP_TO_SPACE_ASCII = bytes.maketrans(b".,", b"  ")


_DIGIT_SEP_ASCII = re.compile(rb"(\d)[.,](?=\d)")


def tokens(text: str) -> list[str]:
    """Normalised tokens of ``text``."""
    if _ASCII is not None:
        text = _ascii_mapped(text)
        if text.isascii():
            # in bytes: mapped by the ASCII table, digit groups joined (if any), ``.`` and ``,`` made
            # separators by a second table, then split (no ``str.translate``, which looks every
            # character up in a dict)
            data = text.encode("ascii").translate(*_ASCII)
            if _HAS_DIGIT_SEP_ASCII.search(data):
                data = _DIGIT_SEP_ASCII.sub(rb"\1", data)
            return data.translate(_SEP_TO_SPACE_ASCII).decode("ascii").split()
        mapped = text.translate(_MAP)
    else:
        mapped = _mapped(text)
    if _HAS_DIGIT_SEP.search(mapped):
        mapped = _DIGIT_SEP.sub(r"\1", mapped)
    return mapped.translate(_SEP_TO_SPACE).split()


def normalise(text: str) -> str:
    """Normalised text: the tokens joined by single spaces (idempotent)."""
    return " ".join(tokens(text))


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` with offsets into the original ``text``.

    Yields exactly the tokens of :func:`tokens` (same character mapping, same
    digit-group rule); slower, so only used on the few texts whose spans we
    report.
    """
    mapped = text.translate(_MAP)
    if len(mapped) == len(text) and all(len(_MAP[ord(c)]) == 1 for c in set(text)):
        origin: list[int] | range = range(len(text))      # one char for one char
    else:
        odd = {c for c in set(text) if len(_MAP[ord(c)]) != 1}
        origin = []                                       # mapped index → original index
        at = 0
        for i in [k for k, c in enumerate(text) if c in odd]:
            origin.extend(range(at, i))
            origin.extend([i] * len(_MAP[ord(text[i])]))
            at = i + 1
        origin.extend(range(at, len(text)))
    out = []
    for m in _TOKEN_RE.finditer(mapped):
        start = origin[m.start()]
        end = origin[m.end() - 1] + 1
        tok = m.group()
        if "." in tok or "," in tok:
            tok = tok.translate(_SEPS)
        out.append((tok, start, end))
    return out
