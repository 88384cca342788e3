"""The index outside the database, on both databases: where it lives, that a database dropped and
created again under the same name does not inherit its predecessor's index, that an index left
behind the database (a crash between the two commits) is repaired by the next search or ingest, and
(PostgreSQL) that item ids are handed out in commit order, so that "everything up to id N" is what
a reader sees."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text, update
from sqlalchemy.pool import NullPool

from despatchbox.pipeline import run as pipeline_run
from despatchbox.pipeline.run import ingest
from despatchbox.store.database import dispose_engine, engine_for
from despatchbox.store.schema import speeches
from despatchbox.store.search import SearchQuery, check_index, index_status, search
from despatchbox.store.search.index_marks import index_dir
from despatchbox.store.packing.columns import speech_body_values

from .conftest import SAMPLE

WMS = "scrapedxml/wms/ministerial2009-10-27a.xml"
WRANS = SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"


def _total(engine, query: str, **filters) -> int:
    with engine.connect() as conn:
        return search(conn, SearchQuery(query, **filters)).total


def _exact(engine) -> None:
    with engine.connect() as conn:
        check_index(conn)
        status = index_status(conn)
    assert status["indexed"] == status["speeches_with_text"] and status["stale"] == 0


def test_each_database_has_its_own_index_folder(fresh_engine, database_factory, search_indexes):
    other = engine_for(database_factory.new_url())
    here, there = index_dir(fresh_engine), index_dir(other)
    assert here is not None and there is not None and here != there
    if fresh_engine.dialect.name == "sqlite":
        assert here == Path(fresh_engine.url.database + ".search")
    else:   # under DESPATCHBOX_SEARCH_DIR (the session's folder: conftest), named after host, port and database
        url = fresh_engine.url
        assert here.parent == search_indexes
        assert here.name == f"{url.host}-{url.port}-{url.database}.search"
    assert ingest(fresh_engine, [WRANS]).ok
    assert _total(fresh_engine, "minister") > 0
    assert here.is_dir() and any(here.iterdir())        # the ingest's sync wrote it there
    assert _total(other, "minister") == 0               # and the other database's index knows nothing of it


def test_the_search_dir_setting_and_its_default(monkeypatch, tmp_path):
    engine = create_engine("postgresql+psycopg://u@db.example:6543/records", poolclass=NullPool)
    monkeypatch.setenv("DESPATCHBOX_SEARCH_DIR", str(tmp_path / "indexes"))
    assert index_dir(engine) == tmp_path / "indexes" / "db.example-6543-records.search"
    monkeypatch.delenv("DESPATCHBOX_SEARCH_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert index_dir(engine) == tmp_path / "data" / "despatchbox" / "search" / "db.example-6543-records.search"
    # a socket directory as host, and names that would read alike once made safe, stay apart
    local = create_engine("postgresql+psycopg:///records?host=/run/postgresql", poolclass=NullPool)
    odd = create_engine("postgresql+psycopg://u@db.example:6543/rec%20ords", poolclass=NullPool)
    assert index_dir(local).name.startswith("run_postgresql-5432-records-")
    assert index_dir(odd) != index_dir(engine)


def _recreate(database_factory, url: str) -> None:
    """Drop the database and create an empty one under the same name (same index folder)."""
    dispose_engine(url)
    name = make_url(url).database
    if database_factory.backend == "postgresql":
        with database_factory.admin().connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    engine_for.cache_clear()


def test_a_database_made_again_under_the_same_name_rebuilds_the_index(fresh_url, database_factory, sample_copy):
    """The second database holds as many items, under the same ids, with the same marks: only its
    installation id tells its index folder's contents apart from what it should hold."""
    engine = engine_for(fresh_url)
    assert ingest(engine, [sample_copy / WMS]).ok
    assert _total(engine, "zymurgical") == 0
    folder = index_dir(engine)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT installation FROM search_state")).scalar_one()
        items = conn.execute(text("SELECT count(*), max(id) FROM search_items")).one()
    _recreate(database_factory, fresh_url)
    edited = sample_copy / WMS
    body = edited.read_text(encoding="utf-8")
    assert body.count("the Government's commitment") == 1
    edited.write_text(body.replace("the Government's commitment", "the zymurgical Government's commitment"),
                      encoding="utf-8")
    engine = engine_for(fresh_url)
    assert index_dir(engine) == folder
    assert ingest(engine, [edited]).ok
    with engine.connect() as conn:
        assert conn.execute(text("SELECT installation FROM search_state")).scalar_one() != first
        assert conn.execute(text("SELECT count(*), max(id) FROM search_items")).one() == items
    assert _total(engine, "zymurgical") == 1
    _exact(engine)


def test_an_index_left_behind_the_database_is_caught_up(fresh_engine, monkeypatch):
    """An ingest whose process died after the database committed and before the index did: the
    next search (or ingest) applies the new items and the removals the index has not seen."""
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27a.xml"]).ok
    speaker = _total(fresh_engine, "Speaker")
    assert speaker and _total(fresh_engine, "minister") > 0
    monkeypatch.setattr(pipeline_run, "sync_index", lambda engine: False)     # "crash" before the index commit
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27d.xml", WRANS]).ok
    with fresh_engine.begin() as conn:       # and an edit the index has not seen either
        gid = conn.execute(select(speeches.c.id).where(speeches.c.text != "").order_by(speeches.c.id)
                           .limit(1)).scalar_one()
        conn.execute(update(speeches).where(speeches.c.id == gid).values(**speech_body_values("<p>A zymurgical aside</p>", "A zymurgical aside")))
    with fresh_engine.connect() as conn:
        listed = conn.execute(text("SELECT count(*) FROM search_items")).scalar_one()
        stale_ids = conn.execute(text("SELECT count(*) FROM speeches WHERE id LIKE '%2009-10-27a.%'")).scalar_one()
    assert stale_ids == 0                    # 27d replaced 27a in the database
    # the next search catches up: 27a's items removed, 27d's and the answers added, the edit applied
    with fresh_engine.connect() as conn:
        said = [h.id for h in search(conn, SearchQuery("Speaker", kind="debates", limit=100)).hits]
    assert said and all("2009-10-27d." in i for i in said)
    assert _total(fresh_engine, "zymurgical") == 1
    assert _total(fresh_engine, "minister", kind="wrans") > 0
    _exact(fresh_engine)
    with fresh_engine.connect() as conn:
        assert index_status(conn)["indexed"] == listed


def test_item_ids_are_handed_out_in_commit_order(fresh_engine):
    """PostgreSQL: a writer that changes what is indexed waits for another that has not committed
    (the triggers' advisory lock), so a later commit never holds smaller ids than an earlier one —
    an index that has read up to id N has seen every item up to N."""
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    assert ingest(fresh_engine, [WRANS]).ok
    with fresh_engine.connect() as conn:
        a, b = conn.execute(select(speeches.c.id).where(speeches.c.text != "").order_by(speeches.c.id)
                            .limit(2)).scalars().all()
    done = threading.Event()

    def second_writer():
        with fresh_engine.begin() as conn:
            conn.execute(update(speeches).where(speeches.c.id == b).values(**speech_body_values("<p>The second writer's zymurgy</p>", "The second writer's zymurgy")))
        done.set()

    with fresh_engine.connect() as watcher, fresh_engine.begin() as first:
        first.execute(update(speeches).where(speeches.c.id == a).values(**speech_body_values("<p>The first writer's zymurgy</p>", "The first writer's zymurgy")))
        thread = threading.Thread(target=second_writer)
        thread.start()
        waiting = 0
        for _ in range(600):                 # until the second writer is seen waiting for the lock
            waiting = watcher.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                           "AND NOT granted")).scalar_one()
            watcher.rollback()
            if waiting or done.wait(0.05):
                break
        assert waiting == 1 and not done.is_set()
    thread.join(30)
    assert done.is_set()
    with fresh_engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT speech_id, id FROM search_items WHERE speech_id IN (:a, :b)"),
                                {"a": a, "b": b}).tuples().all())
    assert ids[a] < ids[b]
    assert _total(fresh_engine, "zymurgy first") == 1 and _total(fresh_engine, "zymurgy second") == 1
    _exact(fresh_engine)


def test_the_newest_items_deleted_then_more_added(fresh_engine):
    """PostgreSQL's item mark is ``max(id)``: deleting the newest items lowers it, and the items
    added after them have higher ids still. The index drops the deleted and finds the new."""
    assert ingest(fresh_engine, [WRANS]).ok
    assert _total(fresh_engine, "minister") > 0
    with fresh_engine.begin() as conn:
        newest = conn.execute(text("SELECT speech_id FROM search_items ORDER BY id DESC LIMIT 3")).scalars().all()
        highest = conn.execute(text("SELECT max(id) FROM search_items")).scalar_one()
        conn.execute(speeches.delete().where(speeches.c.id.in_(newest)))
        assert conn.execute(text("SELECT max(id) FROM search_items")).scalar_one() < highest
    _exact(fresh_engine)
    with fresh_engine.connect() as conn:
        assert not {h.id for h in search(conn, SearchQuery("minister", limit=100)).hits} & set(newest)
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wms" / "ministerial2009-10-27a.xml"]).ok
    with fresh_engine.connect() as conn:
        added = conn.execute(text("SELECT min(id) FROM search_items WHERE speech_id LIKE '%/wms/%'")).scalar_one()
    assert added > highest                   # the deleted ids are not handed out again
    assert _total(fresh_engine, "byelaws", kind="wms") > 0
    _exact(fresh_engine)


def test_a_words_matches_come_from_the_term_dictionary_only_while_nothing_is_deleted(fresh_engine):
    """One word with no filter takes its number of matches from the index's term dictionary (no
    walk of its matches) — but a deleted document stays in its segment's frequencies until the
    segment is merged, so only while the index holds no deleted item. Before and after deleting
    items that hold the word, the number used is the number of live matches, and the total is the
    number of results paged through."""
    from despatchbox.store.search import parse, tantivy_index, tantivy_search, tantivy_totals

    def state():
        with fresh_engine.connect() as conn:
            total = search(conn, SearchQuery("minister")).total
            paged, offset = [], 0
            while page := search(conn, SearchQuery("minister", limit=100, offset=offset)).hits:
                paged += [h.id for h in page]
                offset += 100
            searcher = tantivy_index.current(conn).searcher()
            q = tantivy_search.to_query(parse("minister").root, searcher)
            _hits, items = tantivy_search._window(searcher, q, 10, "minist", {})
            return (total, len(paged), items, tantivy_totals.count(searcher, q),
                    searcher.doc_freq("stem", "minist"), tantivy_totals.without_deletions(searcher))

    assert ingest(fresh_engine, [WRANS]).ok
    total, paged, items, counted, frequency, whole = state()
    assert whole and items == counted == frequency > 3 and total == paged
    with fresh_engine.begin() as conn:
        gone = conn.execute(text("SELECT i.speech_id FROM search_items i JOIN speeches s ON s.id = i.speech_id "
                                 "WHERE s.element = 'reply' ORDER BY i.id LIMIT 40")).scalars().all()
        conn.execute(speeches.delete().where(speeches.c.id.in_(gone)))
    total2, paged2, items2, counted2, frequency2, whole2 = state()
    assert items2 == counted2 < counted and total2 == paged2 < paged
    assert not whole2 and frequency2 == frequency > counted2    # the deleted still in the dictionary


def _resident_kb(path: Path) -> int:
    """Resident kB of this process's mappings of ``path`` (/proc/self/smaps)."""
    total, current = 0, None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:        # a mapping's header line
            current = fields[5] if len(fields) >= 6 else None
        elif fields and fields[0] == "Rss:" and current == str(path):
            total += int(fields[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux /proc only")
def test_the_pages_of_the_index_files_a_feed_mapped_are_handed_back(tmp_path):
    """While the ingest feeds the search index (tantivy reads its segments through mmap, and its
    merges read whole segments), the pages of the index's files this process mapped leave its
    resident memory (upkeep.PagedOut); their contents are unchanged, and other mappings keep theirs."""
    import mmap
    import os
    import time

    from despatchbox.pipeline.upkeep import PagedOut

    folder = tmp_path / "db.search"
    folder.mkdir()
    files = {"index": folder / "segment.idx", "other": tmp_path / "other.bin"}
    contents = {name: os.urandom(4 << 20) for name in files}
    maps = {}
    for name, path in files.items():
        path.write_bytes(contents[name])
        with path.open("rb") as f:
            maps[name] = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
        assert sum(maps[name][i] for i in range(0, len(maps[name]), mmap.PAGESIZE)) >= 0    # every page read
    assert _resident_kb(files["index"]) >= 3 << 10 and _resident_kb(files["other"]) >= 3 << 10
    with PagedOut(folder, every=0.01):
        time.sleep(0.1)
    assert _resident_kb(files["index"]) < 1 << 10          # handed back (the kernel may keep a few)
    assert _resident_kb(files["other"]) >= 3 << 10         # not under the folder: left alone
    assert maps["index"][:] == contents["index"] and maps["other"][:] == contents["other"]
