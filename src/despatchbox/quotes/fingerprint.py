"""Speech text → a compact set of int32 fingerprints (winnowed word shingles).

* Text is normalised with :func:`despatchbox.quotes.normalise.tokens`.
* Every run of ``K`` consecutive tokens (a shingle) is hashed with BLAKE2b
  (8-byte digest, read as a big-endian *signed* int64 so it fits SQL BIGINT).
  The hash is stable across processes and Python versions — never ``hash()``.
* Winnowing (Schleimer, Wilkerson & Aiken 2003) keeps, for every window of
  ``W`` consecutive shingle hashes, the smallest one (rightmost on ties).
  Selection depends only on the window's contents, so any stretch of
  ``W + K - 1 = 12`` identical tokens shared by two texts makes both select at
  least one common fingerprint: every fragment of ≥ 12 words of a speech
  (after normalisation) shares a fingerprint with it, however it was cut.
* A fingerprint is the top :data:`BITS` = 32 bits of a winnowed hash (signed, so it fits SQL
  INTEGER; 4 bytes a row instead of 8, migration 0020b): the selection is the 64-bit one, so
  which shingles are kept does not change; two different shingles share a fingerprint one time
  in 2³², a false candidate the matcher's alignment discards.
* Density is about ``2 / (W + 1) = 0.2`` per token: a 120-word speech gives
  ~24 fingerprints (≈ 24 M rows for 1 M such speeches).
* ``K = 4``: a typo destroys at most 4 shingles, and 4-word shingles are
  specific enough that few are shared by thousands of speeches.

Texts shorter than ``K`` tokens get one fingerprint for the whole token run.
Changing ``K``, ``W``, ``BITS`` or the hash means re-fingerprinting every speech:
:data:`SCHEME` names the parameters so the store can record what it built.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import blake2b

from .normalise import tokens as _tokens

__all__ = ["K", "W", "BITS", "SCHEME", "fingerprints", "fingerprints_of_tokens", "fingerprint_rows", "narrow",
           "shingle_hashes", "winnow"]

K = 4          # words per shingle
W = 9          # shingles per winnowing window  (guarantee: W + K - 1 = 12 words)
BITS = 32      # bits of a winnowed hash kept (its top ones)
SCHEME = f"blake2b64-k{K}-w{W}-top{BITS}"


def _h(s: str) -> int:
    return int.from_bytes(blake2b(s.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def shingle_hashes(toks: Sequence[str], k: int = K) -> list[int]:
    """Stable int64 hash of every ``k``-token shingle, in order."""
    if not toks:
        return []
    if len(toks) < k:
        return [_h(" ".join(toks))]
    return [_h(" ".join(toks[i:i + k])) for i in range(len(toks) - k + 1)]


def winnow(hashes: Sequence[int], w: int = W) -> set[int]:
    """Winnowing: the minimum of every window of ``w`` hashes (rightmost on ties)."""
    n = len(hashes)
    if n == 0:
        return set()
    if n <= w:
        return {min(hashes)}
    out: set[int] = set()
    last = -1
    for start in range(n - w + 1):
        if last >= start:
            # previous minimum still inside: only the new entry can beat it
            new = start + w - 1
            if hashes[new] <= hashes[last]:
                last = new
        else:
            window = hashes[start:start + w]
            m = min(window)
            # rightmost occurrence of the minimum
            last = start + w - 1 - window[::-1].index(m)
        out.add(hashes[last])
    return out


def narrow(selected: Iterable[int]) -> set[int]:
    """Winnowed 64-bit hashes as stored: the top :data:`BITS` bits of each (signed)."""
    shift = 64 - BITS
    return {h >> shift for h in selected}


def fingerprints_of_tokens(toks: Sequence[str]) -> set[int]:
    return narrow(winnow(shingle_hashes(toks)))


def fingerprints(text: str) -> set[int]:
    """The fingerprints of a speech (or of a pasted paragraph)."""
    return fingerprints_of_tokens(_tokens(text))


def fingerprint_rows(speeches: Iterable[tuple[str, str]]) -> Iterable[tuple[int, str]]:
    """``(hash, speech_id)`` rows for a ``fingerprint`` table, for ingest."""
    for speech_id, text in speeches:
        for h in fingerprints(text):
            yield h, speech_id
