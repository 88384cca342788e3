"""The "who said this?" index, built at ingest: each speech's fingerprints, worked out before its
file's transaction opens and written in it.

Wired explicitly where it is used:

* :data:`write_fingerprints` is listed in ``pipeline.run.FILE_WRITERS`` — its ``prepare`` is called
  with a file's rows before its transaction opens (the hashing and sorting hold no lock and need no
  database: it may run in the preparing process, :mod:`.prepare`), its ``write`` after the file's
  records are inserted, inside the same transaction, so the index always matches the speeches held
  (a file is in whole, index included, or not at all);
* the index's tables are listed in ``store.queries.files.FILE_OWNED_TABLES`` — deleted by
  ``file_id`` with the rest of a file's records when a newer version of the day replaces it, so
  superseded versions leave no fingerprints behind.

Every speech with text is indexed (speeches, questions, answers, statements), with the
fingerprints of :func:`despatchbox.quotes.fingerprints` (the scheme the matcher queries with),
computed by :func:`speech_fingerprints`: the same values, about a third faster (ingest does
this for every speech; the tests check it equals the reference on the whole sample).
"""
from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass
from hashlib import blake2b
from itertools import repeat
from struct import unpack
from typing import Any, Callable

from sqlalchemy import Connection

from ..quotes.fingerprint import BITS, K, SCHEME, W, fingerprints, narrow, winnow
from ..quotes.normalise import tokens
from ..store.queries.quotes import FingerprintRows, write_fingerprint_rows
from .transcripts import FileRows

__all__ = ["FileWriter", "write_fingerprints", "fingerprint_file", "file_fingerprint_rows", "speech_fingerprints"]

#: the scheme :func:`speech_fingerprints` reproduces; any other falls back to the reference
_FAST_SCHEME = "blake2b64-k4-w9-top32"
_BLAKE2B_64 = blake2b(digest_size=8)
_encode, _join = str.encode, " ".join
#: the hasher's methods, called by ``map`` over a speech's shingles (no Python step per shingle)
_copy, _update, _digest = type(_BLAKE2B_64).copy, type(_BLAKE2B_64).update, type(_BLAKE2B_64).digest
assert K == 4, "speech_fingerprints zips four tokens a shingle"


def speech_fingerprints(text: str) -> set[int]:
    """:func:`despatchbox.quotes.fingerprints` of ``text``, computed faster: each shingle's UTF-8
    bytes made by C-level maps (``" ".join`` over zipped tokens, then ``str.encode``), hashed with
    a copy of a primed hasher (:func:`_shingle_digests`), and the digests read as signed big-endian
    int64s in one ``struct.unpack`` (no per-shingle ``int.from_bytes``)."""
    if SCHEME != _FAST_SCHEME:
        return fingerprints(text)
    toks = tokens(text)
    n = len(toks)
    if n <= K:
        return fingerprints(text)
    return narrow(winnow(unpack(f">{n - K + 1}q", _shingle_digests(toks))))


def _shingle_digests(toks: list[str]) -> bytes:
    """The 8-byte blake2b digests of every shingle of ``toks`` (more than ``K`` of them), one after the
    other: each shingle's UTF-8 bytes made by C-level maps (``" ".join`` over zipped tokens, then
    ``str.encode``), hashed by a copy of a primed hasher each — copied, updated and read by ``map`` over
    the hasher's methods, with no Python step per shingle (~17 % less CPU than a loop doing the same
    three calls; the same bytes)."""
    hashers = list(map(_copy, repeat(_BLAKE2B_64, len(toks) - K + 1)))
    deque(map(_update, hashers, map(_encode, map(_join, zip(toks, toks[1:], toks[2:], toks[3:])))), maxlen=0)
    return b"".join(map(_digest, hashers))


@dataclass(frozen=True)
class FileWriter:
    """What a transcript file's ingest writes beyond its records: ``prepare`` works it out from the
    file's rows with no database (before the transaction opens, perhaps in another process: what it
    returns is pickled), ``write`` writes it inside the file's transaction, given the file's id."""
    prepare: Callable[[FileRows], Any]
    write: Callable[[Connection, int, Any], object]


def fingerprint_file(rows: FileRows) -> FingerprintRows:
    """The index rows of one file version's speeches (no database needed): the rows of
    ``FingerprintRows((id, speech_fingerprints(text)) …)``, worked out for the whole file at once
    (:func:`file_fingerprint_rows`)."""
    speeches = [(r["id"], r["text"]) for r in rows.speech_rows if r.get("text")]
    if SCHEME != _FAST_SCHEME:
        return FingerprintRows((sid, fingerprints(text)) for sid, text in speeches)
    return file_fingerprint_rows(speeches)


#: a posting's key while a file's are sorted: the fingerprint shifted left by this, or'ed with the
#: speech's position in the file (positions below 2**24; fingerprints are 32-bit, so keys fit 56 bits)
_POSITION_BITS = 24


def file_fingerprint_rows(speeches: list[tuple[str, str]]) -> FingerprintRows:
    """:class:`FingerprintRows` of ``(speech id, text)`` pairs, the same rows as
    ``FingerprintRows((sid, speech_fingerprints(text)) for sid, text in speeches)``, with fewer
    Python steps per token: each speech's shingles are hashed as in :func:`speech_fingerprints`
    (blake2b is called once per shingle: there is no way around that for this scheme), then the
    whole file's digests are read, narrowed, winnowed and sorted as numpy arrays:

    * narrowing first: the top 32 bits of a hash never decrease as the hash grows, so the top bits
      of a window's minimum are the minimum of the window's top bits (``narrow(winnow(h))`` =
      ``winnow(narrow(h))``, as sets of values: ties choose a position, not a value);
    * every window of :data:`W` shingles over the file's run of hashes, by four element-wise
      minima; a speech keeps the windows wholly inside it (one window, its minimum, when it has no
      more than ``W`` shingles);
    * (fingerprint, position) pairs as one int64 key each, made distinct and sorted by ``np.unique``.

    Speeches of no more than ``K`` tokens get :func:`fingerprints` of their text (one or none)."""
    import numpy as np

    if len(speeches) >= 1 << _POSITION_BITS:
        return FingerprintRows((sid, speech_fingerprints(text)) for sid, text in speeches)
    digests: list[bytes] = []
    add = digests.append
    shingles: list[int] = []             # per speech: its count of shingles (0: its fingerprints are in `few`)
    few: list[tuple[int, set[int]]] = []
    for at, (_sid, text) in enumerate(speeches):
        toks = tokens(text)
        if len(toks) <= K:
            shingles.append(0)
            few.append((at, fingerprints(text)))
            continue
        shingles.append(len(toks) - K + 1)
        add(_shingle_digests(toks))
    parts = [(np.array(sorted(fps), dtype=np.int64) << _POSITION_BITS) | at for at, fps in few if fps]
    if digests:
        top = np.frombuffer(b"".join(digests), dtype=">i8").astype(np.int64) >> (64 - BITS)
        m = np.array(shingles, dtype=np.int64)
        starts = np.cumsum(m) - m                    # each speech's first shingle in `top`
        owner = np.repeat(np.arange(len(m), dtype=np.int64), m)
        small = (m > 0) & (m <= W)
        if small.any():                              # one window: the minimum of all its shingles
            has = m > 0
            minima = np.minimum.reduceat(top, starts[has])[small[has]]
            parts.append((minima << _POSITION_BITS) | np.flatnonzero(small))
        large = m > W
        if large.any():
            # the minimum of every window of W = 9 consecutive hashes: windows of 2, 4, 8, then 9
            m2 = np.minimum(top[:-1], top[1:])
            m4 = np.minimum(m2[:-2], m2[2:])
            m8 = np.minimum(m4[:-4], m4[4:])
            windows = np.minimum(m8[:-1], top[W - 1:])
            # a window starting at j is a speech's when j is one of that speech's first m - W + 1 shingles
            inside = np.zeros(len(top) + 1, dtype=np.int64)
            np.add.at(inside, starts[large], 1)
            np.add.at(inside, starts[large] + m[large] - W + 1, -1)
            keep = np.cumsum(inside[:len(windows)]) > 0
            parts.append((windows[keep] << _POSITION_BITS) | owner[:len(windows)][keep])
    keys = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    positions = keys & ((1 << _POSITION_BITS) - 1)
    return FingerprintRows.of([sid for sid, _text in speeches],
                              np.bincount(positions, minlength=len(speeches)).tolist(),
                              array("q", (keys >> _POSITION_BITS).tobytes()), array("q", positions.tobytes()))


#: fingerprint the speeches of one file version, then add them to the index in its transaction
write_fingerprints = FileWriter(prepare=fingerprint_file, write=write_fingerprint_rows)
