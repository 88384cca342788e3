"""Ingest while the site serves, and two ingests at once — on SQLite and on PostgreSQL.

- A reader polling during an ingest sees each file whole or not at all: every file it sees
  holds exactly the rows it holds at the end, and the totals only move by whole files.
- Two ingests started together both finish; the second waited for the first (their
  batches do not overlap) and the result is what one ingest gives.
- Processes that start together on a new database run the migrations once.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select, text

from despatchbox.pipeline import batch
from despatchbox.pipeline.run import ingest
from despatchbox.store import locking
from despatchbox.store.database import code_heads, current_heads, engine_for, make_engine
from despatchbox.store.schema import ingest_batches, source_files, speeches, votes

from .conftest import SAMPLE
from .test_ingest import EXPECTED_BY_KIND

CLI = [sys.executable, "-c", "from despatchbox.cli import main; main()"]


def run_cli(url: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(CLI + list(args), env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def _env(url: str) -> dict:
    import os
    return {**os.environ, "DESPATCHBOX_DATABASE_URL": url}


class Poller(threading.Thread):
    """Reads per-file row counts in one statement, over and over, until told to stop."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine = engine
        self.stop = threading.Event()
        self.seen: list[tuple[dict[int, int], int]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        query = text("SELECT s.file_id, count(*) AS n, "
                     "(SELECT count(*) FROM votes) AS votes FROM speeches s GROUP BY s.file_id")
        try:
            while not self.stop.is_set():
                with self.engine.connect() as conn:
                    rows = conn.execute(query).all()
                per_file = {r.file_id: r.n for r in rows}
                self.seen.append((per_file, rows[0].votes if rows else None))
                time.sleep(0.005)
        except BaseException as exc:  # reported by the test
            self.error = exc


def test_readers_see_whole_files_only_during_an_ingest(fresh_url, monkeypatch):
    # files are written in batches (one transaction, a savepoint per file): small batches here, so
    # that the readers see several states of the store on the way (the sample is 11 MB)
    monkeypatch.setattr(batch, "BATCH_BYTES", 1024 * 1024)
    engine = engine_for(fresh_url)
    poller = Poller(engine)
    poller.start()
    try:
        report = ingest(engine, [SAMPLE])
    finally:
        poller.stop.set()
        poller.join(timeout=60)
    assert poller.error is None, poller.error
    assert report.ok, report.errors
    with engine.connect() as conn:
        final = dict(conn.execute(select(speeches.c.file_id, func.count()).group_by(speeches.c.file_id)).all())
        final_votes = conn.execute(select(func.count()).select_from(votes)).scalar_one()
        order = list(conn.execute(select(source_files.c.id).where(source_files.c.is_current.is_(True))
                                  .order_by(source_files.c.id)).scalars())
    # every file a reader saw, it saw whole
    for per_file, _votes in poller.seen:
        for file_id, n in per_file.items():
            assert n == final[file_id], f"file {file_id}: a reader saw {n} of its {final[file_id]} speeches"
    # and the files appeared one after another, in the order they were loaded
    states = {tuple(sorted(per_file)) for per_file, _ in poller.seen}
    for state in states:
        loaded = [f for f in order if f in final]
        assert list(state) == loaded[:len(state)], "a reader saw a later file before an earlier one"
    intermediate = [s for s in states if 0 < len(s) < len(final)]
    assert len(intermediate) >= 2, f"the reader saw too few states to prove anything ({len(poller.seen)} polls)"
    assert max(v or 0 for _, v in poller.seen) <= final_votes


def test_two_ingests_at_once_one_waits_and_nothing_is_corrupted(fresh_url):
    engine_for(fresh_url)  # schema first: this test is about the ingest lock
    first = run_cli(fresh_url, "ingest", "--json", str(SAMPLE))
    second = run_cli(fresh_url, "ingest", "--json", str(SAMPLE))
    outs = [p.communicate(timeout=600) for p in (first, second)]
    for proc, (_out, err) in zip((first, second), outs):
        assert proc.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outs]
    # one loaded everything; the other, run after it, found every file unchanged
    assert sorted(s["loaded"] for s in summaries) == [0, 30]
    assert sorted(s["unchanged"] for s in summaries) == [0, 47]
    engine = engine_for(fresh_url)
    with engine.connect() as conn:
        batches = conn.execute(select(ingest_batches).order_by(ingest_batches.c.id)).mappings().all()
        from despatchbox.store.queries.stats import stats
        data = stats(conn)
        files = conn.execute(select(source_files.c.name, func.count()).group_by(source_files.c.name)
                             .having(func.count() > 1)).all()
    assert len(batches) == 2
    assert batches[0]["finished_at"] is not None and batches[1]["finished_at"] is not None
    assert batches[1]["started_at"] >= batches[0]["finished_at"], "the two ingests overlapped"
    assert data["by_kind"] == EXPECTED_BY_KIND
    assert files == []


def test_the_ingest_lock_waits_or_refuses(fresh_url):
    engine = engine_for(fresh_url)
    other = make_engine(fresh_url)        # another pool: another session, as another process would have
    entered = threading.Event()
    release = threading.Event()
    waited_until: list[float] = []

    def holder():
        with locking.ingest_lock(engine):
            entered.set()
            release.wait(30)

    def waiter():
        with locking.ingest_lock(other):
            waited_until.append(time.monotonic())

    t1 = threading.Thread(target=holder)
    t1.start()
    assert entered.wait(30)
    try:
        assert locking.ingest_running(other)
        with pytest.raises(locking.Busy):
            with locking.ingest_lock(other, wait=False):
                pass
        t2 = threading.Thread(target=waiter)
        t2.start()
        time.sleep(0.5)
        assert not waited_until, "the second ingest did not wait"
        released_at = time.monotonic()
    finally:
        release.set()
    t1.join(30)
    t2.join(30)
    assert waited_until and waited_until[0] >= released_at
    assert not locking.ingest_running(other)
    other.dispose()


def test_processes_starting_together_on_a_new_database_upgrade_it_once(fresh_url):
    procs = [run_cli(fresh_url, "db", "upgrade") for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    for rc, err in results:
        assert rc == 0, err
    assert sum("upgraded" in err for _, err in results) == 1, results
    engine = make_engine(fresh_url)
    assert current_heads(engine) == code_heads(engine)
    engine.dispose()
