"""“Who said this?” in the store: the fingerprint index and the queries that answer from it.

Two tables (migration 0003, reshaped by 0017), filled at ingest by ``pipeline/quotes_index.py``:

* ``quote_speeches(id, speech_id, file_id, postings)`` gives every indexed speech a small integer
  key, allocated in ingest order and contiguous within a file, so that the big table holds 3–4
  byte keys, not 40-byte gids; ``postings`` is how many fingerprint rows the speech has;
* ``quote_fingerprints(hash, speech_key)``: one row per (fingerprint, speech) — the winnowed
  shingle hashes of :mod:`despatchbox.quotes.fingerprint`, about 0.19 rows per word (≈ 24 M rows
  for 1 M speeches). Primary key ``(hash, speech_key)``; on SQLite the table is ``WITHOUT ROWID``,
  so that key *is* the table, and a lookup by hash reads one contiguous run of it. Nothing else is
  stored or indexed: a by-file index cost more than the table itself (563 against 546 bytes per
  contribution at 20k).
* ``quote_fingerprints_recent(hash, speech_key)`` (migration 0024): the same, for the newest
  speeches. A file's rows are written here, and merged into ``quote_fingerprints`` in one pass in
  key order (:func:`settle_fingerprints`, once per ingest batch) when its speeches outnumber
  :data:`RECENT_FRACTION` of the big table's. Inserting a day's rows straight into the big table
  put each on a page of its own: at 1M contributions one day dirtied about a third of its pages
  (written to the WAL, then checkpointed), and a day's update cost more the bigger the record.
  Readers look in both tables (each lookup is two index probes); a speech's rows are all in one.

Both are owned by a source file: when a newer version of a day's file replaces an older one,
:func:`delete_file_fingerprints` (called by ``store.queries.files.delete_file_records``, in the
same transaction) deletes the old version's rows. Fingerprint rows are found by their primary
key: the caller's fingerprint function recomputes each speech's fingerprints from its text as
held, and the rows deleted are counted against ``postings``. Should they disagree (a fingerprint
scheme changed since the file was indexed), the file's contiguous range of speech keys is deleted
by a scan of the table instead: slower, and still exact.

:class:`StoreSpeechIndex` implements the :class:`despatchbox.quotes.SpeechIndex` protocol
(structurally: the store does not import the matcher) plus the ``neighbours`` hint, and the
facts of the speeches and debates found (:class:`QuotedSpeech`, :class:`QuotedDebate`: memberships,
party codes, slugs, dates), which ``web/quoted.py`` names for the surfaces. Costs per paragraph: one statement for
its candidates (index lookups on ``hash``); one statement for the texts of all candidates.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import itemgetter

from sqlalchemy import Connection, bindparam, delete, func, select, union_all

from ...ingest.records import Membership
from ..bulk import insert_rows
from ..schema import (debates, headings, memberships, offices, people, quote_fingerprints, quote_fingerprints_recent,
                      quote_speeches, speeches)
from .speakers import CHAIR_CODES, chair_own_parties, membership_columns, membership_of

__all__ = [
    "quote_speeches", "quote_fingerprints", "quote_fingerprints_recent", "RECENT_FRACTION", "LOWEST_SAMPLE_ROWS",
    "recent_lowest_key", "settle_fingerprints",
    "MAX_POSTINGS", "NEIGHBOUR_WINDOW", "StoreSpeechIndex",
    "add_fingerprints", "FingerprintRows", "write_fingerprint_rows", "delete_file_fingerprints",
    "quoted_speeches", "quoted_debates",
    "QuotedSpeech", "QuotedDebate", "PostHeld", "speech_citations", "fingerprint_stats",
]

#: fingerprints held by more speeches than this are skipped at query time (stop shingles:
#: "my right hon friend" says nothing about where a line came from, and would be slow)
MAX_POSTINGS = 2000
#: speeches either side of one that ``neighbours`` returns (same debate, record order)
NEIGHBOUR_WINDOW = 12
#: ``quote_fingerprints_recent`` is merged into ``quote_fingerprints`` once its speeches are more
#: than this fraction of the big table's: a merge rewrites the big table's pages once, and happens
#: after it has grown by this fraction (a day into 1M contributions: about one update in a hundred)
RECENT_FRACTION = 0.25
#: rows of ``quote_fingerprints_recent`` read to find its lowest speech key (:func:`recent_lowest_key`)
LOWEST_SAMPLE_ROWS = 20_000

# --- writing ----------------------------------------------------------------------------------------


def next_speech_key(conn: Connection) -> int:
    """The first unused speech key (ingest runs one at a time: it holds the ingest lock)."""
    return (conn.execute(select(func.max(quote_speeches.c.id))).scalar() or 0) + 1


class FingerprintRows:
    """One file's index rows, worked out before its transaction opens (sorting them is most of
    the work): the speeches in order, and (hash, position of the speech) pairs sorted by hash,
    held as two arrays (``hashes``, ``positions``): they cross from the preparing process to the
    writing one as two blocks of bytes instead of a pickled tuple per row."""

    __slots__ = ("speech_ids", "counts", "hashes", "positions")

    def __init__(self, items: Iterable[tuple[str, Iterable[int]]]):
        self.speech_ids: list[str] = []
        self.counts: list[int] = []
        postings: list[tuple[int, int]] = []
        for at, (speech_id, fps) in enumerate(items):
            distinct = set(fps)
            self.speech_ids.append(speech_id)
            self.counts.append(len(distinct))
            postings.extend(zip(distinct, repeat(at)))
        postings.sort()
        self.hashes = array("q", map(itemgetter(0), postings))
        self.positions = array("q", map(itemgetter(1), postings))

    @classmethod
    def of(cls, speech_ids: list[str], counts: list[int], hashes: array, positions: array) -> "FingerprintRows":
        """Rows already worked out: each speech's count of distinct fingerprints, and the (hash,
        position of the speech) pairs, distinct and sorted, as two ``array("q")``."""
        rows = cls.__new__(cls)
        rows.speech_ids, rows.counts, rows.hashes, rows.positions = speech_ids, counts, hashes, positions
        return rows


def write_fingerprint_rows(conn: Connection, file_id: int, prepared: FingerprintRows) -> int:
    """Add one file's prepared rows to the index (the caller owns the transaction); returns the
    rows written. Speech keys continue from the highest held, so the rows stay sorted by
    ``(hash, speech_key)`` and the inserts walk that b-tree in order instead of jumping around it."""
    if not prepared.speech_ids:
        return 0
    first = next_speech_key(conn)
    insert_rows(conn, quote_speeches, [{"id": first + at, "speech_id": sid, "file_id": file_id, "postings": n}
                                       for at, (sid, n) in enumerate(zip(prepared.speech_ids, prepared.counts))])
    keys = map(first.__add__, prepared.positions)
    if conn.dialect.name == "sqlite":
        # the driver's executemany over tuples zipped here: insert_rows would build a dict per
        # row and pass it through the (no-op) bind processors, for the ~25 rows a speech adds
        conn.exec_driver_sql("INSERT INTO quote_fingerprints_recent (hash, speech_key) VALUES (?, ?)",
                             list(zip(prepared.hashes, keys)))
    else:
        insert_rows(conn, quote_fingerprints_recent,
                    [{"hash": h, "speech_key": k} for h, k in zip(prepared.hashes, keys)])
    return len(prepared.hashes)


def recent_lowest_key(conn: Connection, sample_rows: int = LOWEST_SAMPLE_ROWS) -> int | None:
    """The lowest speech key in ``quote_fingerprints_recent`` (None when it is empty), read from its
    first ``sample_rows`` rows in key order, ``(hash, speech_key)``: exact when it holds no more,
    else the lowest of a sample spread over its speeches (hashes are uniform, so the smallest ones
    belong to speeches of every file alike; each speech holds tens of rows). A whole scan cost 0.12 s
    a batch with 4.5M rows waiting at 3M contributions, and grew with the record; the sample's
    answer can only be a little above the exact one, which delays a merge by as many speeches."""
    first = (select(quote_fingerprints_recent.c.speech_key)
             .order_by(quote_fingerprints_recent.c.hash, quote_fingerprints_recent.c.speech_key)
             .limit(sample_rows).subquery())
    return conn.execute(select(func.min(first.c.speech_key))).scalar()


def settle_fingerprints(conn: Connection, fraction: float = RECENT_FRACTION) -> bool:
    """Merge ``quote_fingerprints_recent`` into ``quote_fingerprints`` (the caller's transaction)
    when its speeches are more than ``fraction`` of the big table's; True if it did. Speech keys
    are handed out in increasing order, so the recent table's lowest key splits them: the keys
    below it are the big table's (up to the few of replaced files), those from it the recent's.
    Its lowest key is read from a bounded sample (:func:`recent_lowest_key`); a merge reads it in
    key order and walks the big table's B-tree once."""
    lowest = recent_lowest_key(conn)
    if lowest is None:
        return False
    highest = next_speech_key(conn) - 1
    if highest - lowest + 1 <= fraction * (lowest - 1):
        return False
    # a row already in the big table is the same row (a speech's rows are in one table): skipping it
    # loses nothing, and on SQLite it spares the statement journal a plain INSERT … SELECT keeps (in
    # memory: temp_store) of every page it changes, i.e. of the whole big table (260 MB at 1M)
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql(f"INSERT {'OR IGNORE ' if sqlite else ''}INTO quote_fingerprints (hash, speech_key) "
                         "SELECT hash, speech_key FROM quote_fingerprints_recent ORDER BY hash, speech_key"
                         + ("" if sqlite else " ON CONFLICT DO NOTHING"))
    conn.exec_driver_sql("DELETE FROM quote_fingerprints_recent")
    return True


def delete_file_fingerprints(conn: Connection, file_id: int, fingerprints_of: Callable[[str], Iterable[int]]) -> int:
    """Delete one file version's rows from the index (before its speeches: their text is read here),
    given the function its fingerprints were made with; returns the fingerprint rows deleted."""
    held = conn.execute(select(quote_speeches.c.id, quote_speeches.c.speech_id, quote_speeches.c.postings)
                        .where(quote_speeches.c.file_id == file_id)).all()
    if not held:
        return 0
    texts: dict[str, str] = {sid: body for sid, body in conn.execute(
        select(speeches.c.id, speeches.c.text).where(speeches.c.file_id == file_id))}
    pairs = [(h, key) for key, speech_id, _n in held for h in set(fingerprints_of(texts.get(speech_id) or ""))]
    expected = None if any(n is None for _k, _s, n in held) else sum(n for _k, _s, n in held)
    deleted = 0
    # a file's rows are all in one of the two tables: the recent one is looked in first
    for table in (quote_fingerprints_recent, quote_fingerprints):
        if pairs and expected and deleted != expected:
            deleted += conn.execute(delete(table).where(
                table.c.hash == bindparam("h"), table.c.speech_key == bindparam("k")),
                [{"h": h, "k": k} for h, k in pairs]).rowcount
    if deleted != expected:             # not what the file was indexed with: its range of keys, by a scan
        lo, hi = min(k for k, _s, _n in held), max(k for k, _s, _n in held)
        for table in (quote_fingerprints_recent, quote_fingerprints):
            deleted += conn.execute(delete(table).where(table.c.speech_key.between(lo, hi))).rowcount
    conn.execute(delete(quote_speeches).where(quote_speeches.c.file_id == file_id))
    return deleted


def add_fingerprints(conn: Connection, file_id: int, items: Iterable[tuple[str, Iterable[int]]]) -> int:
    """Index speeches of one file: ``(speech_id, fingerprints)`` pairs. Returns the rows written."""
    return write_fingerprint_rows(conn, file_id, FingerprintRows(items))


def fingerprint_stats(conn: Connection) -> dict:
    """Rows in the index (for tests and ``stats``)."""
    return {"speeches": conn.execute(select(func.count()).select_from(quote_speeches)).scalar_one(),
            "fingerprints": sum(conn.execute(select(func.count()).select_from(table)).scalar_one()
                                for table in (quote_fingerprints, quote_fingerprints_recent))}


# --- the SpeechIndex ------------------------------------------------------------------------------


def _candidates_sql(n: int, mark: str) -> str:
    """The candidates statement for ``n`` fingerprints, with the DBAPI's placeholder ``mark``.

    Written for the driver directly (``exec_driver_sql``): this statement runs once per pasted
    paragraph and SQLAlchemy's compilation of a text with dozens of bind parameters would cost
    more than the lookup itself. Parameters: the n hashes, then the cap, then the limit.
    """
    values = ", ".join(f"(CAST({mark} AS BIGINT))" for _ in range(n))
    # ``ok``: the query's fingerprints held by at most cap speeches (the (cap+1)-th posting does
    # not exist: an index probe that stops after cap+1 entries, however long the list)
    return f"""
        WITH q(hash) AS (VALUES {values}),
        ok AS (
            SELECT q.hash AS hash FROM q
            WHERE (SELECT c.speech_key FROM (
                       SELECT speech_key FROM quote_fingerprints WHERE hash = q.hash
                       UNION ALL SELECT speech_key FROM quote_fingerprints_recent WHERE hash = q.hash) AS c
                   LIMIT 1 OFFSET {mark}) IS NULL
        ),
        counts AS (
            SELECT f.speech_key AS speech_key, count(*) AS n
            FROM (SELECT b.speech_key FROM ok JOIN quote_fingerprints b ON b.hash = ok.hash
                  UNION ALL SELECT r.speech_key FROM ok JOIN quote_fingerprints_recent r ON r.hash = ok.hash) AS f
            GROUP BY f.speech_key
            ORDER BY n DESC, f.speech_key
            LIMIT {mark}
        )
        SELECT s.speech_id, counts.n FROM counts JOIN quote_speeches s ON s.id = counts.speech_key
        ORDER BY counts.n DESC, counts.speech_key"""


_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class StoreSpeechIndex:
    """The fingerprint index of a store, over one open connection.

    Implements ``candidates`` and ``texts`` (the :class:`~despatchbox.quotes.SpeechIndex`
    protocol) and ``neighbours`` (the matcher's optional context hint). Texts and debate ids
    it has read are kept, so the details of the matched speeches cost no second read of them.
    """

    def __init__(self, conn: Connection, *, max_postings: int = MAX_POSTINGS,
                 window: int = NEIGHBOUR_WINDOW) -> None:
        self.conn = conn
        self.max_postings = max_postings
        self.window = window
        self.cached_texts: dict[str, str] = {}
        self._neighbours: dict[str, list[str]] = {}
        self.queries = 0

    def candidates(self, fingerprints: Sequence[int], limit: int) -> dict[str, int]:
        hashes = sorted(set(int(h) for h in fingerprints))
        if not hashes or limit <= 0:
            return {}
        mark = _MARKS[self.conn.dialect.paramstyle]
        self.queries += 1
        rows = self.conn.exec_driver_sql(_candidates_sql(len(hashes), mark),
                                         (*hashes, self.max_postings, limit))
        return {sid: n for sid, n in rows}

    def texts(self, speech_ids: Sequence[str]) -> dict[str, str]:
        wanted = [s for s in dict.fromkeys(speech_ids) if s not in self.cached_texts]
        if wanted:
            self.queries += 1
            for sid, body in self.conn.execute(select(speeches.c.id, speeches.c.text)
                                               .where(speeches.c.id.in_(wanted))):
                self.cached_texts[sid] = body or ""
        return {s: self.cached_texts[s] for s in speech_ids if s in self.cached_texts}

    def neighbours(self, speech_id: str) -> list[str]:
        """Speeches with text around ``speech_id`` in its debate, in record order (itself included)."""
        if speech_id not in self._neighbours:
            self.queries += 1
            me = self.conn.execute(select(speeches.c.debate_id, speeches.c.position)
                                   .where(speeches.c.id == speech_id)).first()
            if me is None:
                self._neighbours[speech_id] = []
                return []
            sides = []
            for before in (True, False):
                pos = speeches.c.position
                sides.append(select(speeches.c.id, pos)
                             .where(speeches.c.debate_id == me.debate_id, speeches.c.text != "",
                                    pos < me.position if before else pos > me.position)
                             .order_by(pos.desc() if before else pos).limit(self.window).subquery())
            rows: list[tuple[str, int]] = [(sid, at) for sid, at in self.conn.execute(
                union_all(select(sides[0]), select(sides[1])))]
            rows.append((speech_id, me.position))
            self._neighbours[speech_id] = [sid for sid, _ in sorted(rows, key=lambda r: r[1])]
        return self._neighbours[speech_id]


# --- the facts of the speeches found ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostHeld:
    """A government post held on a day: its position and department (slug; as ministers.xml prints it)."""
    position: str
    department_slug: str
    department_as_printed: str | None


@dataclass(frozen=True, slots=True)
class QuotedSpeech:
    """A speech found for a quote: where it is, who said it as printed and as resolved (the person and
    the membership held that day; a chair's own party code), and the posts held when no office is printed."""
    speech_id: str
    debate_id: str | None
    debate_title: str | None
    kind: str
    date: date
    department_slug: str | None
    person_id: int | None
    person_name: str | None
    person_slug: str | None
    membership: Membership | None
    own_party: str | None                 # a chair's own party code (their latest other membership's)
    speaker_name: str | None              # as printed
    speaker_office: str | None            # as printed
    posts: tuple[PostHeld, ...] = ()      # held that day, when no office is printed


@dataclass(frozen=True, slots=True)
class QuotedDebate:
    id: str
    title: str | None
    date: date
    kind: str
    department_slug: str | None


def _posts_held(conn: Connection, wanted: set[tuple[int, date]]) -> dict[tuple[int, date], tuple[PostHeld, ...]]:
    """(person, day) → the government posts held that day."""
    if not wanted:
        return {}
    rows = conn.execute(select(offices.c.person_id, offices.c.position, offices.c.department,
                               offices.c.department_slug, offices.c.from_date, offices.c.to_date)
                        .where(offices.c.person_id.in_(sorted({p for p, _ in wanted})),
                               offices.c.department_slug.is_not(None))
                        .order_by(offices.c.person_id, offices.c.from_date))
    out: dict[tuple[int, date], list[PostHeld]] = {}
    for r in rows:
        for pid, day in wanted:
            if pid == r.person_id and (r.from_date is None or r.from_date <= day) and \
                    (r.to_date is None or day <= r.to_date):
                out.setdefault((pid, day), []).append(PostHeld(r.position, r.department_slug, r.department))
    return {k: tuple(v) for k, v in out.items()}


def quoted_speeches(conn: Connection, speech_ids: Sequence[str]) -> dict[str, QuotedSpeech]:
    """speech id → its facts (one query, plus one for chairs' own parties and one for posts held, when needed)."""
    ids = sorted(set(speech_ids))
    if not ids:
        return {}
    q = (select(speeches.c.id, speeches.c.debate_id, speeches.c.kind, speeches.c.date, speeches.c.person_id,
                speeches.c.membership_id, speeches.c.speaker_name, speeches.c.speaker_office,
                debates.c.title.label("debate_title"), debates.c.department_slug,
                people.c.name.label("person_name"), people.c.slug.label("person_slug"), *membership_columns())
         .select_from(speeches.outerjoin(debates, debates.c.id == speeches.c.debate_id)
                      .outerjoin(people, people.c.id == speeches.c.person_id)
                      .outerjoin(memberships, memberships.c.id == speeches.c.membership_id))
         .where(speeches.c.id.in_(ids)))
    rows = [r._mapping for r in conn.execute(q)]
    chairs = {r["person_id"] for r in rows if r["person_id"] is not None and r["m_party"] in CHAIR_CODES}
    own = chair_own_parties(conn, chairs)
    posts = _posts_held(conn, {(r["person_id"], r["date"]) for r in rows
                               if r["person_id"] is not None and not r["speaker_office"]})
    return {r["id"]: QuotedSpeech(
        speech_id=r["id"], debate_id=r["debate_id"], debate_title=r["debate_title"], kind=r["kind"], date=r["date"],
        department_slug=r["department_slug"], person_id=r["person_id"], person_name=r["person_name"],
        person_slug=r["person_slug"], membership=membership_of(r), own_party=own.get(r["person_id"]),
        speaker_name=r["speaker_name"], speaker_office=r["speaker_office"],
        posts=posts.get((r["person_id"], r["date"]), ())) for r in rows}


def quoted_debates(conn: Connection, debate_ids: Sequence[str]) -> dict[str, QuotedDebate]:
    """debate id → its facts."""
    ids = sorted(set(debate_ids))
    if not ids:
        return {}
    rows = conn.execute(select(debates.c.id, debates.c.title, debates.c.date, debates.c.kind,
                               debates.c.department_slug).where(debates.c.id.in_(ids)))
    return {r.id: QuotedDebate(r.id, r.title, r.date, r.kind, r.department_slug) for r in rows}


def speech_citations(conn: Connection, speech_ids: Sequence[str]) -> dict[str, dict]:
    """speech id → where the speech sits in the record: column, time, the official source URL the
    record carries, and the heading it sits under (the item of business within its debate)."""
    ids = sorted(set(speech_ids))
    if not ids:
        return {}
    h = headings.alias("h")
    rows = conn.execute(select(speeches.c.id, speeches.c.colnum, speeches.c.time, speeches.c.url,
                               speeches.c.heading_id, h.c.title.label("heading_title"))
                        .select_from(speeches.outerjoin(h, h.c.id == speeches.c.heading_id))
                        .where(speeches.c.id.in_(ids)))
    return {r.id: {"column": r.colnum, "time": r.time, "source_url": r.url, "heading_id": r.heading_id,
                   "heading_title": r.heading_title} for r in rows}
