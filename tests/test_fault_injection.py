"""Fault injection (issue 17): an ingest killed at every commit boundary converges, when run again, to
exactly the store an uninterrupted ingest makes — every table, not just the totals. A real bug it found:
killed after a members file but before the re-resolution, the next run left speakers resolved with
the old members data (pipeline/run.py now re-resolves every held speaker after an unfinished run).

The ingest runs in a child process (forked from a ``python -c`` parent that imported despatchbox once)
that wraps its engine dialect's ``do_commit`` (the DBAPI commit; nothing in despatchbox knows) to count
the commits and die with ``os._exit(137)`` at commit N — once just *before* it (the transaction's
writes are made but never committed: the kill lands inside the write transaction, with the write lock
held) and once just *after* it (durable, and nothing of what follows it done). An uninterrupted run
of the same child counts the boundaries and makes the reference; then for every N and both sides, a
copy of the starting database is killed there, ``ingest`` runs again as usual, and every table of the
store is compared with the reference.

To keep the run time reasonable (on a 2-core machine each kill costs a child process and an ingest;
the next child runs while the previous copy is ingested again and compared) this uses a subset of
the real sample, not the whole week: every members file, and transcripts of 27 October 2009 — the
Commons debates in two of their versions (27a is superseded by 27b: only its redirects are kept) and
a Public Bill Committee sitting (a committee and its members). It still
covers every boundary of that subset: the batch started, each members file, the derived members
state (departments, slugs, re-resolved speakers), each transcript file, the batch finished.

Two starting points:

- **fresh**: an empty database;
- **re-ingest**: the subset and Westminster Hall's 27 October already loaded, without
  reduced-all-members.xml, the newer version of the day's debates (27b) and Westminster Hall's next
  day (28a), then all three arrive: a members file changes what held speeches resolve to, a newer
  version replaces a day, a new day is added.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Integer, MetaData, select

from despatchbox.pipeline.run import ingest
from despatchbox.store.database import engine_for
from despatchbox.store.queries.fingerprint_blocks import block_rows
from despatchbox.store.queries.fingerprint_levels import BLOCKS_OF, in_blocks
from despatchbox.store.schema import ingest_batches, metadata, source_files
from despatchbox.store.search import check_index, index_status

from .conftest import SAMPLE

ROOT = Path(__file__).resolve().parent.parent

TRANSCRIPTS = ["debates/debates2009-10-27a.xml", "debates/debates2009-10-27b.xml",
               "standing/standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml"]
WESTMINSTER_HALL = "scrapedxml/westminhall/westminster2009-10-27a.xml"
#: what the re-ingest brings that its starting store lacks
ARRIVING = ["members/reduced-all-members.xml", "scrapedxml/debates/debates2009-10-27b.xml",
            "scrapedxml/westminhall/westminster2009-10-28a.xml"]

#: the children's parent (``python -c``): it imports despatchbox once, then for each request forks a
#: child that runs an ordinary ingest whose DBAPI commits are counted, and which dies at commit N
CHILDREN = """
import json, os, sys, traceback
from pathlib import Path
from despatchbox.pipeline import batch
from despatchbox.pipeline.run import ingest
from despatchbox.store.database import engine_for

def child(url, at, side, tree, counted, batch_units):
    if batch_units:
        batch.BATCH_UNITS = batch_units
    engine = engine_for(url)
    commit = engine.dialect.do_commit
    count = 0

    def do_commit(dbapi_connection):
        nonlocal count
        count += 1
        if count == at and side == "before":
            os._exit(137)
        commit(dbapi_connection)
        if count == at and side == "after":
            os._exit(137)

    engine.dialect.do_commit = do_commit
    report = ingest(engine, [Path(tree)])
    Path(counted).write_text(str(count))
    return 0 if report.ok else 1

for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(child(**json.loads(line)))
        except BaseException:
            traceback.print_exc()
            os._exit(2)
    _pid, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Children:
    """The parent process of the killed ingests (forking saves each one importing despatchbox)."""

    def __init__(self, log: Path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                          os.environ.get("PYTHONPATH")]))}
        self.log_path, self.log = log, open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, "-c", CHILDREN], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)

    def ingest(self, url: str, tree: Path, at: int = 0, side: str = "after",
               batch_units: int | None = None) -> tuple[int, int | None]:
        """(exit status, commits made) of an ingest of ``tree`` into ``url`` killed at commit ``at``
        (``batch_units``: sittings written per transaction, when not the default)."""
        counted = self.log_path.with_name(f"{self.log_path.stem}-commits")
        counted.unlink(missing_ok=True)
        self.proc.stdin.write(json.dumps({"url": url, "at": at, "side": side, "tree": str(tree),
                                          "counted": str(counted), "batch_units": batch_units}) + "\n")
        self.proc.stdin.flush()
        status = int(self.proc.stdout.readline())
        return status, int(counted.read_text()) if counted.exists() else None

    def errors(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)
        self.log.close()


def _tree(root: Path, files: list[str]) -> Path:
    for name in files:
        dest = root / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE / name, dest)
    return root


def _subset(root: Path, without: tuple[str, ...] = ()) -> Path:
    files = [f"members/{p.name}" for p in sorted((SAMPLE / "members").glob("*.xml"))]
    files += [f"scrapedxml/{name}" for name in TRANSCRIPTS]
    return _tree(root, [f for f in files if f not in without])


# --- the store, as rows that do not depend on the order things were written in ----------------------

#: columns that differ between two runs that hold the same record: when it was loaded, by which run
VOLATILE = {"source_files": {"ingested_at", "batch"}}
#: PostgreSQL's tables of blocks of the who-said index's levels (0030)
BLOCK_TABLES = {t.name for t in BLOCKS_OF.values()}


def _surrogate(column) -> bool:
    """An id the database hands out (a serial), which says nothing about the record."""
    return column.primary_key and column.autoincrement is True and isinstance(column.type, Integer)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every table's rows, sorted; ids the database hands out are replaced by what they stand for
    (a source file by its name, a "who said" speech key by its speech's gid). Besides schema.py's
    tables, ``search_items`` (what the search index should hold) and the index itself (checked against
    it); not ``search_removed`` (SQLite), the log of what the index has had to drop, which depends on
    history by design."""
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        file_name = dict(conn.execute(select(source_files.c.id, source_files.c.name)).all())
        speech_of_key = dict(conn.exec_driver_sql("SELECT id, speech_id FROM quote_speeches").all())
        for table in metadata.sorted_tables:
            if table is ingest_batches:
                continue                          # compared on its own: the killed run's batch stays
            if table.name in BLOCK_TABLES:
                if in_blocks(conn):               # PostgreSQL's two biggest levels (0030): postings as rows
                    out[table.name] = [(h, speech_of_key[k]) for part in block_rows(conn, table) for h, k in part]
                continue
            columns = [c for c in table.columns if not _surrogate(c) and c.name not in VOLATILE.get(table.name, ())
                       and not (table.name == "quote_speeches" and c.name == "id")]
            rows = []
            for row in conn.execute(select(*columns)):
                values = []
                for column, value in zip(columns, row):
                    if column.name in ("file_id",):
                        value = file_name[value]
                    elif table.name.startswith("quote_fingerprints") and column.name == "speech_key":
                        value = speech_of_key[value]
                    values.append(value)
                rows.append(tuple(values))
            out[table.name] = sorted(rows, key=repr)
        # which of the index's levels holds a row depends on when merges ran (batches): one set
        out["quote_fingerprints"] = sorted(out["quote_fingerprints"] + out.pop("quote_fingerprints_recent")
                                           + sum((out.pop(name, []) for name in BLOCK_TABLES), [])
                                           + out.pop("quote_fingerprints_level0")
                                           + out.pop("quote_fingerprints_level1"), key=repr)
        # the search index's list of items (outside schema.py: migrations 0002 and 0013); its ids
        # are never reused (AUTOINCREMENT), so they depend on history, not on what is held
        reflected = MetaData()
        reflected.reflect(conn, only=["search_items"], views=True)  # SQLite: a view (0022)
        items = reflected.tables["search_items"]
        columns = [c for c in items.columns if c.name != "id"]
        out["search_items"] = sorted((tuple(r) for r in conn.execute(select(*columns))), key=repr)
        check_index(conn)
        out["index_status"] = [tuple(sorted(index_status(conn).items()))]
    return out


def assert_same_store(got: dict, reference: dict, where: str) -> None:
    assert got.keys() == reference.keys()
    for table in reference:
        if got[table] != reference[table]:
            extra = [r for r in got[table] if r not in reference[table]][:3]
            missing = [r for r in reference[table] if r not in got[table]][:3]
            pytest.fail(f"{where}: table {table} differs from the uninterrupted ingest "
                        f"({len(got[table])} rows against {len(reference[table])}); "
                        f"not in the reference: {extra}; missing: {missing}")


def _batches(engine) -> list[bool]:
    with engine.connect() as conn:
        return [r.finished_at is not None
                for r in conn.execute(select(ingest_batches).order_by(ingest_batches.c.id))]


def kill_at_every_boundary(database_factory, start_url: str, tree: Path, work: Path,
                           batch_units: int | None = None) -> int:
    """Kill an ingest of ``tree`` into copies of ``start_url`` at every commit, before and after it;
    returns how many commits an uninterrupted ingest makes. The run after each kill is an
    ordinary one (default batches)."""
    children = Children(work / "children.log")
    try:
        reference_url = database_factory.clone(start_url)
        status, boundaries = children.ingest(reference_url, tree, batch_units=batch_units)
        assert status == 0, children.errors()
        assert boundaries >= 4
        reference = snapshot(engine_for(reference_url))
        reference_batches = _batches(engine_for(reference_url))
        database_factory.drop(reference_url)

        def killed_copy(at: int, side: str) -> str:
            url = database_factory.clone(start_url)
            status, _count = children.ingest(url, tree, at, side, batch_units)
            assert status == 137, f"commit {at} ({side}): the child was not killed ({status}): {children.errors()}"
            return url

        points = [(at, side) for at in range(1, boundaries + 1) for side in ("before", "after")]
        with ThreadPoolExecutor(max_workers=1) as ahead:    # the next kill runs while this copy is checked
            pending = ahead.submit(killed_copy, *points[0])
            for i, (at, side) in enumerate(points):
                url = pending.result()
                if i + 1 < len(points):
                    pending = ahead.submit(killed_copy, *points[i + 1])
                engine = engine_for(url)
                report = ingest(engine, [tree])
                where = f"killed {side} commit {at} of {boundaries}"
                assert report.ok, (where, report.errors)
                assert_same_store(snapshot(engine), reference, where)
                # the killed run's batch (when it had started) is never finished; every other one is
                batches = _batches(engine)
                assert batches[-1] and batches.count(False) <= 1, (where, batches)
                assert len(batches) - len(reference_batches) in (0, 1), (where, batches)
                database_factory.drop(url)
    finally:
        children.close()
    return boundaries


@pytest.mark.parametrize("batch_units", [None, 1])
def test_a_fresh_ingest_killed_at_every_commit_converges(database_factory, tmp_path, batch_units):
    """Transcripts are written in batches (a savepoint per file): killed before a batch's commit,
    with its files' writes made, the run leaves none of them; by default every transcript here is
    in one batch, with ``batch_units=1`` each sitting (27a and 27b together) commits on its own."""
    tree = _subset(tmp_path / "subset")
    start = database_factory.new_url()
    engine_for(start)                                   # the schema: its commits are not the ingest's
    boundaries = kill_at_every_boundary(database_factory, start, tree, tmp_path, batch_units)
    # the batch, 6 members files, the derived members state, the transcripts' batch (or each
    # sitting's: the debates of 27 October in two versions, the committee), the batch finished, the
    # fellow speakers of the people the transcripts named counted
    assert boundaries == 1 + 6 + 1 + (2 if batch_units == 1 else 1) + 1 + 1


def test_a_re_ingest_killed_at_every_commit_converges(database_factory, tmp_path):
    before = _tree(_subset(tmp_path / "before", without=tuple(ARRIVING)), [WESTMINSTER_HALL])
    start = database_factory.new_url()
    report = ingest(engine_for(start), [before])
    assert report.ok, report.errors
    after = _tree(_subset(tmp_path / "after"), [WESTMINSTER_HALL, *ARRIVING])
    boundaries = kill_at_every_boundary(database_factory, start, after, tmp_path)
    # the batch, reduced-all-members.xml, the derived members state, 27b and 28a in one batch,
    # the batch finished, the fellow speakers of the people 27b and 28a named counted
    assert boundaries == 6
