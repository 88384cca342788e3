"""What member pages read instead of a member's every speech, kept exact as the record changes.

- ``debate_speakers``: who spoke in each debate, one row per debate, person and seat, with their
  speeches, questions, answers and words there, and the debate's kind, date and department. It
  belongs to a source file like the speeches it groups (``file_id``).
- ``person_days``: a person's contributions on each day they spoke (the activity chart's days and
  the latest days of a member page).
- ``person_months``: ``person_days`` summed by month (the activity chart's months and the counts of a
  member page: a long career is ~2,000 days but ~150 months).
- ``person_departments``: a person's debates with each department, by the debates' kind (the
  "departments debated with" list);
- ``file_departments``: each file's sections and question groups by department and kind;
- ``department_kinds``: ``file_departments`` summed per department and kind (a department page's
  totals: one row per kind, not one per file).

:func:`refresh_files` is called in the transaction that changes a file's speeches (loading it,
replacing it by a later version, loading it again, moving its speeches to other people): the file's
``debate_speakers`` rows are grouped again from its speeches, then the ``person_days`` and
``person_departments`` rows of every (person, day) and (person, department, kind) those rows named,
before or after, are summed again from ``debate_speakers``, and the ``person_months`` rows of those
people and days' months from ``person_days``; the ``person_departments`` rows they
name move by the difference between the file's rows before and after (summing a person's whole
history with a department again grew with the record: 1.8 s of an 11 s one-day update at 1M); the
file's ``file_departments`` rows are counted again from its debates and headings, and the
``department_kinds`` rows they name move by the difference. The people those rows named are listed
for their fellow speakers to be counted again (``store/queries/fellows.py``). The work is
bounded by what the file touches, not by the size of the record. Migration 0019 fills all three from a held record.

A debate's speeches are all held on its day (ParlParse's files are one sitting day each), so a
person's distinct debates summed over their days are their distinct debates.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, Date, Select, and_, bindparam, case, cast, delete, distinct, func, insert, select, tuple_

from . import fellows
from ..schema import (debate_speakers, debates, department_kinds, file_departments, headings, person_days,
                      person_departments, person_months, speeches)

#: values per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
CHUNK = 500

_GROUPED_COLUMNS = ["file_id", "debate_id", "person_id", "membership_id", "kind", "date", "department_slug",
                    "speeches", "questions", "answers", "words"]


def _count_of(element: str):
    return func.sum(case((speeches.c.element == element, 1), else_=0))


def _speakers_of(where) -> Select:
    """The speeches matching ``where``, grouped into ``debate_speakers`` rows."""
    keys = (speeches.c.file_id, speeches.c.debate_id, speeches.c.person_id, speeches.c.membership_id,
            debates.c.kind, speeches.c.date, debates.c.department_slug)
    return (select(*keys, _count_of("speech"), _count_of("ques"), _count_of("reply"),
                   func.coalesce(func.sum(speeches.c.words), 0))
            .select_from(speeches.join(debates, debates.c.id == speeches.c.debate_id))
            .where(where, speeches.c.person_id.is_not(None))
            .group_by(*keys))


def _chunks(values: list) -> Iterable[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _keys_of(conn: Connection, file_ids: list[int]) -> set[tuple]:
    """(person, day, department, kind) of the ``debate_speakers`` rows these files hold."""
    q = (select(debate_speakers.c.person_id, debate_speakers.c.date, debate_speakers.c.department_slug,
                debate_speakers.c.kind).distinct().where(debate_speakers.c.file_id.in_(file_ids)))
    return {tuple(r) for r in conn.execute(q)}


def refresh_files(conn: Connection, file_ids: Iterable[int | None]) -> None:
    """Make every aggregate exact again after these files' speeches changed (the caller owns the
    transaction): a file loaded, the version it replaced, a file whose speakers were re-resolved.
    A file that holds no speeches any more (replaced) just loses its rows."""
    ids = sorted({i for i in file_ids if i is not None})
    for chunk in _chunks(ids):
        touched = _keys_of(conn, chunk)
        before = _department_totals(conn, chunk)
        conn.execute(delete(debate_speakers).where(debate_speakers.c.file_id.in_(chunk)))
        conn.execute(insert(debate_speakers).from_select(_GROUPED_COLUMNS,
                                                         _speakers_of(speeches.c.file_id.in_(chunk))))
        touched |= _keys_of(conn, chunk)
        _refresh_person_days(conn, {(person, day) for person, day, _dept, _kind in touched})
        fellows.mark_due(conn, {person for person, _day, _dept, _kind in touched})
        _apply_department_changes(conn, before, _department_totals(conn, chunk))
        sections_before = _file_sections(conn, chunk)
        conn.execute(delete(file_departments).where(file_departments.c.file_id.in_(chunk)))
        conn.execute(insert(file_departments).from_select(
            ["file_id", "department_slug", "kind", "sections", "questions"], _departments_of(chunk)))
        _apply_section_changes(conn, sections_before, _file_sections(conn, chunk))


def _file_sections(conn: Connection, file_ids: list[int]) -> dict[tuple, tuple[int, int]]:
    """(department, kind) → (sections, questions) of these files' ``file_departments`` rows, summed."""
    fd = file_departments
    q = (select(fd.c.department_slug, fd.c.kind, func.sum(fd.c.sections), func.sum(fd.c.questions))
         .where(fd.c.file_id.in_(file_ids)).group_by(fd.c.department_slug, fd.c.kind))
    return {(dept, kind): (int(n), int(questions)) for dept, kind, n, questions in conn.execute(q)}


def _apply_section_changes(conn: Connection, before: dict[tuple, tuple[int, int]],
                           after: dict[tuple, tuple[int, int]]) -> None:
    """Move the ``department_kinds`` rows these files' rows name by the difference between them."""
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    if not changed:
        return
    dk = department_kinds
    keys = tuple_(dk.c.department_slug, dk.c.kind)
    held = {(dept, kind): (n, questions) for dept, kind, n, questions in conn.execute(
        select(dk.c.department_slug, dk.c.kind, dk.c.sections, dk.c.questions).where(keys.in_(changed)))}
    rows = []
    for key in changed:
        n, questions = held.get(key, (0, 0))
        old_n, old_questions = before.get(key, (0, 0))
        new_n, new_questions = after.get(key, (0, 0))
        n, questions = n - old_n + new_n, questions - old_questions + new_questions
        if n > 0 or questions > 0:
            rows.append({"department_slug": key[0], "kind": key[1], "sections": n, "questions": questions})
    if held:
        conn.execute(delete(dk).where(keys.in_(sorted(held))))
    if rows:
        conn.execute(insert(dk), rows)


def _departments_of(file_ids: list[int]) -> Select:
    """The files' debates attributed to a department, counted by department and kind, with their
    question groups (minor headings)."""
    keys = (debates.c.file_id, debates.c.department_slug, debates.c.kind)
    return (select(*keys, func.count(distinct(debates.c.id)), func.count(headings.c.id))
            .select_from(debates.outerjoin(headings, and_(headings.c.debate_id == debates.c.id,
                                                          headings.c.level == "minor")))
            .where(debates.c.file_id.in_(file_ids), debates.c.department_slug.is_not(None))
            .group_by(*keys))


def refresh_speeches(conn: Connection, speech_ids: Iterable[str]) -> None:
    """:func:`refresh_files` for the files holding these speeches (their speakers were changed)."""
    files: set[int] = set()
    for chunk in _chunks(sorted(set(speech_ids))):
        files.update(conn.execute(select(speeches.c.file_id).distinct().where(speeches.c.id.in_(chunk))).scalars())
    refresh_files(conn, files)


def _refresh_person_days(conn: Connection, pairs: set[tuple]) -> None:
    """Sum again every (person, day) of the people and days named: a few people and one day for a
    file, so the cross product of the two is what the pairs cover (any extra pair is summed again too)."""
    people = sorted({person for person, _day in pairs})
    days = sorted({day for _person, day in pairs})
    ds = debate_speakers
    for chunk in _chunks(people):
        for day_chunk in _chunks(days):
            conn.execute(delete(person_days).where(person_days.c.person_id.in_(chunk),
                                                   person_days.c.date.in_(day_chunk)))
            grouped = (select(ds.c.person_id, ds.c.date, func.sum(ds.c.speeches), func.sum(ds.c.questions),
                              func.sum(ds.c.answers), func.sum(ds.c.words), func.count(distinct(ds.c.debate_id)))
                       .where(ds.c.person_id.in_(chunk), ds.c.date.in_(day_chunk))
                       .group_by(ds.c.person_id, ds.c.date))
            conn.execute(insert(person_days).from_select(
                ["person_id", "date", "speeches", "questions", "answers", "words", "debates"], grouped))
        _refresh_person_months(conn, chunk, days[0], days[-1])


def _month_of(conn: Connection, day):
    """The first day of the month of a date column, as a date (SQLite stores dates as ISO text)."""
    if conn.dialect.name == "sqlite":
        return func.date(day, "start of month")
    return cast(func.date_trunc("month", day), Date)


def _refresh_person_months(conn: Connection, people: list[int], first: date, last: date) -> None:
    """Sum again from ``person_days`` these people's months from ``first``'s to ``last``'s (one file: one
    month; any month between is summed again too, exactly)."""
    start = first.replace(day=1)
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)            # the next month's first day
    pd, pm = person_days, person_months
    conn.execute(delete(pm).where(pm.c.person_id.in_(people), pm.c.month >= start, pm.c.month < end))
    month = _month_of(conn, pd.c.date)
    grouped = (select(pd.c.person_id, month, func.sum(pd.c.speeches), func.sum(pd.c.questions),
                      func.sum(pd.c.answers), func.sum(pd.c.words))
               .where(pd.c.person_id.in_(people), pd.c.date >= start, pd.c.date < end)
               .group_by(pd.c.person_id, month))
    conn.execute(insert(pm).from_select(["person_id", "month", "speeches", "questions", "answers", "words"], grouped))


def _department_totals(conn: Connection, file_ids: list[int]) -> dict[tuple, tuple]:
    """What these files' ``debate_speakers`` rows add to ``person_departments``: per (person,
    department, kind), their distinct debates, contributions and latest date. A debate belongs to one
    file, so the debates of different files never overlap and these figures add up across files."""
    ds = debate_speakers
    keys = (ds.c.person_id, ds.c.department_slug, ds.c.kind)
    q = (select(*keys, func.count(distinct(ds.c.debate_id)), func.sum(ds.c.speeches + ds.c.questions + ds.c.answers),
                func.max(ds.c.date))
         .where(ds.c.file_id.in_(file_ids), ds.c.department_slug.is_not(None)).group_by(*keys))
    return {(person, dept, kind): (n, contributions, latest) for person, dept, kind, n, contributions, latest
            in conn.execute(q)}


def _apply_department_changes(conn: Connection, before: dict[tuple, tuple], after: dict[tuple, tuple]) -> None:
    """Make ``person_departments`` exact again after some files' rows went from ``before`` to ``after``
    (:func:`_department_totals` of the same files): each (person, department, kind) they name moves by
    the difference, so the cost is bounded by what the files hold, not by a person's whole history.
    The latest date is looked up again only when the rows that held it went away."""
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    pd, ds = person_departments, debate_speakers
    for chunk in _chunks(changed):
        people = sorted({person for person, _dept, _kind in chunk})
        held = {(p, d, k): (n, c, latest) for p, d, k, n, c, latest in conn.execute(
            select(pd.c.person_id, pd.c.department_slug, pd.c.kind, pd.c.debates, pd.c.contributions, pd.c.latest)
            .where(pd.c.person_id.in_(people), pd.c.department_slug.in_(sorted({d for _p, d, _k in chunk}))))}
        rows: list[tuple[tuple, tuple | None]] = []
        for key in chunk:
            n, contributions, latest = held.get(key, (0, 0, None))
            old_n, old_c, old_latest = before.get(key, (0, 0, None))
            new_n, new_c, new_latest = after.get(key, (0, 0, None))
            n, contributions = n - old_n + new_n, contributions - old_c + new_c
            if n <= 0:
                rows.append((key, None))
                continue
            if old_latest is not None and latest is not None and old_latest >= latest and (
                    new_latest is None or new_latest < old_latest):
                person, dept, kind = key
                latest = conn.execute(select(func.max(ds.c.date)).where(
                    ds.c.person_id == person, ds.c.department_slug == dept, ds.c.kind == kind)).scalar()
            elif new_latest is not None:
                latest = new_latest if latest is None else max(latest, new_latest)
            rows.append((key, (n, contributions, latest)))
        gone = [{"p": p, "d": d, "k": k} for (p, d, k), _values in rows if (p, d, k) in held]
        if gone:    # one statement run for each key (a day names ~550 keys already held at 3M: one
            # statement built per key cost 0.15 s; a row-value IN list is not looked up by the key in SQLite)
            conn.execute(delete(pd).where(pd.c.person_id == bindparam("p"), pd.c.department_slug == bindparam("d"),
                                          pd.c.kind == bindparam("k")), gone)
        values = [{"person_id": p, "department_slug": d, "kind": k, "debates": v[0], "contributions": v[1],
                   "latest": v[2]} for (p, d, k), v in rows if v is not None]
        if values:
            conn.execute(insert(pd), values)


__all__ = ["refresh_files", "refresh_speeches"]
