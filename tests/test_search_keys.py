"""Migration 0022: SQLite's search items held as keys (``search_keys``, the speech's gid stored short)
behind the view ``search_items``; two indexes no query needs dropped on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from despatchbox.store import database
from despatchbox.store.short_text import PARLPARSE_ID, stored, stored_sql, whole, whole_sql

from .conftest import SAMPLE

ITEM_COLUMNS = "id, speech_id, debate_id, kind, date, person_id, membership_id"
VALUES = [PARLPARSE_ID + "debate/2009-10-26b.1.0", PARLPARSE_ID + "=odd", PARLPARSE_ID, "=whole", "", "other/1",
          "uk.org.publicwhip", "UK.ORG.PUBLICWHIP/debate/1", PARLPARSE_ID + "wrans/2009-10-26f.5.q0é"]


@pytest.mark.parametrize("value", VALUES)
def test_the_sql_forms_agree_with_python(fresh_engine, value):
    with fresh_engine.connect() as conn:
        short = conn.execute(text(f"SELECT {stored_sql('CAST(:v AS TEXT)', PARLPARSE_ID)}"), {"v": value}).scalar_one()
        back = conn.execute(text(f"SELECT {whole_sql('CAST(:v AS TEXT)', PARLPARSE_ID)}"), {"v": short}).scalar_one()
    assert short == stored(value, PARLPARSE_ID)
    assert back == whole(short, PARLPARSE_ID) == value


SHORT_IDS = [("debates", "id"), ("headings", "id"), ("headings", "debate_id"), ("headings", "parent_id"),
             ("speeches", "debate_id"), ("speeches", "heading_id"), ("divisions", "id"), ("divisions", "debate_id"),
             ("votes", "division_id"),
             ("debate_speakers", "debate_id"),
             ("memberships", "id"), ("membership_people", "membership_id"), ("offices", "membership_id"),
             ("speeches", "membership_id"), ("votes", "membership_id"), ("committee_members", "membership_id"),
             ("debate_speakers", "membership_id")]


def _raw_ids(conn) -> dict[tuple[str, str], list]:
    return {(t, c): conn.execute(text(f"SELECT {c} FROM {t} ORDER BY 1")).scalars().all() for t, c in SHORT_IDS}


def test_debate_and_heading_ids_are_stored_short_and_read_whole(sample_engine):
    from sqlalchemy import select

    from despatchbox.store.queries.debates import locate
    from despatchbox.store.schema import debates, headings, memberships, speeches

    with sample_engine.connect() as conn:
        raw = _raw_ids(conn)
        assert all(raw[k] for k in raw if k[0] not in ("divisions", "votes", "committee_members", "offices"))
        assert not any(v.startswith(("uk.", "=")) for values in raw.values() for v in values if v)
        row = conn.execute(select(speeches.c.id, speeches.c.debate_id, speeches.c.heading_id)
                           .where(speeches.c.heading_id.is_not(None)).limit(1)).one()
        assert row.debate_id.startswith(PARLPARSE_ID) and row.heading_id.startswith(PARLPARSE_ID)
        assert conn.execute(select(debates.c.id).where(debates.c.id == row.debate_id)).scalar_one() == row.debate_id
        assert conn.execute(select(headings.c.id).where(headings.c.id == row.heading_id)).scalar_one() == row.heading_id
        assert locate(conn, row.heading_id) == {"type": "heading", "id": row.heading_id,
                                                "debate_id": row.debate_id, "redirected": False}
        assert locate(conn, row.id)["debate_id"] == row.debate_id
        seat = conn.execute(select(speeches.c.membership_id).where(speeches.c.membership_id.is_not(None))
                            .limit(1)).scalar_one()
        assert seat.startswith(PARLPARSE_ID)
        assert conn.execute(select(memberships.c.id).where(memberships.c.id == seat)).scalar_one() == seat


def _items(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(f"SELECT {ITEM_COLUMNS} FROM search_items ORDER BY id"))]


def _indexes(conn) -> set[str]:
    return {i["name"] for t in ("speeches", "headings") for i in inspect(conn).get_indexes(t)}


def test_0022_down_and_up_keeps_every_item_its_id_and_the_marks(fresh_engine):
    """The items (ids, speech ids, the columns filters read), the ids stored short and the marks an
    index beside keeps are the same after 0022 down and up — also when the newest item was removed,
    so that SQLite's counter is past the last id held; the installation id changes each way (the
    index's debate keys are hashes of the ids as stored), and the index rebuilds and agrees."""
    from alembic import command

    from despatchbox.pipeline.run import ingest
    from despatchbox.store.search import SearchQuery, check_index, index_status, search
    from despatchbox.store.search.index_marks import database_marks

    cfg = database.alembic_config(fresh_engine)
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"]).ok
    with fresh_engine.begin() as conn:
        newest = conn.execute(text("SELECT speech_id FROM search_items ORDER BY id DESC LIMIT 1")).scalar_one()
        conn.execute(text("DELETE FROM speeches WHERE id = :id"), {"id": newest})
    with fresh_engine.connect() as conn:
        items, marks, raw = _items(conn), database_marks(conn), _raw_ids(conn)
        found = search(conn, SearchQuery("minister")).total
        assert items and found and all(r[1].startswith(PARLPARSE_ID) and not r[2].startswith("uk.")
                                       for r in items), "the speech's id whole, the debate's as stored"
        if fresh_engine.dialect.name == "sqlite":    # PostgreSQL's mark is max(id) (index_marks)
            assert marks.items > items[-1][0], "the newest item was removed: the counter is past the last id"
        assert not {"ix_speeches_debate", "ix_speeches_debate_person", "ix_headings_debate_id"} & _indexes(conn)
        assert "ix_speeches_debate_speaker" in _indexes(conn)
        if fresh_engine.dialect.name == "sqlite":
            keys = conn.execute(text("SELECT speech FROM search_keys ORDER BY id")).scalars().all()
            assert keys == [stored(r[1], PARLPARSE_ID) for r in items]
            assert not any(k.startswith(("uk.", "=")) for k in keys)
    command.downgrade(cfg, "0021")
    with fresh_engine.connect() as conn:
        assert {"ix_speeches_debate", "ix_speeches_debate_person", "ix_headings_debate_id"} <= _indexes(conn)
        assert "ix_speeches_debate_speaker" not in _indexes(conn)
        assert "search_items" in inspect(conn).get_table_names()
        assert _raw_ids(conn) == {k: [PARLPARSE_ID + v if v else v for v in values] for k, values in raw.items()}
        assert [r[:2] + (PARLPARSE_ID + r[2],) + r[3:6] + (r[6] and PARLPARSE_ID + r[6],)
                for r in items] == _items(conn)
        if fresh_engine.dialect.name == "sqlite":      # 0021's counter (the code reads 0022's)
            assert conn.execute(text("SELECT max(seq) FROM sqlite_sequence WHERE name = 'search_items'")
                                ).scalar_one() == marks.items
        else:
            assert database_marks(conn).items == marks.items
        assert database_marks(conn).installation != marks.installation
    command.upgrade(cfg, "heads")
    with fresh_engine.connect() as conn:
        assert _items(conn) == items
        assert _raw_ids(conn) == raw
        assert database_marks(conn).items == marks.items and database_marks(conn).removed == marks.removed
        if fresh_engine.dialect.name == "sqlite":
            assert "search_items" in inspect(conn).get_view_names()
        check_index(conn)
        assert index_status(conn)["stale"] == 0
        assert search(conn, SearchQuery("minister")).total == found
    with fresh_engine.begin() as conn:      # the triggers follow the speeches as before
        item, first = items[0][:2]
        conn.execute(text("UPDATE speeches SET person_id = 424242 WHERE id = :id"), {"id": first})
        moved = conn.execute(text("SELECT id, person_id FROM search_items WHERE speech_id = :id"),
                             {"id": first}).one()
        assert moved.id > marks.items and moved.person_id == 424242
        removed = conn.execute(text("SELECT item_id FROM search_removed ORDER BY seq DESC LIMIT 1")).scalar_one()
        assert removed == item
    with fresh_engine.connect() as conn:
        check_index(conn)


def test_a_persons_items_are_found_from_their_speeches(sample_engine):
    """SQLite: counting a person's items (search's people first) reads the person's speeches by
    index and each one's key, never every item."""
    if sample_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's view")
    sql = "SELECT person_id, count(*) AS n FROM search_items WHERE person_id IN (10001, 10002) GROUP BY person_id"
    with sample_engine.connect() as conn:
        plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        person = conn.execute(text("SELECT person_id FROM speeches WHERE person_id IS NOT NULL AND text <> '' "
                                   "LIMIT 1")).scalar_one()
        counted = conn.execute(text("SELECT count(*) FROM search_items WHERE person_id = :p"), {"p": person})
        expected = conn.execute(text("SELECT count(*) FROM speeches WHERE person_id = :p AND text <> ''"),
                                {"p": person})
        assert counted.scalar_one() == expected.scalar_one()
    assert "SCAN" not in plan, plan
    assert "ix_speeches_person_cover" in plan and "sqlite_autoindex_search_keys_1" in plan, plan
