"""The column types of ``speeches.html`` and ``speeches.text``: one packed body, on both databases.

``speeches.html`` holds the speech's body, its html and its text packed in one frame
(:func:`~despatchbox.store.packing.pack_body`; SQLite from migration 0020, in its TEXT column;
PostgreSQL from 0028, a ``bytea``), and ``speeches.text`` holds only whether there is text:
``''`` if none, :data:`HAS_TEXT` if some. So ``text <> ''`` (the search triggers' and the store's
test for "has text") still means what it says, and reads one byte.

Queries are written as before:

- selecting ``speeches.c.text`` reads the html column beside it (the type's
  ``column_expression``: ``SELECT speeches.html AS text``) and returns the text part as ``str``;
  selecting ``speeches.c.html`` returns the html part. A row whose html and text are both read is
  unpacked once (packing keeps the last body). In a WHERE clause ``speeches.c.text`` is the column
  itself: ``text <> ''`` and ``text = ''`` are the only comparisons that mean anything there;
- writing takes a :class:`SpeechBody` for both columns (``speech_body_values``), or a
  :class:`PackedBody` packed where the row was built: each column stores its part, so html and text
  cannot be written apart and disagree. Anything else is refused.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlalchemy.types import TypeDecorator

from . import PackingError, pack_body, unpack_body, unpack_html

#: ``speeches.text`` on SQLite when the speech has text (its words are in the html column's body)
HAS_TEXT = "1"


class SpeechBody(NamedTuple):
    """What ``speeches.html`` and ``speeches.text`` are written from."""

    html: str
    text: str


class PackedBody(NamedTuple):
    """A speech's body already packed as it is stored (:func:`pack_speech_rows`): written as is
    to ``speeches.html``, and ``speeches.text`` says whether it holds text."""

    packed: bytes
    has_text: bool


def pack_speech_rows(rows: list[dict]) -> None:
    """Pack each speech row's html and text where they are built: both keys then hold
    the row's :class:`PackedBody`, a fifth of their size, so that rows made in another process
    cross to the writing one small (``pipeline.prepare``); the column types write it as is."""
    for row in rows:
        html, text = row["html"], row["text"]
        if isinstance(html, PackedBody):
            continue
        row["html"] = row["text"] = PackedBody(pack_body(html, text), bool(text))


def speech_body_values(html: str, text: str) -> dict[str, SpeechBody]:
    """The values of both columns for an insert or update: ``{"html": body, "text": body}``."""
    body = SpeechBody(html, text)
    return {"html": body, "text": body}


def stored_body(html: str, text: str) -> tuple[bytes, str]:
    """(html, text) as they are stored, for statements that bypass the column types."""
    return pack_body(html, text), (HAS_TEXT if text else "")


def _refuse(column: str, value: Any) -> PackingError:
    return PackingError(f"speeches.{column} is written from a SpeechBody (store.packing.columns.speech_body_values): "
                        f"html and text are stored together, and a text compares only with ''; "
                        f"got {type(value).__name__}")


class SpeechHtml(TypeDecorator):
    """``speeches.html``: the packed body of html and text, read back as the html (SQLite stores the
    bytes in its TEXT column; PostgreSQL's is a ``bytea``)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, SpeechBody):
            return pack_body(value.html, value.text)
        if isinstance(value, PackedBody):
            return value.packed
        if value is None:
            return value
        raise _refuse("html", value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else unpack_html(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """:meth:`process_result_value` as SQLAlchemy would call it, without its two calls around
        :func:`unpack_html` where the driver's value needs no conversion first (SQLite): a long debate
        reads 142 bodies a page (tests/test_speech_body.py compares the two)."""
        inner = self.impl_instance.result_processor(dialect, coltype)
        if inner is None:
            return unpack_html
        return super().result_processor(dialect, coltype)


class SpeechText(TypeDecorator):
    """``speeches.text``: "has text" (``''`` or ``HAS_TEXT``), read from the html column's body."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, SpeechBody):
            return HAS_TEXT if value.text else ""
        if isinstance(value, PackedBody):
            return HAS_TEXT if value.has_text else ""
        if value is None:
            return value
        raise _refuse("text", value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else unpack_body(value)[1]

    def coerce_compared_value(self, op, value: Any):
        """``text <> ''`` and ``text = ''`` compare the stored column with a plain ``''``."""
        return Text() if value == "" else self

    def column_expression(self, colexpr: ColumnElement) -> ColumnElement:
        return _TextRead(colexpr)


class _TextRead(ColumnElement):
    """Where a selected ``speeches.text`` is read from: the html beside it."""

    inherit_cache = True

    def __init__(self, column: ColumnElement) -> None:
        self.column = column
        self.type = column.type


@compiles(_TextRead)
def _read_text_from_html(element: _TextRead, compiler, **kw) -> str:
    column = element.column
    while isinstance(column, Label):
        column = column.element
    table = getattr(column, "table", None)
    html = table.c.get("html") if table is not None else None
    if html is None:
        raise CompileError("a speech's text is read from the html column of the same table (store/packing/"
                           f"columns.py): select speeches.c.text itself, beside its table's html ({column!r})")
    return compiler.process(html, **kw)
