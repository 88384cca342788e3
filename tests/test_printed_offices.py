"""A department page's printed offices (``departments.offices_printed_in``) read from the partial index
of speeches with a printed office (migration 0027), and the same people, offices and dates as every
speech of the department's sections says."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from despatchbox.store import database
from despatchbox.store.queries import departments as department_queries
from despatchbox.store.queries import direct, fellows


def _printed(conn) -> list[tuple[str, date]]:
    """(department, date) of each section of the sample with a speech under a printed office."""
    rows = conn.execute(text(
        "SELECT DISTINCT debates.department_slug, debates.date FROM speeches JOIN debates "
        "ON debates.id = speeches.debate_id WHERE speeches.speaker_office IS NOT NULL "
        "AND debates.department_slug IS NOT NULL ORDER BY 1, 2")).all()
    return [(slug, day if isinstance(day, date) else date.fromisoformat(day)) for slug, day in rows]


def _by_every_speech(conn, slug: str, since: date, until: date) -> list[tuple]:
    """What the statement answers, worked out in Python from every speech of the department's sections."""
    found: dict[tuple, dict] = {}
    for person, office, day, position, slug_, name, house in conn.execute(text(
            "SELECT speeches.person_id, speeches.speaker_office, speeches.date, speeches.position, people.slug, "
            "people.name, people.house FROM speeches JOIN debates ON debates.id = speeches.debate_id "
            "JOIN people ON people.id = speeches.person_id WHERE debates.department_slug = :slug "
            "AND debates.date >= :since AND debates.date <= :until"), {"slug": slug, "since": since, "until": until}):
        if office is None:
            continue
        day = day if isinstance(day, date) else date.fromisoformat(day)
        got = found.setdefault((person, office), {"first": day, "last": day, "position": position,
                                                  "who": (slug_, name, house)})
        got["first"], got["last"] = min(got["first"], day), max(got["last"], day)
        got["position"] = min(got["position"], position)
    return sorted((v["first"], v["position"], k[0], k[1], v["last"], v["who"]) for k, v in found.items())


def test_printed_offices_are_every_speech_with_one_in_the_departments_sections(sample_engine):
    with sample_engine.connect() as conn:
        printed = _printed(conn)
        assert len({slug for slug, _ in printed}) >= 3
        for slug, day in printed:
            for since, until in ((day - timedelta(days=14), day), (day, day),
                                 (day + timedelta(days=1), day + timedelta(days=9))):
                got = department_queries.offices_printed_in(conn, slug, since, until)
                expected = _by_every_speech(conn, slug, since, until)
                assert [(r["person_id"], r["office"], r["first"], r["last"],
                         (r["person_slug"], r["person_name"], r["person_house"])) for r in got] == \
                       [(person, office, first, last, who) for first, _, person, office, last, who in expected]


def test_printed_offices_are_read_from_their_index_not_every_speech(sample_engine):
    """SQLite: the speeches are found from ``ix_speeches_printed_office`` (only those with a printed
    office), not read one by one from the table."""
    if sample_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan")
    with sample_engine.connect() as conn:
        prepared = direct._prepare(department_queries._OFFICES_PRINTED_IN, conn.dialect)
        assert prepared is not None
        sql, values = prepared.bound({"slug": "home-office", "since": date(2009, 10, 1), "until": date(2009, 10, 31)})
        plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(values)))
    assert "ix_speeches_printed_office" in plan, plan
    assert "ix_speeches_debate_speaker" not in plan, plan


def test_0027_down_and_up_drops_and_makes_the_indexes(database_factory):
    from alembic import command
    from sqlalchemy import inspect

    url = database_factory.new_url()
    engine = database.engine_for(url)                # brought up to the latest migration

    def indexes() -> set[str]:
        return {i["name"] for t in ("speeches", "memberships") for i in inspect(engine).get_indexes(t)}

    made = {"ix_speeches_printed_office", "ix_memberships_party"}
    assert made <= indexes()
    command.downgrade(database.alembic_config(engine), "0025")
    assert not made & indexes()
    command.upgrade(database.alembic_config(engine), "heads")
    assert made <= indexes()
    database_factory.drop(url)


def test_fellow_speakers_leave_out_seats_of_the_chair(sample_engine):
    """The chair's seats (found by party, ``ix_memberships_party``) are left out of a member's fellow
    speakers; a seat with no membership, or one of another party, counts."""
    from sqlalchemy import select

    from despatchbox.store.queries import people
    from despatchbox.store.schema import debate_speakers, memberships

    with sample_engine.connect() as conn:
        busiest = [r["id"] for r in people.most_active(conn, limit=6)]
        chair_only_seen = 0
        for pid in busiest:
            spoken = [i for i, kind in people.latest_debates(conn, pid, 100, with_kind=True)
                      if kind in people.SPOKEN_KINDS]
            seats = conn.execute(
                select(debate_speakers.c.person_id, memberships.c.party)
                .select_from(debate_speakers.outerjoin(memberships, memberships.c.id == debate_speakers.c.membership_id))
                .where(debate_speakers.c.person_id != pid, debate_speakers.c.debate_id.in_(spoken))).all()
            assert seats, pid
            other = {person for person, party in seats if party not in fellows.CHAIR_PARTIES}
            chair_only = {person for person, party in seats if party in fellows.CHAIR_PARTIES} - other
            chair_only_seen += len(chair_only)
            found = {f["id"] for f in fellows.fellow_speakers(conn, pid, limit=10_000)}
            assert found == other, pid
        assert chair_only_seen, "the sample should hold the chair speaking in a busy member's debates"


def test_fellow_speakers_find_the_chairs_seats_from_their_index(sample_engine):
    if sample_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan")

    with sample_engine.connect() as conn:
        prepared = direct._prepare(fellows._FELLOWS, conn.dialect)
        assert prepared is not None
        sql, values = prepared.bound({"debate_ids": ["a", "b"], "person_id": 1, "chair": list(fellows.CHAIR_PARTIES),
                                      "limit": 8})
        plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(values)))
    assert "ix_memberships_party" in plan, plan
    assert "SCAN memberships" not in plan and "sqlite_autoindex_memberships" not in plan, plan
