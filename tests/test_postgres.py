"""What differs between the backends, checked on whichever one the run uses (``--db``):
bulk writes, defaults, booleans, time zones, URLs, locks, dropping databases in use.
Tests that only mean something on one backend say so and are skipped on the other.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, text

from despatchbox.store import locking
from despatchbox.store.bulk import insert_rows
from despatchbox.store.database import integrity_errors, engine_for, make_engine, write_transaction
from despatchbox.store.packing.columns import speech_body_values
from despatchbox.store.schema import ingest_batches, member_aliases, source_files, speeches, votes


def _source_file(conn) -> int:
    return conn.execute(source_files.insert().values(
        name="debates2009-10-26a.xml", kind="debates", series="debates2009-10-26", version="a",
        date=date(2009, 10, 26), sha256="0" * 64, bytes=1, is_current=True, records=0,
        ingested_at=datetime.now(timezone.utc), batch=1)).inserted_primary_key[0]


def test_bulk_insert_fills_defaults_and_round_trips_types(fresh_engine):
    with fresh_engine.begin() as conn:
        file_id = _source_file(conn)
        rows = [{"id": f"g{i}", "file_id": file_id, "debate_id": "d", "kind": "debates", "date": date(2009, 10, 26),
                 "position": i, "element": "speech", **speech_body_values("<p>x</p>", "it's \\ a \t tab\nnew line"),
                 "words": 3} for i in range(2500)]
        rows[7]["nospeaker"] = True            # the others take the column default (False)
        rows[8]["speaker_name"] = None
        assert insert_rows(conn, speeches, rows) == 2500
        assert insert_rows(conn, speeches, []) == 0
        # a serial id left out is handed out by the database
        insert_rows(conn, member_aliases, [{"full_name": "A", "alternate": "B"}, {"full_name": "C", "alternate": "D"}])
    with fresh_engine.connect() as conn:
        got = conn.execute(select(speeches.c.nospeaker, func.count()).group_by(speeches.c.nospeaker)).all()
        assert dict(got) == {False: 2499, True: 1}
        row = conn.execute(select(speeches).where(speeches.c.id == "g8")).mappings().one()
        assert row["text"] == "it's \\ a \t tab\nnew line"
        assert row["date"] == date(2009, 10, 26)
        assert row["speaker_name"] is None
        assert sorted(conn.execute(select(member_aliases.c.id)).scalars()) == [1, 2]


def test_a_failed_bulk_insert_leaves_nothing(fresh_engine):
    with fresh_engine.begin() as conn:
        file_id = _source_file(conn)
    row = {"file_id": file_id, "debate_id": "d", "kind": "debates", "date": date(2009, 10, 26), "position": 1,
           "element": "speech", **speech_body_values("", ""), "words": 0}
    with pytest.raises(integrity_errors()):
        with fresh_engine.begin() as conn:
            insert_rows(conn, speeches, [{**row, "id": "same"}, {**row, "id": "other"}, {**row, "id": "same"}])
    with fresh_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(speeches)).scalar_one() == 0


def test_booleans_read_back_as_booleans(sample_engine):
    with sample_engine.connect() as conn:
        values = set(conn.execute(select(votes.c.teller).distinct()).scalars())
        current = conn.execute(select(source_files.c.is_current).limit(1)).scalar_one()
    assert values == {True, False}
    assert current is True or current is False


def test_timestamps_are_utc(fresh_engine):
    moment = datetime(2009, 10, 26, 14, 30, tzinfo=timezone.utc)
    with fresh_engine.begin() as conn:
        batch = conn.execute(ingest_batches.insert().values(started_at=moment)).inserted_primary_key[0]
    with fresh_engine.connect() as conn:
        got = conn.execute(select(ingest_batches.c.started_at).where(ingest_batches.c.id == batch)).scalar_one()
    # SQLite hands back the UTC clock time without a zone; PostgreSQL the same instant in UTC
    assert got.replace(tzinfo=None) == moment.replace(tzinfo=None)
    if got.tzinfo is not None:
        assert got.utcoffset().total_seconds() == 0


def test_write_transaction_commits_and_rolls_back(fresh_engine):
    with write_transaction(fresh_engine) as conn:
        conn.execute(ingest_batches.insert().values(started_at=datetime.now(timezone.utc)))
    with pytest.raises(RuntimeError):
        with write_transaction(fresh_engine) as conn:
            conn.execute(ingest_batches.insert().values(started_at=datetime.now(timezone.utc)))
            raise RuntimeError("undo")
    with fresh_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ingest_batches)).scalar_one() == 1


def test_engines_are_shared_per_url(fresh_url):
    assert engine_for(fresh_url) is engine_for(fresh_url)


# --- PostgreSQL only -----------------------------------------------------------------------------

@pytest.fixture
def pg_only(db_backend):
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only")


def test_plain_postgresql_urls_use_psycopg_3(pg_only, fresh_url):
    plain = fresh_url.replace("postgresql+psycopg://", "postgresql://")
    engine = make_engine(plain)
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            assert conn.execute(text("SHOW TimeZone")).scalar() == "UTC"
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_the_ingest_lock_is_an_advisory_lock_other_sessions_see(pg_only, fresh_engine):
    with locking.ingest_lock(fresh_engine):
        with fresh_engine.connect() as conn:
            held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k"),
                                {"k": locking.INGEST_LOCK_KEY}).scalar()
        assert held == 1
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar() == 0


def test_a_database_in_use_can_be_dropped(pg_only, database_factory):
    url = database_factory.new_url()
    engine = engine_for(url)
    held = engine.connect()
    held.execute(text("SELECT 1"))
    database_factory.drop(url)          # WITH (FORCE): ends the session still open
    with database_factory.admin().connect() as conn:
        name = url.rsplit("/", 1)[1]
        assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar() == 0
    held.invalidate()


def test_a_database_can_be_cloned_for_a_test(database_factory, sample_url):
    """DatabaseFactory.clone: a private copy of a prepared database (SQLite file copy, PostgreSQL TEMPLATE)."""
    from despatchbox.store.queries.stats import stats
    copy = database_factory.clone(sample_url)
    try:
        with engine_for(copy).connect() as conn:
            copied = stats(conn)
        with engine_for(sample_url).connect() as conn:
            assert stats(conn) == copied
    finally:
        database_factory.drop(copy)
