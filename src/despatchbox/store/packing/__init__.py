"""Speech HTML and text packed small on SQLite: zstd with a dictionary, both in one frame.

Most of a SQLite database was speech text, held twice (HTML for pages, plain text for search,
snippets, quote checks and exports) and uncompressed: ~1,875 bytes per contribution of the 2009
sample. Packed one value at a time with the dictionary trained on the bundled 2023 day
(scripts/train-text-dictionary, migration 0016) the two took ~730 bytes; packed together, in one
frame, ~420 (migration 0020): the text is mostly a copy of the HTML's words, which the second half
of a frame costs almost nothing to repeat (docs/benchmarks.md).

Two stored forms, each named by its first byte (the format):

- format 1, one value (``pack``/``unpack``): a zstd frame of the UTF-8 text. Written by 0016; read
  now only by the migrations that convert it (0016's downgrade, 0020's upgrade);
- format 2, a speech's body (``pack_body``/``unpack_body``): the HTML's length in bytes (LEB128),
  then one zstd frame of the HTML followed by the text. ``speeches.html`` holds it on SQLite and
  ``speeches.text`` only says whether there is text (store/packing/columns.py);
- format 3, the same, with an HTML already reduced to the whitelist of ``record/markup`` (its
  ``WHITELIST`` 1), as ingest writes it from migration 0033 (which rewrote the bodies held): it is
  read back as :class:`~despatchbox.record.markup.SafeHtml`, which pages put in as it is. Format
  2's HTML (the source's markup, as versions before wrote it; 0033's downgrade writes format 2
  again) is read as a plain ``str``. A new whitelist gets a new format; format 3 is then read as a
  plain ``str`` too.

The dictionaries are part of the stored format: a packed value names its format, and a format's
dictionary never changes (a new one gets the next number, and the old stays to read old rows).
"""
from __future__ import annotations

import functools
import threading
from importlib.resources import files

import zstandard

from ...record.markup import WHITELIST, SafeHtml

#: one value in one frame (migration 0016)
FORMAT = 1
#: a speech's html and text in one frame (migration 0020)
BODY_FORMAT = 2
#: the same, its html reduced by record/markup's whitelist (read back as SafeHtml)
SAFE_BODY_FORMAT = 3
#: the whitelist format 3 names: another (a change to what record/markup keeps) needs its own format
_SAFE_WHITELIST = 1
#: the formats of a speech's body
BODY_FORMATS = (BODY_FORMAT, SAFE_BODY_FORMAT)
#: format 3's html is read as SafeHtml only while record/markup keeps the whitelist it names
_TRUSTED = WHITELIST == _SAFE_WHITELIST
#: zstd level: 3 packs the sample's speeches at ~16 µs a value; 19 saves ~6 % more at ~25× the time
LEVEL = 3
_DICTIONARIES = {1: "speech-text-1.zdict", 2: "speech-text-1.zdict", 3: "speech-text-1.zdict"}


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
        self.last_body: tuple[bytes, bytes, int] | None = None   # a row's html and text read together

    def compress(self, data: bytes) -> bytes:
        if self.compressor is None:          # formats 1 and 2 share dictionary 1
            d = _dictionary(FORMAT)
            d.precompute_compress(level=LEVEL)
            self.compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=d, write_checksum=False,
                                                       write_content_size=True, write_dict_id=False)
        return self.compressor.compress(data)

    def decompress(self, fmt: int, data: bytes | memoryview) -> bytes:
        d = self.decompressors.get(fmt)
        if d is None:
            d = self.decompressors[fmt] = zstandard.ZstdDecompressor(dict_data=_decompression_dictionary(fmt))
        return d.decompress(data)


@functools.cache
def _decompression_dictionary(fmt: int) -> zstandard.ZstdCompressionDict:
    """A format's dictionary, read once per process for every thread's decompressor (it is only read:
    its digested form, made by the first decompressor, is shared). A thread that renders one page —
    each request of the in-process bench's test client runs in a new one — made its own from the
    file: 0.05 ms, not 0.02."""
    return _dictionary(fmt)


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


def _leb128(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def pack_body(html: str, text: str) -> bytes:
    """A speech's html and text as they are stored: one frame for both, in format 3 when the html is
    :class:`SafeHtml` (reduced to record/markup's whitelist), else format 2."""
    head = html.encode("utf-8")
    fmt = SAFE_BODY_FORMAT if type(html) is SafeHtml and _TRUSTED else BODY_FORMAT
    return bytes((fmt,)) + _leb128(len(head)) + _codecs.compress(head + text.encode("utf-8"))


def _html(fmt: int, data: bytes, size: int) -> str:
    """The html part of an unpacked frame: :class:`SafeHtml` in format 3 (while its whitelist is the one
    record/markup keeps), a plain ``str`` otherwise."""
    if fmt == SAFE_BODY_FORMAT and _TRUSTED:
        return SafeHtml(data[:size], "utf-8")           # decoded into it: one copy, not two
    return data[:size].decode("utf-8")


def unpack_body(value: bytes) -> tuple[str, str]:
    """(html, text) of a stored body. The last body unpacked in this thread is remembered: a row
    whose html and text are both read (the same stored bytes twice) is unpacked once."""
    data, size = _frame(value)
    return _html(value[0], data, size), data[size:].decode("utf-8")


def unpack_text(value: bytes) -> str:
    """The text of a stored body (:func:`unpack_body`'s second part), without decoding its html: what
    the search index's feed reads of every speech."""
    data, size = _frame(value)
    return data[size:].decode("utf-8")


def unpack_html(value: bytes | None) -> str | None:
    """The html of a stored body (:func:`unpack_body`'s first part), without decoding its text: what
    a page reads of a speech (0.25 ms for the 142 speeches of a long debate, not 0.34).

    The usual body — ``bytes`` in format 2 or 3 with an html under 16 KiB (a length of one or two bytes),
    not the one unpacked last — takes a short way through the same steps as :func:`_frame` (~0.5 µs
    less a speech); anything else, and any error, goes through :func:`_frame`. None (a NULL) is None:
    this is the html column's result processor (``packing.columns.SpeechHtml``)."""
    if type(value) is bytes and len(value) > 3 and value[0] in BODY_FORMATS:
        size = value[1]
        at = 2
        if size & 0x80:
            high = value[2]
            size = (size & 0x7F) | (high << 7)
            at = 3
            if high & 0x80:
                size = -1
        codecs = _codecs
        last = codecs.last_body
        if size >= 0 and (last is None or last[0] != value):
            decompressor = codecs.decompressors.get(BODY_FORMAT)    # formats 2 and 3: one dictionary
            if decompressor is not None:
                try:
                    data = decompressor.decompress(value[at:])  # a copy of the frame: less than a memoryview's
                except zstandard.ZstdError:
                    data = b""                                  # _frame says what is wrong
                if size <= len(data):
                    codecs.last_body = (value, data, size)
                    return _html(value[0], data, size)
    if value is None:
        return None                     # a NULL (SpeechHtml's result processor hands it on)
    data, size = _frame(value)
    return _html(value[0], data, size)


def _frame(value: bytes) -> tuple[bytes, int]:
    """The unpacked frame of a stored body (html then text, as UTF-8) and the html's length in bytes;
    the last one unpacked in this thread is remembered."""
    if not isinstance(value, (bytes, bytearray, memoryview)) or not value:
        raise PackingError(f"a speech body is stored packed (format {BODY_FORMAT}); found {type(value).__name__} "
                           f"{str(value)[:20]!r}: is the database upgraded (despatchbox db upgrade)?")
    raw = value if type(value) is bytes else bytes(value)
    last = _codecs.last_body
    if last is not None and last[0] == raw:
        return last[1], last[2]
    if raw[0] not in BODY_FORMATS:
        _dictionary(raw[0])                 # an unknown format says so
        raise PackingError(f"a speech body in format {raw[0]}, not {' or '.join(map(str, BODY_FORMATS))}: "
                           f"is the database upgraded?")
    size, shift, at = 0, 0, 1
    while True:
        if at >= len(raw):
            raise PackingError("a packed speech body is cut short")
        byte = raw[at]
        size |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            break
        shift += 7
    try:
        data = _codecs.decompress(BODY_FORMAT, memoryview(raw)[at:])     # formats 2 and 3: one dictionary
    except zstandard.ZstdError as exc:
        raise PackingError(f"a packed speech body could not be unpacked ({exc})") from exc
    if size > len(data):
        raise PackingError("a packed speech body is shorter than its html")
    _codecs.last_body = (raw, data, size)
    return data, size
