"""Speech HTML and text packed small on SQLite: zstd with a dictionary, one column value at a time.

Most of a SQLite database was speech text, held twice (HTML for pages, plain text for search,
snippets, quote checks and exports) and uncompressed: ~1,875 bytes per contribution of the 2009
sample. Packed, one value at a time with the dictionary trained on the bundled 2023 day
(scripts/train-text-dictionary), the same two columns take ~730 bytes (docs/benchmarks.md).

:class:`PackedText` is the column type of ``speeches.html`` and ``speeches.text``. Queries see
``str`` as before, on both databases. On SQLite a non-empty value is stored as a BLOB: one format
byte, then a zstd frame made with that format's dictionary. The empty string stays ``''`` so that
``text <> ''`` (the search triggers' and the store's test for "has text") still means what it says,
and a plain ``str`` read from a database not yet migrated (0016) is returned as it is. PostgreSQL
keeps plain ``text``: its full-text indexes and triggers read the column in SQL.

The dictionaries are part of the stored format: a packed value names its format, and a format's
dictionary never changes (a new one gets the next number, and the old stays to read old rows).
"""
from __future__ import annotations

import threading
from importlib.resources import files
from typing import Any

import zstandard
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: the format new values are written in
FORMAT = 1
#: zstd level: 3 packs the sample's speeches at ~16 µs a value; 19 saves ~6 % more at ~25× the time
LEVEL = 3
_DICTIONARIES = {1: "speech-text-1.zdict"}


class PackingError(ValueError):
    """A stored value this version cannot unpack (an unknown format, or damaged bytes)."""


def _dictionary(fmt: int) -> zstandard.ZstdCompressionDict:
    name = _DICTIONARIES.get(fmt)
    if name is None:
        raise PackingError(f"packed text in format {fmt}, which this version of despatchbox does not know "
                           f"(it knows {', '.join(map(str, _DICTIONARIES))}): upgrade despatchbox")
    return zstandard.ZstdCompressionDict(files(__package__).joinpath(name).read_bytes())


class _Codecs(threading.local):
    """zstd contexts are not safe to share between threads: one set per thread."""

    def __init__(self) -> None:
        self.compressor: zstandard.ZstdCompressor | None = None
        self.decompressors: dict[int, zstandard.ZstdDecompressor] = {}

    def compress(self, data: bytes) -> bytes:
        if self.compressor is None:
            d = _dictionary(FORMAT)
            d.precompute_compress(level=LEVEL)
            self.compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=d, write_checksum=False,
                                                       write_content_size=True, write_dict_id=False)
        return self.compressor.compress(data)

    def decompress(self, fmt: int, data: bytes) -> bytes:
        d = self.decompressors.get(fmt)
        if d is None:
            d = self.decompressors[fmt] = zstandard.ZstdDecompressor(dict_data=_dictionary(fmt))
        return d.decompress(data)


_codecs = _Codecs()


def pack(value: str) -> bytes | str:
    """A text as SQLite stores it: ``''`` stays ``''``, anything else becomes format byte + zstd frame."""
    if not value:
        return value
    return bytes((FORMAT,)) + _codecs.compress(value.encode("utf-8"))


def unpack(value: bytes | str) -> str:
    """A stored value as text: a packed BLOB is unpacked, a ``str`` (unpacked, or PostgreSQL's) is itself."""
    if isinstance(value, str):
        return value
    if not value:
        return ""
    raw = bytes(value)
    try:
        return _codecs.decompress(raw[0], raw[1:]).decode("utf-8")
    except zstandard.ZstdError as exc:
        raise PackingError(f"a packed text could not be unpacked ({exc})") from exc


class PackedText(TypeDecorator):
    """Text that SQLite stores packed (see the module) and PostgreSQL stores as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value if value is None else unpack(value)
