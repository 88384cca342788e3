"""Debates as the pages and the API see them: a debate with its headings, speeches and
divisions; sitting days; a member's debates with a department; finding any record by id.

Every function takes a Connection and returns plain dicts (or lists of them).
Speech rows from :func:`speeches_of` and :func:`speeches_by_ids` carry the speaker's
person (``person_slug``, ``person_name``, ``person_house``) and the membership held that
day (``m_party``, ``m_constituency``, ``m_house``, ``m_title``, ``m_first_name``,
``m_last_name``, ``m_lord_name``, ``m_lord_of_name``, ``m_from_date``, ``m_to_date``,
``m_peerage_type``) beside the source's own ``speaker_name``/``speaker_office``. Read by
:func:`page_speeches` (the debate page), they carry only ``person_id``/``membership_id`` (and what the
page shows of the speech), and :func:`speakers` reads the people and memberships once for the whole
debate: a debate has a few dozen speakers for hundreds of speeches.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Connection, bindparam, func, select, union_all

from ..schema import (debates, department_kinds, divisions, headings, ingest_batches, memberships, people, source_files,
                      speeches)
from . import direct
from .redirects import resolve_redirect
from .people import SPOKEN_KINDS

_SPEECH_COLUMNS = [speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
                   speeches.c.position, speeches.c.element, speeches.c.speaker_id, speeches.c.speaker_name,
                   speeches.c.speaker_office, speeches.c.nospeaker, speeches.c.person_id, speeches.c.membership_id,
                   speeches.c.html, speeches.c.text, speeches.c.words, speeches.c.colnum, speeches.c.time,
                   speeches.c.url, speeches.c.speech_type, speeches.c.oral_qnum]
_SPEECH_COLUMNS_NO_TEXT = [c for c in _SPEECH_COLUMNS if c.key != "text"]
_SPEAKER_COLUMNS = [people.c.slug.label("person_slug"), people.c.name.label("person_name"),
                    people.c.house.label("person_house"),
                    memberships.c.house.label("m_house"), memberships.c.title.label("m_title"),
                    memberships.c.first_name.label("m_first_name"), memberships.c.last_name.label("m_last_name"),
                    memberships.c.constituency.label("m_constituency"), memberships.c.party.label("m_party"),
                    memberships.c.from_date.label("m_from_date"), memberships.c.to_date.label("m_to_date"),
                    memberships.c.lord_name.label("m_lord_name"), memberships.c.lord_of_name.label("m_lord_of_name"),
                    memberships.c.peerage_type.label("m_peerage_type")]


def as_dicts(result) -> list[dict]:
    """Rows of a result as plain dicts: one zip per row (no RowMapping built per row), the rows fetched
    all at once (iterating a result fetches them one by one: ~15 % more for a debate's speeches)."""
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result.all()]


#: what the debate page shows of a speech (:func:`page_speeches`): its id, position, speaker's ids and
#: names as printed, body, column and time; not its debate, heading, kind, date, element or whether it has
#: a speaker (the debate's, not shown, or not read: each column is ~3 calls into SQLite a speech)
_PAGE_SPEECH_COLUMNS = [speeches.c.id, speeches.c.position, speeches.c.speaker_name, speeches.c.speaker_office,
                        speeches.c.person_id, speeches.c.membership_id, speeches.c.html, speeches.c.colnum,
                        speeches.c.time]


def _with_speakers(*columns):
    return (select(*columns, *_SPEAKER_COLUMNS)
            .select_from(speeches.outerjoin(people, people.c.id == speeches.c.person_id)
                         .outerjoin(memberships, memberships.c.id == speeches.c.membership_id)))


def debate(conn: Connection, debate_id: str) -> dict | None:
    """The debate row (id, kind, date, title, department_slug, department_reason, speeches, words …)
    with ``source_file`` (the file name) and ``url`` (its heading's link on parliament's site)."""
    return direct.first(conn, _DEBATE, {"debate_id": debate_id})


_DEBATE = (select(debates, source_files.c.name.label("source_file"), headings.c.url, headings.c.colnum)
           .select_from(debates.join(source_files, source_files.c.id == debates.c.file_id)
                        .outerjoin(headings, headings.c.id == debates.c.id))
           .where(debates.c.id == bindparam("debate_id")))


#: the statements a debate page runs, built once (a statement built per call costs more than it runs)
_HEADINGS_OF = select(headings).where(headings.c.debate_id == bindparam("debate_id")).order_by(headings.c.position)
_SPEECHES_OF = {with_text: _with_speakers(*(_SPEECH_COLUMNS if with_text else _SPEECH_COLUMNS_NO_TEXT))
                .where(speeches.c.debate_id == bindparam("debate_id")).order_by(speeches.c.position)
                for with_text in (True, False)}
#: what :func:`web.pages.context.choose` reads of every speech of a debate (each column more is ~3 calls
#: into SQLite a speech)
_SPEECH_OUTLINE = (select(speeches.c.id, speeches.c.heading_id, speeches.c.person_id, speeches.c.speaker_name)
                   .where(speeches.c.debate_id == bindparam("debate_id")).order_by(speeches.c.position))
_DIVISIONS_OF = (select(divisions).where(divisions.c.debate_id == bindparam("debate_id"))
                 .order_by(divisions.c.position))


#: the full debate page's read (:func:`page_speeches`), in no order: it sorts them (the index by debate
#: holds the speaker before the position, and SQLite sorted through a temporary B-tree)
_PAGE_SPEECHES_OF = select(*_PAGE_SPEECH_COLUMNS).where(speeches.c.debate_id == bindparam("debate_id"))
#: a speech row's position in its debate
_POSITION = itemgetter("position")


def headings_of(conn: Connection, debate_id: str) -> list[dict]:
    return direct.dicts(conn, _HEADINGS_OF, {"debate_id": debate_id})


def speeches_of(conn: Connection, debate_id: str, *, with_text: bool = True) -> list[dict]:
    """Every speech of the debate in order, with its speaker (see the module's note). ``with_text=False``
    leaves out the plain text (``text``), which a page that shows the markup does not need."""
    return direct.dicts(conn, _SPEECHES_OF[with_text], {"debate_id": debate_id})


def page_speeches(conn: Connection, debate: dict) -> list[dict]:
    """Every speech of a debate (its row, from :func:`debate`) in order, as the debate page shows them
    (:data:`_PAGE_SPEECH_COLUMNS`), with its speaker's ids, not the person and seat (:func:`speakers`
    reads those once per speaker); ``debate_id`` and ``date`` are the debate's (every speech of a
    debate is of its day)."""
    rows = direct.dicts(conn, _PAGE_SPEECHES_OF, {"debate_id": debate["id"]})
    rows.sort(key=_POSITION)
    debate_id, day = debate["id"], debate["date"]
    for r in rows:
        r["debate_id"] = debate_id
        r["date"] = day
    return rows


def speakers(conn: Connection, debate_id: str) -> dict[tuple, dict]:
    """{(person id, membership id): {person_slug, person_name, person_house, m_house, m_title, …}} for
    every speaker of the debate: the speaker columns of the module's note, for its speeches read by
    :func:`page_speeches` (one row per speaker, not per speech)."""
    return {(row.pop("speaker_person_id"), row.pop("speaker_membership_id")): row
            for row in direct.dicts(conn, _SPEAKERS_OF, {"debate_id": debate_id})}


_DEBATE_SPEAKERS = (select(speeches.c.person_id, speeches.c.membership_id)
                    .where(speeches.c.debate_id == bindparam("debate_id")).distinct().subquery())
_SPEAKERS_OF = (select(_DEBATE_SPEAKERS.c.person_id.label("speaker_person_id"),
                       _DEBATE_SPEAKERS.c.membership_id.label("speaker_membership_id"), *_SPEAKER_COLUMNS)
                .select_from(_DEBATE_SPEAKERS
                             .outerjoin(people, people.c.id == _DEBATE_SPEAKERS.c.person_id)
                             .outerjoin(memberships, memberships.c.id == _DEBATE_SPEAKERS.c.membership_id)))


def speech_outline(conn: Connection, debate_id: str) -> list[dict]:
    """A light view of the debate's speeches in order: id, heading, person and the speaker's name as
    printed — enough to choose which ones to show in full."""
    return direct.dicts(conn, _SPEECH_OUTLINE, {"debate_id": debate_id})


def speeches_by_ids(conn: Connection, debate_id: str, ids, *, with_text: bool = True) -> list[dict]:
    """Chosen speeches of one debate in order, with their speakers (``with_text``: see :func:`speeches_of`)."""
    ids = list(ids)
    if not ids:
        return []
    return direct.dicts(conn, _SPEECHES_BY_IDS[with_text], {"debate_id": debate_id, "ids": ids})


_SPEECHES_BY_IDS = {with_text: _with_speakers(*(_SPEECH_COLUMNS if with_text else _SPEECH_COLUMNS_NO_TEXT))
                    .where(speeches.c.debate_id == bindparam("debate_id"),
                           speeches.c.id.in_(bindparam("ids", expanding=True)))
                    .order_by(speeches.c.position)
                    for with_text in (True, False)}


def divisions_of(conn: Connection, debate_id: str) -> list[dict]:
    return direct.dicts(conn, _DIVISIONS_OF, {"debate_id": debate_id})


def latest_sitting_days(conn: Connection, kinds, limit: int = 3) -> list[date]:
    """The latest dates on which sections of these kinds are held, newest first."""
    q = (select(debates.c.date).where(debates.c.kind.in_(list(kinds))).group_by(debates.c.date)
         .order_by(debates.c.date.desc()).limit(limit))
    return [r[0] for r in conn.execute(q)]


def debates_on(conn: Connection, day: date, kinds) -> list[dict]:
    """The sections held for a day in these kinds, in the order of the record."""
    q = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
                debates.c.speeches, debates.c.words)
         .where(debates.c.date == day, debates.c.kind.in_(list(kinds)))
         .order_by(debates.c.kind, debates.c.file_id, debates.c.position))
    return [dict(r) for r in conn.execute(q).mappings()]


def locate(conn: Connection, gid: str) -> dict | None:
    """Find any record by its id: {"type": debate|heading|speech|division, "id", "debate_id"}; ids of
    superseded file versions are followed through their redirects (``redirected`` is then True)."""
    found = _locate_current(conn, gid)
    if found:
        return {**found, "redirected": False}
    newer = resolve_redirect(conn, gid)
    if newer:
        found = _locate_current(conn, newer)
        if found:
            return {**found, "redirected": True}
    return None


def _locate_current(conn: Connection, gid: str) -> dict | None:
    for kind, table in (("debate", debates), ("heading", headings), ("speech", speeches), ("division", divisions)):
        if kind == "debate":
            row = conn.execute(select(debates.c.id).where(debates.c.id == gid)).first()
            if row:
                return {"type": kind, "id": gid, "debate_id": gid}
            continue
        row = conn.execute(select(table.c.debate_id).where(table.c.id == gid)).first()
        if row:
            return {"type": kind, "id": gid, "debate_id": row[0]}
    return None


def record_state(conn: Connection) -> tuple:
    """(latest batch id, when it finished — None while it runs, when the latest finished batch
    finished): what the HTTP layer keys caches and validators by, and the search page's index of
    names is checked against. One statement, built once (it was built anew on every call: 0.21 ms, now
    0.005, of every search page)."""
    found = direct.rows(conn, _RECORD_STATE)
    if not found:
        return (None, None, None)
    row = found[0]
    return (row[0], row[1], row[2])


_LATEST_BATCH = (select(ingest_batches.c.id, ingest_batches.c.finished_at)
                 .order_by(ingest_batches.c.id.desc()).limit(1).subquery())
_RECORD_STATE = select(_LATEST_BATCH.c.id, _LATEST_BATCH.c.finished_at,
                       select(func.max(ingest_batches.c.finished_at)).scalar_subquery()).select_from(_LATEST_BATCH)


def redirect_target(conn: Connection, gid: str) -> str | None:
    """The id a superseded id now goes by (following chains), or None."""
    return resolve_redirect(conn, gid)


def member_department_debates(conn: Connection, person_id: int, department_slug: str, limit: int = 20,
                              offset: int = 0, kinds=SPOKEN_KINDS, *,
                              with_total: bool = True) -> tuple[int | None, list[dict]]:
    """(total, page) of the debates with a department in which the person spoke, newest first; each row has
    the debate's fields, ``member_speeches`` and ``excerpt`` (the text of the person's first speech there).
    ``with_total=False`` skips the count (total is then None).

    The department's debates are walked newest first (``ix_debates_department``) and each is asked
    whether the person spoke in it (``ix_speeches_debate_speaker``), so a page costs what it shows, not
    what the person said elsewhere."""
    spoke = (select(speeches.c.debate_id).where(speeches.c.debate_id == debates.c.id,
                                                speeches.c.person_id == person_id).exists())
    where = (debates.c.department_slug == department_slug, debates.c.kind.in_(list(kinds)), spoke)
    total = None
    if with_total:
        total = int(conn.execute(select(func.count()).select_from(debates).where(*where)).scalar_one())
    if limit <= 0:
        return total, []
    rows = [dict(r) for r in conn.execute(
        select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
               debates.c.speeches, debates.c.words)
        .where(*where).order_by(debates.c.date.desc(), debates.c.id.desc()).limit(limit).offset(offset)).mappings()]
    if rows:
        mine = conn.execute(select(speeches.c.debate_id, func.count(), func.min(speeches.c.position))
                            .where(speeches.c.debate_id.in_([r["id"] for r in rows]),
                                   speeches.c.person_id == person_id)
                            .group_by(speeches.c.debate_id))
        counted = {d: (int(n), first) for d, n, first in mine}
        for r in rows:
            r["member_speeches"], r["first_position"] = counted.get(r["id"], (0, None))
        texts = conn.execute(select(speeches.c.debate_id, speeches.c.position, speeches.c.text)
                             .where(speeches.c.debate_id.in_([r["id"] for r in rows]),
                                    speeches.c.position.in_({r["first_position"] for r in rows}),
                                    speeches.c.person_id == person_id))
        excerpt = {(d, p): t for d, p, t in texts}
        for r in rows:
            r["excerpt"] = excerpt.get((r["id"], r["first_position"]), "")
    return total, rows


def department_totals(conn: Connection, department_slug: str, kinds) -> dict:
    """{sections, questions}: how many of the department's sections of these kinds are held, and the
    question groups (minor headings) in them, from ``department_kinds`` (kept at ingest)."""
    row = direct.rows(conn, _DEPARTMENT_TOTALS, {"slug": department_slug, "kinds": list(kinds)})[0]
    return {"sections": int(row[0] or 0), "questions": int(row[1] or 0)}


def department_totals_by_kind(conn: Connection, department_slug: str) -> dict[str, dict]:
    """{kind: {sections, questions}} of the department (as :func:`department_totals` for each kind), in
    one statement: a department page shows three lists, each with its total."""
    rows = direct.rows(conn, _DEPARTMENT_TOTALS_BY_KIND, {"slug": department_slug})
    return {kind: {"sections": int(n_sections or 0), "questions": int(n_questions or 0)}
            for kind, n_sections, n_questions in rows}


def totals_of_kinds(by_kind: dict[str, dict], kinds) -> dict:
    """:func:`department_totals` of these kinds, from :func:`department_totals_by_kind`."""
    found = [by_kind[k] for k in set(kinds) if k in by_kind]
    return {"sections": sum(t["sections"] for t in found), "questions": sum(t["questions"] for t in found)}


#: one row per kind (``department_kinds``, kept at ingest): summing ``file_departments`` read one row per
#: file that held the department's sections (0.44 ms at 1M, 0.78 at 3M for the busiest department)
_DEPARTMENT_TOTALS_BY_KIND = (select(department_kinds.c.kind, department_kinds.c.sections, department_kinds.c.questions)
                              .where(department_kinds.c.department_slug == bindparam("slug")))
_DEPARTMENT_TOTALS = (select(func.sum(department_kinds.c.sections), func.sum(department_kinds.c.questions))
                      .where(department_kinds.c.department_slug == bindparam("slug"),
                             department_kinds.c.kind.in_(bindparam("kinds", expanding=True))))


def department_sections(conn: Connection, department_slug: str, kinds, limit: int = 10,
                        offset: int = 0, *, with_total: bool = True) -> tuple[int | None, list[dict]]:
    """(total, page) of a department's sections of these kinds, newest first (``with_total=False``:
    total is None, not counted).

    Each kind's newest ``offset + limit`` sections are read in index order
    (``ix_debates_department_kind``: department, kind, date) and only those are merged and sorted, so
    an early page costs what it shows whatever the department holds: one ``IN`` over the kinds made
    SQLite walk the department's every section newest first until enough of those kinds turned up
    (4.4 ms for a department's written statements in the 3M bench database, 0.2 ms this way). Deep
    pages (past :data:`MERGED_DEPTH`) read every kind's newest sections to that depth, which costs
    more than one walk of the department: they take the single statement.
    """
    total = department_totals(conn, department_slug, kinds)["sections"] if with_total else None
    kinds = list(dict.fromkeys(kinds))
    if limit <= 0 or not kinds:
        return total, []
    if offset + limit > MERGED_DEPTH:
        return total, direct.dicts(conn, _DEPARTMENT_SECTIONS, {"slug": department_slug, "kinds": kinds,
                                                                "limit": limit, "offset": offset})
    params = {"slug": department_slug, "depth": offset + limit, "limit": limit, "offset": offset,
              **{f"kind_{i}": kind for i, kind in enumerate(kinds)}}
    return total, direct.dicts(conn, _department_sections(len(kinds)), params)


_SECTION_FIELDS = ("id", "kind", "date", "title", "department_slug", "speeches", "words")
#: how deep into a department's sections the per-kind statement goes (at 3M: per kind faster up to
#: a few hundred rows, the single walk faster beyond)
MERGED_DEPTH = 200

_DEPARTMENT_SECTIONS = (select(*(debates.c[f] for f in _SECTION_FIELDS))
                        .where(debates.c.department_slug == bindparam("slug"),
                               debates.c.kind.in_(bindparam("kinds", expanding=True)))
                        .order_by(debates.c.date.desc(), debates.c.position, debates.c.id)
                        .limit(bindparam("limit")).offset(bindparam("offset")))


@lru_cache(maxsize=8)
def _department_sections(n_kinds: int):
    """The statement of :func:`department_sections` for ``n_kinds`` kinds (bound as ``kind_0`` …)."""
    newest_of_kind = [
        select(*(debates.c[f] for f in _SECTION_FIELDS), debates.c.position)
        .where(debates.c.department_slug == bindparam("slug"), debates.c.kind == bindparam(f"kind_{i}"))
        .order_by(debates.c.date.desc(), debates.c.position, debates.c.id)
        .limit(bindparam("depth")).subquery(f"kind_{i}")
        for i in range(n_kinds)]
    merged = union_all(*(select(*q.c) for q in newest_of_kind)).subquery("newest")
    return (select(*(merged.c[f] for f in _SECTION_FIELDS))
            .order_by(merged.c.date.desc(), merged.c.position, merged.c.id)
            .limit(bindparam("limit")).offset(bindparam("offset")))
