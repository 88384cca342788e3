"""Speakers and voters already held, re-resolved when the members data changes."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, bindparam, select, update

from ..schema import divisions, speeches, votes
from .aggregates import refresh_speeches

#: ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
CHUNK = 500


def _chunks(values: list[str]):
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _empty(conn: Connection, column) -> bool:
    """Whether ``column``'s table holds no row (one index probe)."""
    return conn.execute(select(column).limit(1)).first() is None


def speeches_to_reresolve(conn: Connection, speaker_ids: set[str]) -> list[tuple[str, str, date, int | None,
                                                                                   str | None]]:
    """(gid, speaker id as printed, date, person id, membership id) of every speech whose printed
    speaker id is one of those given, or that no members data resolved yet."""
    found: dict[str, tuple] = {}
    if _empty(conn, speeches.c.id):     # a first ingest: no speech held, none of the chunked lookups below
        return []
    cols = (speeches.c.id, speeches.c.speaker_id, speeches.c.date, speeches.c.person_id, speeches.c.membership_id)
    unresolved = select(*cols).where(speeches.c.person_id.is_(None), speeches.c.speaker_id.is_not(None),
                                     speeches.c.speaker_id != "unknown")
    for row in conn.execute(unresolved):
        found[row[0]] = tuple(row)
    for chunk in _chunks(sorted(speaker_ids)):
        for row in conn.execute(select(*cols).where(speeches.c.speaker_id.in_(chunk))):
            found[row[0]] = tuple(row)
    return list(found.values())


def votes_to_reresolve(conn: Connection, member_ids: set[str]) -> list[tuple[str, int, str, date, int | None]]:
    """(division id, position, membership id as printed, date, person id) of the votes to look at again."""
    found: dict[tuple, tuple] = {}
    if _empty(conn, votes.c.division_id):
        return []
    cols = (votes.c.division_id, votes.c.position, votes.c.membership_id, divisions.c.date, votes.c.person_id)
    base = select(*cols).join(divisions, divisions.c.id == votes.c.division_id)
    for row in conn.execute(base.where(votes.c.person_id.is_(None), votes.c.membership_id.is_not(None))):
        found[(row[0], row[1])] = tuple(row)
    for chunk in _chunks(sorted(member_ids)):
        for row in conn.execute(base.where(votes.c.membership_id.in_(chunk))):
            found[(row[0], row[1])] = tuple(row)
    return list(found.values())


def set_speech_people(conn: Connection, rows: list[dict]) -> None:
    """rows: {gid, pid, mid}. The page aggregates of the files holding them are made exact again."""
    if rows:
        conn.execute(update(speeches).where(speeches.c.id == bindparam("gid"))
                     .values(person_id=bindparam("pid"), membership_id=bindparam("mid")), rows)
        refresh_speeches(conn, [r["gid"] for r in rows])


def set_vote_people(conn: Connection, rows: list[dict]) -> None:
    """rows: {did, pos, pid}."""
    if rows:
        conn.execute(update(votes).where(and_(votes.c.division_id == bindparam("did"),
                                              votes.c.position == bindparam("pos")))
                     .values(person_id=bindparam("pid")), rows)


__all__ = ["speeches_to_reresolve", "votes_to_reresolve", "set_speech_people", "set_vote_people"]
