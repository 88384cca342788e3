"""The search index of an installation, SQLite or PostgreSQL: a tantivy index outside the database, kept exact.

SQLite: ``despatchbox.db`` → ``despatchbox.db.search/`` (one folder holds a whole installation);
PostgreSQL: one folder per database under ``DESPATCHBOX_SEARCH_DIR`` (:mod:`.index_marks`). The
database stays the record: ``search_items`` lists what should be indexed (one row per speech,
question, answer or statement with text; its ids are never reused), and every item removed — by
re-ingest, a superseded version, an edit or a deletion — is logged in ``search_removed`` by the
triggers of migrations 0013 (SQLite) and 0021 (PostgreSQL).

The index holds one document per item and one *marker* document that records how far it has
read both: the database's installation id, the last item id and the last removal it has applied.
The marker is replaced in the same tantivy commit as the documents, so the index and its marker
never disagree. :func:`sync` applies what is new (removals, then items), commits, and — if the
number of documents then differs from the number of items (a rebuild, a copy, a database restored
from backup), or the installation id is another database's — rebuilds the whole index. A crash
between a database commit and an index commit therefore loses nothing: the next :func:`sync` (the
next ingest, or the next search) reads from the marker on.

Documents: ``item`` (search_items.id: the database maps it to the speech), ``debate_key`` (the
debate's id as a number: grouping and its facets), ``result`` (the result it belongs to, :func:`result_id`, as a number: a written
question and its answer are one) and ``question_group`` (1 for a written question or answer:
its result may hold more than one item), ``kind``, ``date`` (days since 0001-01-01), ``person``, ``party`` (the membership's
party code), ``department`` (the debate's), ``batch`` (the ingest run of its file), and the text
twice: ``stem`` (lower case, accents folded, English Snowball stems; frequencies, no positions)
for words, ``exact`` (lower case, accents folded; with positions) for phrases — stemmed phrases too
(:mod:`.stemmed_phrase`) — and prefixes. Nothing of an item is stored (its fast fields
answer every read); only the marker stores its marks, with :data:`SCHEMA_VERSION`: an index
written by another version is rebuilt on the next sync.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

import tantivy
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from ...allocator import Paced
from ..packing import unpack_text
from .index_marks import Marks, database_marks, held_items, index_dir, items_only_grow, reading

T = TypeVar("T")

#: tokenizers of the two text fields
STEM, EXACT = "despatchbox_stem", "despatchbox_exact"
#: the marker document's ``kind`` (no item has it)
MARKER = "__sync__"
#: what the index's documents hold and how: raised whenever fields, their options or what is written
#: into them change, so that an index written before is rebuilt (the marker records it). 1: the
#: marker had no version (speech and debate ids stored as strings, positions on both text fields);
#: 3: integer ids only, positions on ``exact`` alone (stemmed phrases run there: :mod:`.stemmed_phrase`)
SCHEMA_VERSION = 3
#: the installation an index written by another schema version is taken to be (no database's)
STALE = "(another schema version)"
#: the writer's memory budget (bytes): what a feed of the index adds to the ingest's heap, its queue
#: aside (:data:`QUEUE_ALLOWANCE`). 64 MB held 25,000 items of the 3M bench corpus in one segment;
#: 40 MB writes them in two (feeding them into a copy of the 3M index, paced: heap +62 → +47 MB)
WRITER_HEAP = 40_000_000
#: items read from the database per round trip while indexing (their rows and documents are held
#: meanwhile, beside the writer's queue: 5,000 cost ~10 MB more of a feed's peak, no less CPU)
CHUNK = 1000
#: what the C allocator may hold above its level at the start of a feed before adding documents waits
#: for the writer to take them off its queue (:class:`despatchbox.allocator.Paced`): the writer's budget
#: and a few hundred queued documents
QUEUE_ALLOWANCE = WRITER_HEAP

#: the speech's text is the second part of the packed body in s.html (store/packing/columns.py)
_ITEMS_SQL = """
SELECT i.id AS item, i.speech_id, i.debate_id, i.kind, i.date, i.person_id, m.party, d.department_slug,
       f.batch, s.html AS body, s.element, s.heading_id
FROM search_items i
JOIN speeches s ON s.id = i.speech_id
LEFT JOIN debates d ON d.id = i.debate_id
LEFT JOIN memberships m ON m.id = i.membership_id
LEFT JOIN source_files f ON f.id = s.file_id
WHERE i.id > :after AND i.id <= :upto
ORDER BY i.id LIMIT :chunk"""
#: the same on PostgreSQL, whose list is a view of the speeches (0031): read from them once, not joined
#: to themselves by primary key (5.0 → 3.1 ms a chunk of 1,000 at 1M, EXPLAIN ANALYZE warm)
_ITEMS_SQL_POSTGRESQL = """
SELECT s.search_item AS item, s.id AS speech_id, s.debate_id, s.kind, s.date, s.person_id, m.party,
       d.department_slug, f.batch, s.html AS body, s.element, s.heading_id
FROM speeches s
LEFT JOIN debates d ON d.id = s.debate_id
LEFT JOIN memberships m ON m.id = s.membership_id
LEFT JOIN source_files f ON f.id = s.file_id
WHERE s.search_item > :after AND s.search_item <= :upto
ORDER BY s.search_item LIMIT :chunk"""


def analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(80))
               .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()))
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


STEM_ANALYZER = analyzer(True)
EXACT_ANALYZER = analyzer(False)


@lru_cache(maxsize=65536)
def stem_of(word: str) -> tuple[str, ...]:
    """A word as the ``stem`` field holds it (usually one token)."""
    return tuple(STEM_ANALYZER.analyze(word))


@lru_cache(maxsize=65536)
def exact_of(word: str) -> tuple[str, ...]:
    """A word as the ``exact`` field holds it."""
    return tuple(EXACT_ANALYZER.analyze(word))


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    # fast: read per hit (item, result, debate_key), aggregated (question_group) or sorted on (date);
    # indexed: filtered on, or (item) deleted by
    sb.add_integer_field("item", indexed=True, fast=True)
    sb.add_integer_field("debate_key", indexed=True, fast=True)
    sb.add_integer_field("result", indexed=True, fast=True)
    sb.add_integer_field("question_group", indexed=True, fast=True)
    sb.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("date", indexed=True, fast=True)
    sb.add_integer_field("person", indexed=True)
    sb.add_text_field("party", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("department", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("batch", indexed=True)
    sb.add_text_field("mark_installation", tokenizer_name="raw", stored=True, index_option="basic")
    sb.add_integer_field("mark_items", stored=True)
    sb.add_integer_field("mark_removed", stored=True)
    sb.add_integer_field("mark_schema", stored=True)
    sb.add_text_field("stem", tokenizer_name=STEM, index_option="freq")       # phrases: on exact's positions
    sb.add_text_field("exact", tokenizer_name=EXACT, index_option="position")
    return sb.build()


SCHEMA = build_schema()


class SearchIndex:
    """One installation's index, opened once per process (see :func:`for_engine`)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._remembered: dict[str, tuple[Marks, Any]] = {}
        if path is None:
            self.index = tantivy.Index(SCHEMA)
        else:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self.index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            except ValueError:              # written with another schema: start again (sync refills it)
                for child in path.iterdir():
                    if child.is_file() and child.name != ".sync.lock":
                        child.unlink()
                self.index = tantivy.Index(SCHEMA, path=str(path), reuse=False)
        self.index.register_tokenizer(STEM, analyzer(True))
        self.index.register_tokenizer(EXACT, analyzer(False))
        self.index.reload()
        self.marks = self._read_marks()

    # --- reading --------------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def remembered(self, key: str, compute: Callable[[tantivy.Searcher], T]) -> T:
        """``compute(searcher)``, kept until the index's marks move (what the index holds changed)."""
        marks = self.marks
        held = self._remembered.get(key)
        if held is not None and held[0] == marks:
            return held[1]
        value = compute(self.index.searcher())
        self._remembered[key] = (marks, value)
        return value

    def documents(self) -> int:
        """Item documents held (the marker left out)."""
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(SCHEMA, "kind", MARKER), 1, count=True)
        marker = found.count  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count
        return searcher.num_docs - marker

    def _read_marks(self) -> Marks:
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(SCHEMA, "kind", MARKER), 1).hits
        if not found:
            return Marks()
        doc = searcher.doc(found[0][1])
        if (doc.get_first("mark_schema") or 1) != SCHEMA_VERSION:
            return Marks(installation=STALE)    # written by another version: sync rebuilds it
        return Marks(installation=str((doc.get_all("mark_installation") or [""])[0]),
                     items=int(doc["mark_items"][0]), removed=int(doc["mark_removed"][0]))

    # --- keeping it exact -----------------------------------------------------------------------

    def sync(self, engine: Engine) -> bool:
        """Bring the index up to the database's committed state; True when anything changed."""
        with self._lock, self._file_lock():
            self.index.reload()
            self.marks = self._read_marks()
            with reading(engine) as conn:          # one snapshot: the marks and the rows agree
                head = database_marks(conn)
                if head == self.marks:
                    return False
                writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
                try:
                    if (head.installation != self.marks.installation or head.removed < self.marks.removed
                            or (head.items < self.marks.items and items_only_grow(engine))):
                        rebuild = True              # another database, or an older one: start again
                    else:
                        rebuild = False     # what it should then hold, counted from its marks on
                        held = held_items(conn, head.items, since=self.marks, held_then=self.documents())
                        self._remove(conn, writer, head)
                        added = self._add(conn, writer, self.marks.items, head.items)   # none if it fell
                        rebuild = self.documents_after(added) != held
                    if rebuild:
                        writer.rollback()
                        writer.delete_all_documents()
                        self._add(conn, writer, 0, head.items)
                    self._mark(writer, head)
                    writer.commit()
                finally:
                    writer.wait_merging_threads()
            self.index.reload()
            self.marks = head
            return True

    def documents_after(self, added: int) -> int:
        """Documents the index will hold once what is pending commits: what it held, less the
        removals (counted when applied), plus ``added``."""
        return self._held_after_removals + added

    def _remove(self, conn: Connection, writer, head: Marks) -> None:
        removed = conn.execute(text("SELECT DISTINCT item_id FROM search_removed WHERE seq > :after AND seq <= :upto"),
                               {"after": self.marks.removed, "upto": head.removed}).scalars().all()
        searcher = self.index.searcher()
        gone = 0
        for item in removed:
            found = searcher.search(tantivy.Query.term_query(SCHEMA, "item", int(item)), 1, count=True)
            if found.count:  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count
                gone += 1
            writer.delete_documents_by_term("item", int(item))
        # an item added and removed since the marker is in neither count
        self._held_after_removals = self.documents() - gone

    def _add(self, conn: Connection, writer, after: int, upto: int) -> int:
        n = 0
        paced = Paced(QUEUE_ALLOWANCE)
        items_sql = text(_ITEMS_SQL_POSTGRESQL if conn.dialect.name == "postgresql" else _ITEMS_SQL)
        while True:
            rows = conn.execute(items_sql, {"after": after, "upto": upto, "chunk": CHUNK}).all()
            if not rows:
                return n
            for r in rows:
                paced.step()
                writer.add_document(_document(r))
            n += len(rows)
            after = rows[-1].item

    def _mark(self, writer, head: Marks) -> None:
        writer.delete_documents_by_term("kind", MARKER)
        writer.add_document(tantivy.Document(kind=MARKER, mark_installation=head.installation,
                                             mark_items=head.items, mark_removed=head.removed,
                                             mark_schema=SCHEMA_VERSION))

    def _file_lock(self):
        return _FileLock(self.path / ".sync.lock" if self.path else None)


def debate_key(debate_id: str) -> int:
    """A debate's (or a result's) id as a number (a fast field read per hit when grouping); 63 bits of its hash."""
    return int.from_bytes(hashlib.blake2b(debate_id.encode(), digest_size=8).digest(), "big") >> 1


def result_id(speech_id: str, element: str | None, heading_id: str | None) -> str:
    """The search result an item belongs to: a written question and its answer (elements
    ``ques`` and ``reply``) are one result, their question group (the heading ``….h`` above them);
    anything else is a result of its own (its speech id)."""
    if element in ("ques", "reply") and heading_id:
        return heading_id
    return speech_id


def _day(value) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])).toordinal()


#: :func:`debate_key` of ids met again and again while feeding (a debate's id on each of its items, a
#: question group's heading on its question and answer)
_group_key = lru_cache(maxsize=1 << 14)(debate_key)


def _document(r) -> tantivy.Document:
    """An item's document (``r``: a row of _ITEMS_SQL, its columns in that order). Built by the
    ``add_*`` methods rather than keywords (a third of the Python cost of a feed's documents went
    to converting keyword values), the same fields and values."""
    item, speech_id, debate_id, kind, day, person_id, party, department, batch, body, element, heading_id = r
    doc = tantivy.Document()
    doc.add_integer("item", int(item))
    doc.add_integer("debate_key", _group_key(debate_id))
    result = result_id(speech_id, element, heading_id)
    grouped = result != speech_id                           # a question group's key recurs: cached
    doc.add_integer("result", _group_key(result) if grouped else debate_key(speech_id))
    doc.add_integer("question_group", int(grouped))
    doc.add_text("kind", kind)
    doc.add_integer("date", _day(day))
    doc.add_integer("batch", int(batch or 0))
    text = unpack_text(body)                                # the words to index: the packed body's text
    doc.add_text("stem", text)
    doc.add_text("exact", text)
    if person_id is not None:
        doc.add_integer("person", int(person_id))
    if party:
        doc.add_text("party", party)
    if department:
        doc.add_text("department", department)
    return doc


class _FileLock:
    """Only one process writes the index at a time (tantivy's own lock would refuse the second)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.fd = None

    def __enter__(self):
        if self.path is not None:
            self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


_OPEN: dict[str, SearchIndex] = {}
_OPEN_LOCK = threading.Lock()


def for_engine(engine: Engine) -> SearchIndex:
    """The index of this engine's database, opened once per process."""
    key = str(index_dir(engine) or f"memory:{id(engine)}")
    with _OPEN_LOCK:
        found = _OPEN.get(key)
        if found is None:
            found = _OPEN[key] = SearchIndex(index_dir(engine))
        return found


def current(conn: Connection) -> SearchIndex:
    """The index, brought up to date with what the database has committed (a cheap check when it is)."""
    index = for_engine(conn.engine)
    head = database_marks(conn)
    if head != index.marks:
        index.sync(conn.engine)
    return index


def sync(engine: Engine) -> bool:
    """Apply to the index whatever the database has committed since it last looked (ingest calls
    this after loading; a search does too when it finds the index behind)."""
    return for_engine(engine).sync(engine)

