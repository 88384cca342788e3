"""Speech HTML and text packed on SQLite (store/packing, migration 0016): what is stored is small,
what is read is exactly what was parsed, and databases written before 0016 upgrade and downgrade.
Their form since 0020 (both in one frame) is tests/test_speech_body.py's."""
from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from despatchbox.ingest.parlparse.transcripts import parse_transcript
from despatchbox.ingest.records import Speech
from despatchbox.pipeline.run import ingest
from despatchbox.record.markup import reduced
from despatchbox.store import database
from despatchbox.store.packing import FORMAT, PackingError, pack, unpack
from despatchbox.store.schema import speeches

from .conftest import SAMPLE

ROOT = Path(__file__).resolve().parent.parent
DEBATES = SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27d.xml"


def _parsed(path: Path) -> dict[str, Speech]:
    return {i.gid: i for i in parse_transcript(path).items if isinstance(i, Speech)}


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_comes_back_as_it_was(value):
    packed = pack(value)
    assert unpack(packed) == value
    assert (packed == "") == (value == "")


def test_real_speeches_pack_to_a_fraction_and_come_back_exactly():
    items = [s for s in _parsed(DEBATES).values() if s.text]
    raw = sum(len(s.html.encode()) + len(s.text.encode()) for s in items)
    packed = 0
    for s in items:
        for value in (s.html, s.text):
            p = pack(value)
            assert isinstance(p, bytes) and p[0] == FORMAT and unpack(p) == value
            packed += len(p)
    # measured on this file: ~0.37 (the dictionary was trained on the 2023 day, not on this week)
    assert packed < 0.5 * raw


def test_an_unknown_format_or_damaged_bytes_say_so():
    with pytest.raises(PackingError, match="format 9"):
        unpack(b"\x09" + pack("Madam Deputy Speaker")[1:])
    with pytest.raises(PackingError, match="could not be unpacked"):
        unpack(bytes((FORMAT,)) + b"not a zstd frame")


def test_the_dictionary_is_the_one_its_script_trains():
    trained = runpy.run_path(str(ROOT / "scripts" / "train-text-dictionary"))["train"]()
    committed = ROOT / "src" / "despatchbox" / "store" / "packing" / "speech-text-1.zdict"
    assert trained == committed.read_bytes()


def test_0016_packs_the_rows_already_held_and_downgrades_back(tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("0016 is SQLite's: PostgreSQL packs its rows from 0028 (tests/test_speech_body.py)")
    engine = database.engine_for(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = database.alembic_config(engine)
    assert ingest(engine, [DEBATES]).ok
    items = _items(engine)
    # the html as ingest stores it: reduced to the whitelist (record/markup)
    expected = {gid: (reduced(s.html), s.text) for gid, s in _parsed(DEBATES).items()}

    command.downgrade(cfg, "0015")                  # the rows as a database before 0016 holds them
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT typeof(html) FROM speeches")).scalars()) == {"text"}
        assert {r.id: (r.html, r.text) for r in conn.execute(text("SELECT id, html, text FROM speeches"))} == expected

    command.upgrade(cfg, "0016")                    # each column its own frame (0020 packs them together)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, html, text FROM speeches")).all()
    assert {type(html) for _g, html, _t in stored} == {bytes}
    assert all(html[0] == FORMAT and (body == "") == (expected[gid][1] == "") for gid, html, body in stored)
    assert {gid: (unpack(html), unpack(body)) for gid, html, body in stored} == expected

    command.upgrade(cfg, "heads")
    with engine.connect() as conn:
        assert {r.id: (r.html, r.text) for r in conn.execute(
            select(speeches.c.id, speeches.c.html, speeches.c.text))} == expected
        triggers = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                         "AND tbl_name = 'speeches'")).scalars())
    assert triggers == {"search_speeches_insert", "search_speeches_update", "search_speeches_delete"}
    assert _items(engine) == items                  # repacking re-indexed nothing


def _items(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, speech_id FROM search_items ORDER BY id")).all()
