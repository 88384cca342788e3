"""store.database.reading: a connection for reading whose transaction ends with COMMIT, so that on
PostgreSQL the statements psycopg has prepared on the server stay prepared (a ROLLBACK makes psycopg
forget them all); a block that fails is rolled back as ``engine.connect()`` would."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from despatchbox.store.database import reading
from despatchbox.store.queries import direct, people

#: psycopg prepares a statement on the server once a connection has run it this many times
#: (``prepare_threshold``), and then runs it prepared
RUNS = 8


def _prepared_on_server(engine) -> list[str]:
    with reading(engine) as conn:
        return [r[0] for r in conn.execute(text("SELECT statement FROM pg_prepared_statements"))]


def _run_person_lookups(engine, connect) -> None:
    for _ in range(RUNS):
        with connect(engine) as conn:
            assert direct.first(conn, people._PERSON_BY_SLUG, {"slug": "david-hanson"})["id"] == 10259


def test_a_reads_statements_stay_prepared_on_postgresql(sample_engine):
    if sample_engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's and PostgreSQL's")
    sample_engine.dispose()                                   # one connection, new: nothing prepared yet
    _run_person_lookups(sample_engine, reading)
    assert any("people.slug" in s for s in _prepared_on_server(sample_engine))

    sample_engine.dispose()                                   # the same reads, each ended by a ROLLBACK
    _run_person_lookups(sample_engine, lambda engine: engine.connect())
    assert not any("people.slug" in s for s in _prepared_on_server(sample_engine))


def test_a_read_ends_its_transaction_and_a_failed_block_is_rolled_back(fresh_engine):
    with fresh_engine.begin() as conn:
        conn.execute(text("CREATE TABLE reading_check (n INTEGER)"))
    with reading(fresh_engine) as conn:
        conn.execute(text("INSERT INTO reading_check VALUES (1)"))
        assert conn.in_transaction()
    assert not conn.in_transaction()                          # committed: written, as a read's end is
    with pytest.raises(RuntimeError):
        with reading(fresh_engine) as conn:
            conn.execute(text("INSERT INTO reading_check VALUES (2)"))
            raise RuntimeError("a page failed")
    with reading(fresh_engine) as conn:
        assert [r[0] for r in conn.execute(text("SELECT n FROM reading_check"))] == [1]
