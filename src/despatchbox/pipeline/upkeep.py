"""What an ingest keeps up beside the records it writes: the aggregates of the files a batch
touched (made exact once per batch), the "who said this?" index's newest rows (merged into its older
levels once per batch when they have grown enough) and the search index outside the database (fed
every :data:`FEED_RECORDS` records)."""
from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection

from ..store.queries.aggregates import refresh_files as refresh_aggregates
from ..allocator import libc_call, release_free
from ..periodic import Periodic
from ..store.queries.quotes import settle_fingerprints

#: records committed before the search index outside the database is fed (and at the end of a run):
#: its writer holds that many documents. Ingesting the 100k bench corpus (157k records): 100k gave a
#: peak RSS of 354 MB, 25k 317 MB (and 307 MB with prepare.AHEAD_BYTES at 4 MiB); one feed per batch,
#: as before, left many small segments (the 20k bench corpus, 51k records, is now in two)
FEED_RECORDS = 25_000


class IndexFeed:
    """Feeds the search index outside the database once FEED_RECORDS records have been committed
    since it was last fed (each feed is a tantivy commit, that is a segment of the index: feeding it
    per batch left a 20k-speech index in five segments, 12 % bigger than one build, and a search
    running meanwhile catches up on its own, :func:`despatchbox.store.search.tantivy_index.current`)."""

    def __init__(self, feed: Callable[[], object], records: Callable[[], int]):
        """``feed``: feeds the index; ``records``: the records the run has committed so far."""
        self.feed, self.records, self.fed_at = feed, records, 0

    def committed(self) -> None:
        """Called after each batch commits. What the batch's rows freed is handed back to the
        system first (:func:`despatchbox.allocator.release_free`): glibc kept it, and the ingest's resident
        memory crept up between feeds (100k bench corpus: 137 → 226 MB of heap), a feed's writer
        (``tantivy_index.WRITER_HEAP``) then coming on top of that."""
        release_free()
        if self.records() - self.fed_at >= FEED_RECORDS:
            self.fed_at = self.records()
            self.feed()


class TouchedFiles:
    """The files whose speeches a batch changed (loaded, or replaced by a later version): their
    aggregates are made exact once, in the batch's transaction before it commits (the same rows as
    refreshing them per file: each refresh sums again whatever it names). The fingerprints the batch
    wrote went to the index's newest level: the levels that outgrew their share are merged down here,
    in the same transaction (:func:`~despatchbox.store.queries.fingerprint_levels.settle_fingerprints`);
    ``slack`` > 1 defers those merges until the levels are that many times past their share
    (:data:`~despatchbox.store.queries.fingerprint_levels.DEFERRED_SLACK`): compaction does them
    meanwhile (:mod:`.compaction`)."""

    def __init__(self, slack: float = 1.0) -> None:
        self.files: set[int] = set()
        self.slack = slack

    def clear(self) -> None:
        self.files = set()

    def refresh(self, conn: Connection) -> None:
        files, self.files = self.files, set()
        if files:
            refresh_aggregates(conn, files)
            settle_fingerprints(conn, slack=self.slack)


#: while the search index is fed, the pages of its files that this process has mapped are handed
#: back this often (seconds): see :class:`PagedOut`
PAGE_OUT_EVERY = 0.2
#: ... once the pages of those files resident in this process exceed this (KiB): a short feed (one new
#: day into a 3M index) touches a few MB of the big index's segments, and handing them back at once
#: only had them read again from disk (0.1-0.4 s of a one-day update's 1.2-1.5 s, 90-130 major faults)
PAGE_OUT_FROM_KB = 16 << 10
#: madvise(2)'s MADV_PAGEOUT (Linux 5.4): reclaim these pages; contents unchanged, a later read faults them in again
_MADV_PAGEOUT = 21


_MADVISE = libc_call("madvise", ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int])


class PagedOut(Periodic):
    """While open, a thread hands back to the kernel, every :data:`PAGE_OUT_EVERY` seconds once they
    hold :data:`PAGE_OUT_FROM_KB` or more (and once more when it closes), the pages
    of the files under ``folder`` that this process has mapped (``madvise(MADV_PAGEOUT)`` on each of
    their mappings listed in ``/proc/self/maps``). tantivy reads its segments through ``mmap``, and its
    merges — run while a feed of the search index commits — read every segment they merge: each page
    read stays in the process's resident memory until the segment is unmapped (at 3M contributions,
    734 MB of the ingest's peak RSS of 1,070 MB). What is handed back is a read-only view of files on
    disk: their contents are unchanged, and a page read again is read again from the page cache or the
    disk. Non-destructive whatever it lands on (a range unmapped meanwhile, even one mapped anew by
    someone else: at worst those pages are reclaimed too, and faulted back). Nothing where
    ``/proc/self/maps`` or the call are missing (not Linux, or a kernel before 5.4)."""

    thread_name = "despatchbox-page-out"

    def __init__(self, folder: Path | None, every: float | None = None, from_kb: int | None = None):
        super().__init__(PAGE_OUT_EVERY if every is None else every)
        self.prefix = os.path.realpath(folder) + os.sep if folder is not None else None
        self.from_kb = PAGE_OUT_FROM_KB if from_kb is None else from_kb

    def available(self) -> bool:
        return self.prefix is not None and _MADVISE is not None and os.path.exists("/proc/self/maps")

    def tick(self) -> bool:
        # False when not supported here: stop trying
        return (self.from_kb > 0 and self.resident_kb() < self.from_kb) or self.page_out()

    def last(self) -> None:
        self.page_out()                     # what the last merge left mapped

    def resident_kb(self) -> int:
        """KiB of the folder's files resident in this process's mappings (``/proc/self/smaps``)."""
        assert self.prefix is not None
        total, inside = 0, False
        try:
            with open("/proc/self/smaps") as smaps:
                for line in smaps:
                    if line[0] in "0123456789abcdef" and "-" in line.split(maxsplit=1)[0]:
                        fields = line.split(maxsplit=5)
                        inside = len(fields) == 6 and fields[5].startswith(self.prefix)
                    elif inside and line.startswith("Rss:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            return self.from_kb             # cannot tell: hand them back as before
        return total

    def page_out(self) -> bool:
        """One pass over the mappings; False when the kernel refuses the call itself."""
        assert _MADVISE is not None and self.prefix is not None
        try:
            with open("/proc/self/maps") as maps:
                lines = [line for line in maps if self.prefix in line]
        except OSError:
            return False
        for line in lines:
            fields = line.split(maxsplit=5)
            if len(fields) < 6 or not fields[5].startswith(self.prefix):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if _MADVISE(start, end - start, _MADV_PAGEOUT) != 0 and ctypes.get_errno() == 22:   # EINVAL: no MADV_PAGEOUT
                return False
        return True
