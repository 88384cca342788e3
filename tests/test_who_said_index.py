"""The "who said this?" index in the store: built at ingest, kept exact through re-ingest and
superseded file versions, answering as the in-memory reference index does; SQLite and PostgreSQL
(``--db postgresql``)."""
from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select
from sqlalchemy import text as sql

from despatchbox.pipeline.run import FILE_WRITERS, ingest
from despatchbox.quotes import InMemorySpeechIndex, SpeechIndex, attribute_text, fingerprints
from despatchbox.store.schema import speeches
from despatchbox.store.queries.fingerprint_levels import LEVELS, level_rows_sql, level_sizes, lowest_key
from despatchbox.store.queries.quotes import MAX_POSTINGS, StoreSpeechIndex, fingerprint_stats, settle_fingerprints
from despatchbox.store.schema import (quote_fingerprints, quote_fingerprints_level0, quote_fingerprints_level1,
                                     quote_speeches)

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates"
G = "uk.org.publicwhip/debate/2009-10-"
def all_rows(conn) -> str:
    """The index's rows, wherever they are: in any of its levels (migrations 0024, 0026), and on
    PostgreSQL in the blocks of its two biggest levels (0030)."""
    return "(" + " UNION ALL ".join(level_rows_sql(conn, t) for t in LEVELS) + ")"


def level_sql(conn, table) -> str:
    """A level's ``(hash, speech_key)`` rows as a subquery (its blocks' postings too, on PostgreSQL)."""
    return f"({level_rows_sql(conn, table)})"


def held(conn) -> dict[str, str]:
    """speech id → text of every speech with text, in the order the index keys them."""
    return dict(conn.execute(select(speeches.c.id, speeches.c.text)
                             .join(quote_speeches, quote_speeches.c.speech_id == speeches.c.id)
                             .order_by(quote_speeches.c.id)).all())


def index_rows(conn) -> set[tuple[int, str]]:
    return set(conn.execute(sql(f"SELECT f.hash, q.speech_id FROM {all_rows(conn)} f "
                                "JOIN quote_speeches q ON q.id = f.speech_key")).all())


def assert_index_is_exact(conn) -> None:
    """The index holds exactly the fingerprints of the speeches held now, nothing stale."""
    texts = dict(conn.execute(select(speeches.c.id, speeches.c.text).where(speeches.c.text != "")).all())
    expected = {(h, sid) for sid, body in texts.items() for h in fingerprints(body)}
    assert index_rows(conn) == expected
    stats = fingerprint_stats(conn)
    assert stats == {"speeches": len(texts), "fingerprints": len(expected)}
    # both tables' rows belong to the current version of their file
    stale = conn.execute(sql(
        "SELECT count(*) FROM quote_speeches q JOIN speeches s ON s.id = q.speech_id "
        "WHERE s.file_id <> q.file_id")).scalar()
    assert stale == 0
    not_current = conn.execute(sql(
        f"SELECT count(*) FROM {all_rows(conn)} f JOIN quote_speeches q ON q.id = f.speech_key "
        "JOIN source_files sf ON sf.id = q.file_id WHERE NOT sf.is_current")).scalar()
    assert not_current == 0
    # every speech's count of rows is the rows it has (what a replaced file's deletion is checked against);
    # counted in one pass over the rows, not once per speech: PostgreSQL's blocks have no index by key,
    # and a correlated count unnested every block for every speech (169 s for the sample week)
    wrong = conn.execute(sql(
        "SELECT count(*) FROM quote_speeches q LEFT JOIN "
        f"(SELECT speech_key, count(*) AS n FROM {all_rows(conn)} AS f GROUP BY speech_key) AS c "
        "ON c.speech_key = q.id WHERE q.postings IS NULL OR q.postings <> coalesce(c.n, 0)")).scalar()
    assert wrong == 0
    # a speech's rows are all in one level, and each level's keys are above those of the levels older than it
    ranges = [conn.execute(sql(f"SELECT min(speech_key), max(speech_key) FROM {level_sql(conn, t)} AS level"))
              .one() for t in LEVELS]
    held_ranges = [r for r in ranges if r[0] is not None]
    assert all(newer[0] > older[1] for newer, older in zip(held_ranges, held_ranges[1:]))


def test_registered_with_the_pipeline():
    from despatchbox.pipeline.quotes_index import write_fingerprints
    assert write_fingerprints in FILE_WRITERS
    # the index goes with a replaced file by delete_file_fingerprints, not by a file id of its own
    assert "file_id" not in quote_fingerprints.c and "file_id" in quote_speeches.c


def test_ingest_fingerprints_equal_the_reference(sample_engine):
    from despatchbox.pipeline.quotes_index import speech_fingerprints
    with sample_engine.connect() as conn:
        texts = list(conn.execute(select(speeches.c.text).where(speeches.c.text != "")).scalars())
    assert len(texts) > 4000
    assert all(speech_fingerprints(t) == fingerprints(t) for t in texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Minister", "café", "ﬁne", "Straße", "don’t", "4,818", "—", "£5", "ünïcödé",
                                 "the", "hon.", "Gentleman", "Ελλάδα", "日本", "x", "\u00a0", "naïve"]),
                max_size=60))
def test_ingest_fingerprints_equal_the_reference_on_any_text(words):
    from despatchbox.pipeline.quotes_index import speech_fingerprints
    text = " ".join(words)
    assert speech_fingerprints(text) == fingerprints(text)


def _reference_rows(speeches_of_file):
    """What a file's index rows are by definition: each speech's fingerprints by the reference."""
    from despatchbox.store.queries.quotes import FingerprintRows
    return FingerprintRows((sid, fingerprints(body)) for sid, body in speeches_of_file)


def _same_rows(got, want) -> bool:
    return (got.speech_ids, got.counts, list(got.hashes), list(got.positions)) == \
        (want.speech_ids, want.counts, list(want.hashes), list(want.positions))


def test_a_files_rows_worked_out_at_once_equal_the_reference(sample_engine):
    """pipeline/quotes_index.py winnows and sorts a whole file's hashes as arrays: the same rows as
    the reference fingerprints of each speech, in every file of the sample."""
    from despatchbox.pipeline.quotes_index import file_fingerprint_rows
    by_file: dict[int, list[tuple[str, str]]] = {}
    with sample_engine.connect() as conn:
        for sid, body, file_id in conn.execute(select(speeches.c.id, speeches.c.text, speeches.c.file_id)
                                               .where(speeches.c.text != "")
                                               .order_by(speeches.c.file_id, speeches.c.position)):
            by_file.setdefault(file_id, []).append((sid, body))
    assert len(by_file) > 20
    for group in by_file.values():
        assert _same_rows(file_fingerprint_rows(group), _reference_rows(group))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Minister", "café", "4,818", "—", "the", "hon.", "Gentleman", "x", "y",
                                          "z", "…", "naïve", "Ελλάδα"]), max_size=30), max_size=8))
def test_a_files_rows_worked_out_at_once_equal_the_reference_on_any_texts(texts):
    """Speeches of no words, fewer than a shingle, fewer than a window, and longer, side by side."""
    from despatchbox.pipeline.quotes_index import file_fingerprint_rows
    group = [(f"s{i}", " ".join(words) or "…") for i, words in enumerate(texts)]
    assert _same_rows(file_fingerprint_rows(group), _reference_rows(group))


def test_sample_index_is_exact_and_compact(sample_engine):
    with sample_engine.connect() as conn:
        assert_index_is_exact(conn)
        stats = fingerprint_stats(conn)
        words = conn.execute(sql("SELECT sum(words) FROM speeches WHERE text <> ''")).scalar()
        assert 0.15 < stats["fingerprints"] / words < 0.25                  # ~0.19 rows a word
        if conn.dialect.name == "sqlite":
            ddl = conn.execute(sql("SELECT sql FROM sqlite_master WHERE name = 'quote_fingerprints'")).scalar()
            assert "WITHOUT ROWID" in ddl.upper()


def test_store_index_answers_as_the_reference_index(sample_engine):
    with sample_engine.connect() as conn:
        texts = held(conn)
        store = StoreSpeechIndex(conn)
        assert isinstance(store, SpeechIndex)
        memory = InMemorySpeechIndex(texts)
        ids = list(texts)
        for sid in ids[::12]:                                 # whole speeches and fragments of them
            body = texts[sid]
            for part in (body, " ".join(body.split()[5:30])):
                fps = sorted(fingerprints(part))
                assert store.candidates(fps, 12) == memory.candidates(fps, 12)
        assert store.texts([ids[0], "no such speech", ids[1]]) == {ids[0]: texts[ids[0]], ids[1]: texts[ids[1]]}
        assert store.candidates([], 5) == {} and store.candidates([123], 5) == {}


def test_candidates_is_one_indexed_statement(sample_engine):
    from despatchbox.store.queries.quotes import _candidates_sql
    with sample_engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("plan checked on SQLite")
        plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + _candidates_sql(3, "?"),
                                                   (1, 2, 3, MAX_POSTINGS, 12))]
    # no table scanned: each level probed by hash for the cap, and again for the postings
    assert not any(step.startswith("SCAN") and "quote_fingerprints" in step or step in ("SCAN p", "SCAN c")
                   for step in plan), plan
    assert sum("USING PRIMARY KEY (hash=?)" in step for step in plan) == 2 * len(LEVELS), plan
    assert any("SEARCH s USING INTEGER PRIMARY KEY" in step for step in plan), plan


def test_very_common_fingerprints_are_skipped(sample_engine):
    with sample_engine.connect() as conn:
        texts = held(conn)
        common = conn.execute(sql(f"SELECT hash, count(*) AS n FROM {all_rows(conn)} AS a GROUP BY hash "
                                  "ORDER BY n DESC, hash LIMIT 1")).one()
        assert common.n > 3
        for cap in (1, 3, common.n - 1, common.n):
            store = StoreSpeechIndex(conn, max_postings=cap)
            memory = InMemorySpeechIndex(texts, max_postings=cap)
            for sid in list(texts)[::97]:
                fps = sorted(fingerprints(texts[sid]) | {common.hash})
                assert store.candidates(fps, 20) == memory.candidates(fps, 20)
            only_common = store.candidates([common.hash], 50)
            assert (only_common == {}) == (common.n > cap)
        assert MAX_POSTINGS == 2000


def test_neighbours_are_the_debate_around_a_speech(sample_engine):
    with sample_engine.connect() as conn:
        store = StoreSpeechIndex(conn, window=3)
        around = store.neighbours(G + "26b.3.5")
        assert around == [G + "26b." + k for k in ("3.2", "3.3", "3.4", "3.5", "3.6", "4.0", "4.1")]
        first = store.neighbours(G + "26b.1.5")                  # the first speech of its debate
        assert first[0] == G + "26b.1.5" and len(first) == 4
        assert store.neighbours("no such speech") == []


def test_reingest_changes_nothing_and_a_changed_file_leaves_nothing_stale(fresh_engine, sample_copy):
    day = sample_copy / "scrapedxml" / "debates"
    assert ingest(fresh_engine, [day / "debates2009-10-26b.xml"]).ok
    with fresh_engine.connect() as conn:
        assert_index_is_exact(conn)
        before = fingerprint_stats(conn)
    report = ingest(fresh_engine, [day / "debates2009-10-26b.xml"])          # the same file again
    assert report.unchanged == ["debates2009-10-26b.xml"]
    with fresh_engine.connect() as conn:
        assert fingerprint_stats(conn) == before
    # the same file name with other bytes (a corrected re-publication): replaced whole
    path = day / "debates2009-10-26b.xml"
    data = path.read_text(encoding="latin-1")
    assert "Tasers have been used 4,818 times" in data
    path.write_text(data.replace("Tasers have been used 4,818 times", "Tasers were used 4,818 times"),
                    encoding="latin-1")
    assert ingest(fresh_engine, [path]).loaded == ["debates2009-10-26b.xml"]
    with fresh_engine.connect() as conn:
        assert_index_is_exact(conn)
        assert fingerprint_stats(conn)["speeches"] == before["speeches"]
        store = StoreSpeechIndex(conn)
        found = attribute_text("The hon. Gentleman will know that Tasers were used 4,818 times up to March 2009, "
                               "and in none of those instances were serious injuries or deaths reported", store)
        assert found[0].speech_id == G + "26b.3.5" and found[0].confidence == 1.0


def test_a_later_version_supersedes_an_earlier_one(fresh_engine):
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-27a.xml"]).ok
    with fresh_engine.connect() as conn:
        assert_index_is_exact(conn)
        a_rows = fingerprint_stats(conn)
        texts_a = held(conn)
        assert texts_a and all(s.startswith(G + "27a") for s in texts_a)
        probe = max(texts_a, key=lambda s: len(texts_a[s]))
        assert next(iter(StoreSpeechIndex(conn).candidates(sorted(fingerprints(texts_a[probe])), 3))) == probe
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-27d.xml"]).loaded == ["debates2009-10-27d.xml"]
    with fresh_engine.connect() as conn:
        assert_index_is_exact(conn)
        texts_d = held(conn)
        assert texts_d and all(s.startswith(G + "27d") for s in texts_d)
        assert conn.execute(sql("SELECT count(*) FROM quote_speeches WHERE speech_id LIKE :a"),
                            {"a": G + "27a%"}).scalar() == 0
        store = StoreSpeechIndex(conn)
        for sid in list(texts_a)[::5]:
            got = store.candidates(sorted(fingerprints(texts_a[sid])), 12)
            assert not any(s.startswith(G + "27a") for s in got)
        results = attribute_text(texts_a[probe], store, store.neighbours)
        assert results[0].speech_id.startswith(G + "27d")
        assert fingerprint_stats(conn)["speeches"] > 0 and a_rows["speeches"] > 0
    # an older version arriving later is superseded on arrival: it adds nothing
    before = None
    with fresh_engine.connect() as conn:
        before = index_rows(conn)
    report = ingest(fresh_engine, [DEBATES / "debates2009-10-27b.xml"])
    assert report.superseded == ["debates2009-10-27b.xml"]
    with fresh_engine.connect() as conn:
        assert index_rows(conn) == before


def test_the_migration_indexes_speeches_ingested_before_it(fresh_engine):
    """A database that held speeches before the index existed (the record alone, revision 0001) is
    indexed by 0003 and reshaped by the revisions after it into exactly what ingest builds today."""
    from alembic import command

    from despatchbox.store import database
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-28c.xml"]).ok
    with fresh_engine.connect() as conn:
        built_at_ingest = index_rows(conn)
    cfg = database.alembic_config(fresh_engine)
    command.downgrade(cfg, "0001")
    with fresh_engine.connect() as conn:
        assert not {"quote_speeches", "quote_fingerprints"} & set(inspect(conn).get_table_names())
    command.upgrade(cfg, "heads")
    with fresh_engine.connect() as conn:
        assert index_rows(conn) == built_at_ingest
        assert_index_is_exact(conn)


def test_db_copy_carries_the_index(sample_engine, tmp_path):
    """The index tables are plain portable tables: ``despatchbox db copy`` moves them as they are."""
    copy = pytest.importorskip("despatchbox.store.copy")
    from despatchbox.store.database import dispose_engine, engine_for
    target_url = f"sqlite:///{tmp_path / 'copy.db'}"
    target = engine_for(target_url)
    copy.copy_database(sample_engine, target)
    with target.connect() as conn, sample_engine.connect() as src:
        assert fingerprint_stats(conn) == fingerprint_stats(src)
        assert_index_is_exact(conn)
    dispose_engine(target_url)
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("scheme", ["the one indexed with", "another"])
def test_a_files_rows_are_deleted_exactly_whatever_the_fingerprints(fresh_engine, scheme):
    """A replaced file's rows are found by recomputing its speeches' fingerprints; with another
    scheme than the one it was indexed with (the counts disagree) its range of keys goes instead."""
    from despatchbox.pipeline.quotes_index import speech_fingerprints
    from despatchbox.store.queries.quotes import delete_file_fingerprints
    assert ingest(fresh_engine, [DEBATES / "debates2009-10-26b.xml", DEBATES / "debates2009-10-28c.xml"]).ok
    with fresh_engine.connect() as conn:
        keys = dict(conn.execute(sql("SELECT f.name, min(q.id) FROM quote_speeches q "
                                     "JOIN source_files f ON f.id = q.file_id GROUP BY f.name")).all())
        file_id = conn.execute(sql("SELECT id FROM source_files WHERE name = 'debates2009-10-26b.xml'")).scalar()
        everything = index_rows(conn)
        held = dict(conn.execute(select(speeches.c.id, speeches.c.text)
                                 .where(speeches.c.file_id == file_id, speeches.c.text != "")).all())
    assert len(keys) == 2
    fingerprints_of = speech_fingerprints if scheme == "the one indexed with" else (lambda _t: {1, 2, 3})
    with fresh_engine.begin() as conn:
        deleted = delete_file_fingerprints(conn, file_id, fingerprints_of)
        left = index_rows(conn)
        speeches_left = set(conn.execute(sql("SELECT speech_id FROM quote_speeches")).scalars())
    gone = {(h, sid) for h, sid in everything if sid in held}
    assert gone and deleted == len(gone)
    assert left == everything - gone
    assert not speeches_left & set(held)


def _rows_in(conn, table) -> int:
    """A level's rows (the last level's: its blocks' postings too, on PostgreSQL)."""
    return conn.execute(sql(f"SELECT count(*) FROM {level_sql(conn, table)} AS level")).scalar_one()


def _assert_answers_as_in_memory(conn, every: int = 40, also: tuple[str, ...] = ()) -> None:
    texts = held(conn)
    store, memory = StoreSpeechIndex(conn), InMemorySpeechIndex(texts)
    for sid in [*also, *list(texts)[::every]]:
        fps = sorted(fingerprints(texts[sid]))
        assert store.candidates(fps, 12) == memory.candidates(fps, 12)


def test_new_rows_wait_in_the_newest_level_and_are_merged_down_when_it_outgrows_its_share(fresh_engine, sample_copy,
                                                                                          monkeypatch):
    """A day ingested into a database holding more is written to the newest level (a small
    B-tree), read from there as from the others, kept exact when its file is replaced, and merged
    down, whole, once the level's speeches pass their share of the speeches older than them (the
    sample is too small for the real shares: a file of it is more than 1/256 of the rest)."""
    from despatchbox.store.queries import fingerprint_levels
    day = sample_copy / "scrapedxml" / "debates"
    assert ingest(fresh_engine, [day / "debates2009-10-26b.xml", day / "debates2009-10-27d.xml",
                                 day / "debates2009-10-28c.xml"]).ok
    with fresh_engine.connect() as conn:        # into an empty index: straight down to the big table
        assert [_rows_in(conn, t) for t in LEVELS[:-1]] == [0, 0, 0] and _rows_in(conn, quote_fingerprints) > 0
        big = _rows_in(conn, quote_fingerprints)
    small = sample_copy / "scrapedxml" / "wms" / "ministerial2009-10-28a.xml"       # a few statements
    monkeypatch.setattr(fingerprint_levels, "SHARES", (1.0, 1.0, 1.0))
    assert ingest(fresh_engine, [small]).ok
    with fresh_engine.connect() as conn:
        waiting = _rows_in(conn, quote_fingerprints_level0)
        assert waiting > 0 and [_rows_in(conn, t) for t in LEVELS[1:]] == [0, 0, big]
        assert_index_is_exact(conn)
        newest = [sid for sid in held(conn) if "wms/2009-10-28" in sid]
        assert newest
        _assert_answers_as_in_memory(conn, also=tuple(newest[::3]))
    # its file replaced (other bytes): the new version's rows wait in turn, nothing stale
    small.write_bytes(small.read_bytes().replace(b"</publicwhip>", b"<!-- corrected --></publicwhip>"))
    assert ingest(fresh_engine, [small]).loaded == [small.name]
    with fresh_engine.connect() as conn:
        assert _rows_in(conn, quote_fingerprints_level0) == waiting
        assert_index_is_exact(conn)
    with fresh_engine.begin() as conn:
        assert not settle_fingerprints(conn)                         # still under its share
        with pytest.raises(ValueError):
            settle_fingerprints(conn, shares=(0.0, 1.0))             # a share for every level but the last
    # over its share: into the next level only; then that one over its own, and so on down
    for shares, held_by in [((0.0, 1.0, 1.0), [0, waiting, 0, big]), ((0.0, 0.0, 1.0), [0, 0, waiting, big]),
                            ((0.0, 0.0, 0.0), [0, 0, 0, big + waiting])]:
        with fresh_engine.begin() as conn:
            assert settle_fingerprints(conn, shares=shares)
            assert not settle_fingerprints(conn, shares=(0.0, *shares[1:2], 1.0))  # nothing left over its share
        with fresh_engine.connect() as conn:
            assert [_rows_in(conn, t) for t in LEVELS] == held_by
            assert_index_is_exact(conn)
            _assert_answers_as_in_memory(conn, also=tuple(newest[::3]))


def test_levels_that_overflow_together_are_merged_in_one_pass(fresh_engine, sample_copy, monkeypatch):
    """Rows in the two newest levels: when the newest overflows and the next one with it, both go
    down in one pass to the first level that does not overflow; when only the newest does, it goes
    to the next. Sizes come from the levels' lowest keys."""
    from despatchbox.store.queries import fingerprint_levels
    files = [sample_copy / "scrapedxml" / "debates" / "debates2009-10-26b.xml",
             sample_copy / "scrapedxml" / "wms" / "ministerial2009-10-28a.xml",
             sample_copy / "scrapedxml" / "wms" / "ministerial2009-10-27a.xml"]
    assert ingest(fresh_engine, files[:1]).ok                       # into an empty index: the big table
    monkeypatch.setattr(fingerprint_levels, "SHARES", (1.0, 1.0, 1.0))  # the sample's files are big shares
    assert ingest(fresh_engine, files[1:2]).ok
    with fresh_engine.begin() as conn:
        assert settle_fingerprints(conn, shares=(0.0, 1.0, 1.0))     # the newest level into the next one
    assert ingest(fresh_engine, files[2:]).ok
    with fresh_engine.connect() as conn:
        rows = [_rows_in(conn, t) for t in LEVELS]
        assert rows[0] and rows[1] and not rows[2] and rows[3], rows
        keys = [conn.execute(sql(f"SELECT min(speech_key), max(speech_key), count(DISTINCT speech_key) FROM {t.name}"))
                .one() for t in LEVELS[:2]]
        # (speeches, speeches older): exact here, the levels being smaller than the sample
        assert level_sizes(conn) == [(keys[0][1] - keys[0][0] + 1, keys[0][0] - 1),
                                     (keys[1][1] - keys[1][0] + 1, keys[1][0] - 1), (0, keys[1][0] - 1)]
        assert keys[0][2] == keys[0][1] - keys[0][0] + 1             # a level's keys are contiguous here
        new_share = keys[0][2] / (keys[0][0] - 1)
    with fresh_engine.begin() as conn:
        # the newest overflows a share just under its own, and the next one with it; the recent one does not
        assert not settle_fingerprints(conn, shares=(new_share, 0.0, 1.0))
        assert settle_fingerprints(conn, shares=(new_share * 0.99, 0.0, 1.0))
    with fresh_engine.connect() as conn:
        assert [_rows_in(conn, t) for t in LEVELS] == [0, 0, rows[0] + rows[1], rows[3]]
        assert_index_is_exact(conn)
        _assert_answers_as_in_memory(conn, every=20)


def test_a_levels_lowest_key_is_read_from_a_bounded_sample(fresh_engine, sample_copy, monkeypatch):
    """The merge's trigger reads each level's lowest speech key from its first rows in key order,
    not from all of them: exact when the sample holds every row, and otherwise the lowest key of a
    sample that reaches the oldest speeches waiting, never one below them."""
    day = sample_copy / "scrapedxml" / "debates"
    from despatchbox.store.queries import fingerprint_levels
    assert ingest(fresh_engine, [day / "debates2009-10-26b.xml"]).ok        # into an empty index: merged
    monkeypatch.setattr(fingerprint_levels, "SHARES", (1.0, 1.0, 1.0))
    assert ingest(fresh_engine, [sample_copy / "scrapedxml" / "wms" / "ministerial2009-10-28a.xml"]).ok
    with fresh_engine.connect() as conn:
        assert lowest_key(conn, quote_fingerprints_level0) is not None
        assert lowest_key(conn, quote_fingerprints_level1) is None
        rows = _rows_in(conn, quote_fingerprints_level0)
        keys = sorted({k for (k,) in conn.exec_driver_sql("SELECT speech_key FROM quote_fingerprints_level0")})
        assert rows > 200 and len(keys) > 5
        assert lowest_key(conn, quote_fingerprints_level0, sample_rows=rows) == keys[0]
        # a sample of a tenth of the rows: among the waiting keys, and within the first few speeches
        sampled = lowest_key(conn, quote_fingerprints_level0, sample_rows=rows // 10)
        assert sampled in keys and keys.index(sampled) <= len(keys) // 4
        assert lowest_key(conn, quote_fingerprints_level0, sample_rows=1) in keys
    with fresh_engine.begin() as conn:
        assert settle_fingerprints(conn, shares=(0.0, 0.0, 0.0))
    with fresh_engine.connect() as conn:
        assert all(lowest_key(conn, t) is None for t in LEVELS[:-1])
        assert not settle_fingerprints(conn, shares=(0.0, 0.0, 0.0))     # nothing waiting: nothing to merge
