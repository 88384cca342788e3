"""Preparing transcript files — parsing, attribution, fingerprints: everything but the writes — in a
second process, ahead of the one that writes them.

The ingest knows, before it writes anything, which file of each sitting it will most likely load
(the newest version, unless the held one is newer or holds the same bytes): :class:`Preparer` hands
those paths, in the order the ingest reaches them, to a forked worker process that runs
:func:`prepare_file` on each, a few megabytes of source ahead, while the main process writes the
files before them. What the worker sends back is exactly what :func:`prepare_file` returns in the
main process (or the :class:`SourceFileError` it raises); anything else — a file not planned, one
whose bytes changed since the worker read them, a worker that died — is prepared in the main
process, as it was before. The worker reads files and nothing else (no database, no index): a
crash of either process loses nothing, and the worker ends when the main process does (its task
pipe closes).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import queue
import threading
from collections import deque
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from ..attribute.speakers import SpeakerResolver
from ..ingest.errors import SourceFileError
from ..ingest.parlparse.transcripts import identify, parse_redirects, parse_transcript, version_rank
from ..store.packing.columns import pack_speech_rows
from ..store.queries import files as fq
from .quotes_index import FileWriter, write_fingerprints
from .transcripts import FileRows, PostIndex, build_rows

#: every writer a transcript file's ingest runs beyond its records (listed here, where it is prepared)
FILE_WRITERS: tuple[FileWriter, ...] = (write_fingerprints,)
#: source bytes sent to the worker and not yet taken back (the batch the main process is writing
#: meanwhile is up to pipeline.batch.BATCH_BYTES; prepared files held ahead cost the main process's
#: heap: ingesting the 100k bench corpus, 8 MiB ahead peaked at 317 MB RSS, 4 MiB at 307 MB) …
AHEAD_BYTES = 4 * 1024 * 1024
#: … and files
AHEAD_FILES = 32
#: planned files below which no worker is started (forking it costs more than it saves)
MIN_FILES = 4


@dataclass
class Prepared:
    """A transcript file ready to be written: its records' rows, what each of :data:`FILE_WRITERS`
    writes, its redirects, and how many items it holds (the shrink guard reads it)."""
    items: int
    redirects: list[dict]
    rows: FileRows
    extras: list[Any]


def prepare_file(path: Path, resolver: SpeakerResolver, posts: PostIndex, pack_bodies: bool = False) -> Prepared:
    """Parse, attribute and fingerprint one transcript file (no database); raises
    :class:`SourceFileError` naming the file (and line) when it cannot be read. ``pack_bodies``:
    each speech's html and text packed as stored, once :data:`FILE_WRITERS` have
    read them (store/packing/columns.py ``pack_speech_rows``; the rows then cross to the writing
    process at a fifth of their size)."""
    tf = parse_transcript(path)
    redirects = [{"old_id": r.old_gid, "new_id": r.new_gid, "match_type": r.match_type}
                 for r in tf.redirects if r.old_gid and r.new_gid]
    rows = build_rows(tf, None, resolver, posts)
    extras = [writer.prepare(rows) for writer in FILE_WRITERS]
    if pack_bodies:
        pack_speech_rows(rows.speech_rows)
    return Prepared(len(tf.items), redirects, rows, extras)


#: a file planned for the worker: its path, the digest of the file held under its name (the worker
#: skips it if its bytes are those), its size, and whether it is prepared whole (the version that
#: will most likely be loaded) or only its redirects read (an older version)
Planned = tuple[Path, "str | None", int, bool]


def plan_files(engine: Engine, series: dict[str, list[Path]]) -> list[Planned]:
    """For :class:`Preparer`, in the order :func:`ingest` reaches them: each sitting's files, newest
    first; the newest prepared whole unless the sitting's current version is newer."""
    plan: list[Planned] = []
    with engine.connect() as conn:
        for name in sorted(series):
            current = fq.current_file_of_series(conn, name)
            current_rank = version_rank(current["version"]) if current is not None else None
            ordered = sorted(series[name], key=lambda p: version_rank(identify_known(p)[3]), reverse=True)
            for i, path in enumerate(ordered):
                held = fq.file_by_name(conn, path.name)
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                whole = i == 0 and (current_rank is None or version_rank(identify_known(path)[3]) >= current_rank)
                plan.append((path, held["sha256"] if held else None, size, whole))
    return plan


def identify_known(path: Path) -> tuple[str, str, date, str]:
    """(kind, series, day, version) of a transcript discover() has already recognised by its name."""
    found = identify(path)
    if found is None:
        raise ValueError(f"{path}: not a transcript file name")
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def redirects_of(path: Path) -> list[dict]:
    """Only the redirects of a file, as stored (an older version: its records are not loaded)."""
    return [{"old_id": r.old_gid, "new_id": r.new_gid, "match_type": r.match_type}
            for r in parse_redirects(path) if r.old_gid and r.new_gid]


def _work(tasks: Pipe, results: Pipe, unused: tuple[Pipe, ...], resolver: SpeakerResolver,
          posts: PostIndex, pack_bodies: bool = False) -> None:
    """The worker: for each (path, digest held, whole) received, ("skip" | "prepared" | "redirects" |
    "error" | "failed", digest read, payload); ends when the main process closes the task pipe (or dies)."""
    for end in unused:                  # the main process's ends: its death must close the task pipe
        end.close()
    try:
        while True:
            task = tasks.recv()
            if task is None:
                return
            path, held_digest, whole = task
            try:
                data = path.read_bytes()
            except OSError:
                results.send(("failed", None, None))     # the main process reports it when it reads it
                continue
            digest = _digest(data)
            del data
            if digest == held_digest:
                results.send(("skip", digest, None))
                continue
            try:
                if whole:
                    results.send(("prepared", digest, prepare_file(path, resolver, posts, pack_bodies)))
                else:
                    results.send(("redirects", digest, redirects_of(path)))
            except SourceFileError as exc:
                results.send(("error", digest, exc))
            except Exception:               # noqa: BLE001 — prepared again in the main process, which raises it
                results.send(("failed", digest, None))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class Preparer:
    """The worker process and the files planned for it, taken back in order by :meth:`take`."""

    def __init__(self, plan: list[Planned], resolver: SpeakerResolver, posts: PostIndex, pack_bodies: bool = False):
        """``plan``: the files (:data:`Planned`) in the order the ingest will reach them;
        ``pack_bodies``: the worker packs speech bodies as the store keeps them (:func:`prepare_file`)."""
        self._plan = plan
        self._planned = {p for p, _d, _s, _w in plan}
        self._next = 0
        self._inflight: deque[tuple[Path, int]] = deque()
        self._ahead = 0
        self._process: Any = None
        if sum(whole for _p, _d, _s, whole in plan) < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
            return
        ctx = multiprocessing.get_context("fork")   # the resolver and posts are inherited, not pickled
        task_out, task_in = ctx.Pipe(duplex=False)
        result_out, result_in = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_work, args=(task_out, result_in, (task_in, result_out), resolver, posts, pack_bodies),
                                    name="despatchbox-prepare", daemon=True)
        self._process.start()
        task_out.close()
        result_in.close()
        self._tasks, self._results = task_in, result_out
        # the worker's results are read as soon as they are sent, by a thread (the pipe holds 64 KiB:
        # read only when asked for, a file's rows would keep the worker waiting while this process
        # writes, and the two would take turns instead of working side by side)
        self._received: queue.SimpleQueue = queue.SimpleQueue()
        self._receiver = threading.Thread(target=self._receive, name="despatchbox-prepare-results", daemon=True)
        self._receiver.start()
        self._top_up()

    def _receive(self) -> None:
        while True:
            try:
                result = self._results.recv()
            except (EOFError, OSError):         # the worker ended (or died): nothing more comes
                self._received.put(None)
                return
            except BaseException:               # noqa: BLE001 — a result that cannot be read: as if it died
                self._received.put(None)
                return
            self._received.put(result)

    @property
    def pid(self) -> int | None:
        """The worker's process id (None: no worker, every file is prepared in the main process)."""
        return self._process.pid if self._process is not None else None

    def _top_up(self) -> None:
        while (self._process is not None and self._next < len(self._plan)
               and (not self._inflight or (self._ahead < AHEAD_BYTES and len(self._inflight) < AHEAD_FILES))):
            path, held, size, whole = self._plan[self._next]
            self._next += 1
            try:
                self._tasks.send((path, held, whole))
            except OSError:
                self._stop()
                return
            self._inflight.append((path, size))
            self._ahead += size

    def take(self, path: Path, digest: str) -> Prepared | None:
        """The worker's :func:`prepare_file` of ``path`` (raising its :class:`SourceFileError`), or
        None when the main process is to prepare it: not planned (or planned for its redirects
        only), its bytes are not the ones ``digest`` names, or the worker failed. Planned files
        before it, never asked for (held unchanged, or left for another version), are dropped."""
        return self._take(path, digest, "prepared")

    def take_redirects(self, path: Path, digest: str) -> list[dict] | None:
        """:func:`redirects_of` ``path`` from the worker (raising its :class:`SourceFileError`), or None
        when the main process is to read them (as for :meth:`take`)."""
        return self._take(path, digest, "redirects")

    def _take(self, path: Path, digest: str, wanted: str):
        if self._process is None or path not in self._planned:
            return None
        self._planned.discard(path)
        while True:
            self._top_up()
            if not self._inflight:
                return None
            got, size = self._inflight.popleft()
            self._ahead -= size
            self._planned.discard(got)       # taken now, or dropped: never asked for again
            result = self._received.get()
            if result is None:
                self._stop()
                return None
            if got == path:
                break
        self._top_up()                       # the worker goes on while this file is written
        kind, got_digest, payload = result
        if got_digest != digest:
            return None
        if kind == "error":
            raise payload
        return payload if kind == wanted else None

    def _stop(self, kill: bool = False) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self._tasks.close()                    # the worker reads the end of its tasks and ends
        if kill:
            process.kill()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
        self._receiver.join()                  # the worker gone, its results pipe has ended too
        self._results.close()

    def close(self) -> None:
        """Stop the worker (it may be preparing a file no longer wanted)."""
        if self._process is not None:
            try:
                self._tasks.send(None)
            except OSError:
                pass
            # files still in hand are not wanted (the ingest stopped early): not waited for
            self._stop(kill=bool(self._inflight))

    def __enter__(self) -> "Preparer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
