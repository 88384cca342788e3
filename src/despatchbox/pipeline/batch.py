"""Several source files written in one transaction, each file in a savepoint of its own.

A commit costs a WAL write and, every 64 MiB of WAL, a checkpoint; one per file was about 18 %
of an ingest's CPU (issue 18). :class:`WriteBatch` queues the writes of files whose rows are
already built (parsing, attribution and fingerprints hold no lock) and runs them together in one
write transaction once enough are queued (:data:`BATCH_BYTES` of source, :data:`BATCH_UNITS`
units) or when the run ends.

What users see does not change:

* a file is in whole or not at all: a batch is first written without savepoints (each one made
  SQLite copy every page a file changed to its statement journal: ~7 % of the writing process's
  CPU at 20k speeches); should a file break a key, the whole transaction is rolled back and the
  batch written again with each file's writes in a savepoint (``SAVEPOINT`` / ``RELEASE``,
  ``conn.begin_nested()``): the file that breaks a key is rolled back to its savepoint alone and
  reported by name and line, and the other files of the batch still land;
* nothing is visible, or counted as loaded, before the batch commits: a crash or an error other
  than a broken file rolls the whole batch back, leaving every file of it out (the next run
  loads them), and losing nothing an earlier batch committed;
* the write lock is held only to write: about one batch's writes (well under a second at the
  default size on the reference machine), not its parsing.

A unit (one sitting's versions, see ``pipeline.run``) is a function called inside the transaction,
told whether to guard each file with a savepoint (when not, a broken key raises and the batch is
written again, guarded: a unit must be one that can be run again); it returns what to do once the
transaction has committed (update the report and the progress bar). ``before_commit`` runs inside
each batch's transaction after its units (the ingest refreshes the aggregates of the files they
touched there), ``on_rollback`` when an unguarded attempt is abandoned, ``on_commit`` after each
batch has committed (the ingest may feed the search index beside the database there).
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ..store.database import integrity_errors, write_transaction

#: source bytes queued before the batch is written (the rows built from them are held in memory
#: meanwhile: about 3–4 × the XML); a day of the real record is a few MB
BATCH_BYTES = 8 * 1024 * 1024
#: units queued before the batch is written, whatever their size
BATCH_UNITS = 64

#: called inside the batch's transaction (with: guard each file with a savepoint); returns what to
#: run once it has committed
Unit = Callable[[Connection, bool], Callable[[], None]]


class WriteBatch:
    """Queued writes, run in one write transaction when the batch is full or :meth:`flush` is called."""

    def __init__(self, engine: Engine, max_bytes: int | None = None, max_units: int | None = None,
                 on_commit: Callable[[], object] | None = None,
                 before_commit: Callable[[Connection], object] | None = None,
                 on_rollback: Callable[[], object] | None = None):
        self.engine, self.on_commit, self.before_commit = engine, on_commit, before_commit
        self.on_rollback = on_rollback
        self.max_bytes = BATCH_BYTES if max_bytes is None else max_bytes
        self.max_units = BATCH_UNITS if max_units is None else max_units
        self._units: list[Unit] = []
        self._bytes = 0
        self.commits = 0
        self.rollbacks = 0          # batches written again with savepoints (a file broke a key)

    def add(self, unit: Unit, size: int) -> None:
        """Queue ``unit`` (``size``: the source bytes it writes); writes the batch once it is full."""
        self._units.append(unit)
        self._bytes += size
        if self._bytes >= self.max_bytes or len(self._units) >= self.max_units:
            self.flush()

    def flush(self) -> None:
        """Write every queued unit in one transaction, then run what each returned."""
        if not self._units:
            return
        units, self._units, self._bytes = self._units, [], 0
        try:
            after = self._write(units, guarded=False)
        except integrity_errors() as exc:
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise
            if self.on_rollback is not None:
                self.on_rollback()
            self.rollbacks += 1
            after = self._write(units, guarded=True)  # each file in a savepoint: the broken one alone fails
        self.commits += 1
        for then in after:
            then()
        if self.on_commit is not None:
            self.on_commit()

    def _write(self, units: list[Unit], guarded: bool) -> list[Callable[[], None]]:
        with write_transaction(self.engine) as conn:
            after = [unit(conn, guarded) for unit in units]
            if self.before_commit is not None:        # once per batch, in its transaction
                self.before_commit(conn)
        return after

    def __len__(self) -> int:
        return len(self._units)
