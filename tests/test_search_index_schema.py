"""An index written by an older version of despatchbox (other fields, or the same fields filled in
another way) is rebuilt by the next sync, so an upgraded installation keeps answering searches —
on both databases."""
from __future__ import annotations

import shutil

import tantivy

from despatchbox.pipeline.run import ingest
from despatchbox.store.search import SearchQuery, check_index, search, sync_index, tantivy_index
from despatchbox.store.search.index_marks import database_marks, index_dir

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27a.xml"


def _version_1_schema() -> tantivy.Schema:
    """The fields of the index before SCHEMA_VERSION (speech and debate ids stored as strings, the
    marker without a version)."""
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("item", indexed=True, fast=True, stored=True)
    sb.add_text_field("speech", tokenizer_name="raw", stored=True)
    sb.add_text_field("debate", tokenizer_name="raw", fast=True, stored=True)
    sb.add_integer_field("debate_key", indexed=True, fast=True)
    sb.add_integer_field("result", indexed=True, fast=True)
    sb.add_integer_field("question_group", indexed=True, fast=True)
    sb.add_text_field("kind", tokenizer_name="raw")
    sb.add_integer_field("date", indexed=True, fast=True)
    sb.add_integer_field("person", indexed=True)
    sb.add_text_field("party", tokenizer_name="raw")
    sb.add_text_field("department", tokenizer_name="raw")
    sb.add_integer_field("batch", indexed=True, fast=True)
    sb.add_text_field("mark_installation", tokenizer_name="raw", stored=True)
    sb.add_integer_field("mark_items", stored=True)
    sb.add_integer_field("mark_removed", stored=True)
    sb.add_text_field("stem", tokenizer_name=tantivy_index.STEM, index_option="position")
    sb.add_text_field("exact", tokenizer_name=tantivy_index.EXACT, index_option="position")
    return sb.build()


def _forget_open_index(engine) -> None:
    """As a new process would: the index is opened again from its folder."""
    tantivy_index._OPEN.pop(str(index_dir(engine)), None)


def _hits(engine, words: str) -> int:
    with engine.connect() as conn:
        return search(conn, SearchQuery(words)).total


def test_an_index_of_the_older_schema_is_rebuilt(fresh_engine):
    """The folder holds an index of the version-1 fields whose marker says it is up to date with
    the database but which holds none of its items: opened by this version, it is rebuilt."""
    assert ingest(fresh_engine, [DEBATES]).ok
    expected = _hits(fresh_engine, "minister")
    assert expected > 0
    folder = index_dir(fresh_engine)
    _forget_open_index(fresh_engine)
    shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with fresh_engine.connect() as conn:
        head = database_marks(conn)
    old = tantivy.Index(_version_1_schema(), path=str(folder), reuse=False)
    old.register_tokenizer(tantivy_index.STEM, tantivy_index.analyzer(True))
    old.register_tokenizer(tantivy_index.EXACT, tantivy_index.analyzer(False))
    writer = old.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(kind=tantivy_index.MARKER, mark_installation=head.installation,
                                         mark_items=head.items, mark_removed=head.removed))
    writer.commit()
    writer.wait_merging_threads()
    del writer, old

    assert _hits(fresh_engine, "minister") == expected       # the first search rebuilt it
    _forget_open_index(fresh_engine)                          # written in this version's fields:
    with fresh_engine.connect() as conn:                      # opened again, it is current as it is
        assert tantivy_index.for_engine(fresh_engine).marks == database_marks(conn)
        check_index(conn)


def test_an_index_of_another_schema_version_is_rebuilt(fresh_engine, monkeypatch):
    """The same fields, written by another version (its marker's ``mark_schema``): the next sync
    rebuilds the whole index, and the one after has nothing to do."""
    assert ingest(fresh_engine, [DEBATES]).ok
    expected = _hits(fresh_engine, "minister")
    assert sync_index(fresh_engine) is False                  # up to date
    monkeypatch.setattr(tantivy_index, "SCHEMA_VERSION", tantivy_index.SCHEMA_VERSION + 1)
    _forget_open_index(fresh_engine)
    index = tantivy_index.for_engine(fresh_engine)
    assert index.marks.installation == tantivy_index.STALE    # read as written by another version
    assert sync_index(fresh_engine) is True                   # rebuilt
    assert sync_index(fresh_engine) is False
    assert _hits(fresh_engine, "minister") == expected
    with fresh_engine.connect() as conn:
        check_index(conn)
        assert tantivy_index.for_engine(fresh_engine).marks == database_marks(conn)
