"""Writing the record of one transcript file: headings, debates, speeches, divisions, votes."""
from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Connection

from ..bulk import insert_rows
from ..packing.columns import PackedBody, SpeechBody
from ..schema import committee_members, committees, debates, divisions, headings, speeches, votes


def _insert_many(conn: Connection, table, rows: list[dict]) -> None:
    insert_rows(conn, table, rows)


def _bodies(rows: list[dict]) -> list[SpeechBody | PackedBody]:
    """Each speech row's html and text as one body, as both columns are written (store/packing/columns.py);
    a row packed where it was built (``pack_speech_rows``) holds its body already."""
    return [html if isinstance(html, PackedBody) else SpeechBody(html, text)
            for html, text in zip(map(itemgetter("html"), rows), map(itemgetter("text"), rows))]


def insert_record(conn: Connection, *, debate_rows: list[dict], heading_rows: list[dict], speech_rows: list[dict],
                  division_rows: list[dict], vote_rows: list[dict], committee_row: dict | None = None,
                  committee_member_rows: list[dict] | None = None) -> None:
    """Insert everything one file holds (the caller owns the transaction)."""
    _insert_many(conn, debates, debate_rows)
    _insert_many(conn, headings, heading_rows)
    bodies = _bodies(speech_rows)
    insert_rows(conn, speeches, speech_rows, values={"html": bodies, "text": bodies})
    _insert_many(conn, divisions, division_rows)
    _insert_many(conn, votes, vote_rows)
    if committee_row is not None:
        insert_rows(conn, committees, [committee_row])
    if committee_member_rows:
        _insert_many(conn, committee_members, committee_member_rows)
