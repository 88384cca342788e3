"""Migrations form one line: one head, and a fresh database upgrades to it."""
from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from despatchbox.store import database


def test_one_head(fresh_engine):
    script = ScriptDirectory.from_config(database.alembic_config(fresh_engine))
    assert len(script.get_heads()) == 1
    assert database.current_heads(fresh_engine) == set(script.get_heads())
    # a new migration moves SCHEMA_HEAD with it: a database at the old head must not be taken as current
    assert database.SCHEMA_HEAD == script.get_current_head()
    assert database.schema_is_current(fresh_engine)


def test_a_current_database_is_opened_without_alembic(fresh_url):
    """Opening a database already at the head (every command and web worker does) reads its revision
    with one query and never imports Alembic; one a revision behind is upgraded as before."""
    import subprocess
    import sys

    from alembic import command

    database.engine_for(fresh_url)              # created and upgraded here
    probe = ("import sys; from despatchbox.store.database import engine_for, current_heads; "
             "e = engine_for(sys.argv[1]); print(sorted(current_heads(e)), 'alembic' in sys.modules)")

    def opened() -> str:
        found = subprocess.run([sys.executable, "-c", probe, fresh_url], capture_output=True, text=True, check=True)
        return found.stdout.strip()

    assert opened() == f"['{database.SCHEMA_HEAD}'] False"
    engine = create_engine(fresh_url)
    try:
        script = ScriptDirectory.from_config(database.alembic_config(engine))
        command.downgrade(database.alembic_config(engine), script.get_revision(database.SCHEMA_HEAD).down_revision)
    finally:
        engine.dispose()
    assert opened() == f"['{database.SCHEMA_HEAD}'] True"


def test_current_heads_of_a_new_database_is_empty(tmp_path):
    engine = database.make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert database.current_heads(engine) == set()
        assert not database.schema_is_current(engine)
    finally:
        engine.dispose()


def test_every_revision_but_the_first_revises_a_revision():
    engine = create_engine("sqlite://")
    script = ScriptDirectory.from_config(database.alembic_config(engine))
    revisions = list(script.walk_revisions())
    assert sum(1 for r in revisions if r.down_revision is None) == 1


def test_schema_declares_every_table_the_database_holds(fresh_engine):
    from sqlalchemy import inspect

    from despatchbox.store.schema import metadata

    held = set(inspect(fresh_engine).get_table_names()) - {"alembic_version"}
    # FTS5's own shadow tables and virtual tables are the search engine's, declared by its migration
    held = {t for t in held if not t.startswith(("search_", "speeches_fts", "people_fts"))
            and not t.endswith(("_data", "_idx", "_docsize", "_config", "_content"))}
    assert held - set(metadata.tables) == set()


def test_0014_gives_items_indexed_before_it_their_result(fresh_engine):
    """PostgreSQL's search_items.result_id (a written question and its answer: their question group)
    is filled for the rows already indexed, and by the trigger from then on."""
    import pytest
    from alembic import command
    from sqlalchemy import inspect, text

    from despatchbox.pipeline.run import ingest

    from .conftest import SAMPLE

    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no result_id: its tantivy index reads element and heading itself")
    cfg = database.alembic_config(fresh_engine)
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"]).ok
    command.downgrade(cfg, "0013")                  # the items as 0013 indexed them: no result_id
    with fresh_engine.connect() as conn:
        assert "result_id" not in {c["name"] for c in inspect(conn).get_columns("search_items")}
    command.upgrade(cfg, "0014")                    # (0021 drops the column again: the index computes it)
    with fresh_engine.connect() as conn:
        rows = conn.execute(text("SELECT s.id, s.element, s.heading_id, i.result_id FROM search_items i "
                                 "JOIN speeches s ON s.id = i.speech_id")).all()
    assert rows and all(r.result_id == (r.heading_id if r.element in ("ques", "reply") else r.id) for r in rows)
    assert {r.element for r in rows} >= {"ques", "reply"}
    command.upgrade(cfg, "heads")


def test_0021_down_and_up_keeps_search_whole(fresh_engine):
    """Downgrading 0021 gives PostgreSQL back its tsvector columns and trigger, filled for every item
    (SQLite: only search_state goes); upgrading again lists the same speeches, under a new
    installation id, and the index beside follows."""
    from alembic import command
    from sqlalchemy import inspect, text

    from despatchbox.pipeline.run import ingest
    from despatchbox.store.search import SearchQuery, check_index, search

    from .conftest import SAMPLE

    cfg = database.alembic_config(fresh_engine)
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"]).ok
    with fresh_engine.connect() as conn:
        listed = set(conn.execute(text("SELECT speech_id FROM search_items")).scalars())
        first = conn.execute(text("SELECT installation FROM search_state")).scalar_one()
        found = search(conn, SearchQuery("minister")).total
    assert listed and found
    command.downgrade(cfg, "0018")
    with fresh_engine.connect() as conn:
        assert "search_state" not in inspect(conn).get_table_names()
        if fresh_engine.dialect.name == "postgresql":
            assert {"stem", "exact", "result_id"} <= {c["name"] for c in inspect(conn).get_columns("search_items")}
            assert "search_removed" not in inspect(conn).get_table_names()
            unlike = conn.exec_driver_sql(     # as 0014's trigger fills them ("[[:punct:]]" is no parameter)
                "SELECT count(*) FROM search_items i JOIN speeches s ON s.id = i.speech_id WHERE "
                "i.exact <> to_tsvector('simple', regexp_replace(s.text, '[[:punct:]]+', ' ', 'g')) "
                "OR i.result_id <> CASE WHEN s.element IN ('ques', 'reply') THEN s.heading_id ELSE s.id END"
            ).scalar_one()
            assert unlike == 0
            matched = conn.execute(text("SELECT count(*) FROM search_items "
                                        "WHERE stem @@ plainto_tsquery('english', 'minister')")).scalar_one()
            assert matched >= found
    command.upgrade(cfg, "heads")
    with fresh_engine.connect() as conn:
        assert set(conn.execute(text("SELECT speech_id FROM search_items")).scalars()) == listed
        assert conn.execute(text("SELECT installation FROM search_state")).scalar_one() != first
        assert search(conn, SearchQuery("minister")).total == found
        check_index(conn)


def test_0015_keeps_every_redirect_and_stores_the_table_by_its_key(tmp_path):
    """Upgrading a database that holds redirects (the sample week's own) keeps every one of them,
    and on SQLite the table is WITHOUT ROWID afterwards (one b-tree, no automatic index)."""
    from alembic import command
    from sqlalchemy import text

    from despatchbox.config import SAMPLE_DIR
    from despatchbox.pipeline.run import ingest

    from despatchbox.store.queries.redirects import every_redirect

    engine = database.engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    ingest(engine, [SAMPLE_DIR])
    with engine.connect() as conn:
        before = conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects ORDER BY old_id")).all()
        every = sorted(every_redirect(conn))            # the rows and the sets (0032)
    assert before and len(every) > len(before), "the sample week holds superseded versions, so redirects"
    command.downgrade(database.alembic_config(engine), "0014")
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'gid_redirects'")).scalar_one()
        assert "WITHOUT ROWID" not in sql
        assert conn.execute(text("SELECT count(*) FROM gid_redirects")).scalar_one() == len(every)
    command.upgrade(database.alembic_config(engine), "heads")
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'gid_redirects'")).scalar_one()
        assert "WITHOUT ROWID" in sql
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'gid_redirects' "
                                 "AND type = 'index'")).scalar_one() == 0
        after = conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects ORDER BY old_id")).all()
        assert sorted(every_redirect(conn)) == every
    assert after == before
