"""The page aggregates (store/queries/aggregates.py, migration 0019) on the real sample week: what the
member pages read equals what the queries over every speech they replaced return, after an ingest,
after a file is loaded again changed, after a later version of a day replaces it, after speeches
are moved to another person, and after the migration fills them on a held record."""
from __future__ import annotations

import re

from sqlalchemy import and_, case, distinct, func, or_, select, text

from despatchbox.pipeline.compaction import count_fellows
from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.store.database import write_transaction
from despatchbox.store.queries import fellows, people
from despatchbox.store.queries.reresolve import set_speech_people
from despatchbox.store.queries.debates import department_totals, department_totals_by_kind, totals_of_kinds
from despatchbox.store.schema import (debate_speakers, debates, department_kinds, divisions, file_departments, headings,
                                      memberships, person_days, person_departments, person_months, speeches, votes)
from despatchbox.store.schema import people as people_table

SPOKEN = people.SPOKEN_KINDS


# --- the queries over every speech that the aggregates replaced (as they were before 0019) --------

def live_counts(conn, pid: int) -> dict:
    row = conn.execute(select(
        func.sum(case((speeches.c.element == "speech", 1), else_=0)),
        func.sum(case((speeches.c.element == "ques", 1), else_=0)),
        func.sum(case((speeches.c.element == "reply", 1), else_=0)),
        func.sum(speeches.c.words), func.count(distinct(speeches.c.debate_id)),
    ).where(speeches.c.person_id == pid)).one()
    return {"speeches": int(row[0] or 0), "questions": int(row[1] or 0), "answers": int(row[2] or 0),
            "words": int(row[3] or 0), "debates": int(row[4] or 0), "votes": people.vote_count(conn, pid)}


def live_activity(conn, pid: int) -> list[dict]:
    keys = {"speech": "speeches", "ques": "questions", "reply": "answers"}
    out: list[dict] = []
    for day, element, n in conn.execute(select(speeches.c.date, speeches.c.element, func.count())
                                        .where(speeches.c.person_id == pid)
                                        .group_by(speeches.c.date, speeches.c.element).order_by(speeches.c.date)):
        if not out or out[-1]["date"] != day:
            out.append({"date": day, "speeches": 0, "questions": 0, "answers": 0})
        out[-1][keys[element]] += int(n)
    return out


def by_month(days: list[dict]) -> list[dict]:
    """Days of :func:`live_activity` summed by month (dated by its first day), oldest first."""
    out: list[dict] = []
    for d in days:
        month = d["date"].replace(day=1)
        if not out or out[-1]["date"] != month:
            out.append({"date": month, "speeches": 0, "questions": 0, "answers": 0})
        for key in ("speeches", "questions", "answers"):
            out[-1][key] += d[key]
    return out


def live_department_debate_counts(conn, pid: int, kinds=SPOKEN) -> list[dict]:
    mine = (select(speeches.c.debate_id, func.count().label("n")).where(speeches.c.person_id == pid)
            .group_by(speeches.c.debate_id).subquery())
    q = (select(debates.c.department_slug, func.count(), func.sum(mine.c.n), func.max(debates.c.date))
         .select_from(mine.join(debates, debates.c.id == mine.c.debate_id))
         .where(debates.c.department_slug.is_not(None), debates.c.kind.in_(kinds))
         .group_by(debates.c.department_slug).order_by(func.count().desc(), debates.c.department_slug))
    return [{"department_slug": r[0], "debates": int(r[1]), "speeches": int(r[2] or 0),
             "latest": people._day(r[3])} for r in conn.execute(q)]


def live_fellow_speakers(conn, pid: int, limit: int = 8, recent: int = 100) -> list[dict]:
    latest = [r[0] for r in conn.execute(
        select(speeches.c.debate_id).where(speeches.c.person_id == pid).group_by(speeches.c.debate_id)
        .order_by(func.max(speeches.c.date).desc(), speeches.c.debate_id.desc()).limit(recent))]
    spoken = [i for i, kind in conn.execute(select(debates.c.id, debates.c.kind).where(debates.c.id.in_(latest)))
              if kind in SPOKEN]
    if not spoken:
        return []
    per_seat = (select(speeches.c.person_id, speeches.c.membership_id, speeches.c.debate_id, func.count().label("n"))
                .where(speeches.c.debate_id.in_(spoken), speeches.c.person_id.is_not(None),
                       speeches.c.person_id != pid)
                .group_by(speeches.c.person_id, speeches.c.membership_id, speeches.c.debate_id).subquery())
    q = (select(people_table.c.id, people_table.c.slug, people_table.c.name, people_table.c.house,
                func.count(distinct(per_seat.c.debate_id)).label("debates"), func.sum(per_seat.c.n).label("speeches"))
         .select_from(per_seat.join(people_table, people_table.c.id == per_seat.c.person_id)
                      .outerjoin(memberships, memberships.c.id == per_seat.c.membership_id))
         .where(or_(memberships.c.party.is_(None), memberships.c.party.not_in(("SPK", "CWM", "DCWM"))))
         .group_by(people_table.c.id, people_table.c.slug, people_table.c.name, people_table.c.house)
         .order_by(func.count(distinct(per_seat.c.debate_id)).desc(), func.sum(per_seat.c.n).desc(),
                   people_table.c.name).limit(limit))
    return [{**dict(r), "speeches": int(r["speeches"])} for r in conn.execute(q).mappings()]


def live_department_totals(conn, slug: str, kinds) -> dict:
    where = (debates.c.department_slug == slug, debates.c.kind.in_(list(kinds)))
    sections = conn.execute(select(func.count()).select_from(debates).where(*where)).scalar_one()
    questions = conn.execute(select(func.count()).select_from(debates.join(headings, headings.c.debate_id == debates.c.id))
                             .where(*where, headings.c.level == "minor")).scalar_one()
    return {"sections": sections, "questions": questions}


def live_latest_debates(conn, pid: int, limit: int) -> list[str]:
    return [r[0] for r in conn.execute(
        select(speeches.c.debate_id).where(speeches.c.person_id == pid).group_by(speeches.c.debate_id)
        .order_by(func.max(speeches.c.date).desc(), speeches.c.debate_id.desc()).limit(limit))]


# --- checks -------------------------------------------------------------------------------------

def _rows(conn, table) -> list[tuple]:
    cols = [c for c in table.c if c.name != "file_id"] if table is debate_speakers else list(table.c)
    return sorted((tuple(r) for r in conn.execute(select(*cols))), key=repr)


def _speakers_from_scratch(conn) -> list[tuple]:
    keys = (speeches.c.debate_id, speeches.c.person_id, speeches.c.membership_id, debates.c.kind, speeches.c.date,
            debates.c.department_slug)
    q = (select(*keys, *[func.sum(case((speeches.c.element == e, 1), else_=0)) for e in ("speech", "ques", "reply")],
                func.sum(speeches.c.words))
         .select_from(speeches.join(debates, debates.c.id == speeches.c.debate_id))
         .where(speeches.c.person_id.is_not(None)).group_by(*keys))
    return sorted((tuple(r) for r in conn.execute(q)), key=repr)


def _months_from_days(conn) -> list[tuple]:
    """``person_days`` summed by month, in Python."""
    months: dict[tuple, list[int]] = {}
    for pid, day, *values in conn.execute(select(person_days.c.person_id, person_days.c.date, person_days.c.speeches,
                                                 person_days.c.questions, person_days.c.answers, person_days.c.words)):
        held = months.setdefault((pid, day.replace(day=1)), [0, 0, 0, 0])
        for i, v in enumerate(values):
            held[i] += v
    return sorted(((pid, month, *values) for (pid, month), values in months.items()), key=repr)


def speakers_of_record(conn) -> list[int]:
    return list(conn.execute(select(speeches.c.person_id).distinct().where(speeches.c.person_id.is_not(None))
                             .order_by(speeches.c.person_id)).scalars())


def assert_exact(engine) -> None:
    """Every aggregate row equals the record's speeches grouped again, and every member-page figure
    equals what the old queries over every speech give, for every person who spoke: as the record is,
    then with every fellow speaker due counted and read from what is kept."""
    _assert_exact(engine)
    count_fellows(engine)
    with engine.connect() as conn:
        assert not fellows.any_due(conn)
    _assert_exact(engine)


def _assert_exact(engine) -> None:
    with engine.connect() as conn:
        assert _rows(conn, debate_speakers) == _speakers_from_scratch(conn)
        assert not conn.execute(select(func.count()).select_from(person_days)
                                .where(and_(person_days.c.speeches + person_days.c.questions
                                            + person_days.c.answers == 0))).scalar_one()
        pids = speakers_of_record(conn)
        assert len(pids) > 100
        held_days = {r[0] for r in conn.execute(select(person_days.c.person_id).distinct())}
        held_departments = {r[0] for r in conn.execute(select(person_departments.c.person_id).distinct())}
        assert held_days == set(pids) and held_departments <= set(pids)
        assert _rows(conn, person_months) == _months_from_days(conn)
        assert _rows(conn, department_kinds) == sorted(
            (tuple(r) for r in conn.execute(select(file_departments.c.department_slug, file_departments.c.kind,
                                                   func.sum(file_departments.c.sections),
                                                   func.sum(file_departments.c.questions))
                                            .group_by(file_departments.c.department_slug, file_departments.c.kind))),
            key=repr)
        assert conn.execute(select(func.count()).select_from(votes.join(divisions, divisions.c.id == votes.c.division_id))
                            .where(or_(votes.c.date.is_(None), votes.c.date != divisions.c.date))).scalar_one() == 0
        for pid in pids:
            live = live_activity(conn, pid)
            counts_of_page = {k: v for k, v in live_counts(conn, pid).items() if k != "debates"}
            assert people.counts(conn, pid) == live_counts(conn, pid), pid
            activity, counts = people.activity_and_counts(conn, pid)
            span = (live[-1]["date"] - live[0]["date"]).days
            assert activity == {"latest": live[-10:], "days": live if span <= 92 else None,
                                "months": None if span <= 92 else by_month(live)}, pid
            assert counts == counts_of_page, pid
            activity, counts = people.activity_and_counts(conn, pid, latest=3, days_within=0)   # months
            assert activity == {"latest": live[-3:], "days": live if span == 0 else None,
                                "months": None if span == 0 else by_month(live)}, pid
            assert counts == counts_of_page, pid
            for kinds in (SPOKEN, people.WRITTEN_ANSWER_KINDS):
                assert people.department_debate_counts(conn, pid, kinds) == \
                    live_department_debate_counts(conn, pid, kinds), pid
            assert fellows.fellow_speakers(conn, pid) == live_fellow_speakers(conn, pid), pid    # kept or due
            assert people.latest_debates(conn, pid, 3) == live_latest_debates(conn, pid, 3), pid
        slugs = conn.execute(select(debates.c.department_slug).distinct()
                             .where(debates.c.department_slug.is_not(None))).scalars().all()
        assert len(slugs) > 10
        held = {(r.department_slug, r.kind) for r in conn.execute(select(file_departments))}
        assert {s for s, _kind in held} == set(slugs)
        for slug in slugs:
            by_kind = department_totals_by_kind(conn, slug)          # what the department page reads
            for kinds in (SPOKEN, people.WRITTEN_STATEMENT_KINDS, people.WRITTEN_ANSWER_KINDS):
                assert department_totals(conn, slug, kinds) == live_department_totals(conn, slug, kinds), slug
                assert totals_of_kinds(by_kind, kinds) == live_department_totals(conn, slug, kinds), slug


# --- the tests ----------------------------------------------------------------------------------

def test_aggregates_after_an_ingest_equal_the_queries_over_every_speech(sample_engine):
    assert_exact(sample_engine)
    with sample_engine.connect() as conn:
        hanson = people.department_debate_counts(conn, 10259)
    assert hanson and hanson[0]["department_slug"] == "home-office"


WESTMINSTER = "westminster2009-10-28a.xml"
CARMICHAEL, BRYANT = "uk.org.publicwhip/member/2006", "uk.org.publicwhip/member/1779"


def _person_of_membership(engine, membership_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(memberships.c.person_id).where(memberships.c.id == membership_id)).scalar_one()


def _without_first_speech_of(xml: str, speaker: str) -> str:
    """The file without the first speech given by ``speaker`` (a deletion)."""
    found = re.search(r'<speech id="[^"]+" speakerid="' + re.escape(speaker) + r'".*?</speech>\s*', xml, re.S)
    assert found is not None
    return xml[:found.start()] + xml[found.end():]


def test_aggregates_stay_exact_when_a_file_is_loaded_again_changed_and_then_replaced(fresh_engine, sample_copy):
    assert ingest(fresh_engine, [sample_copy]).ok
    assert_exact(fresh_engine)
    carmichael = _person_of_membership(fresh_engine, CARMICHAEL)
    with fresh_engine.connect() as conn:
        before = people.counts(conn, carmichael)
    assert before["speeches"] >= 5
    path = sample_copy / "scrapedxml" / "westminhall" / WESTMINSTER
    xml = path.read_text(encoding="utf-8")
    # the same file again, changed: Carmichael's speeches are given to Bryant, one of 1515's is deleted
    changed = _without_first_speech_of(xml.replace(CARMICHAEL, BRYANT), "uk.org.publicwhip/member/1515")
    path.write_text(changed, encoding="utf-8")
    report = ingest(fresh_engine, [sample_copy])
    assert report.ok and report.loaded == [WESTMINSTER]
    assert_exact(fresh_engine)
    with fresh_engine.connect() as conn:
        after = people.counts(conn, carmichael)
    assert after["speeches"] < before["speeches"]
    # a later version of the day replaces it: back to the original speakers, another speech deleted
    later = path.with_name(WESTMINSTER.replace("28a", "28b"))
    later.write_text(_without_first_speech_of(xml, "uk.org.publicwhip/member/1572"), encoding="utf-8")
    report = ingest(fresh_engine, [sample_copy])
    assert report.ok and later.name in report.loaded
    assert_exact(fresh_engine)
    with fresh_engine.connect() as conn:
        assert people.counts(conn, carmichael)["speeches"] == before["speeches"]
        held = conn.execute(text("SELECT count(*) FROM debate_speakers ds JOIN source_files f ON f.id = ds.file_id "
                                 "WHERE f.name = :n"), {"n": WESTMINSTER}).scalar_one()
    assert held == 0                       # the replaced version's rows went with its speeches


def test_aggregates_stay_exact_when_speeches_are_moved_to_another_person(fresh_engine):
    """What a members change does to speeches already held (pipeline/members.py's re-resolution)."""
    from despatchbox.config import SAMPLE_DIR
    assert ingest(fresh_engine, [SAMPLE_DIR / "parlparse-2009-10"]).ok
    with fresh_engine.connect() as conn:
        moved = conn.execute(select(speeches.c.id).where(speeches.c.person_id == 10259)
                             .order_by(speeches.c.id).limit(15)).scalars().all()
        target = conn.execute(select(speeches.c.person_id, speeches.c.membership_id)
                              .where(speeches.c.person_id.is_not(None), speeches.c.person_id != 10259)
                              .order_by(speeches.c.id).limit(1)).one()
    assert len(moved) == 15
    with write_transaction(fresh_engine) as conn:
        set_speech_people(conn, [{"gid": gid, "pid": target[0], "mid": target[1]} for gid in moved])
        set_speech_people(conn, [{"gid": moved[0], "pid": None, "mid": None}])      # and one left unresolved
    assert_exact(fresh_engine)


def test_the_migration_fills_the_aggregates_from_a_held_record(tmp_path, db_backend, database_factory):
    """Downgrading below 0019 drops them (and 0025's ``person_months``, ``department_kinds`` and
    ``votes.date``); upgrading fills them again from the speeches, the days, the files' departments and
    the divisions: the same rows."""
    from alembic import command

    from despatchbox.config import SAMPLE_DIR
    url = database_factory.new_url()
    engine = database.engine_for(url)
    assert ingest(engine, [SAMPLE_DIR / "parlparse-2009-10"]).ok
    with engine.connect() as conn:
        held = {t.name: _rows(conn, t) for t in (debate_speakers, person_days, person_months, person_departments,
                                                 file_departments, department_kinds, votes)}
    assert all(held.values())
    command.downgrade(database.alembic_config(engine), "0018")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM speeches")).scalar_one() > 0
    command.upgrade(database.alembic_config(engine), "heads")
    with engine.connect() as conn:
        assert {t.name: _rows(conn, t) for t in (debate_speakers, person_days, person_months, person_departments,
                                                 file_departments, department_kinds, votes)} == held
    assert_exact(engine)
    database_factory.drop(url)

