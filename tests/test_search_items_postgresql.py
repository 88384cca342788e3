"""Migration 0031: PostgreSQL holds a speech's search item id in its own row (``speeches.search_item``),
and ``search_items`` is a view of the speeches that have one. The list's behaviour through ingest,
re-ingest and removals is tested on both databases elsewhere (test_search_index_upkeep.py,
test_search_held_count.py, test_fault_injection.py); here, what only the new shape does."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.store.search import SearchQuery, check_index, index_status, rebuild_index, search
from despatchbox.store.search.index_marks import database_marks

from .conftest import SAMPLE

ITEM_COLUMNS = "id, speech_id, debate_id, kind, date, person_id, membership_id"
WRANS = SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"


@pytest.fixture
def pg(fresh_engine):
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite's list has been a view of search_keys since 0022 (tests/test_search_keys.py)")
    assert ingest(fresh_engine, [WRANS]).ok
    return fresh_engine


def _items(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(f"SELECT {ITEM_COLUMNS} FROM search_items ORDER BY id"))]


def _newest_removal(conn) -> int:
    return conn.execute(text("SELECT item_id FROM search_removed ORDER BY seq DESC LIMIT 1")).scalar_one()


def test_0031_down_and_up_keeps_every_item_its_id_and_the_marks(pg):
    """The items, their ids and the marks an index beside keeps are the same after 0031 down and up,
    also when the newest item was removed; the installation id is kept, so the index is not rebuilt
    and still agrees; ids handed out after go on past every id handed out before."""
    with pg.begin() as conn:
        newest = conn.execute(text("SELECT speech_id FROM search_items ORDER BY id DESC LIMIT 1")).scalar_one()
        conn.execute(text("DELETE FROM speeches WHERE id = :id"), {"id": newest})
    with pg.connect() as conn:
        check_index(conn)
        items, marks = _items(conn), database_marks(conn)
        found = search(conn, SearchQuery("minister")).total
        highest = conn.execute(text("SELECT last_value FROM search_item_ids")).scalar_one()
    assert items and found and highest > items[-1][0], "the removed newest id was handed out"
    cfg = database.alembic_config(pg)
    command.downgrade(cfg, "0030")
    with pg.connect() as conn:
        assert "search_items" in inspect(conn).get_table_names()
        assert "search_item" not in {c["name"] for c in inspect(conn).get_columns("speeches")}
        assert _items(conn) == items and database_marks(conn) == marks
        assert conn.execute(text("SELECT last_value FROM search_items_id_seq")).scalar_one() == highest
    command.upgrade(cfg, "heads")
    with pg.connect() as conn:
        assert "search_items" in inspect(conn).get_view_names()
        assert "search_items" not in inspect(conn).get_table_names()
        assert _items(conn) == items and database_marks(conn) == marks
        check_index(conn)
        assert index_status(conn)["stale"] == 0
        assert search(conn, SearchQuery("minister")).total == found
    with pg.begin() as conn:        # an edit lists the speech again under a new id, past every old one
        item, first = items[0][:2]
        conn.execute(text("UPDATE speeches SET person_id = 424242 WHERE id = :id"), {"id": first})
        moved = conn.execute(text("SELECT id, person_id FROM search_items WHERE speech_id = :id"), {"id": first}).one()
        assert moved.id == highest + 1 and moved.person_id == 424242
        assert _newest_removal(conn) == item
    with pg.connect() as conn:
        check_index(conn)


def test_the_view_refuses_writes_and_the_speeches_are_untouched(pg):
    """PostgreSQL passes a write to a simple view on to its table: ``DELETE FROM search_items`` would
    delete speeches. The view's trigger refuses every write instead."""
    with pg.connect() as conn:
        speeches = conn.execute(text("SELECT count(*) FROM speeches")).scalar_one()
        items = _items(conn)
    for statement in ("DELETE FROM search_items", "UPDATE search_items SET person_id = 1",
                      f"INSERT INTO search_items ({ITEM_COLUMNS}) SELECT {ITEM_COLUMNS} FROM search_items LIMIT 1"):
        with pytest.raises(DBAPIError, match="search_items is a view of the speeches"):
            with pg.begin() as conn:
                conn.execute(text(statement))
    with pg.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM speeches")).scalar_one() == speeches
        assert _items(conn) == items


def test_a_speech_is_listed_while_it_has_text(pg):
    """A speech whose text goes is taken off the list (its id logged as removed), listed again under a
    new id when text comes back, and its id logged when it is deleted; a speech without text has no id."""
    with pg.begin() as conn:
        sid, item = conn.execute(text("SELECT speech_id, id FROM search_items ORDER BY id LIMIT 1")).one()
        conn.execute(text("UPDATE speeches SET text = '' WHERE id = :id"), {"id": sid})
        assert conn.execute(text("SELECT search_item FROM speeches WHERE id = :id"), {"id": sid}).scalar_one() is None
        assert _newest_removal(conn) == item
        conn.execute(text("UPDATE speeches SET text = '1' WHERE id = :id"), {"id": sid})
        again = conn.execute(text("SELECT id FROM search_items WHERE speech_id = :id"), {"id": sid}).scalar_one()
        assert again > item
        conn.execute(text("DELETE FROM speeches WHERE id = :id"), {"id": sid})
        assert _newest_removal(conn) == again
        assert conn.execute(text("SELECT count(*) FROM speeches WHERE (text = '') <> (search_item IS NULL)")
                            ).scalar_one() == 0


def test_rebuilding_lists_the_unlisted_and_keeps_the_ids_held(pg):
    """rebuild_index on PostgreSQL gives an id to each speech with text written without one (a load
    with the triggers off) and keeps the others' (a new id would rewrite every row); the installation
    id changes, so the index beside rebuilds itself and agrees."""
    with pg.begin() as conn:
        items = _items(conn)
        conn.execute(text("ALTER TABLE speeches DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE speeches SET search_item = NULL WHERE search_item IN (:a, :b)"),
                     {"a": items[0][0], "b": items[-1][0]})
        conn.execute(text("ALTER TABLE speeches ENABLE TRIGGER USER"))
        marks = database_marks(conn)
    with pg.begin() as conn:
        rebuild_index(conn)
    with pg.connect() as conn:
        after = _items(conn)
        assert database_marks(conn).installation != marks.installation
        assert after[:-2] == items[1:-1], "the ids held are kept"
        assert sorted(r[1:] for r in after[-2:]) == sorted((items[0][1:], items[-1][1:]))
        assert after[-2][0] > items[-1][0], "new ids go on past every id handed out"
        check_index(conn)
        assert index_status(conn) == {"indexed": len(items), "speeches_with_text": len(items), "stale": 0}
