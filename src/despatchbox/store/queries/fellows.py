"""A member's fellow speakers: the people (not the chair) who spoke in most of the same debates among
the member's latest ones, counted when the member's debates change and kept.

Counted as a page is rendered, they were the dearest statement of a member page: the member's 100
latest debates' ``debate_speakers`` rows (~2,000 for the busiest member) read, filtered, sorted and
grouped, 1.6 ms of PostgreSQL's time at 1M (its 4.4 ms for the whole page). The issue that asked for
the page aggregates (18) names them. So they are kept:

- ``person_fellows``: for each person, the fellows who can be among the first :data:`FELLOWS_KEPT`
  whatever their names, that is every fellow whose (debates, speeches) is at least the
  :data:`FELLOWS_KEPT`-th's (``rank() <= FELLOWS_KEPT``). The page orders them by those counts, then
  by name, read with the page: a name changed since costs nothing.
- ``person_fellows_due``: the people whose fellows must be counted again. A file's change marks every
  person its ``debate_speakers`` rows named, before or after (:func:`aggregates.refresh_files
  <despatchbox.store.queries.aggregates.refresh_files>`): a person's fellows change only with the
  debates the person spoke in. A change of the chair's seats (the parties in :data:`CHAIR_PARTIES`)
  marks everyone (:func:`mark_all_due`).

A person due is counted as the page is rendered, as before, until :func:`count_due` counts them: at
the end of an ingest, or, for ``despatchbox update``, in compaction (``pipeline/compaction.py``).
The page reads what is kept only for what is kept: the first :data:`FELLOWS_KEPT` or fewer, among
the :data:`RECENT_DEBATES` latest debates, of the spoken kinds.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, delete, distinct, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..bulk import insert_rows
from ..schema import debate_speakers, memberships, people, person_fellows, person_fellows_due
from . import direct
from .people import SPOKEN_KINDS, latest_debates

#: the parties of the chair's seats (Speaker, Chairman and Deputy Chairmen of Ways and Means)
CHAIR_PARTIES = ("SPK", "CWM", "DCWM")
#: how many fellows a member page shows, and the places kept for each person
FELLOWS_KEPT = 8
#: the latest debates of a person whose fellows are counted
RECENT_DEBATES = 100
#: values per IN (…) list
CHUNK = 500


def fellow_speakers(conn: Connection, person_id: int, limit: int = FELLOWS_KEPT, kinds=SPOKEN_KINDS,
                    recent_debates: int = RECENT_DEBATES) -> list[dict]:
    """The people (not the chair) who spoke in most of the same debates, among the person's
    ``recent_debates`` latest ones: id, slug, name, house, debates, speeches (theirs, in those debates);
    most debates first, then most speeches, then by name.

    What is kept when it answers (see the module), else :func:`count_fellow_speakers`."""
    if (limit <= FELLOWS_KEPT and tuple(kinds) == SPOKEN_KINDS and recent_debates == RECENT_DEBATES
            and direct.first(conn, _DUE, {"person_id": person_id}) is None):
        rows = direct.dicts(conn, _KEPT, {"person_id": person_id, "limit": limit})
        return [{**r, "speeches": int(r["speeches"])} for r in rows]
    return count_fellow_speakers(conn, person_id, limit, kinds, recent_debates)


def count_fellow_speakers(conn: Connection, person_id: int, limit: int = FELLOWS_KEPT, kinds=SPOKEN_KINDS,
                          recent_debates: int = RECENT_DEBATES) -> list[dict]:
    """:func:`fellow_speakers` counted from ``debate_speakers``: the person's latest debates, those of
    these kinds, then who else spoke in them by seat, before people and seats are looked up."""
    spoken = _spoken_debates(conn, person_id, kinds, recent_debates)
    if not spoken:
        return []
    rows = direct.dicts(conn, _FELLOWS, {"debate_ids": spoken, "person_id": person_id,
                                         "chair": list(CHAIR_PARTIES), "limit": limit})
    return [{**r, "speeches": int(r["speeches"])} for r in rows]


def _spoken_debates(conn: Connection, person_id: int, kinds, recent_debates: int) -> list[str]:
    wanted = set(kinds)
    return [i for i, kind in latest_debates(conn, person_id, recent_debates, with_kind=True) if kind in wanted]


def _per_person():
    """Who else spoke in these debates (``debate_ids``), not from the chair's seats: person_id,
    debates, speeches. Seats are filtered and summed per person before people are looked up; the
    chair's seats are the few memberships of its parties (``ix_memberships_party``, 0027), not a
    membership looked up for every (debate, seat) row."""
    ds = debate_speakers
    chair_seats = select(memberships.c.id).where(memberships.c.party.in_(bindparam("chair", expanding=True)))
    return (select(ds.c.person_id, func.count(distinct(ds.c.debate_id)).label("debates"),
                   func.sum(ds.c.speeches + ds.c.questions + ds.c.answers).label("speeches"))
            .where(ds.c.debate_id.in_(bindparam("debate_ids", expanding=True)),
                   ds.c.person_id != bindparam("person_id"),
                   or_(ds.c.membership_id.is_(None), ds.c.membership_id.not_in(chair_seats)))
            .group_by(ds.c.person_id).subquery())


def _fellows_statement():
    per_person = _per_person()
    return (select(people.c.id, people.c.slug, people.c.name, people.c.house, per_person.c.debates,
                   per_person.c.speeches)
            .select_from(per_person.join(people, people.c.id == per_person.c.person_id))
            .order_by(per_person.c.debates.desc(), per_person.c.speeches.desc(), people.c.name)
            .limit(bindparam("limit")))


def _kept_counts_statement():
    """The fellows to keep: those ranked (by debates, then speeches; ties share a rank) within ``kept``."""
    per_person = _per_person()
    place = func.rank().over(order_by=(per_person.c.debates.desc(), per_person.c.speeches.desc()))
    ranked = select(per_person.c.person_id, per_person.c.debates, per_person.c.speeches,
                    place.label("place")).subquery()
    return (select(ranked.c.person_id, ranked.c.debates, ranked.c.speeches)
            .where(ranked.c.place <= bindparam("kept")))


_FELLOWS = _fellows_statement()
_KEPT_COUNTS = _kept_counts_statement()
_KEPT = (select(people.c.id, people.c.slug, people.c.name, people.c.house, person_fellows.c.debates,
                person_fellows.c.speeches)
         .select_from(person_fellows.join(people, people.c.id == person_fellows.c.fellow_id))
         .where(person_fellows.c.person_id == bindparam("person_id"))
         .order_by(person_fellows.c.debates.desc(), person_fellows.c.speeches.desc(), people.c.name)
         .limit(bindparam("limit")))
_DUE = select(person_fellows_due.c.person_id).where(person_fellows_due.c.person_id == bindparam("person_id"))


def _insert_missing(conn: Connection):
    """An INSERT into ``person_fellows_due`` that skips the people already due."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(person_fellows_due).on_conflict_do_nothing(index_elements=["person_id"])


def mark_due(conn: Connection, person_ids: Iterable[int | None]) -> None:
    """These people's fellows must be counted again (the caller owns the transaction)."""
    ids = sorted({p for p in person_ids if p is not None})
    for i in range(0, len(ids), CHUNK):
        conn.execute(_insert_missing(conn), [{"person_id": p} for p in ids[i:i + CHUNK]])


def mark_all_due(conn: Connection) -> None:
    """Everyone's fellows must be counted again: everyone who spoke in a debate held."""
    conn.execute(_insert_missing(conn).from_select(
        ["person_id"], select(distinct(debate_speakers.c.person_id)).where(debate_speakers.c.person_id.is_not(None))))


def any_due(conn: Connection) -> bool:
    return conn.execute(select(person_fellows_due.c.person_id).limit(1)).first() is not None


def count_due(conn: Connection, limit: int) -> int:
    """Count the fellows of up to ``limit`` people due and keep them (the caller owns the transaction,
    and holds the ingest lock: nobody is marked due meanwhile); returns how many people were counted."""
    due = list(conn.execute(select(person_fellows_due.c.person_id).order_by(person_fellows_due.c.person_id)
                            .limit(limit)).scalars())
    if not due:
        return 0
    rows: list[dict] = []
    for person_id in due:
        spoken = _spoken_debates(conn, person_id, SPOKEN_KINDS, RECENT_DEBATES)
        if spoken:
            found = direct.rows(conn, _KEPT_COUNTS, {"debate_ids": spoken, "person_id": person_id,
                                                     "chair": list(CHAIR_PARTIES), "kept": FELLOWS_KEPT})
            rows += [{"person_id": person_id, "fellow_id": fellow, "debates": int(debates),
                      "speeches": int(speeches)} for fellow, debates, speeches in found]
    for i in range(0, len(due), CHUNK):
        chunk = due[i:i + CHUNK]
        conn.execute(delete(person_fellows).where(person_fellows.c.person_id.in_(chunk)))
        conn.execute(delete(person_fellows_due).where(person_fellows_due.c.person_id.in_(chunk)))
    insert_rows(conn, person_fellows, rows)
    return len(due)


__all__ = ["CHAIR_PARTIES", "FELLOWS_KEPT", "RECENT_DEBATES", "any_due", "count_due", "count_fellow_speakers",
           "fellow_speakers", "mark_all_due", "mark_due"]
