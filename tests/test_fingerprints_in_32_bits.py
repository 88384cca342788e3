"""Who-said fingerprints in 32 bits (quotes/fingerprint.py, migration 0020b): the index holds the top
half of each winnowed hash of every speech's text, and 0020b converts a held index both ways."""
from __future__ import annotations

from alembic import command
from sqlalchemy import select
from sqlalchemy import text as sql

from despatchbox.pipeline.run import ingest
from despatchbox.quotes import fingerprints
from despatchbox.quotes.fingerprint import shingle_hashes, winnow
from despatchbox.quotes.normalise import tokens
from despatchbox.store import database
from despatchbox.store.queries.fingerprint_levels import LEVELS, level_rows_sql
from despatchbox.store.schema import speeches

from .conftest import SAMPLE

SCRAPED = SAMPLE / "scrapedxml"


def _texts(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(speeches.c.id, speeches.c.text).where(speeches.c.text != "")).all())


def _index(engine, at_head: bool = True) -> tuple[set[tuple[int, str]], dict[str, int]]:
    """(hash, speech id) of every row, and each speech's postings as quote_speeches counts them. At the
    latest revision the rows are in any of the index's levels (and PostgreSQL's blocks: 0030); before
    0024 all in quote_fingerprints."""
    with engine.connect() as conn:
        held = (" UNION ALL ".join(level_rows_sql(conn, t) for t in LEVELS) if at_head
                else "SELECT hash, speech_key FROM quote_fingerprints")
        rows = set(conn.execute(sql(f"SELECT f.hash, q.speech_id FROM ({held}) AS f "
                                    "JOIN quote_speeches q ON q.id = f.speech_key")).all())
        postings = dict(conn.execute(sql("SELECT speech_id, postings FROM quote_speeches")).all())
    return rows, postings


def _counted(rows: set[tuple[int, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _h, sid in rows:
        out[sid] = out.get(sid, 0) + 1
    return out


def test_0020b_narrows_the_index_held_and_downgrades_back(fresh_url, db_backend):
    engine = database.engine_for(fresh_url)
    files = sorted((SCRAPED / "debates").glob("*.xml"))[:3] + sorted((SCRAPED / "wrans").glob("*.xml"))[:2]
    assert ingest(engine, files).ok
    texts = _texts(engine)
    narrow = {(h, sid) for sid, body in texts.items() for h in fingerprints(body)}
    whole = {(h, sid) for sid, body in texts.items() for h in winnow(shingle_hashes(tokens(body)))}
    assert len(texts) > 400 and len(narrow) == len(whole)           # no two top halves met on the sample
    assert {(h >> 32, sid) for h, sid in whole} == narrow
    assert all(-2**31 <= h < 2**31 for h, _sid in narrow) and any(abs(h) >= 2**31 for h, _sid in whole)

    rows, postings = _index(engine)
    assert rows == narrow and postings == _counted(narrow)

    cfg = database.alembic_config(engine)
    command.downgrade(cfg, "0020")                  # the 64-bit fingerprints, computed again from the text
    rows, postings = _index(engine, at_head=False)
    assert rows == whole and postings == _counted(whole)

    command.upgrade(cfg, "heads")
    rows, postings = _index(engine)
    assert rows == narrow and postings == _counted(narrow)
    if db_backend == "sqlite":
        with engine.connect() as conn:
            ddl = conn.execute(sql("SELECT sql FROM sqlite_master WHERE name = 'quote_fingerprints'")).scalar_one()
            assert "WITHOUT ROWID" in ddl and "hash INTEGER" in ddl
            assert conn.execute(sql("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'quote_fingerprints' "
                                    "AND type = 'index'")).scalar_one() == 0


def test_0020b_merges_two_fingerprints_that_share_their_top_half(fresh_url):
    """One time in 2³² two fingerprints of a speech have the same top half: one row, postings counted again."""
    engine = database.engine_for(fresh_url)
    assert ingest(engine, [SCRAPED / "debates" / "debates2009-10-26b.xml"]).ok
    cfg = database.alembic_config(engine)
    command.downgrade(cfg, "0020")
    with engine.begin() as conn:
        key, h = conn.execute(sql("SELECT speech_key, hash FROM quote_fingerprints ORDER BY speech_key, hash "
                                  "LIMIT 1")).one()
        twin = (h >> 32 << 32) | ((h + 1) & 0xFFFFFFFF)     # same top half, other bottom half
        assert twin != h
        conn.execute(sql("INSERT INTO quote_fingerprints (hash, speech_key) VALUES (:h, :k)"), {"h": twin, "k": key})
        conn.execute(sql("UPDATE quote_speeches SET postings = postings + 1 WHERE id = :k"), {"k": key})
    before = _index(engine, at_head=False)[1]
    command.upgrade(cfg, "heads")
    rows, postings = _index(engine)
    assert postings == _counted(rows)
    assert sum(before.values()) - sum(postings.values()) == 1


def test_quote_check_and_who_said_find_held_speeches_through_the_index_alone(sample_engine):
    """Both look fingerprints up as the index stores them: a long sentence of a held speech is found
    verbatim without the phrase search, and a whole paragraph is attributed to its speech."""
    from despatchbox.quotes import attribute_text
    from despatchbox.quotes.check import check_sentence, sentences
    from despatchbox.store.queries.quotes import StoreSpeechIndex
    from despatchbox.web.quoted import speech_details

    with sample_engine.connect() as conn:
        held = conn.execute(select(speeches.c.id, speeches.c.text).where(speeches.c.text != "")
                            .order_by(speeches.c.id).limit(400)).all()
        picked = [(sid, s) for sid, body in held for s in sentences(body) if len(s.split()) >= 25][::10][:12]
        assert len(picked) >= 8
        index = StoreSpeechIndex(conn)
        for sid, sentence in picked:
            checked = check_sentence(sentence, index, lambda ids: speech_details(conn, ids), phrases=None)
            assert checked.verdict in ("verbatim", "widely_said"), (sid, checked.reason)
            assert sid in {f.speech_id for f in ([checked.match] if checked.match else []) + checked.others}
        paragraph = next(body for _sid, body in held if len(body.split()) > 60 and "\n" not in body)
        wanted = next(sid for sid, body in held if body == paragraph)
        found = attribute_text(paragraph, StoreSpeechIndex(conn))
        assert [m.speech_id for m in found] == [wanted]
