"""Links and printed speaker ids stored without their common prefix (store/short_text.py, migration
0020c, which also stores redirect match types short: store/redirect_ids.py): every value of the
sample week reads back as parsed, lookups take whole values, and 0020c converts a held database
both ways."""
from __future__ import annotations

from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import text as sql

from despatchbox.ingest.parlparse.transcripts import parse_transcript
from despatchbox.ingest.records import Division, Heading, Speech
from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.store.queries.check import attribution_report
from despatchbox.store.queries.redirects import every_redirect
from despatchbox.store.redirect_ids import PERFECT_MATCH, key_of, key_stored, match_stored
from despatchbox.store.schema import divisions, gid_redirects, headings, source_files, speeches
from despatchbox.store.short_text import HANSARD_LINK, PARLPARSE_ID, stored, whole

from .conftest import SAMPLE

SCRAPED = SAMPLE / "scrapedxml"
COLUMNS = [(speeches, "url"), (headings, "url"), (divisions, "url"), (speeches, "speaker_id")]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([HANSARD_LINK, PARLPARSE_ID]),
       st.one_of(st.text(), st.text().map(lambda t: HANSARD_LINK + t), st.text().map(lambda t: PARLPARSE_ID + t),
                 st.text().map(lambda t: PARLPARSE_ID + "=" + t)))
def test_any_value_comes_back_as_it_was(prefix, value):
    kept = stored(value, prefix)
    assert whole(kept, prefix) == value
    assert len(kept) <= len(value) + 1


def _parsed(engine) -> dict[tuple[str, str], str | None]:
    """(table, gid) → (url, speaker_id) of every speech, heading and division held, as parsed."""
    out = {}
    with engine.connect() as conn:
        names = conn.execute(select(source_files.c.name).where(source_files.c.is_current)).scalars().all()
    for name in names:
        found = list(SCRAPED.rglob(name))
        if not found:
            continue                                   # members files
        for item in parse_transcript(found[0]).items:
            if isinstance(item, Speech):
                out[("speeches", item.gid)] = (item.url, item.speaker_id)
            elif isinstance(item, (Heading, Division)):
                out[("headings" if isinstance(item, Heading) else "divisions", item.gid)] = (item.url, None)
    return out


def _read(engine) -> dict[tuple[str, str], tuple]:
    with engine.connect() as conn:
        out = {("speeches", r.id): (r.url, r.speaker_id)
               for r in conn.execute(select(speeches.c.id, speeches.c.url, speeches.c.speaker_id))}
        for table in (headings, divisions):
            out.update({(table.name, r.id): (r.url, None) for r in conn.execute(select(table.c.id, table.c.url))})
    return out


def _raw(engine) -> dict[tuple[str, str, str], str | None]:
    """The values as stored, by whole id (heading and division ids are stored short since 0022)."""
    def whole_id(gid: str) -> str:
        return gid if gid.startswith(PARLPARSE_ID) else whole(gid, PARLPARSE_ID)

    with engine.connect() as conn:
        return {(t.name, c, whole_id(gid)): value for t, c in COLUMNS
                for gid, value in conn.execute(sql(f"SELECT id, {c} FROM {t.name}"))}


def test_every_link_and_speaker_id_of_the_sample_reads_back_as_parsed(sample_engine):
    parsed = _parsed(sample_engine)
    read = _read(sample_engine)
    assert len(read) > 6000 and read.items() <= parsed.items()
    raw = _raw(sample_engine)
    links = [v for (t, c, _g), v in raw.items() if c == "url" and v is not None]
    ids = [v for (t, c, _g), v in raw.items() if c == "speaker_id" and v is not None]
    assert links and not any(v.startswith(HANSARD_LINK) for v in links)
    assert ids and not any(v.startswith(PARLPARSE_ID) for v in ids)
    saved = sum(len(whole(v, HANSARD_LINK)) - len(v) for v in links) + sum(len(whole(v, PARLPARSE_ID)) - len(v)
                                                                            for v in ids)
    # measured on the sample week: ~60 characters a speech
    assert saved / sum(1 for (t, c, _g) in raw if t == "speeches" and c == "url") > 45


def test_lookups_take_whole_values(sample_engine):
    with sample_engine.connect() as conn:
        gid, speaker = conn.execute(select(speeches.c.id, speeches.c.speaker_id)
                                    .where(speeches.c.speaker_id.is_not(None)).limit(1)).one()
        assert speaker.startswith(PARLPARSE_ID)
        same = set(conn.execute(select(speeches.c.id).where(speeches.c.speaker_id == speaker)).scalars())
        listed = set(conn.execute(select(speeches.c.id).where(speeches.c.speaker_id.in_([speaker, "unknown"])))
                     .scalars())
        rows = conn.execute(select(speeches.c.speaker_id, speeches.c.nospeaker, speeches.c.person_id)).all()
        report = attribution_report(conn)
    assert gid in same and same <= listed and len(listed) > len(same)
    # the report compares with the constant "unknown", whole
    unknown = sum(1 for sid, nospeaker, _p in rows if sid == "unknown" and not nospeaker)
    assert unknown > 0 and sum(k.get("unattributed_as_printed", 0) for k in report["by_kind"].values()) == unknown
    unresolved = {sid for sid, _n, pid in rows if pid is None and sid not in (None, "unknown")}
    assert {e["speaker_id"] for e in report["unknown_speaker_ids"]} == unresolved


def test_0020c_converts_the_values_held_and_downgrades_back(fresh_url, db_backend):
    engine = database.engine_for(fresh_url)
    files = sorted((SCRAPED / "debates").glob("*.xml"))[:2] + sorted((SCRAPED / "wrans").glob("*.xml"))[:1]
    assert ingest(engine, files).ok
    read = _read(engine)
    raw = _raw(engine)
    assert read.items() <= _parsed(engine).items()
    assert any(t == "divisions" for t, _g in read)

    with engine.connect() as conn:
        matches = dict(conn.execute(sql("SELECT old_id, match_type FROM gid_redirects")).all())
        matches_read = dict(conn.execute(select(gid_redirects.c.old_id, gid_redirects.c.match_type)).all())
        # every redirect; the perfect matches to another letter are held in sets (0032), not rows
        every = {old: match for old, _new, match in every_redirect(conn)}
    assert PERFECT_MATCH in every.values() and every.items() >= matches_read.items()
    assert {key_of(old): match_stored(m) for old, m in matches.items()} == {
        old: match_stored(m) for old, m in matches_read.items()}

    command.downgrade(database.alembic_config(engine), "0020b")
    with engine.connect() as conn:          # every redirect a row, its match type whole
        assert dict(conn.execute(sql("SELECT old_id, match_type FROM gid_redirects")).all()) == {
            key_stored(old): m for old, m in every.items()}
    before = _raw(engine)
    assert before.keys() == raw.keys()
    for (t, c, gid), value in before.items():
        expected = read[(t, gid)][0 if c == "url" else 1]
        assert value == expected                          # whole, as written before 0020c

    command.upgrade(database.alembic_config(engine), "heads")
    assert _raw(engine) == raw and _read(engine) == read
    with engine.connect() as conn:
        assert dict(conn.execute(sql("SELECT old_id, match_type FROM gid_redirects")).all()) == matches
        assert {old: match for old, _new, match in every_redirect(conn)} == every
    with engine.connect() as conn:                        # the search index saw no change
        assert conn.execute(sql("SELECT count(*) FROM search_items")).scalar_one() == sum(
            1 for _ in conn.execute(select(speeches.c.id).where(speeches.c.text != "")))


def test_every_column_of_the_schema_can_be_cached():
    """SQLAlchemy caches a statement only if every column type says it may (``cache_ok``, which a
    TypeDecorator subclass does not inherit); otherwise each query is compiled again, with a warning."""
    import warnings

    from sqlalchemy.exc import SAWarning

    from despatchbox.store.schema import metadata
    with warnings.catch_warnings():
        warnings.simplefilter("error", SAWarning)
        for table in metadata.sorted_tables:
            for column in table.c:
                assert select(column)._generate_cache_key() is not None, column
