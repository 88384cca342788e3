"""gid redirects held as sets (store/redirect_sets.py, migration 0032): the sample week's superseded
versions' letter changes held a set a version resolve exactly as their rows did, the other redirects
stay rows, chains are followed, nothing is added twice, and 0032 converts a held database both ways."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from despatchbox.ingest.discover import discover
from despatchbox.ingest.parlparse.transcripts import parse_redirects
from despatchbox.store import database
from despatchbox.store.queries.redirects import (every_redirect, insert_redirects, next_id, redirect_targets,
                                                 resolve_redirect)
from despatchbox.store.redirect_ids import PERFECT_MATCH, PREFIX, target_stored
from despatchbox.store.redirect_sets import (FORMAT, RedirectSetError, holds, pack, packed_holds, set_entry, split,
                                             target, unpack)
from despatchbox.store.schema import gid_redirect_sets, gid_redirects

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates"
WRANS = SAMPLE / "scrapedxml" / "wrans"


def _redirects(path: Path) -> list[dict]:
    """A file's redirects as the ingest gives them to the store."""
    return [{"old_id": r.old_gid, "new_id": r.new_gid, "match_type": r.match_type}
            for r in parse_redirects(path) if r.old_gid and r.new_gid]


def _sample_files() -> list[Path]:
    return [p for p in sorted(discover([SAMPLE]).transcripts) if _redirects(p)]


def _expected(batches: Iterable[list[dict]]) -> dict[str, tuple[str, str | None]]:
    """old id → (new id, match type) as the store keeps them: in a batch the last given for an old id,
    across batches the first held."""
    out: dict[str, tuple[str, str | None]] = {}
    for batch in batches:
        last = {r["old_id"]: (r["new_id"], r["match_type"]) for r in batch}
        for old, kept in last.items():
            out.setdefault(old, kept)
    return out


def _clear(engine) -> None:
    with engine.begin() as conn:
        conn.execute(gid_redirects.delete())
        conn.execute(gid_redirect_sets.delete())


def _tables(conn) -> tuple[list, list]:
    return (sorted(conn.execute(select(gid_redirects)).all()),
            sorted(conn.execute(select(gid_redirect_sets)).all()))


def _unredirected(expected: dict) -> list[str]:
    """Ids never redirected that look like those that are: every prefix held with every suffix seen
    in the sample's redirects (another version's ids), where the sample did not redirect that id."""
    parts = [p for p in map(split, expected) if p]
    prefixes, suffixes = {p for p, _s in parts}, {s for _p, s in parts}
    return sorted(p + s for p in prefixes for s in suffixes if p + s not in expected)


# --- the stored form ------------------------------------------------------------------------------

@given(st.sets(st.text().filter(lambda s: "\n" not in s), min_size=1), st.lists(st.text()))
def test_any_suffixes_come_back_sorted(suffixes, others):
    packed = pack(suffixes)
    assert packed[0] == FORMAT
    assert unpack(packed) == sorted(suffixes)
    assert pack(reversed(sorted(suffixes))) == packed           # one stored form for one set
    for s in list(suffixes) + others:
        assert holds(unpack(packed), s) == packed_holds(packed, s) == (s in suffixes)


def test_a_set_names_its_format_and_refuses_damage():
    packed = pack([".141.0", ".141.1"])
    for bad in (b"", bytes([FORMAT + 1]) + packed[1:], packed[:1] + b"\x00" + packed[2:]):
        try:
            unpack(bad)
        except RedirectSetError:
            continue
        raise AssertionError(f"{bad!r} was read")


def test_only_a_perfect_match_to_the_same_id_under_another_letter_joins_a_set():
    by_match: dict[str | None, list[dict]] = {}
    for r in _redirects(DEBATES / "debates2009-10-27a.xml") + _redirects(WRANS / "answers2009-10-26b.xml"):
        by_match.setdefault(r["match_type"], []).append(r)
    assert set(by_match) == {"perfectmatch", "changes", "altques", "removed"}
    for match, redirects in by_match.items():
        for r in redirects:
            entry = set_entry(r["old_id"], r["new_id"], match)
            if match != PERFECT_MATCH:
                assert entry is None
                continue
            assert entry is not None
            prefix, letter, suffix = entry
            assert prefix + suffix == r["old_id"] and target(prefix, letter, suffix) == r["new_id"]
            assert split(r["old_id"]) == (prefix, suffix)
    first = by_match[PERFECT_MATCH][0]
    old = first["old_id"]
    assert set_entry(old, old, PERFECT_MATCH) is None                        # to itself
    at = len(split(old)[0])
    assert set_entry(old, old[:at] + ".999" + old[at:], PERFECT_MATCH) is None  # another id of the version
    assert set_entry(old + "\n", first["new_id"] + "\n", PERFECT_MATCH) is None


# --- the sample week ------------------------------------------------------------------------------

def test_the_sample_weeks_redirects_resolve_exactly_as_written(fresh_engine):
    batches = [_redirects(p) for p in _sample_files()]
    for batch in batches:
        with fresh_engine.begin() as conn:
            insert_redirects(conn, batch)
    expected = _expected(batches)
    never = _unredirected(expected)
    assert len(never) > 1000
    with fresh_engine.connect() as conn:
        rows, sets = _tables(conn)
        assert sorted(every_redirect(conn)) == sorted((o, n, m) for o, (n, m) in expected.items())
        assert len(rows) < 0.1 * len(expected) and sets
        # every old id goes where its file said, one hop; no other id of those versions goes anywhere
        not_removed = {o: n for o, (n, m) in expected.items() if m != "removed"}
        assert redirect_targets(conn, list(expected) + never) == not_removed
        for gid in list(expected)[::37] + never[::97]:
            assert next_id(conn, gid) == expected.get(gid, (None,))[0]
        # debates2009-10-27a.xml's two "changes" stay rows; its perfect matches are one set, to 27b
        changes = {o: n for o, (n, m) in expected.items() if m == "changes" and "debate/2009-10-27a." in o}
        assert len(changes) == 2
        held = dict(conn.execute(select(gid_redirects.c.old_id, gid_redirects.c.match_type)
                                 .where(gid_redirects.c.old_id.in_(list(changes)))).all())
        assert held == {o: "changes" for o in changes}
        letter, packed = conn.execute(select(gid_redirect_sets.c.letter, gid_redirect_sets.c.suffixes).where(
            gid_redirect_sets.c.prefix == PREFIX + "debate/2009-10-27a")).one()
        assert letter == "b" and len(unpack(packed)) == sum(
            1 for o, (_n, m) in expected.items() if m == PERFECT_MATCH and "debate/2009-10-27a." in o)
        raw = conn.execute(text("SELECT prefix FROM gid_redirect_sets")).scalars().all()
        assert "debate/2009-10-27a" in raw                        # stored without uk.org.publicwhip/


def test_chains_resolve_to_the_last_version(fresh_engine):
    for name in ("debates2009-10-27c.xml", "debates2009-10-27a.xml", "debates2009-10-27b.xml"):
        with fresh_engine.begin() as conn:
            insert_redirects(conn, _redirects(DEBATES / name))
    with fresh_engine.connect() as conn:
        assert resolve_redirect(conn, PREFIX + "debate/2009-10-27a.141.0") == PREFIX + "debate/2009-10-27d.141.0"
        assert resolve_redirect(conn, PREFIX + "debate/2009-10-27b.141.0") == PREFIX + "debate/2009-10-27d.141.0"
        assert resolve_redirect(conn, PREFIX + "debate/2009-10-27d.141.0") is None
        # a "changes" redirect of 27a (a row) then 27b's and 27c's sets
        changed = next(r for r in _redirects(DEBATES / "debates2009-10-27a.xml") if r["match_type"] == "changes")
        last = resolve_redirect(conn, changed["old_id"])
        assert last is not None and last.startswith(PREFIX + "debate/2009-10-27") and last != changed["new_id"]


def test_a_second_ingest_of_a_file_adds_nothing_and_new_suffixes_join_the_set(fresh_engine):
    redirects = _redirects(WRANS / "answers2009-10-26b.xml")
    half = len(redirects) // 2
    with fresh_engine.begin() as conn:
        insert_redirects(conn, redirects)
    with fresh_engine.connect() as conn:
        whole = _tables(conn)
    with fresh_engine.begin() as conn:
        insert_redirects(conn, redirects)
    with fresh_engine.connect() as conn:
        assert _tables(conn) == whole
    # the same redirects in two halves: one set, grown, the same as written at once
    _clear(fresh_engine)
    for part in (redirects[half:], redirects[:half]):
        with fresh_engine.begin() as conn:
            insert_redirects(conn, part)
    with fresh_engine.connect() as conn:
        assert _tables(conn) == whole
        assert len(whole[1]) == 1


def test_a_letter_change_to_another_letter_than_its_sets_is_a_row(fresh_engine):
    """A copy of a real file whose redirects go to another letter: the ids already held keep theirs,
    the others become rows beside the set."""
    redirects = _redirects(WRANS / "answers2009-10-26a.xml")
    perfect = [r for r in redirects if r["match_type"] == PERFECT_MATCH]
    held, later = perfect[: len(perfect) // 2], perfect[len(perfect) // 2:]
    bumped = [{**r, "new_id": r["new_id"].replace("2009-10-26b.", "2009-10-26c.")} for r in perfect]
    with fresh_engine.begin() as conn:
        insert_redirects(conn, held)
    with fresh_engine.begin() as conn:
        insert_redirects(conn, bumped)
    with fresh_engine.connect() as conn:
        rows, sets = _tables(conn)
        assert len(sets) == 1 and sets[0].letter == "b"
        assert {r.old_id for r in rows} == {r["old_id"] for r in later}
        assert redirect_targets(conn, [r["old_id"] for r in perfect]) == (
            {r["old_id"]: r["new_id"] for r in held} | {r["old_id"]: r["new_id"] for r in bumped[len(held):]})


def test_an_explicit_row_wins_over_a_set(fresh_engine):
    redirects = [r for r in _redirects(DEBATES / "debates2009-10-27a.xml") if r["match_type"] == PERFECT_MATCH]
    first = redirects[0]
    elsewhere = PREFIX + "debate/2009-10-27b.999.0"
    with fresh_engine.begin() as conn:
        insert_redirects(conn, redirects)
        # a row beside the set for one of its ids (insert_redirects never writes one: the id is held)
        conn.execute(gid_redirects.insert().values(old_id=first["old_id"], new_id=elsewhere, match_type="changes"))
    with fresh_engine.connect() as conn:
        assert next_id(conn, first["old_id"]) == elsewhere
        assert redirect_targets(conn, [first["old_id"]]) == {first["old_id"]: elsewhere}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_batches_of_real_redirects_resolve_as_a_dict_does(fresh_engine, data):
    """Random subsets of two real files' redirects (a chain: 26a → 26b → 26c), some sent to another
    letter than the file's, written in random batches: what is held, one hop and whole chains, is what
    a dict of the first redirect held for each old id says; the store holds it as sets and rows."""
    _clear(fresh_engine)
    pool = _redirects(WRANS / "answers2009-10-26a.xml") + _redirects(WRANS / "answers2009-10-26b.xml")
    chosen = data.draw(st.lists(st.sampled_from(range(len(pool))), max_size=200), label="chosen")
    bump = data.draw(st.sets(st.sampled_from(range(len(pool)))), label="bumped")
    given_ = [pool[i] if i not in bump else {**pool[i], "new_id": _other_letter(pool[i]["new_id"])}
              for i in chosen]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(given_)), max_size=4), label="cuts"))
    batches = [given_[a:b] for a, b in zip([0] + cuts, cuts + [len(given_)])]
    for batch in batches:
        with fresh_engine.begin() as conn:
            insert_redirects(conn, batch)
    expected = _expected(batches)
    with fresh_engine.connect() as conn:
        held = list(every_redirect(conn))
        assert len(held) == len(expected)
        assert {o: (n, m) for o, n, m in held} == expected
        everyone = [r["old_id"] for r in pool]
        assert redirect_targets(conn, everyone) == {o: n for o, (n, m) in expected.items() if m != "removed"}
        for gid in everyone[::29]:
            assert resolve_redirect(conn, gid) == _follow(expected, gid)


def _other_letter(gid: str) -> str:
    prefix, suffix = split(gid) or (gid, "")
    return prefix[:-1] + ("z" if prefix[-1] != "z" else "y") + suffix


def _follow(expected: dict, gid: str) -> str | None:
    current, hops = gid, 0
    while current in expected and expected[current][0] != current and hops < 50:
        current, hops = expected[current][0], hops + 1
    return current if hops else None


# --- migration 0032 -------------------------------------------------------------------------------

def test_0032_downgrades_to_rows_and_upgrades_back_to_the_same_sets(fresh_url):
    engine = database.engine_for(fresh_url)
    batches = [_redirects(p) for p in _sample_files()]
    for batch in batches:
        with engine.begin() as conn:
            insert_redirects(conn, batch)
    expected = _expected(batches)
    probe = list(expected) + _unredirected(expected)
    with engine.connect() as conn:
        tables = _tables(conn)
        every = sorted(every_redirect(conn))
        targets = redirect_targets(conn, probe)
        chains = {gid: resolve_redirect(conn, gid) for gid in probe[::41]}
    assert len(tables[1]) > 10 and len(tables[0]) < 0.1 * len(every)
    cfg = database.alembic_config(engine)
    command.downgrade(cfg, "0031")
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT count(*) FROM gid_redirects")).scalar_one()
        names = conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars().all()
        rows = sorted(conn.execute(select(gid_redirects)).all())     # the columns as 0018 and 0020c store them
    assert raw == len(every) and "gid_redirect_sets" not in names
    assert rows == sorted((o, target_stored(o, n), m) for o, n, m in every)
    command.upgrade(cfg, "heads")
    with engine.connect() as conn:
        assert _tables(conn) == tables
        assert sorted(every_redirect(conn)) == every
        assert redirect_targets(conn, probe) == targets
        assert {gid: resolve_redirect(conn, gid) for gid in chains} == chains



def test_0032_joins_a_prefix_met_twice_into_one_set(fresh_engine):
    """A database collation that does not keep a prefix's ids together hands the migration a prefix
    twice: the second part joins the set written for the first."""
    import importlib.util

    path = Path(database.__file__).parent / "migrations" / "versions" / "0032_redirect_sets.py"
    spec = importlib.util.spec_from_file_location("migration_0032", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    perfect = [r for r in _redirects(DEBATES / "debates2009-10-27a.xml") if r["match_type"] == PERFECT_MATCH]
    with fresh_engine.begin() as conn:       # the rows as 0031 held them
        conn.execute(gid_redirects.insert(), perfect)
    with fresh_engine.begin() as conn:
        stored = conn.execute(text("SELECT old_id, new_id FROM gid_redirects ORDER BY old_id")).all()
        entries = [(old, *migration._entry(old, letter)[1:]) for old, letter in stored]
        conn.execute(gid_redirects.delete())
        sets = migration._Sets(conn, "gid_redirects")     # where the rows it does not take go
        half = len(entries) // 2
        sets.add("debate/2009-10-27a", entries[half:])
        sets.add("debate/2009-10-27a", entries[:half])
        sets.flush()
    with fresh_engine.connect() as conn:
        rows, held = _tables(conn)
    assert rows == []
    assert [(h.prefix, h.letter, h.suffixes) for h in held] == [
        (PREFIX + "debate/2009-10-27a", "b", pack(split(r["old_id"])[1] for r in perfect))]
