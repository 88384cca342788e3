"""A speech's html and text in one packed frame (store/packing/columns.py; SQLite from migration 0020,
PostgreSQL from 0028): every speech of the sample week reads back as parsed (its html reduced to the
whitelist of record/markup, and marked so), however it is selected; html and text cannot be written
apart; "has text" still drives search, and an edit of the words re-lists the speech; 0020, 0028 and
0033 upgrade and downgrade in place."""
from __future__ import annotations

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import CompileError, StatementError

from despatchbox.ingest.parlparse.transcripts import parse_transcript
from despatchbox.ingest.records import Speech
from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.record.markup import SafeHtml, reduced
from despatchbox.store.packing import (BODY_FORMAT, FORMAT, SAFE_BODY_FORMAT, PackingError, pack, pack_body, unpack,
                                       unpack_body, unpack_html)
from despatchbox.store.packing.columns import HAS_TEXT, speech_body_values
from despatchbox.store.schema import source_files, speeches
from despatchbox.store.search import SearchQuery, search

from .conftest import SAMPLE

SCRAPED = SAMPLE / "scrapedxml"
DEBATES = SCRAPED / "debates" / "debates2009-10-27d.xml"


def _held_as_parsed(engine) -> dict[str, tuple[str, str]]:
    """(html, text) of every speech held, from a fresh parse of the file each came from (the html as
    the store keeps it: reduced by record/markup)."""
    with engine.connect() as conn:
        held = conn.execute(select(speeches.c.id, source_files.c.name)
                            .join(source_files, source_files.c.id == speeches.c.file_id)).all()
    parsed: dict[str, dict[str, Speech]] = {}
    out = {}
    for gid, name in held:
        if name not in parsed:
            path = next(SCRAPED.rglob(name))
            parsed[name] = {i.gid: i for i in parse_transcript(path).items if isinstance(i, Speech)}
        s = parsed[name][gid]
        out[gid] = (reduced(s.html), s.text)
    return out


def _sqlite_only(db_backend: str) -> None:
    if db_backend != "sqlite":
        pytest.skip("0020 is SQLite's: PostgreSQL packs its rows from 0028 (the test of 0028)")


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_any_html_and_text_come_back_as_they_were(html, body):
    packed = pack_body(html, body)
    assert packed[0] == BODY_FORMAT
    assert unpack_body(packed) == (html, body)
    assert unpack_body(bytearray(packed)) == (html, body)        # the remembered body is compared by value


def test_reduced_html_is_stored_in_its_own_format_and_read_back_marked():
    """Html reduced to the whitelist (SafeHtml) is stored in format 3 and read back as SafeHtml; any other
    html (the source's markup, as versions before 7 December 2026 stored it) in format 2, read back as a
    plain str, which the pages reduce when they show it."""
    raw = '<p pid="a/1">Order. <script>alert(1)</script><phrase class="date">1 May</phrase></p>'
    safe = reduced(raw)
    for html, fmt, kind in ((safe, SAFE_BODY_FORMAT, SafeHtml), (raw, BODY_FORMAT, str), (str(safe), BODY_FORMAT, str)):
        packed = pack_body(html, "Order. 1 May")
        assert packed[0] == fmt
        for read in (unpack_html(packed), unpack_body(packed)[0], unpack_html(bytearray(packed))):
            assert read == html and type(read) is kind
    assert "<script" not in safe and "alert" not in safe


def test_the_html_columns_processor_reads_as_its_process_result_value():
    """``speeches.html`` hands SQLite's values straight to unpack_html (no calls around it, 142 a long
    debate's page); on both databases its result processor reads what ``process_result_value`` reads,
    of the same type, a NULL included."""
    from sqlalchemy.dialects import postgresql

    safe = reduced('<p pid="a/1">Order. <phrase class="date">1 May</phrase></p>')
    bodies = [pack_body(safe, "Order. 1 May"), pack_body("<p>raw</p>", "raw"), pack_body("", ""), None]
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        column = speeches.c.html.type.dialect_impl(dialect)
        process = column.result_processor(dialect, None)
        if dialect.name == "sqlite":
            assert process is unpack_html
        for body in bodies:
            read, expected = process(body), column.process_result_value(body, dialect)
            assert read == expected and type(read) is type(expected)


def test_a_body_stored_by_an_older_version_is_still_reduced_on_the_page(fresh_engine, fresh_url):
    """A speech stored in format 2 (the source's markup, as before 7 December 2026), here with a script
    put in it, shows its words on the debate page and not the script; the page is the same as for
    the body stored reduced."""
    from fastapi.testclient import TestClient

    from despatchbox.web.app import create_app
    from despatchbox.web.pages.common import debate_url
    assert ingest(fresh_engine, [DEBATES]).ok
    with fresh_engine.connect() as conn:
        gid, debate_id, html, body = conn.execute(select(speeches.c.id, speeches.c.debate_id, speeches.c.html,
                                                         speeches.c.text).where(speeches.c.text != "").limit(1)).one()
    assert type(html) is SafeHtml
    client = TestClient(create_app(fresh_url))
    page = client.get(debate_url(debate_id), headers={"Cache-Control": "no-cache"})
    assert page.status_code == 200 and str(html) in page.text
    raw = html.replace("</p>", '<script>alert("stored")</script><img src=x onerror=alert(1)></p>', 1)
    with fresh_engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid).values(**speech_body_values(str(raw), body)))
        assert conn.execute(text("SELECT html FROM speeches WHERE id = :id"), {"id": gid}).scalar()[0] == BODY_FORMAT
    again = TestClient(create_app(fresh_url)).get(debate_url(debate_id), headers={"Cache-Control": "no-cache"})
    assert again.status_code == 200
    assert "alert(" not in again.text and "onerror" not in again.text and str(html) in again.text


def test_one_frame_is_smaller_than_two_for_real_speeches():
    items = [s for s in parse_transcript(DEBATES).items if isinstance(s, Speech) and s.text]
    two = sum(len(pack(s.html)) + len(pack(s.text)) for s in items)
    one = sum(len(pack_body(s.html, s.text)) for s in items)
    assert all(unpack_body(pack_body(s.html, s.text)) == (s.html, s.text) for s in items)
    # measured on the sample week: ~427 bytes a speech in one frame against ~754 in two
    assert one < 0.7 * two


def test_a_body_in_another_form_says_so():
    with pytest.raises(PackingError, match="format 9"):
        unpack_body(b"\x09" + pack_body("<p>Order.</p>", "Order.")[1:])
    with pytest.raises(PackingError, match="upgraded"):
        unpack_body(pack("<p>Order.</p>"))                       # format 1: a single value of 0016
    with pytest.raises(PackingError, match="upgraded"):
        unpack_body("<p>Order.</p>")                              # plain text: before 0016
    with pytest.raises(PackingError, match="could not be unpacked"):
        unpack_body(bytes((BODY_FORMAT, 3)) + b"not a zstd frame")


def test_every_speech_of_the_sample_reads_back_exactly(sample_engine, db_backend):
    expected = _held_as_parsed(sample_engine)
    page = speeches.alias("page")
    with sample_engine.connect() as conn:
        both = {r.id: (r.html, r.text) for r in conn.execute(select(speeches.c.id, speeches.c.html, speeches.c.text))}
        text_alone = dict(conn.execute(select(speeches.c.id, speeches.c.text)).all())
        html_alone = dict(conn.execute(select(speeches.c.id, speeches.c.html)).all())
        aliased = dict(conn.execute(select(page.c.id, page.c.text.label("body"))).all())
        whole = {r.id: (r.html, r.text) for r in conn.execute(select(speeches))}
        with_text = set(conn.execute(select(speeches.c.id).where(speeches.c.text != "")).scalars())
        items = conn.execute(text("SELECT count(*) FROM search_items")).scalar_one() if db_backend == "sqlite" else None
    assert len(expected) > 4000 and both == expected == whole
    assert text_alone == {g: t for g, (_h, t) in expected.items()} == aliased
    assert html_alone == {g: h for g, (h, _t) in expected.items()}
    assert with_text == {g for g, (_h, t) in expected.items() if t}
    if items is not None:
        assert items == len(with_text)


def test_both_databases_store_one_frame_and_has_text(sample_engine):
    expected = _held_as_parsed(sample_engine)
    with sample_engine.connect() as conn:
        stored = conn.execute(text("SELECT id, html, text FROM speeches")).all()
    assert len(stored) == len(expected)
    for gid, body, has_text in stored:
        assert isinstance(body, bytes) and body[0] == SAFE_BODY_FORMAT    # SQLite: in a TEXT column; PostgreSQL: bytea
        assert unpack_body(body) == expected[gid]
        assert type(unpack_body(body)[0]) is SafeHtml and type(unpack_html(body)) is SafeHtml
        assert has_text == (HAS_TEXT if expected[gid][1] else "")


def test_a_text_selected_without_its_html_is_refused_not_misread():
    inner = select(speeches.c.id, speeches.c.text).subquery()
    with pytest.raises(CompileError, match="html column"):
        select(inner.c.text).compile(dialect=sqlite.dialect())


def test_html_and_text_are_written_together_and_search_follows(fresh_engine):
    assert ingest(fresh_engine, [DEBATES]).ok
    with fresh_engine.connect() as conn:
        gid, html = conn.execute(select(speeches.c.id, speeches.c.html).where(speeches.c.text != "").limit(1)).one()
    for values in ({"text": "A zymurgical remark"}, {"html": "<p>A zymurgical remark</p>"}, {"text": ""}):
        with fresh_engine.begin() as conn, pytest.raises(StatementError, match="SpeechBody"):
            conn.execute(update(speeches).where(speeches.c.id == gid).values(**values))
    with fresh_engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid)
                     .values(**speech_body_values(html, "A quite unmistakable zymurgical remark")))
    with fresh_engine.connect() as conn:
        assert conn.execute(select(speeches.c.html, speeches.c.text).where(speeches.c.id == gid)).one() == (
            html, "A quite unmistakable zymurgical remark")
        assert [h.id for h in search(conn, SearchQuery("zymurgical")).hits] == [gid]
    with fresh_engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid).values(**speech_body_values(html, "")))
    with fresh_engine.connect() as conn:
        assert conn.execute(select(speeches.c.html, speeches.c.text).where(speeches.c.id == gid)).one() == (html, "")
        assert search(conn, SearchQuery("zymurgical")).total == 0
        assert gid not in set(conn.execute(select(speeches.c.id).where(speeches.c.text != "")).scalars())


def test_0020_converts_the_rows_held_and_downgrades_back(tmp_path, db_backend):
    _sqlite_only(db_backend)
    engine = database.engine_for(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = database.alembic_config(engine)
    files = sorted((SCRAPED / "debates").glob("*.xml")) + sorted((SCRAPED / "wrans").glob("*.xml"))
    assert ingest(engine, files).ok
    expected = _held_as_parsed(engine)
    items = _items(engine)

    command.downgrade(cfg, "0018")                  # the rows as 0016 packed them: one frame per column
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, html, text FROM speeches")).all()
        assert len(stored) == len(expected)
        for gid, html, body in stored:
            assert html[0] == FORMAT and (unpack(html), unpack(body)) == expected[gid]
            assert (body == "") == (expected[gid][1] == "")
    assert _triggers(engine) == {"search_speeches_insert", "search_speeches_update", "search_speeches_delete"}
    assert _items(engine) == items                  # rewriting re-indexed nothing

    command.upgrade(cfg, "heads")
    with engine.connect() as conn:
        assert {r.id: (r.html, r.text) for r in conn.execute(
            select(speeches.c.id, speeches.c.html, speeches.c.text))} == expected
        assert {g: t for g, t in conn.execute(text("SELECT id, text FROM speeches"))} == {
            g: HAS_TEXT if t else "" for g, (_h, t) in expected.items()}
    assert _triggers(engine) == {"search_speeches_insert", "search_speeches_update", "search_speeches_delete"}
    assert _items(engine) == items
    # and the database takes further ingests as a fresh one does
    assert ingest(engine, sorted((SCRAPED / "westminhall").glob("*.xml"))).ok
    assert _held_as_parsed(engine).items() >= expected.items()


def test_0028_packs_postgresqls_rows_and_downgrades_back(fresh_engine, db_backend):
    """PostgreSQL's plain html and text (0027) are packed in place; the search index's list of items
    is untouched both ways; an edit of the words after it still re-lists the speech."""
    if db_backend != "postgresql":
        pytest.skip("SQLite has packed its rows since 0020 (the test above)")
    cfg = database.alembic_config(fresh_engine)
    assert ingest(fresh_engine, [DEBATES, *sorted((SCRAPED / "wrans").glob("*.xml"))]).ok
    expected = _held_as_parsed(fresh_engine)
    items = _items(fresh_engine)

    command.downgrade(cfg, "0027")                  # the rows as PostgreSQL kept them: plain text
    with fresh_engine.connect() as conn:
        stored = {gid: (html, body) for gid, html, body in conn.execute(text("SELECT id, html, text FROM speeches"))}
        kind = conn.execute(text("SELECT data_type FROM information_schema.columns "
                                 "WHERE table_name = 'speeches' AND column_name = 'html'")).scalar_one()
    assert stored == expected and kind == "text"
    assert _items(fresh_engine) == items            # rewriting re-listed nothing

    command.upgrade(cfg, "heads")
    with fresh_engine.connect() as conn:
        stored = {gid: (bytes(html), body) for gid, html, body in conn.execute(text("SELECT id, html, text FROM speeches"))}
        assert {r.id: (r.html, r.text) for r in conn.execute(
            select(speeches.c.id, speeches.c.html, speeches.c.text))} == expected
    assert {gid: unpack_body(body) for gid, (body, _t) in stored.items()} == expected
    assert {gid: t for gid, (_b, t) in stored.items()} == {g: HAS_TEXT if t else "" for g, (_h, t) in expected.items()}
    assert _items(fresh_engine) == items
    # an edit of the words changes only the packed html ('1' stays '1'): the speech is listed again
    gid = next(g for g, (_h, t) in expected.items() if t and "/debate/" in g)   # a result of its own
    with fresh_engine.begin() as conn:
        conn.execute(update(speeches).where(speeches.c.id == gid)
                     .values(**speech_body_values(expected[gid][0], "A quite unmistakable zymurgical remark")))
    with fresh_engine.connect() as conn:
        assert [h.id for h in search(conn, SearchQuery("zymurgical")).hits] == [gid]
    assert ingest(fresh_engine, sorted((SCRAPED / "westminhall").glob("*.xml"))).ok


def test_0033_reduces_the_markup_held_and_downgrades_back(fresh_engine, db_backend):
    """Bodies held as versions before stored them (format 2, the source's markup) are rewritten in
    format 3, their html reduced and their text the same; the search index's list of items is
    untouched both ways; downgrading writes format 2 again, which those versions read."""
    cfg = database.alembic_config(fresh_engine)
    assert ingest(fresh_engine, [DEBATES]).ok
    source = {i.gid: (i.html, i.text) for i in parse_transcript(DEBATES).items if isinstance(i, Speech)}
    command.downgrade(cfg, "0032")
    with fresh_engine.begin() as conn:              # the bodies as a database ingested before 0033 holds them
        held = [gid for (gid,) in conn.execute(text("SELECT id FROM speeches"))]
        conn.execute(text("UPDATE speeches SET html = :html WHERE id = :id"),
                     [{"id": gid, "html": pack_body(*source[gid])} for gid in held])
        assert {bytes(b)[0] for (b,) in conn.execute(text("SELECT html FROM speeches"))} == {BODY_FORMAT}
    items = _items(fresh_engine)

    command.upgrade(cfg, "heads")
    with fresh_engine.connect() as conn:
        stored = {gid: bytes(body) for gid, body in conn.execute(text("SELECT id, html FROM speeches"))}
    assert {body[0] for body in stored.values()} == {SAFE_BODY_FORMAT}
    assert {gid: unpack_body(body) for gid, body in stored.items()} == {
        gid: (reduced(source[gid][0]), source[gid][1]) for gid in held}
    assert all(type(unpack_html(body)) is SafeHtml for body in stored.values())
    assert _items(fresh_engine) == items            # the words are the same: nothing re-listed

    command.downgrade(cfg, "0032")
    with fresh_engine.connect() as conn:
        again = {gid: bytes(body) for gid, body in conn.execute(text("SELECT id, html FROM speeches"))}
    assert {body[0] for body in again.values()} == {BODY_FORMAT}
    assert {gid: unpack_body(body) for gid, body in again.items()} == {
        gid: unpack_body(body) for gid, body in stored.items()}
    assert all(type(unpack_html(body)) is str for body in again.values())
    assert _items(fresh_engine) == items
    command.upgrade(cfg, "heads")


def _items(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, speech_id FROM search_items ORDER BY id")).all()


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'speeches'")).scalars())
