"""Compaction: the who-said index's merges and the fellow speakers' counts that an update leaves for later.

Every file's fingerprint rows are written to the index's newest level, and a level that outgrows its
share of the record is merged into the next (:mod:`despatchbox.store.queries.fingerprint_levels`,
a log-structured merge tree). A full ingest merges as it goes. ``despatchbox update`` defers the
merges (``ingest(..., defer_merges=True)``): one new day then costs what it costs into a small
database (issue 18), and a level merges within an update only once it is
:data:`~despatchbox.store.queries.fingerprint_levels.DEFERRED_SLACK` times past its share. The merges
due meanwhile are done here, and so are the fellow speakers of the people an update's files named
(:mod:`despatchbox.store.queries.fellows`: a member page counts them as it is rendered until then; a
full ingest counts them as it ends, :func:`count_fellows`):

* ``despatchbox db compact`` (:func:`compact`), e.g. from cron after the update;
* ``despatchbox serve``, in the background (:class:`CompactWhenDue`): every
  :data:`CHECK_EVERY` seconds it looks whether a merge or a count is due (a few index probes) and, if
  no ingest is running, does it at the lowest CPU priority.

On PostgreSQL a large first load leaves its B-trees part-empty (rows arrive out of their indexes'
order) and the tables' pages that merges emptied unreturned: an ingest (``ingest`` or ``update``)
that at least doubled the database, by :data:`REBUILD_AFTER_GROWTH_BYTES` or more, vacuums it and
rebuilds every index as it ends (:func:`settle_large_load`; at 1M, 18 s, and 2.89 → 2.35 KB a
contribution). ``despatchbox db compact --rebuild-indexes`` does the same on demand.

A merge holds the ingest lock (no ingest writes the newest level meanwhile) and is one transaction:
readers see the index before it or after it, and a crash leaves it as it was. The fellows are counted
under the same lock, :data:`FELLOWS_PER_TRANSACTION` people a transaction: a person is listed as due
until the transaction that keeps their count commits.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ..periodic import Periodic
from ..store import locking
from ..store.database import database_bytes, rebuild_indexes, write_transaction
from ..store.queries import fellows
from ..store.queries.fingerprint_levels import overflowing, settle_fingerprints

log = logging.getLogger(__name__)

#: seconds between two looks at whether a merge is due, in ``despatchbox serve``
CHECK_EVERY = 60.0
#: the nice value of the thread that merges in ``despatchbox serve`` (19: the lowest priority)
COMPACTION_NICENESS = 19
#: people whose fellow speakers are counted in one transaction (~2 ms each at 1M)
FELLOWS_PER_TRANSACTION = 200
#: a PostgreSQL ingest that grew the database by this many bytes or more, and at least doubled it,
#: rebuilds its indexes as it ends (100k contributions of the bench's corpus add ~270 MB)
REBUILD_AFTER_GROWTH_BYTES = 256 * 1024 * 1024
#: how long that rebuild waits for a lock, or for a long transaction elsewhere to end, before it gives
#: up (the load stands; ``despatchbox db compact --rebuild-indexes`` can do it later)
REBUILD_LOCK_TIMEOUT_SECONDS = 60.0


class RebuildFailed(Exception):
    """The vacuum and rebuild after a large load did not finish (what was loaded is committed)."""


@dataclass(frozen=True)
class Compacted:
    """What one compaction did: merges made (each one ordered pass over the levels merged), the people
    whose fellow speakers were counted, and the seconds they took."""
    merges: int
    seconds: float
    fellows: int = 0


def merges_due(engine: Engine) -> bool:
    """Whether a level of the who-said index is past its share (read only; cheap)."""
    with engine.connect() as conn:
        return overflowing(conn) >= 0


def fellows_due(engine: Engine) -> bool:
    """Whether someone's fellow speakers are to be counted (read only; one probe)."""
    with engine.connect() as conn:
        return fellows.any_due(conn)


def count_fellows(engine: Engine) -> int:
    """Count the fellow speakers of everyone due, :data:`FELLOWS_PER_TRANSACTION` people a transaction;
    returns how many people were counted. The caller holds the ingest lock."""
    counted = 0
    if not fellows_due(engine):
        return counted
    while True:
        with write_transaction(engine) as conn:
            done = fellows.count_due(conn, FELLOWS_PER_TRANSACTION)
        counted += done
        if done < FELLOWS_PER_TRANSACTION:        # none left: the last transaction took what there was
            return counted


def settle_large_load(engine: Engine, bytes_before: int | None,
                      starting: Callable[[], None] | None = None) -> int | None:
    """After an ingest: when it grew a PostgreSQL database from ``bytes_before`` (:func:`database_bytes`
    as it started) by :data:`REBUILD_AFTER_GROWTH_BYTES` or more, and to at least twice that, vacuum
    and rebuild every index (:func:`~despatchbox.store.database.rebuild_indexes`: readers and writers
    go on meanwhile) and return the bytes given back; None when nothing was done (SQLite, or a
    smaller load: a day's update, a month added to the record). ``starting`` is called before a rebuild.
    Raises :class:`RebuildFailed`, saying why, when the database refused or a lock was not had within
    :data:`REBUILD_LOCK_TIMEOUT_SECONDS`."""
    if bytes_before is None:
        return None
    grown = (database_bytes(engine) or 0) - bytes_before
    if grown < REBUILD_AFTER_GROWTH_BYTES or grown < bytes_before:
        return None
    log.info("the ingest grew the database by %.0f MB: vacuuming and rebuilding its indexes", grown / 1e6)
    if starting is not None:
        starting()
    try:
        return rebuild_indexes(engine, vacuum=True, lock_timeout=REBUILD_LOCK_TIMEOUT_SECONDS)
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RebuildFailed(f"the vacuum and index rebuild after the load did not finish ({reason}); what was "
                            f"loaded is kept: run `despatchbox db compact --rebuild-indexes` later") from exc


def compact(engine: Engine, wait: bool = True) -> Compacted | None:
    """Merge every level past its share, each merge in its own transaction, until none is, then count
    the fellow speakers due; None when an ingest is running and ``wait`` is False (otherwise waits for it)."""
    started = time.perf_counter()
    merges = 0
    try:
        with locking.ingest_lock(engine, wait=wait):
            while True:
                with write_transaction(engine) as conn:
                    if not settle_fingerprints(conn):
                        break
                merges += 1
            counted = count_fellows(engine)
    except locking.Busy:
        return None
    return Compacted(merges, time.perf_counter() - started, counted)


class CompactWhenDue(Periodic):
    """While open, a background thread at the lowest CPU priority compacts the database every
    :data:`CHECK_EVERY` seconds when a merge is due and no ingest is running (one is not waited
    for: the next look tries again). Nothing is done as it closes: a merge half done is rolled back
    by its transaction, and is due again next time."""

    thread_name = "despatchbox-compaction"

    def __init__(self, engine: Engine, every: float | None = None):
        super().__init__(CHECK_EVERY if every is None else every)
        self.engine = engine
        self.niced: int | None = None      # the thread whose priority was lowered

    def tick(self) -> bool:
        self._lower_priority()
        # two ticks at once (the thread's and a caller's) cannot both merge: the second finds the
        # ingest lock held, and steps aside as it does for an ingest
        try:
            if merges_due(self.engine) or fellows_due(self.engine):
                done = compact(self.engine, wait=False)
                if done is not None and (done.merges or done.fellows):
                    log.info("compaction: %d merge(s) of the who-said index's levels, the fellow speakers of "
                             "%d people, in %.1fs", done.merges, done.fellows, done.seconds)
        except Exception:          # the server goes on; the next look tries again
            log.exception("compaction failed (it is retried in %.0fs)", self.every)
        return True

    def last(self) -> None:
        pass

    def _lower_priority(self) -> None:
        """This thread only (Linux: a thread's id is a process id for setpriority)."""
        thread = threading.get_native_id()
        if self.niced == thread or threading.current_thread() is threading.main_thread():
            return
        self.niced = thread
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COMPACTION_NICENESS)
        except (AttributeError, OSError):
            pass
