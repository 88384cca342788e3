"""The index stays current through ingest: re-ingest, superseded versions, edits and rebuilds
leave no stale or duplicate entries."""
from __future__ import annotations

from sqlalchemy import delete, select, text, update

from despatchbox.pipeline.run import ingest
from despatchbox.store.packing.columns import speech_body_values
from despatchbox.store.schema import speeches
from despatchbox.store.search import SearchQuery, check_index, index_status, rebuild_index, search

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates"
#: the written record alone (no members data): quick to ingest, and it holds every "identity cards"
WRITTEN = [SAMPLE / "scrapedxml" / kind for kind in ("wrans", "wms", "lordswrans", "lordswms")]


def _ids(engine, query: str) -> list[str]:
    with engine.connect() as conn:
        results = search(conn, SearchQuery(query, limit=100))
        return sorted(h.id for h in results.hits)


def _consistent(engine) -> dict:
    with engine.connect() as conn:
        status = index_status(conn)
        check_index(conn)
        indexed = set(conn.execute(text("SELECT speech_id FROM search_items")).scalars())
        held = set(conn.execute(select(speeches.c.id).where(speeches.c.text != "")).scalars())
    assert indexed == held
    assert status["indexed"] == status["speeches_with_text"] and status["stale"] == 0
    return status


def test_reingest_leaves_no_duplicates(fresh_engine):
    ingest(fresh_engine, WRITTEN)
    first = _consistent(fresh_engine)
    before = _ids(fresh_engine, '"identity cards"')
    report = ingest(fresh_engine, WRITTEN)
    assert report.ok and report.loaded == []
    assert _consistent(fresh_engine) == first
    assert _ids(fresh_engine, '"identity cards"') == before and len(before) == 6   # 8 items, 6 results


def test_a_newer_version_replaces_the_older_ones_entries(fresh_engine):
    ingest(fresh_engine, [DEBATES / "debates2009-10-27a.xml"])
    _consistent(fresh_engine)
    old = _ids(fresh_engine, "Speaker")
    assert old and all("2009-10-27a." in i for i in old)
    ingest(fresh_engine, [DEBATES / "debates2009-10-27d.xml"])
    _consistent(fresh_engine)
    new = _ids(fresh_engine, "Speaker")
    assert new and all("2009-10-27d." in i for i in new)
    # an older version arriving later changes nothing
    ingest(fresh_engine, [DEBATES / "debates2009-10-27b.xml"])
    _consistent(fresh_engine)
    assert _ids(fresh_engine, "Speaker") == new


def test_edits_and_deletes_follow_through(fresh_engine):
    ingest(fresh_engine, [DEBATES / "debates2009-10-26b.xml"])
    with fresh_engine.begin() as conn:
        gid, html = conn.execute(select(speeches.c.id, speeches.c.html).where(speeches.c.text != "").limit(1)).one()
        conn.execute(update(speeches).where(speeches.c.id == gid)
                     .values(**speech_body_values(html, "A quite unmistakable zymurgical remark"), person_id=10259))
    assert _ids(fresh_engine, "zymurgical") == [gid]
    with fresh_engine.connect() as conn:
        assert search(conn, SearchQuery("zymurgical", person_id=10259)).total == 1
    _consistent(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid).values(**speech_body_values(html, "")))
    assert _ids(fresh_engine, "zymurgical") == []
    _consistent(fresh_engine)
    with fresh_engine.begin() as conn:
        # chosen in Python: on SQLite the text is packed (store/packing), so SQL LIKE cannot read it
        said = [sid for sid, body in conn.execute(select(speeches.c.id, speeches.c.text)) if "Speaker" in body]
        assert said
        conn.execute(delete(speeches).where(speeches.c.id.in_(said)))
    assert _ids(fresh_engine, '"Speaker"') == []
    _consistent(fresh_engine)


def test_rebuild_gives_the_same_index(fresh_engine):
    ingest(fresh_engine, WRITTEN)
    before = _consistent(fresh_engine)
    cards = _ids(fresh_engine, '"identity cards"')
    with fresh_engine.begin() as conn:
        rebuild_index(conn)
    assert _consistent(fresh_engine) == before
    assert _ids(fresh_engine, '"identity cards"') == cards
