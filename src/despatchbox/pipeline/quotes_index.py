"""The "who said this?" index, built at ingest: each speech's fingerprints, worked out before its
file's transaction opens and written in it.

Wired explicitly where it is used:

* :func:`write_fingerprints` is listed in ``pipeline.run.FILE_WRITERS`` — called with a file's
  rows before its transaction opens (the hashing and sorting hold no lock), it returns what
  writes them, called after the file's records are inserted, inside the same transaction, so the
  index always matches the speeches held (a file is in whole, index included, or not at all);
* the index's tables are listed in ``store.queries.files.FILE_OWNED_TABLES`` — deleted by
  ``file_id`` with the rest of a file's records when a newer version of the day replaces it, so
  superseded versions leave no fingerprints behind.

Every speech with text is indexed (speeches, questions, answers, statements), with the
fingerprints of :func:`despatchbox.quotes.fingerprints` (the scheme the matcher queries with),
computed by :func:`speech_fingerprints`: the same values, about a third faster (ingest does
this for every speech; the tests check it equals the reference on the whole sample).
"""
from __future__ import annotations

from hashlib import blake2b
from typing import Callable

from sqlalchemy import Connection

from ..quotes.fingerprint import K, SCHEME, fingerprints, narrow, winnow
from ..quotes.normalise import tokens
from ..store.queries.quotes import FingerprintRows, write_fingerprint_rows
from .transcripts import FileRows

__all__ = ["write_fingerprints", "speech_fingerprints"]

#: the scheme :func:`speech_fingerprints` reproduces; any other falls back to the reference
_FAST_SCHEME = "blake2b64-k4-w9-top32"
_BLAKE2B_64 = blake2b(digest_size=8)


def speech_fingerprints(text: str) -> set[int]:
    """:func:`despatchbox.quotes.fingerprints` of ``text``, computed faster: the normalised text is
    encoded once and each shingle hashed from a byte slice of it with a copy of a primed hasher
    (no per-shingle join, encode or hasher construction)."""
    if SCHEME != _FAST_SCHEME:
        return fingerprints(text)
    toks = tokens(text)
    n = len(toks)
    if n <= K:
        return fingerprints(text)
    data = " ".join(toks).encode("utf-8")
    starts = [0]
    at = 0
    for tok in toks:
        at += (len(tok) if tok.isascii() else len(tok.encode("utf-8"))) + 1
        starts.append(at)
    copy, from_bytes = _BLAKE2B_64.copy, int.from_bytes
    hashes = []
    for i in range(n - K + 1):
        h = copy()
        h.update(data[starts[i]:starts[i + K] - 1])
        hashes.append(from_bytes(h.digest(), "big", signed=True))
    return narrow(winnow(hashes))


def write_fingerprints(rows: FileRows) -> Callable[[Connection, int], None]:
    """Fingerprint the speeches of one file version (no database needed); returns what adds them
    to the index inside the file's transaction, given the file's id."""
    prepared = FingerprintRows((r["id"], speech_fingerprints(r["text"])) for r in rows.speech_rows if r.get("text"))

    def write(conn: Connection, file_id: int) -> None:
        write_fingerprint_rows(conn, file_id, prepared)
    return write
