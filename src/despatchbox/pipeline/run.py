"""Running an ingest: members files first, then each transcript series, latest version wins.

Every source file is loaded in a savepoint of its own inside a batch of files written in one
transaction (:mod:`.batch`): it is in whole or not at all, and visible only once its batch
commits. A transaction only writes: files are parsed, attributed and fingerprinted before it
opens (the ingest lock keeps every other ingest out meanwhile), so that a sign-up arriving during
an ingest waits for the database's write lock at most about one batch's writes.
A broken file is reported with its path and line, skipped whole, and the rest
still load. Ingesting the same files again changes nothing.
"""
from __future__ import annotations

import hashlib
import time
from collections import defaultdict

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ..allocator import Releasing, release_free
from ..attribute.speakers import SpeakerResolver
from ..ingest.discover import discover
from ..ingest.errors import SourceFileError
from ..ingest.parlparse.transcripts import version_rank
from ..store import locking
from ..store.database import database_bytes, integrity_errors, unmapped, write_transaction
from ..store.queries import fellows
from ..store.queries import files as fq
from ..store.queries import members as mq
from ..store.queries import redirects as rq
from ..store.queries.fingerprint_levels import DEFERRED_SLACK
from ..store.queries.record import insert_record
from ..store.search import sync_index
from ..store.search.index_marks import index_dir
from .compaction import RebuildFailed, count_fellows, settle_large_load
from .report import IngestReport, Progress
from .members import (HeldMembers, chair_seats, derive_members, finish_members, parse_members,
                      prepare_members_file, reresolve_held)
from .batch import WriteBatch
from .conflicts import conflict_error
from .prepare import FILE_WRITERS, Prepared, Preparer, plan_files, prepare_file, redirects_of
from .prepare import identify_known as _identity
from .quotes_index import speech_fingerprints
from .transcripts import FileRows, PostIndex
from .upkeep import IndexFeed, PagedOut, TouchedFiles

#: a source file larger than this is refused before it is read (the largest real day is a few MB)
MAX_SOURCE_BYTES = 64 * 1024 * 1024
#: a newer version of a day holding fewer than this share of the held version's records is refused
#: (the held one is kept) unless the run accepts shrinking
SHRINK_RATIO = 0.5
#: ... when the held version holds at least this many: ParlParse really does replace a day's stub
#: (27b holds 1 record, 27c none in the sample week), and losing a handful is not a lost day
SHRINK_GUARD_FROM = 50


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _build_resolver(conn: Connection, held: HeldMembers | None = None) -> tuple[SpeakerResolver, PostIndex]:
    """The speakers' resolver and the government posts; ``held``: the members held, if already read
    (in the same run, after the members files were written: nothing has changed them since)."""
    held = held if held is not None else HeldMembers.read(conn)
    return SpeakerResolver(held.person_of_membership, held.memberships), PostIndex(mq.government_posts(conn))


def ingest(engine: Engine, paths: list[Path], progress: Progress | None = None, *,
           max_file_bytes: int = MAX_SOURCE_BYTES, accept_shrink: bool = False,
           defer_merges: bool = False) -> IngestReport:
    """Load members data and transcripts (the latest version of each file wins; a broken file is
    reported and skipped whole). ``defer_merges``: the who-said index's levels are merged in this run
    only once they are well past their share (:data:`~despatchbox.store.queries.fingerprint_levels.DEFERRED_SLACK`),
    leaving the merges that are merely due to compaction (:mod:`.compaction`): what ``despatchbox
    update`` does, so that one new day costs what it costs into a small database; the fellow speakers
    of the people the run's files named are then left to compaction too (else counted as the run ends)."""
    progress = progress or Progress()
    report = IngestReport()
    found = discover(paths)
    report.repeated = [p.name for p in found.repeated]
    for p in found.unknown:
        report.errors.append(SourceFileError(p, "not a ParlParse file this tool knows (members or transcript)"))
    for p in found.empty:
        report.errors.append(SourceFileError(p, "no ParlParse files here (members/*.xml, members/*.json or "
                                                "scrapedxml/<kind>/*.xml)"))
    report.replaced = [str(p) for p in found.replaced]
    all_files = found.members + found.transcripts
    progress.start(len(all_files), sum(p.stat().st_size for p in all_files if p.exists()))
    with locking.ingest_lock(engine), unmapped(engine):
        size_before = database_bytes(engine)
        with write_transaction(engine) as conn:
            # the state derived from the members files (departments, slugs) is known to be complete
            # only when the last run finished: finish_batch commits after finish_members
            previous = fq.latest_batch(conn)
            derived_complete = previous is not None and previous["finished_at"] is not None
            batch = fq.start_batch(conn)
        members_changed = False
        # what the held speakers were resolved with; after a run that did not finish (a crash between
        # a members file and the re-resolution) that is not known, and every held speaker is looked at again
        held_members = HeldMembers.none()
        held_now: HeldMembers | None = None
        if found.members and derived_complete:
            with engine.connect() as conn:
                held_members = HeldMembers.read(conn)
        for path in found.members:
            members_changed |= _ingest_members_file(engine, path, batch, report, progress, max_file_bytes)
        if members_changed or not derived_complete:
            # worked out from what is committed (no other ingest writes meanwhile: the ingest lock),
            # then written in one short transaction
            with engine.connect() as conn:
                derived = derive_members(conn)
                held_now = HeldMembers.read(conn)     # the speakers' resolver below is built from it too
                moves = reresolve_held(conn, held_members, held_now)
            with write_transaction(engine) as conn:
                finish_members(conn, derived)
                report.reresolved = moves.write(conn)
                if chair_seats(held_members) != chair_seats(held_now):     # who counts as a fellow speaker
                    fellows.mark_all_due(conn)
        with engine.connect() as conn:
            resolver, posts = _build_resolver(conn, held_now)
        series: dict[str, list[Path]] = defaultdict(list)
        for path in found.transcripts:
            series[_identity(path)[1]].append(path)
        # the aggregates of the files a batch wrote are made exact once, before it commits; the search
        # index outside the database is fed every FEED_RECORDS records committed, and at the end
        touched = TouchedFiles(DEFERRED_SLACK if defer_merges else 1.0)
        feed = IndexFeed(lambda: _feed_search_index(engine, large=True), lambda: report.records)
        writes = WriteBatch(engine, on_commit=feed.committed, before_commit=touched.refresh,
                            on_rollback=touched.clear)
        retries = list[Retry]()
        # the file of each sitting that will most likely be loaded is parsed, attributed and
        # fingerprinted in a second process, ahead of the writes
        with Preparer(plan_files(engine, series), resolver, posts, pack_bodies=True) as preparer:
            for name in sorted(series):
                _ingest_series(engine, series[name], batch, resolver, posts, report, progress, writes, retries,
                               touched, max_file_bytes, accept_shrink, preparer=preparer)
            writes.flush()
        while retries:
            paths_left, exclude = retries.pop(0)
            _ingest_series(engine, paths_left, batch, resolver, posts, report, progress, writes, retries,
                           touched, max_file_bytes, accept_shrink, exclude)
            writes.flush()
        with write_transaction(engine) as conn:
            fq.finish_batch(conn, batch)
        _feed_search_index(engine)        # the search index outside the database catches up
        if not defer_merges:              # an update leaves them to compaction, as it does the merges
            count_fellows(engine)
        # a first load (by ingest or by update) leaves PostgreSQL's indexes part-empty; a day never doubles
        rebuild_started = time.perf_counter()
        try:
            report.rebuilt_indexes_freed = settle_large_load(
                engine, size_before, lambda: progress.stage("vacuuming and rebuilding the indexes after a large load"))
        except RebuildFailed as exc:
            report.rebuild_error = str(exc)
        if report.rebuilt_indexes_freed is not None:
            report.rebuild_seconds = round(time.perf_counter() - rebuild_started, 2)
    progress.finish()
    return report


def _feed_search_index(engine: Engine, large: bool = False) -> None:
    """Feed the search index outside the database what has been committed; the pages of its files
    that tantivy's merges read meanwhile through their mapping leave this process's memory as the
    feed goes (:class:`.upkeep.PagedOut`), and so does what its writer and merges free
    (:class:`despatchbox.allocator.Releasing`). A ``large`` feed (FEED_RECORDS records or more, in
    the middle of a big ingest) hands the pages back whatever they add up to: the 16 MB threshold
    (:data:`.upkeep.PAGE_OUT_FROM_KB`) is for a short feed that reads a few MB of a big index."""
    with PagedOut(index_dir(engine), from_kb=0 if large else None), Releasing():
        sync_index(engine)
    release_free()


def _read_source(path: Path, max_file_bytes: int) -> bytes:
    """A source file's bytes; refused with a named error when it is over the size cap."""
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            raise SourceFileError(path, f"file is {size:,} bytes, over the {max_file_bytes:,}-byte cap on "
                                        f"source files: refused unread")
        return path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc}") from None


def _ingest_members_file(engine: Engine, path: Path, batch: int, report: IngestReport, progress: Progress,
                         max_file_bytes: int = MAX_SOURCE_BYTES) -> bool:
    try:
        data = _read_source(path, max_file_bytes)
    except SourceFileError as exc:
        report.errors.append(exc)
        return False
    digest = _sha256(data)
    with engine.connect() as conn:
        held = fq.file_by_name(conn, path.name)
    if held and held["sha256"] == digest:
        report.unchanged.append(path.name)
        progress.advance(path, len(data), 0)
        return False
    try:
        kind, records = parse_members(path)
    except SourceFileError as exc:
        report.errors.append(exc)
        progress.advance(path, len(data), 0)
        return False
    try:
        with engine.connect() as conn:      # the rows first, then the write lock only to write them
            write = prepare_members_file(conn, kind, records)
        with write_transaction(engine) as conn:
            n = write(conn)
            fq.record_file(conn, name=path.name, kind="members", series=path.stem, version="", day=None,
                           sha256=digest, size=len(data), is_current=True, records=n, batch=batch)
    except integrity_errors() as exc:
        report.errors.append(conflict_error(path, data, exc))
        progress.advance(path, len(data), 0)
        return False
    report.loaded.append(path.name)
    report.records += n
    report.bytes += len(data)
    progress.advance(path, len(data), n)
    return True


@dataclass
class _FileJob:
    """One version of a sitting's file, prepared before its batch's transaction opens."""
    path: Path
    kind: str
    day: date
    version: str
    digest: str
    size: int
    held: dict | None
    becomes_current: bool
    redirects: list[dict]
    rows: FileRows | None = None
    extras: list = field(default_factory=list)        # what each of FILE_WRITERS writes


#: a sitting's files and those left out of its next attempt (a newer version broke a key when written)
Retry = tuple[list[Path], frozenset[Path]]


def _ingest_series(engine: Engine, paths: list[Path], batch: int, resolver: SpeakerResolver, posts: PostIndex,
                   report: IngestReport, progress: Progress, writes: WriteBatch, retries: list[Retry],
                   touched: TouchedFiles, max_file_bytes: int = MAX_SOURCE_BYTES, accept_shrink: bool = False,
                   exclude: frozenset[Path] = frozenset(), preparer: Preparer | None = None) -> None:
    """Load the latest good version of one sitting's file; keep the redirects of all versions.
    Everything but the writes happens here; the writes are queued in ``writes`` (one unit for the
    sitting, each file in a savepoint of its own)."""
    series = _identity(paths[0])[1]
    with engine.connect() as conn:
        current = fq.current_file_of_series(conn, series)
    current_rank = version_rank(current["version"]) if current else None
    chosen = None
    jobs: list[_FileJob] = []
    ordered = sorted(paths, key=lambda p: version_rank(_identity(p)[3]), reverse=True)
    for path in ordered:
        if path in exclude:
            continue
        kind, _series, day, version = _identity(path)
        try:
            data = _read_source(path, max_file_bytes)
        except SourceFileError as exc:
            report.errors.append(exc)
            continue
        digest = _sha256(data)
        with engine.connect() as conn:
            held = fq.file_by_name(conn, path.name)
        if held and held["sha256"] == digest:
            report.unchanged.append(path.name)
            progress.advance(path, len(data), 0)
            if held["is_current"]:
                chosen = path
            continue
        becomes_current = chosen is None and (current_rank is None or version_rank(version) >= current_rank)
        prepared: Prepared | None = None
        try:
            if becomes_current:     # everything but the writes, before the write lock is taken
                prepared = preparer.take(path, digest) if preparer is not None else None
                if prepared is None:
                    prepared = prepare_file(path, resolver, posts)
                redirects = prepared.redirects
            else:  # a superseded version: only its redirects matter
                taken = preparer.take_redirects(path, digest) if preparer is not None else None
                redirects = taken if taken is not None else redirects_of(path)
        except SourceFileError as exc:
            report.errors.append(exc)
            progress.advance(path, len(data), 0)
            continue
        if (prepared is not None and current is not None and not accept_shrink
                and current["records"] >= SHRINK_GUARD_FROM and prepared.items < current["records"] * SHRINK_RATIO):
            report.errors.append(SourceFileError(path, (
                f"holds {prepared.items:,} records where {current['name']}, the version it would replace, holds "
                f"{current['records']:,}: kept {current['name']} (run with --accept-shrink to load this one)")))
            progress.advance(path, len(data), 0)
            continue
        job = _FileJob(path, kind, day, version, digest, len(data), dict(held) if held else None, becomes_current,
                       redirects)
        if prepared is not None:
            job.rows, job.extras = prepared.rows, prepared.extras
            chosen = path       # should its write break a key, the sitting is tried again without it
        jobs.append(job)
    if jobs:
        # a retry leaves out the failed file and what this attempt has reported (errors, unchanged files)
        reported = frozenset(ordered) - {j.path for j in jobs[1:]}

        def unit(conn: Connection, guarded: bool) -> Callable[[], None]:
            return _write_series(conn, series, jobs, current, batch, report, progress,
                                 lambda _failed: retries.append((paths, reported)), touched, guarded)
        writes.add(unit, sum(j.size for j in jobs))


def _write_series(conn: Connection, series: str, jobs: list[_FileJob], current, batch: int, report: IngestReport,
                  progress: Progress, retry: Callable[[Path], None], touched: TouchedFiles,
                  guarded: bool = True) -> Callable[[], None]:
    """Write a sitting's prepared files inside the batch's transaction, each in a savepoint when
    ``guarded`` (else a broken key raises, and the batch is written again guarded); returns what
    reports them once the transaction has committed. A file that breaks a key is rolled back alone;
    if it was to be the current version, the sitting's older versions are left for a retry (one of
    them becomes current then)."""
    outcomes: list[tuple[_FileJob, BaseException | None, str | None]] = []
    for job in jobs:
        if not guarded:     # a broken key raises: the batch is written again, guarded (pipeline.batch)
            touched.files.update(_write_file(conn, series, job, current, batch))
            outcomes.append((job, None, None))
            continue
        try:
            with conn.begin_nested():
                changed = _write_file(conn, series, job, current, batch)
        except integrity_errors() as exc:
            outcomes.append((job, exc, fq.first_held_id(conn, job.rows.ids()) if job.rows else None))
            if job.becomes_current:
                break
            continue
        touched.files.update(changed)       # only once its savepoint is released
        outcomes.append((job, None, None))

    def then() -> None:
        for job, exc, held_id in outcomes:
            if exc is not None:
                report.errors.append(conflict_error(job.path, _reread(job.path), exc, held_id))
                progress.advance(job.path, job.size, 0)
                if job.becomes_current:
                    retry(job.path)
                continue
            records = 0
            if job.rows is not None:
                for sid, n in job.rows.unresolved_speakers.items():
                    report.unresolved_speakers[sid] = report.unresolved_speakers.get(sid, 0) + n
                report.loaded.append(job.path.name)
                report.records += (records := job.rows.records)
            else:
                report.superseded.append(job.path.name)
            report.bytes += job.size
            progress.advance(job.path, job.size, records)
    return then


def _reread(path: Path) -> bytes:
    """A file's bytes again, to name the line of a conflict (its rows no longer need them)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _write_file(conn: Connection, series: str, job: _FileJob, current, batch: int) -> list[int]:
    """Write one prepared file; returns the files whose speeches it changed (their aggregates are
    refreshed once per batch, :class:`.upkeep.TouchedFiles`)."""
    changed: list[int] = []
    if job.rows is not None:
        rows = job.rows
        if current is not None:
            fq.delete_file_records(conn, current["id"], speech_fingerprints)
            fq.mark_not_current(conn, current["id"])
        file_id = fq.record_file(conn, name=job.path.name, kind=job.kind, series=series, version=job.version,
                                 day=job.day, sha256=job.digest, size=job.size, is_current=True,
                                 records=rows.records, batch=batch)
        if job.held and job.held["is_current"] is False:
            fq.delete_file_records(conn, file_id, speech_fingerprints)
        rows.attach_to(file_id)
        insert_record(conn, debate_rows=rows.debate_rows, heading_rows=rows.heading_rows,
                      speech_rows=rows.speech_rows, division_rows=rows.division_rows,
                      vote_rows=rows.vote_rows, committee_row=rows.committee_row,
                      committee_member_rows=rows.committee_member_rows)
        for writer, extra in zip(FILE_WRITERS, job.extras):
            writer.write(conn, file_id, extra)
        changed = [file_id] if current is None else [file_id, current["id"]]
    else:
        fq.record_file(conn, name=job.path.name, kind=job.kind, series=series, version=job.version, day=job.day,
                       sha256=job.digest, size=job.size, is_current=False, records=0, batch=batch)
    rq.insert_redirects(conn, job.redirects)
    return changed
