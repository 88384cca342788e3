"""What an ingest keeps up beside the records it writes: the aggregates of the files a batch
touched (made exact once per batch), the "who said this?" index's newest rows (merged into its big
table once per batch when they have grown enough) and the search index outside the database (fed
every :data:`FEED_RECORDS` records)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection

from ..store.queries.aggregates import refresh_files as refresh_aggregates
from .batch import release_freed_memory
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
        system first (:func:`.batch.release_freed_memory`): glibc kept it, and the ingest's resident
        memory crept up between feeds (100k bench corpus: 137 → 226 MB of heap), a feed's writer
        (``tantivy_index.WRITER_HEAP``) then coming on top of that."""
        release_freed_memory()
        if self.records() - self.fed_at >= FEED_RECORDS:
            self.fed_at = self.records()
            self.feed()


class TouchedFiles:
    """The files whose speeches a batch changed (loaded, or replaced by a later version): their
    aggregates are made exact once, in the batch's transaction before it commits (the same rows as
    refreshing them per file: each refresh sums again whatever it names). The fingerprints the batch
    wrote went to the index's table of recent rows: merged into the big one here, in the same
    transaction, once they outgrow their share (:func:`~despatchbox.store.queries.quotes.settle_fingerprints`)."""

    def __init__(self) -> None:
        self.files: set[int] = set()

    def clear(self) -> None:
        self.files = set()

    def refresh(self, conn: Connection) -> None:
        files, self.files = self.files, set()
        if files:
            refresh_aggregates(conn, files)
            settle_fingerprints(conn)
