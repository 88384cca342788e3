"""gid redirects stored short (store/redirect_ids.py, migration 0018): every redirect of the sample
week is held as ParlParse wrote it, read back whole, and survives a downgrade and an upgrade."""
from __future__ import annotations

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from despatchbox.ingest.discover import discover
from despatchbox.ingest.parlparse.transcripts import parse_redirects
from despatchbox.pipeline.run import ingest
from despatchbox.store import database
from despatchbox.store.queries.redirects import redirect_targets
from despatchbox.store.queries.redirects import every_redirect, resolve_redirect
from despatchbox.store.redirect_ids import (PERFECT_MATCH, PREFIX, key_of, key_stored, match_of, match_stored,
                                            target_of, target_stored)
from despatchbox.store.schema import gid_redirects

from .conftest import SAMPLE


def _sample_redirects() -> dict[str, tuple[str, str | None]]:
    """old gid → (new gid, match type), from every file of the sample week (first one written wins,
    as ingest keeps the first it meets)."""
    out: dict[str, tuple[str, str | None]] = {}
    for path in sorted(discover([SAMPLE]).transcripts):
        for r in parse_redirects(path):
            if r.old_gid and r.new_gid:
                out.setdefault(r.old_gid, (r.new_gid, r.match_type))
    return out


@given(st.text(min_size=1), st.text(min_size=2))
def test_any_ids_come_back_whole(old, new):
    assert key_of(key_stored(old)) == old
    assert target_of(old, target_stored(old, new)) == new


@given(st.one_of(st.text(), st.just(PERFECT_MATCH), st.text().map(lambda t: "=" + t)))
def test_any_match_type_comes_back_whole(match):
    assert match_of(match_stored(match)) == match
    assert (match_stored(match) == "") == (match == PERFECT_MATCH)


def test_a_version_letter_change_is_stored_as_the_letter():
    old, new = PREFIX + "debate/2009-10-27a.123.4", PREFIX + "debate/2009-10-27d.123.4"
    assert key_stored(old) == "debate/2009-10-27a.123.4"
    assert target_stored(old, new) == "d" and target_of(old, "d") == new
    moved = PREFIX + "debate/2009-10-27d.123.5"
    assert target_stored(old, moved) == moved


def test_the_sample_weeks_redirects_are_held_short_and_read_whole(tmp_path):
    engine = database.engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    assert ingest(engine, [SAMPLE]).ok
    written = _sample_redirects()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects")).all()
        sets = conn.execute(text("SELECT prefix, letter FROM gid_redirect_sets")).all()
        held = {old: (new, match) for old, new, match in every_redirect(conn)}
        assert held == written
        # the perfect matches to the same id under another letter are in sets (0032); the rows are the rest
        assert sets and all(not p.startswith(PREFIX) and len(lt) == 1 for p, lt in sets)
        assert len(stored) < 0.1 * len(written)
        assert not any(o.startswith(PREFIX) for o, _n, _m in stored)
        targets = redirect_targets(conn, list(written))
        removed = {o for o, (_n, m) in written.items() if m == "removed"}
        assert targets == {o: n for o, (n, _m) in written.items() if o not in removed}
        some = next(o for o, (n, m) in written.items() if m == "perfectmatch")
        assert resolve_redirect(conn, some) is not None
        read = dict(conn.execute(select(gid_redirects.c.old_id, gid_redirects.c.match_type)).all())
    assert read.items() <= {o: m for o, (_n, m) in written.items()}.items()
    # the match types as stored (0020c): perfectmatch as '', the others as they are
    assert sorted(m for _o, _n, m in stored) == sorted(match_stored(m) for m in read.values())
    assert "changes" in read.values() and "altques" in read.values()


def _all_stored(conn) -> list[tuple]:
    """Every redirect held (rows and sets), as 0018 stores a row."""
    return sorted((key_stored(o), target_stored(o, n), match_stored(m)) for o, n, m in every_redirect(conn))


def test_0018_downgrades_to_whole_ids_and_upgrades_back(tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("checked on SQLite here; the PostgreSQL run migrates its own database in test_migrations")
    engine = database.engine_for(f"sqlite:///{tmp_path / 'm.db'}")
    assert ingest(engine, [SAMPLE / "scrapedxml" / "debates"]).ok
    cfg = database.alembic_config(engine)
    with engine.connect() as conn:
        rows = sorted(conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects")).all())
        short = _all_stored(conn)
    command.downgrade(cfg, "0017")
    with engine.connect() as conn:
        whole = sorted(conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects")).all())
    assert whole and all(o.startswith(PREFIX) and n.startswith(PREFIX) for o, n, _m in whole)
    assert sorted((key_stored(o), target_stored(o, n), match_stored(m)) for o, n, m in whole) == short
    assert {m for _o, _n, m in whole} >= {PERFECT_MATCH}          # whole match types before 0020c
    command.upgrade(cfg, "heads")
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT old_id, new_id, match_type FROM gid_redirects")).all()) == rows
        assert _all_stored(conn) == short
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'gid_redirects'")).scalar_one()
    assert "WITHOUT ROWID" in sql
