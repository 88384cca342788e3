"""“Who said this?” in the store: the fingerprint index and the queries that answer from it.

Two tables (migration 0003, reshaped by 0017; the second in levels since 0024 and 0026), filled at ingest by ``pipeline/quotes_index.py``:

* ``quote_speeches(id, speech_id, file_id, postings)`` gives every indexed speech a small integer
  key, allocated in ingest order and contiguous within a file, so that the big table holds 3–4
  byte keys, not 40-byte gids; ``postings`` is how many fingerprint rows the speech has;
* ``quote_fingerprints(hash, speech_key)``: one row per (fingerprint, speech) — the winnowed
  shingle hashes of :mod:`despatchbox.quotes.fingerprint`, about 0.19 rows per word (≈ 24 M rows
  for 1 M speeches). Primary key ``(hash, speech_key)``; on SQLite the table is ``WITHOUT ROWID``,
  so that key *is* the table, and a lookup by hash reads one contiguous run of it. Nothing else is
  stored or indexed: a by-file index cost more than the table itself (563 against 546 bytes per
  contribution at 20k).
* the levels of that table: a file's rows are written to a small table of the newest ones and
  merged down into bigger ones in ordered passes, so that a new day's rows touch few pages
  (``fingerprint_levels.py``: :data:`~.fingerprint_levels.LEVELS`, :func:`settle_fingerprints`).
  Readers look in every level (one index probe each); a speech's rows are all in one. On
  PostgreSQL the two biggest levels keep their postings in blocks, a row per range of hashes
  (``fingerprint_blocks.py``, migration 0030): a row per posting cost it ~72 bytes.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, select, union_all

from ...ingest.records import Membership
from ..schema import debates, headings, memberships, offices, people, speeches
from .fingerprint_blocks import KEY_MASK, block_postings_sql
from .fingerprint_levels import (LEVELS, FingerprintRows, add_fingerprints, delete_file_fingerprints, fingerprint_stats,
                                 block_tables, settle_fingerprints, write_fingerprint_rows)
from .speakers import CHAIR_CODES, chair_own_parties, membership_columns, membership_of

__all__ = [
    "MAX_POSTINGS", "NEIGHBOUR_WINDOW", "StoreSpeechIndex",
    "add_fingerprints", "FingerprintRows", "write_fingerprint_rows", "delete_file_fingerprints", "settle_fingerprints",
    "quoted_speeches", "quoted_debates",
    "QuotedSpeech", "QuotedDebate", "PostHeld", "speech_citations", "fingerprint_stats",
]

#: fingerprints held by more speeches than this are skipped at query time (stop shingles:
#: "my right hon friend" says nothing about where a line came from, and would be slow)
MAX_POSTINGS = 2000
#: speeches either side of one that ``neighbours`` returns (same debate, record order)
NEIGHBOUR_WINDOW = 12

# --- the SpeechIndex ------------------------------------------------------------------------------


def _candidates_sql(n: int, mark: str, packed: Sequence[Table] = ()) -> str:
    """The candidates statement for ``n`` fingerprints, with the DBAPI's placeholder ``mark``.

    Written for the driver directly (``exec_driver_sql``): this statement runs once per pasted
    paragraph and SQLAlchemy's compilation of a text with dozens of bind parameters would cost
    more than the lookup itself. Parameters: the n hashes, then the cap, then the limit.
    ``packed``: the tables of blocks of the levels kept in them (PostgreSQL, fingerprint_blocks.py),
    each hash's postings cut out of them once.
    """
    values = ", ".join(f"(CAST({mark} AS BIGINT))" for _ in range(n))
    # every level of the index (store/queries/fingerprint_levels.py): a speech's rows are in one of them
    postings = " UNION ALL ".join(f"SELECT speech_key FROM {t.name} WHERE hash = q.hash" for t in LEVELS)
    found = " UNION ALL ".join(f"SELECT p.speech_key FROM ok JOIN {t.name} p ON p.hash = ok.hash" for t in LEVELS)
    # ``ok``: the query's fingerprints held by at most cap speeches (the (cap+1)-th posting does
    # not exist: an index probe that stops after cap+1 entries, however long the list)
    if packed:
        # each hash's run of postings cut out of its block once (``big``): counted without being unnested
        # (a stock phrase's thousands), and unnested only for the hashes kept
        held = "COALESCE(inblocks.n, 0)"
        cut = " UNION ALL ".join(block_postings_sql("q.hash", b) for b in packed)
        head = f"""
        WITH q(hash) AS (VALUES {values}),
        cap(n) AS (VALUES (CAST({mark} AS BIGINT))),
        big AS MATERIALIZED (
            SELECT q.hash AS hash, ps FROM q CROSS JOIN LATERAL ({cut}) AS b
        ),
        inblocks AS (SELECT hash, sum(cardinality(ps)) AS n FROM big GROUP BY hash),
        ok AS (
            SELECT q.hash AS hash FROM q CROSS JOIN cap LEFT JOIN inblocks ON inblocks.hash = q.hash
            WHERE {held} <= cap.n
              AND (SELECT c.speech_key FROM ({postings}) AS c LIMIT 1 OFFSET cap.n - {held}) IS NULL
        ),"""
        found += f" UNION ALL SELECT CAST(p & {KEY_MASK} AS INTEGER) FROM ok JOIN big ON big.hash = ok.hash " \
                 "CROSS JOIN LATERAL unnest(big.ps) AS p"
    else:
        head = f"""
        WITH q(hash) AS (VALUES {values}),
        ok AS (
            SELECT q.hash AS hash FROM q
            WHERE (SELECT c.speech_key FROM ({postings}) AS c LIMIT 1 OFFSET {mark}) IS NULL
        ),"""
    return head + f"""
        counts AS (
            SELECT f.speech_key AS speech_key, count(*) AS n
            FROM ({found}) AS f
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
        rows = self.conn.exec_driver_sql(_candidates_sql(len(hashes), mark, block_tables(self.conn)),
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
