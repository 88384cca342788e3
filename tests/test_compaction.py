"""Compaction: the who-said index's merges an update defers (``ingest(..., defer_merges=True)``, what
``despatchbox update`` runs), done by ``despatchbox db compact`` and in the background by
``despatchbox serve``; SQLite and PostgreSQL (``--db postgresql``).

The sample is too small for the real shares (a file of it is more than 1/256 of the rest), so the
tests set shares from the sizes the sample's files give."""
from __future__ import annotations

import json
import os
import threading
import time

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.pipeline import compaction
from despatchbox.pipeline.compaction import CompactWhenDue, compact, merges_due
from despatchbox.pipeline.run import ingest
from despatchbox.store import locking
from despatchbox.store.queries import fingerprint_levels
from despatchbox.store.queries.fingerprint_levels import DEFERRED_SLACK, LEVELS, level_sizes, overflowing

from .test_who_said_index import _assert_answers_as_in_memory, assert_index_is_exact

runner = CliRunner()
WMS = ("scrapedxml", "wms", "ministerial2009-10-28a.xml")


def _rows(conn) -> list[int]:
    return [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in LEVELS]


def _changed(path) -> None:
    """Another version of the same file (other bytes, same records): its rows are written anew."""
    path.write_bytes(path.read_bytes().replace(b"</publicwhip>", b"<!-- corrected --></publicwhip>", 1))


@pytest.fixture
def waiting(fresh_engine, sample_copy, monkeypatch):
    """A database whose index holds three days of debates in its big table and one file of written
    statements waiting in the newest level; returns (the statements' file, its speeches, the
    speeches below them once it is written again)."""
    debates = sample_copy / "scrapedxml" / "debates"
    assert ingest(fresh_engine, [debates / "debates2009-10-26b.xml", debates / "debates2009-10-27d.xml",
                                 debates / "debates2009-10-28c.xml"]).ok       # into an empty index: the big table
    monkeypatch.setattr(fingerprint_levels, "SHARES", (1.0, 1.0, 1.0))
    small = sample_copy.joinpath(*WMS)
    assert ingest(fresh_engine, [small]).ok
    with fresh_engine.connect() as conn:
        (size, older), *_ = level_sizes(conn, sample_rows=10**9)
        assert _rows(conn)[0] > 0 and size > 3
    # written again, the file's speeches take the next keys: the ones below are its old ones too
    return small, size, older + size


def test_an_update_defers_a_merge_that_is_due_and_compaction_does_it(fresh_engine, waiting, monkeypatch):
    """Past its share but under twice it, the newest level is merged by an ingest that merges as it
    goes and left alone by one that defers (an update); compaction then merges it, the index the
    same rows, answering as before."""
    small, size, older = waiting
    share = size / older / 1.6                      # the file will be 1.6 times its level's share
    monkeypatch.setattr(fingerprint_levels, "SHARES", (share, 1.0, 1.0))
    _changed(small)
    assert ingest(fresh_engine, [small], defer_merges=True).loaded == [small.name]
    with fresh_engine.connect() as conn:
        before = _rows(conn)
        assert before[0] > 0 and before[1] == 0, before                 # deferred: still waiting
        assert overflowing(conn) == 0 and overflowing(conn, slack=DEFERRED_SLACK) == -1
        assert_index_is_exact(conn)
    assert merges_due(fresh_engine)
    done = compact(fresh_engine)
    assert done is not None and done.merges == 1
    with fresh_engine.connect() as conn:
        assert _rows(conn) == [0, before[0], 0, before[3]]
        assert_index_is_exact(conn)
        _assert_answers_as_in_memory(conn, every=25)
    assert not merges_due(fresh_engine)
    again = compact(fresh_engine)
    assert again is not None and again.merges == 0
    # the same file again, merged as it goes (a plain ingest): nothing is left waiting
    monkeypatch.setattr(fingerprint_levels, "SHARES", (share / 2, 1.0, 1.0))
    _changed(small)
    assert ingest(fresh_engine, [small]).loaded == [small.name]
    with fresh_engine.connect() as conn:
        assert _rows(conn)[0] == 0
        assert_index_is_exact(conn)


def test_an_update_merges_a_level_long_past_its_share(fresh_engine, waiting, monkeypatch):
    """Deferring has a bound: a level more than DEFERRED_SLACK times past its share is merged by the
    update itself, so that an installation that never compacts still keeps its levels small."""
    small, size, older = waiting
    monkeypatch.setattr(fingerprint_levels, "SHARES", (size / older / (DEFERRED_SLACK * 1.5), 1.0, 1.0))
    _changed(small)
    assert ingest(fresh_engine, [small], defer_merges=True).loaded == [small.name]
    with fresh_engine.connect() as conn:
        rows = _rows(conn)
        assert rows[0] == 0 and rows[1] > 0, rows
        assert_index_is_exact(conn)


def test_compaction_waits_for_an_ingest_or_steps_aside(fresh_engine, waiting, monkeypatch):
    """A merge holds the ingest lock: with an ingest running, ``compact(wait=False)`` does nothing
    and says so; the background compactor leaves it for its next look."""
    if fresh_engine.url.database in (None, "", ":memory:"):
        pytest.skip("an in-memory database has no lock across processes")
    monkeypatch.setattr(fingerprint_levels, "SHARES", (0.0, 1.0, 1.0))
    assert merges_due(fresh_engine)
    with locking.ingest_lock(fresh_engine):      # as a running ingest holds it
        assert compact(fresh_engine, wait=False) is None
        CompactWhenDue(fresh_engine).tick()
        assert merges_due(fresh_engine)
    CompactWhenDue(fresh_engine).tick()
    assert not merges_due(fresh_engine)
    with fresh_engine.connect() as conn:
        assert_index_is_exact(conn)


def test_the_background_compactor_merges_when_due_at_the_lowest_priority(fresh_engine, waiting, monkeypatch):
    """``despatchbox serve``'s compactor: a thread that looks every few seconds (here 0.05), merges
    what is due, and runs at nice 19."""
    monkeypatch.setattr(fingerprint_levels, "SHARES", (0.0, 1.0, 1.0))
    seen: list[int] = []
    tick = CompactWhenDue.tick

    def watched(self):
        done = tick(self)
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return done

    monkeypatch.setattr(CompactWhenDue, "tick", watched)
    with CompactWhenDue(fresh_engine, every=0.05):
        deadline = time.monotonic() + 30
        while merges_due(fresh_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not merges_due(fresh_engine)
    assert seen and set(seen) == {compaction.COMPACTION_NICENESS}
    with fresh_engine.connect() as conn:
        assert _rows(conn)[0] == 0
        assert_index_is_exact(conn)


def test_db_compact_command(fresh_url, fresh_engine, waiting, monkeypatch):
    env = {"DESPATCHBOX_DATABASE_URL": fresh_url}
    result = runner.invoke(app, ["db", "compact"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "nothing to compact" in result.output, result.output
    monkeypatch.setattr(fingerprint_levels, "SHARES", (0.0, 1.0, 1.0))
    if fresh_engine.url.database not in (None, "", ":memory:"):
        with locking.ingest_lock(fresh_engine):
            busy = runner.invoke(app, ["db", "compact", "--no-wait"], env=env, catch_exceptions=False)
        assert busy.exit_code == 3 and "an ingest is running" in busy.output, busy.output
    result = runner.invoke(app, ["db", "compact", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["merges"] == 1
    with fresh_engine.connect() as conn:
        assert _rows(conn)[0] == 0
        assert_index_is_exact(conn)


def test_serve_runs_the_compactor_beside_the_server(fresh_url, fresh_engine, monkeypatch):
    """The compactor's thread lives while uvicorn serves (``--compact``, the default) and not with
    ``--no-compact``."""
    import uvicorn

    alive: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: alive.append(
        any(t.name == CompactWhenDue.thread_name for t in threading.enumerate())))
    env = {"DESPATCHBOX_DATABASE_URL": fresh_url}
    for flag, expected in (([], True), (["--no-compact"], False)):
        result = runner.invoke(app, ["serve", *flag], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert alive.pop() is expected
        assert not any(t.name == CompactWhenDue.thread_name for t in threading.enumerate())


def test_db_compact_rebuilds_every_index_on_postgresql(fresh_url, fresh_engine):
    """``--rebuild-indexes``: PostgreSQL rebuilds every index (new files, all valid, smaller where rows
    went) and the record answers as before; SQLite says it has nothing to do."""
    from sqlalchemy import text

    from despatchbox.store.search import SearchQuery, search

    from .conftest import SAMPLE

    env = {"DESPATCHBOX_DATABASE_URL": fresh_url}
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27d.xml"]).ok
    if fresh_engine.dialect.name != "postgresql":
        result = runner.invoke(app, ["db", "compact", "--rebuild-indexes"], env=env, catch_exceptions=False)
        assert result.exit_code == 0 and "no indexes to rebuild" in result.output, result.output
        return
    with fresh_engine.begin() as conn:      # most speeches gone: their index entries are dead weight
        conn.execute(text("DELETE FROM speeches WHERE position % 10 <> 0"))
    before = _index_files(fresh_engine)
    with fresh_engine.connect() as conn:
        found = search(conn, SearchQuery("minister")).total
    result = runner.invoke(app, ["db", "compact", "--rebuild-indexes", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["indexes_rebuilt"] is True and summary["bytes_freed"] > 0
    after = _index_files(fresh_engine)
    with fresh_engine.connect() as conn:
        assert set(after) == set(before) and all(after[name] != before[name] for name in before)
        assert conn.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).scalar_one() == 0
        assert search(conn, SearchQuery("minister")).total == found > 0
        assert conn.execute(text("SELECT count(*) FROM speeches WHERE position % 10 <> 0")).scalar_one() == 0


_INDEX_FILES = ("SELECT c.relname, c.relfilenode FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")


def _index_files(engine) -> dict[str, int]:
    from sqlalchemy import text
    with engine.connect() as conn:
        return dict(conn.execute(text(_INDEX_FILES)).tuples().all())


def test_a_load_that_at_least_doubles_a_postgresql_database_rebuilds_its_indexes(fresh_engine, monkeypatch):
    """An ingest that grew a PostgreSQL database by ``REBUILD_AFTER_GROWTH_BYTES`` or more, and to at
    least twice its size, ends by vacuuming its tables and rebuilding every index (new files, all
    valid; the planner's statistics made) and says what it gave back; SQLite has nothing to rebuild.
    The sample (~42 MB on PostgreSQL, into a 9 MB empty database) is under the real threshold: the
    test lowers it to 16 MB."""
    from sqlalchemy import text

    from .conftest import SAMPLE

    monkeypatch.setattr(compaction, "REBUILD_AFTER_GROWTH_BYTES", 16 * 1024 * 1024)
    made = _index_files(fresh_engine) if fresh_engine.dialect.name == "postgresql" else {}
    report = ingest(fresh_engine, [SAMPLE])
    assert report.ok
    if fresh_engine.dialect.name != "postgresql":
        assert report.rebuilt_indexes_freed is None and report.as_dict()["indexes_rebuilt"] is False
        return
    assert report.rebuilt_indexes_freed is not None and report.as_dict()["indexes_rebuilt"] is True
    assert report.rebuild_seconds is not None and report.rebuild_seconds > 0
    rebuilt = _index_files(fresh_engine)
    assert set(rebuilt) == set(made) and all(rebuilt[name] != made[name] for name in made)
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).scalar_one() == 0
        assert conn.execute(text("SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM "
                                 "pg_stat_user_tables WHERE relname = 'speeches' AND schemaname = current_schema()"
                                 )).scalar_one()
    # the same files again change nothing, so nothing is rebuilt
    again = ingest(fresh_engine, [SAMPLE])
    assert again.ok and again.rebuilt_indexes_freed is None and _index_files(fresh_engine) == rebuilt


def test_smaller_loads_leave_the_indexes_and_a_first_update_rebuilds_them(fresh_engine, monkeypatch):
    """A load that grew the database by less than its size before does not rebuild
    (:func:`compaction.settle_large_load`), nor, with the real threshold, does the whole sample into an
    empty database (~42 MB). A first update that brings a large part of the record (``defer_merges``,
    what ``despatchbox update`` runs) rebuilds like an ingest (the threshold lowered for the sample)."""
    from .conftest import SAMPLE

    postgresql = fresh_engine.dialect.name == "postgresql"
    made = _index_files(fresh_engine) if postgresql else None
    monkeypatch.setattr(compaction, "REBUILD_AFTER_GROWTH_BYTES", 16 * 1024 * 1024)
    first = ingest(fresh_engine, [SAMPLE], defer_merges=True)          # 9 MB empty → ~51 MB
    assert first.ok and (first.rebuilt_indexes_freed is not None) is postgresql
    if not postgresql:
        return
    rebuilt = _index_files(fresh_engine)
    assert all(rebuilt[name] != made[name] for name in made)
    monkeypatch.setattr(compaction, "REBUILD_AFTER_GROWTH_BYTES", 1)
    size = compaction.database_bytes(fresh_engine)
    assert size is not None
    assert compaction.settle_large_load(fresh_engine, size) is None             # grew by nothing
    assert compaction.settle_large_load(fresh_engine, size // 2 + 1) is None    # grew, but not doubled
    assert _index_files(fresh_engine) == rebuilt
    monkeypatch.undo()                         # the real threshold: the whole sample is far below it
    assert compaction.REBUILD_AFTER_GROWTH_BYTES == 256 * 1024 * 1024
    assert compaction.settle_large_load(fresh_engine, 1) is None
    assert _index_files(fresh_engine) == rebuilt


def test_a_rebuild_drops_what_an_interrupted_one_left(fresh_engine):
    """``REINDEX … CONCURRENTLY`` interrupted leaves an invalid copy of an index (``…_ccnew``); the next
    rebuild drops it before it starts. Made here as PostgreSQL makes one: a concurrent build that fails."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from despatchbox.store.database import rebuild_indexes

    from .conftest import SAMPLE

    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's concurrent rebuilds")
    assert ingest(fresh_engine, [SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27d.xml"]).ok
    with fresh_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        with pytest.raises(DBAPIError):      # a debate has many speeches: not unique
            conn.execute(text("CREATE UNIQUE INDEX CONCURRENTLY speeches_debate_ccnew ON speeches (debate_id)"))
        assert conn.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).scalar_one() == 1
    assert rebuild_indexes(fresh_engine) is not None
    files = _index_files(fresh_engine)
    assert "speeches_debate_ccnew" not in files
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).scalar_one() == 0


def test_a_rebuild_that_cannot_have_its_locks_gives_up_and_the_load_stands(fresh_url, fresh_engine, monkeypatch):
    """Another session holds a table the rebuild needs (here ``alerts``, which an ingest never writes):
    the vacuum after a large load waits :data:`compaction.REBUILD_LOCK_TIMEOUT_SECONDS`, gives up, and
    the ingest still succeeds with what it loaded, saying why and what to run later. The session's
    lock timeout does not follow its connection back into the pool, and the rebuild run later finishes.
    A rebuild that fails in ``REINDEX`` itself leaves no invalid index behind."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from despatchbox.store.database import rebuild_indexes

    from .conftest import SAMPLE

    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's locks")
    monkeypatch.setattr(compaction, "REBUILD_AFTER_GROWTH_BYTES", 16 * 1024 * 1024)
    monkeypatch.setattr(compaction, "REBUILD_LOCK_TIMEOUT_SECONDS", 0.3)
    one_connection = create_engine(fresh_engine.url, pool_size=1, max_overflow=0)
    holder = fresh_engine.connect()
    held = holder.begin()
    holder.execute(text("LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE"))
    try:
        result = runner.invoke(app, ["ingest", "--json", str(SAMPLE)],
                               env={"DESPATCHBOX_DATABASE_URL": fresh_url}, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["loaded"] > 0 and summary["errors"] == [] and summary["indexes_rebuilt"] is False
        assert "lock timeout" in summary["rebuild_error"]
        assert "despatchbox db compact --rebuild-indexes" in summary["rebuild_error"]
        with pytest.raises(DBAPIError, match="lock timeout"):           # the same in REINDEX itself
            rebuild_indexes(one_connection, lock_timeout=0.3)
    finally:
        held.rollback()
        holder.close()
    with one_connection.connect() as conn:          # the pool's only connection: the one that timed out
        assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "0"
    one_connection.dispose()
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM speeches")).scalar_one() > 0
        assert conn.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).scalar_one() == 0
    assert rebuild_indexes(fresh_engine, vacuum=True) is not None
