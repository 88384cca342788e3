"""A member's fellow speakers kept per person (store/queries/fellows.py, migration 0029), on the real
sample: counted as an ingest ends; listed as due again for the people a changed file names, and for
nobody else; left to compaction by an update (``defer_merges``); everyone due when the chair's seats
change; and what is kept always reads as the count a page made before. SQLite and PostgreSQL."""
from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from despatchbox.pipeline.compaction import compact, count_fellows
from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.store.queries import fellows, people
from despatchbox.store.schema import debate_speakers, memberships, person_fellows, person_fellows_due

WESTMINSTER = ("scrapedxml", "westminhall", "westminster2009-10-28a.xml")
CARMICHAEL, BRYANT = "uk.org.publicwhip/member/2006", "uk.org.publicwhip/member/1779"
#: John Bercow's seat as Speaker in the sample's members data
BERCOW_AS_SPEAKER = "uk.org.publicwhip/member/40031"


def _due(engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(select(person_fellows_due.c.person_id)).scalars())


def _kept(engine) -> dict[int, set[tuple]]:
    out: dict[int, set[tuple]] = {}
    with engine.connect() as conn:
        for pid, fellow, n_debates, n_speeches in conn.execute(select(person_fellows)):
            out.setdefault(pid, set()).add((fellow, n_debates, n_speeches))
    return out


def _speakers_of_file(engine, name: str) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT DISTINCT ds.person_id FROM debate_speakers ds JOIN source_files f ON f.id = ds.file_id "
            "WHERE f.name = :n AND ds.person_id IS NOT NULL"), {"n": name}).scalars())


def _everyone(engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(debate_speakers.c.person_id).distinct()
                                   .where(debate_speakers.c.person_id.is_not(None))).scalars())


def _assert_reads_as_counted(engine, pids) -> int:
    """Every person's fellows read as counted; returns how many people have some."""
    with engine.connect() as conn:
        some = 0
        for pid in pids:
            for limit in (8, 3):
                assert fellows.fellow_speakers(conn, pid, limit) == fellows.count_fellow_speakers(conn, pid, limit), pid
            some += bool(fellows.fellow_speakers(conn, pid))
    return some


def test_an_ingest_counts_everyones_fellows_as_it_ends(sample_engine):
    assert not _due(sample_engine)
    kept = _kept(sample_engine)
    everyone = _everyone(sample_engine)
    assert _assert_reads_as_counted(sample_engine, everyone) > 100
    assert set(kept) <= set(everyone) and len(kept) > 100
    # ties at the eighth place are kept (a name read with the page breaks them): some people keep more
    assert max(len(rows) for rows in kept.values()) > fellows.FELLOWS_KEPT
    with sample_engine.connect() as conn:
        busiest = people.most_active(conn, limit=1)[0]["id"]
        counted = fellows.count_fellow_speakers(conn, busiest, limit=10_000)
    ranked = sorted({(f["debates"], f["speeches"]) for f in counted}, reverse=True)
    eighth = sorted(((f["debates"], f["speeches"]) for f in counted), reverse=True)[fellows.FELLOWS_KEPT - 1]
    assert {(f["id"], f["debates"], f["speeches"]) for f in counted
            if (f["debates"], f["speeches"]) >= eighth} == kept[busiest]
    assert len(ranked) > 1


def test_a_changed_file_lists_only_its_speakers_as_due_and_an_update_leaves_them_to_compaction(
        fresh_engine, sample_copy):
    assert ingest(fresh_engine, [sample_copy]).ok
    assert not _due(fresh_engine)
    kept_before = _kept(fresh_engine)
    path = sample_copy.joinpath(*WESTMINSTER)
    speakers_before = _speakers_of_file(fresh_engine, path.name)
    # the same file again, changed: Carmichael's speeches are given to Bryant
    xml = path.read_text(encoding="utf-8")
    path.write_text(xml.replace(CARMICHAEL, BRYANT), encoding="utf-8")
    report = ingest(fresh_engine, [sample_copy], defer_merges=True)          # what `despatchbox update` runs
    assert report.ok and report.loaded == [path.name]
    speakers_after = _speakers_of_file(fresh_engine, path.name)
    assert speakers_before != speakers_after
    due = _due(fresh_engine)
    assert due == speakers_before | speakers_after
    kept_now = _kept(fresh_engine)
    assert {p: r for p, r in kept_now.items() if p not in due} == {p: r for p, r in kept_before.items() if p not in due}
    everyone = _everyone(fresh_engine)
    _assert_reads_as_counted(fresh_engine, everyone)                          # the due ones counted as read
    done = compact(fresh_engine)
    assert done is not None and done.fellows == len(due)
    assert not _due(fresh_engine)
    _assert_reads_as_counted(fresh_engine, everyone)
    assert _kept(fresh_engine) != kept_before                                 # Carmichael's places went to Bryant


def test_a_change_of_the_chairs_seats_lists_everyone_as_due(fresh_engine, sample_copy):
    assert ingest(fresh_engine, [sample_copy]).ok
    with fresh_engine.connect() as conn:
        bercow = conn.execute(select(memberships.c.person_id)
                              .where(memberships.c.id == BERCOW_AS_SPEAKER)).scalar_one()
    assert not any(bercow in {f for f, _d, _s in rows} for rows in _kept(fresh_engine).values())
    members = sample_copy / "members" / "reduced-all-members.xml"
    xml = members.read_text(encoding="iso-8859-1")
    seat = f'id="{BERCOW_AS_SPEAKER}" lastname="Bercow" party="SPK"'
    assert seat in xml
    # a copy in which the Speaker's seat is given a party: his debates now make him a fellow speaker
    members.write_text(xml.replace(seat, seat.replace('"SPK"', '"Con"')), encoding="iso-8859-1")
    report = ingest(fresh_engine, [sample_copy], defer_merges=True)
    assert report.ok and members.name in report.loaded
    everyone = _everyone(fresh_engine)
    assert _due(fresh_engine) == set(everyone)
    _assert_reads_as_counted(fresh_engine, everyone)
    assert count_fellows(fresh_engine) == len(everyone)
    _assert_reads_as_counted(fresh_engine, everyone)
    assert any(bercow in {f for f, _d, _s in rows} for rows in _kept(fresh_engine).values())


def test_the_migration_lists_everyone_who_spoke_as_due(database_factory):
    from despatchbox.config import SAMPLE_DIR
    url = database_factory.new_url()
    engine = database.engine_for(url)
    assert ingest(engine, [SAMPLE_DIR / "parlparse-2009-10" / "scrapedxml" / "westminhall",
                           SAMPLE_DIR / "parlparse-2009-10" / "members"]).ok
    kept = _kept(engine)
    assert kept and not _due(engine)
    command.downgrade(database.alembic_config(engine), "0028")
    command.upgrade(database.alembic_config(engine), "heads")
    everyone = _everyone(engine)
    assert _due(engine) == set(everyone) and not _kept(engine)
    _assert_reads_as_counted(engine, everyone)
    assert count_fellows(engine) == len(everyone)
    assert _kept(engine) == kept
    engine.dispose()
    database_factory.drop(url)
