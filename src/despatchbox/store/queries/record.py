"""Writing the record of one transcript file: headings, debates, speeches, divisions, votes."""
from __future__ import annotations

from sqlalchemy import Connection

from ..bulk import insert_rows
from ..packing.columns import SpeechBody
from ..schema import committee_members, committees, debates, divisions, headings, speeches, votes


def _insert_many(conn: Connection, table, rows: list[dict]) -> None:
    insert_rows(conn, table, rows)


def _with_body(row: dict) -> dict:
    """A speech row as written: its html and text as one body (store/packing/columns.py)."""
    body = SpeechBody(row["html"], row["text"])
    return {**row, "html": body, "text": body}


def insert_record(conn: Connection, *, debate_rows: list[dict], heading_rows: list[dict], speech_rows: list[dict],
                  division_rows: list[dict], vote_rows: list[dict], committee_row: dict | None = None,
                  committee_member_rows: list[dict] | None = None) -> None:
    """Insert everything one file holds (the caller owns the transaction)."""
    _insert_many(conn, debates, debate_rows)
    _insert_many(conn, headings, heading_rows)
    _insert_many(conn, speeches, [_with_body(r) for r in speech_rows])
    _insert_many(conn, divisions, division_rows)
    _insert_many(conn, votes, vote_rows)
    if committee_row is not None:
        insert_rows(conn, committees, [committee_row])
    if committee_member_rows:
        _insert_many(conn, committee_members, committee_member_rows)
