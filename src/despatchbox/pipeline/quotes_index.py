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

from dataclasses import dataclass
from hashlib import blake2b
from struct import unpack
from typing import Any, Callable

from sqlalchemy import Connection

from ..quotes.fingerprint import K, SCHEME, fingerprints, narrow, winnow
from ..quotes.normalise import tokens
from ..store.queries.quotes import FingerprintRows, write_fingerprint_rows
from .transcripts import FileRows

__all__ = ["FileWriter", "write_fingerprints", "fingerprint_file", "speech_fingerprints"]

#: the scheme :func:`speech_fingerprints` reproduces; any other falls back to the reference
_FAST_SCHEME = "blake2b64-k4-w9-top32"
_BLAKE2B_64 = blake2b(digest_size=8)
_encode, _join = str.encode, " ".join
assert K == 4, "speech_fingerprints zips four tokens a shingle"


def speech_fingerprints(text: str) -> set[int]:
    """:func:`despatchbox.quotes.fingerprints` of ``text``, computed faster: each shingle's UTF-8
    bytes made by C-level maps (``" ".join`` over zipped tokens, then ``str.encode``), hashed with
    a copy of a primed hasher, and the digests read as signed big-endian int64s in one
    ``struct.unpack`` (no per-shingle ``int.from_bytes``)."""
    if SCHEME != _FAST_SCHEME:
        return fingerprints(text)
    toks = tokens(text)
    n = len(toks)
    if n <= K:
        return fingerprints(text)
    copy = _BLAKE2B_64.copy
    digests: list[bytes] = []
    add = digests.append
    for shingle in map(_encode, map(_join, zip(toks, toks[1:], toks[2:], toks[3:]))):
        h = copy()
        h.update(shingle)
        add(h.digest())
    return narrow(winnow(unpack(f">{len(digests)}q", b"".join(digests))))


@dataclass(frozen=True)
class FileWriter:
    """What a transcript file's ingest writes beyond its records: ``prepare`` works it out from the
    file's rows with no database (before the transaction opens, perhaps in another process: what it
    returns is pickled), ``write`` writes it inside the file's transaction, given the file's id."""
    prepare: Callable[[FileRows], Any]
    write: Callable[[Connection, int, Any], object]


def fingerprint_file(rows: FileRows) -> FingerprintRows:
    """The index rows of one file version's speeches (no database needed)."""
    return FingerprintRows((r["id"], speech_fingerprints(r["text"])) for r in rows.speech_rows if r.get("text"))


#: fingerprint the speeches of one file version, then add them to the index in its transaction
write_fingerprints = FileWriter(prepare=fingerprint_file, write=write_fingerprint_rows)
