"""Running an ingest: members files first, then each transcript series, latest version wins.

Every source file is loaded in its own transaction: it is in whole or not at all.
A broken file is reported with its path and line, skipped whole, and the rest
still load. Ingesting the same files again changes nothing.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ..attribute.speakers import SpeakerResolver
from ..ingest.discover import discover
from ..ingest.errors import SourceFileError
from ..ingest.parlparse.transcripts import identify, parse_redirects, parse_transcript, version_rank
from ..store import locking
from ..store.queries import files as fq
from ..store.queries import members as mq
from ..store.queries.record import insert_record
from ..store.search import sync_index
from .members import HeldMembers, finish_members, load_members_file, parse_members, reresolve_held
from .quotes_index import write_fingerprints
from .transcripts import FileRows, PostIndex, build_rows

#: called inside each transcript file's transaction, after its rows are written
FileWriter = Callable[[Connection, int, FileRows], None]
#: every writer a transcript file's ingest runs beyond its records (listed here, where it is used)
FILE_WRITERS: tuple[FileWriter, ...] = (write_fingerprints,)


@dataclass
class IngestReport:
    loaded: list[str] = field(default_factory=list)           # files whose records are now current
    superseded: list[str] = field(default_factory=list)       # older versions: only their redirects kept
    unchanged: list[str] = field(default_factory=list)        # already held, same bytes
    repeated: list[str] = field(default_factory=list)         # divisionsonly: repeat the day files
    errors: list[SourceFileError] = field(default_factory=list)
    records: int = 0
    bytes: int = 0
    unresolved_speakers: dict[str, int] = field(default_factory=dict)
    reresolved: int = 0                                        # held speeches/votes a members change moved
    replaced: list[str] = field(default_factory=list)          # XML members files a JSON one replaced

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"loaded": len(self.loaded), "superseded": len(self.superseded), "unchanged": len(self.unchanged),
                "skipped_repeats": len(self.repeated), "records": self.records,
                "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in self.errors],
                "unresolved_speaker_ids": len(self.unresolved_speakers),
                "unresolved_speaker_references": sum(self.unresolved_speakers.values()),
                "reresolved": self.reresolved, "replaced_by_json": self.replaced}


class Progress:
    """What the pipeline tells about its progress (the CLI shows a Rich bar)."""

    def start(self, total_files: int, total_bytes: int) -> None: ...
    def advance(self, path: Path, size: int, records: int) -> None: ...
    def finish(self) -> None: ...


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _build_resolver(conn: Connection) -> tuple[SpeakerResolver, PostIndex]:
    return (SpeakerResolver(mq.person_of_membership(conn), mq.all_memberships(conn)),
            PostIndex(mq.government_posts(conn)))


def ingest(engine: Engine, paths: list[Path], progress: Progress | None = None) -> IngestReport:
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
    with locking.ingest_lock(engine):
        with engine.begin() as conn:
            batch = fq.start_batch(conn)
        members_changed = False
        if found.members:
            with engine.connect() as conn:
                held_members = HeldMembers.read(conn)
        for path in found.members:
            members_changed |= _ingest_members_file(engine, path, batch, report, progress)
        if members_changed:
            with engine.begin() as conn:
                finish_members(conn)
                report.reresolved = reresolve_held(conn, held_members)
        with engine.connect() as conn:
            resolver, posts = _build_resolver(conn)
        series: dict[str, list[Path]] = defaultdict(list)
        for path in found.transcripts:
            series[identify(path)[1]].append(path)
        for name in sorted(series):
            _ingest_series(engine, series[name], batch, resolver, posts, report, progress)
        with engine.begin() as conn:
            fq.finish_batch(conn, batch)
        sync_index(engine)        # the search index beside the database (SQLite) catches up
    progress.finish()
    return report


def _ingest_members_file(engine: Engine, path: Path, batch: int, report: IngestReport, progress: Progress) -> bool:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.errors.append(SourceFileError(path, f"cannot read: {exc}"))
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
    with engine.begin() as conn:
        n = load_members_file(conn, kind, records)
        fq.record_file(conn, name=path.name, kind="members", series=path.stem, version="", day=None, sha256=digest,
                       size=len(data), is_current=True, records=n, batch=batch)
    report.loaded.append(path.name)
    report.records += n
    report.bytes += len(data)
    progress.advance(path, len(data), n)
    return True


def _ingest_series(engine: Engine, paths: list[Path], batch: int, resolver: SpeakerResolver, posts: PostIndex,
                   report: IngestReport, progress: Progress) -> None:
    """Load the latest good version of one sitting's file; keep the redirects of all versions."""
    series = identify(paths[0])[1]
    with engine.connect() as conn:
        current = fq.current_file_of_series(conn, series)
    current_rank = version_rank(current["version"]) if current else None
    chosen = None
    for path in sorted(paths, key=lambda p: version_rank(identify(p)[3]), reverse=True):
        kind, _series, day, version = identify(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.errors.append(SourceFileError(path, f"cannot read: {exc}"))
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
        try:
            if becomes_current:
                tf = parse_transcript(path)
                found_redirects = tf.redirects
            else:  # a superseded version: only its redirects matter
                found_redirects = parse_redirects(path)
        except SourceFileError as exc:
            report.errors.append(exc)
            progress.advance(path, len(data), 0)
            continue
        redirects = [{"old_id": r.old_gid, "new_id": r.new_gid, "match_type": r.match_type}
                     for r in found_redirects if r.old_gid and r.new_gid]
        with engine.begin() as conn:
            if becomes_current:
                if current is not None:
                    fq.delete_file_records(conn, current["id"])
                    fq.mark_not_current(conn, current["id"])
                file_id = fq.record_file(conn, name=path.name, kind=kind, series=series, version=version, day=day,
                                         sha256=digest, size=len(data), is_current=True, records=0, batch=batch)
                if held and held["is_current"] is False:
                    fq.delete_file_records(conn, file_id)
                rows = build_rows(tf, file_id, resolver, posts)
                insert_record(conn, debate_rows=rows.debate_rows, heading_rows=rows.heading_rows,
                              speech_rows=rows.speech_rows, division_rows=rows.division_rows,
                              vote_rows=rows.vote_rows, committee_row=rows.committee_row,
                              committee_member_rows=rows.committee_member_rows)
                for writer in FILE_WRITERS:
                    writer(conn, file_id, rows)
                fq.record_file(conn, name=path.name, kind=kind, series=series, version=version, day=day,
                               sha256=digest, size=len(data), is_current=True, records=rows.records, batch=batch)
                fq.insert_redirects(conn, redirects)
                for sid, n in rows.unresolved_speakers.items():
                    report.unresolved_speakers[sid] = report.unresolved_speakers.get(sid, 0) + n
                report.loaded.append(path.name)
                report.records += rows.records
                chosen = path
                records = rows.records
            else:
                fq.record_file(conn, name=path.name, kind=kind, series=series, version=version, day=day,
                               sha256=digest, size=len(data), is_current=False, records=0, batch=batch)
                fq.insert_redirects(conn, redirects)
                report.superseded.append(path.name)
                records = 0
        report.bytes += len(data)
        progress.advance(path, len(data), records)



