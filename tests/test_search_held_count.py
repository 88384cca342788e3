"""The search index's guard against the database (store/search/index_marks.py ``held_items``): after
applying what changed, the index must hold as many items as the database lists, or it is rebuilt.
The number is counted from the index's marks on — what was removed and added since — not by
counting every listed item (that grew with the record: 0.13 s of a one-day update at 3M). These
tests hold the bounded count to the whole count through re-ingest, superseded versions, edits,
emptied texts and deletions, one step at a time and several at once (syncs missed, as after a
crash); and show that the guard still fires when the index lacks what the database removes."""
from __future__ import annotations

from sqlalchemy import delete, event, select, text, update

from despatchbox.pipeline.run import ingest
from despatchbox.store.packing.columns import speech_body_values
from despatchbox.store.schema import speeches
from despatchbox.store.search import check_index, search, SearchQuery
from despatchbox.store.search import tantivy_index
from despatchbox.store.search.index_marks import Marks, database_marks, held_items, reading

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates"
WRANS = SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"


def _state(engine) -> tuple[Marks, int]:
    """The database's marks and every item it lists (the whole count)."""
    with reading(engine) as conn:
        head = database_marks(conn)
        return head, held_items(conn, head.items)


def _bounded(engine, since: Marks, held_then: int) -> int:
    with reading(engine) as conn:
        return held_items(conn, database_marks(conn).items, since=since, held_then=held_then)


def _texts(engine, n: int) -> list[tuple[str, bytes]]:
    with engine.connect() as conn:
        return conn.execute(select(speeches.c.id, speeches.c.html).where(speeches.c.text != "")
                            .order_by(speeches.c.id).limit(n)).tuples().all()


def test_the_count_from_the_marks_on_is_the_whole_count(fresh_engine):
    """After each change, counted from every earlier state (one step, or several at once: syncs
    missed), the number is the whole count."""
    steps: list[tuple[Marks, int]] = []

    def changed():
        head, whole = _state(fresh_engine)
        for since, held_then in steps:
            assert _bounded(fresh_engine, since, held_then) == whole, (since, held_then, head)
        steps.append((head, whole))

    assert ingest(fresh_engine, [DEBATES / "debates2009-10-27a.xml"]).ok
    changed()
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-27d.xml", WRANS]).ok     # 27d replaces 27a
    changed()
    (gid, _html), (emptied, emptied_html) = _texts(fresh_engine, 2)
    with fresh_engine.begin() as conn:                      # an edit: the item goes, another comes
        conn.execute(update(speeches).where(speeches.c.id == gid)
                     .values(**speech_body_values("<p>A zymurgical aside</p>", "A zymurgical aside")))
    changed()
    with fresh_engine.begin() as conn:                      # a text emptied: the item goes
        conn.execute(update(speeches).where(speeches.c.id == emptied).values(**speech_body_values(emptied_html, "")))
    changed()
    with fresh_engine.begin() as conn:                      # the newest items deleted, and two of the oldest
        newest = conn.execute(text("SELECT speech_id FROM search_items ORDER BY id DESC LIMIT 3")).scalars().all()
        oldest = conn.execute(text("SELECT speech_id FROM search_items ORDER BY id LIMIT 2")).scalars().all()
        conn.execute(delete(speeches).where(speeches.c.id.in_(newest + oldest)))
    changed()
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wms" / "ministerial2009-10-27a.xml"]).ok
    changed()
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-27d.xml"]).ok         # again: nothing changes
    changed()
    marks = [m for m, _n in steps]
    assert all(later.removed > earlier.removed for earlier, later in zip(marks[:5], marks[1:5]))
    assert marks[-1] == marks[-2] and all(n > 0 for _m, n in steps)
    with fresh_engine.connect() as conn:
        check_index(conn)


def test_an_update_does_not_count_every_item(fresh_engine):
    """The sync after an ingest reads what changed, not every listed item."""
    assert ingest(fresh_engine, [WRANS]).ok
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(fresh_engine, "before_cursor_execute", seen)
    try:
        assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wms" / "ministerial2009-10-27a.xml"]).ok
    finally:
        event.remove(fresh_engine, "before_cursor_execute", seen)
    counts = [s for s in statements if s.startswith("SELECT count(") and ("search_keys" in s or "search_items" in s)]
    assert counts and all(" id > " in s for s in counts if "search_removed" not in s), counts
    with fresh_engine.connect() as conn:
        check_index(conn)


def _rebuilds(monkeypatch) -> list[int]:
    """The ``after`` of every read of the items by the index: 0 is a rebuild."""
    reads: list[int] = []
    original = tantivy_index.SearchIndex._add

    def add(self, conn, writer, after, upto):
        reads.append(after)
        return original(self, conn, writer, after, upto)

    monkeypatch.setattr(tantivy_index.SearchIndex, "_add", add)
    return reads


def _edit(engine, gid: str, word: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid)
                     .values(**speech_body_values(f"<p>A {word} aside</p>", f"A {word} aside")))


def test_the_guard_rebuilds_an_index_that_lacks_what_the_database_removes(fresh_engine, monkeypatch):
    """An index that does not hold what its marks say (here it lost a document the database then
    removes) is not what the database's list says it should be: it is rebuilt whole, and agrees."""
    assert ingest(fresh_engine, [WRANS]).ok
    (first, _), (second, _) = _texts(fresh_engine, 2)
    reads = _rebuilds(monkeypatch)
    _edit(fresh_engine, first, "zymurgical")    # an index that holds what it should: caught up, not rebuilt
    with fresh_engine.connect() as conn:
        assert search(conn, SearchQuery("zymurgical")).total == 1
    assert reads and 0 not in reads
    index = tantivy_index.for_engine(fresh_engine)
    with fresh_engine.connect() as conn:
        item = conn.execute(text("SELECT id FROM search_items WHERE speech_id = :s"), {"s": second}).scalar_one()
    writer = index.index.writer(heap_size=15_000_000, num_threads=1)
    writer.delete_documents_by_term("item", int(item))       # the index loses a document, its marks unchanged
    writer.commit()
    writer.wait_merging_threads()
    index.index.reload()
    reads.clear()
    _edit(fresh_engine, second, "quincunx")     # the database removes it: the counts disagree
    with fresh_engine.connect() as conn:
        assert search(conn, SearchQuery("quincunx")).total == 1
        assert search(conn, SearchQuery("zymurgical")).total == 1
        check_index(conn)
    assert reads[0] > 0 and reads[-1] == 0      # caught up from the marks, then rebuilt whole
