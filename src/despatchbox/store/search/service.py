"""Running a search (tantivy, on both databases) and turning matched ids into :class:`SearchHit` facts
(speaker and membership, debate, department slug, snippet); the surfaces name them
(``web.search_hits``). Keeping the index exact: :mod:`.tantivy_index`."""
from __future__ import annotations

from datetime import date
from typing import Any

from functools import lru_cache

from sqlalchemy import Connection, Dialect, Integer, column, select, table, text

from ...attribute import departments as dept_registry
from ..queries.speakers import membership_columns, membership_of
from ..schema import debates, headings, memberships, people, speeches
from ..short_text import PARLPARSE_ID, whole_sql
from . import budget, index_marks, query_language as ql, tantivy_index, tantivy_search
from .highlight import exact_ranges, snippet
from .stemmed_words import stemmed_ranges
from .model import FilterOptions, QuestionContext, SearchHit, SearchQuery, SearchResults, item_type

#: characters of a written question shown above its answer
QUESTION_CHARS = 400


# --- filters ------------------------------------------------------------------------------------

def known_department(slug: str) -> None:
    """Raise QueryError for a department slug the registry does not know."""
    if dept_registry.by_slug(slug) is None:
        raise ql.QueryError(f"No department {slug!r}.")


# --- the search ---------------------------------------------------------------------------------

def search(conn: Connection, query: SearchQuery) -> SearchResults:
    """Run one search. Raises :class:`QueryError` (a message for the user) for a query that cannot run.

    The engine is tantivy on both databases (:mod:`.tantivy_search`): filters are clauses of the
    query (applied before ranking), a page by relevance looks only at the documents that can reach
    it, a page by date walks the date field; the database then gives the page's rows.

    The work is bounded (:mod:`.budget`): a search over its time budget raises ``OverBudget``,
    a QueryError that says how to narrow it. It runs within a deadline, looked at between steps;
    its one statement reads a page's rows by primary key (bounded by the page's size), so the
    database is not asked to hold it to the budget (``budget.guard``: on PostgreSQL four round
    trips of a savepoint and a statement_timeout, a third of a search's time at 20k).
    """
    parsed = ql.parse(query.text)
    index = tantivy_index.current(conn)      # catching up after an ingest is not the query's cost
    with budget.deadline():
        budget.check()
        rows, totals = tantivy_search.search(conn, parsed, query, index)
        budget.check()
        hits = _hydrate(conn, parsed, rows)
    return SearchResults(query=query, understood_as=parsed.describe(), total=totals.results, hits=hits,
                         notices=parsed.notices, total_debates=totals.debates,
                         total_is_estimate=totals.results_estimated,
                         total_debates_is_estimate=totals.debates_estimated)


# --- from ids to hits ---------------------------------------------------------------------------

def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


#: written questions and answers (the elements that make question groups)
_WRITTEN = ("ques", "reply")
#: the listed items (search_items: ids as the index holds them)
_ITEMS = table("search_items", column("id", Integer), column("speech_id"))

#: the speeches of some items (the page's, and their question groups'), with what a hit shows: one
#: statement, by primary key (built once: SQLAlchemy caches its compiled form)
_HIT_ROWS = (
    select(_ITEMS.c.id.label("item"), speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind,
           speeches.c.date, speeches.c.element, speeches.c.speaker_name, speeches.c.speaker_office,
           speeches.c.person_id, speeches.c.position, speeches.c.text,
           debates.c.title.label("debate_title"), debates.c.department_slug,
           headings.c.title.label("heading_title"),
           people.c.name.label("person_name"), people.c.slug.label("person_slug"),
           *membership_columns())
    .select_from(_ITEMS.join(speeches, speeches.c.id == _ITEMS.c.speech_id)
                 .join(debates, debates.c.id == speeches.c.debate_id)
                 .outerjoin(headings, headings.c.id == speeches.c.heading_id)
                 .outerjoin(people, people.c.id == speeches.c.person_id)
                 .outerjoin(memberships, memberships.c.id == speeches.c.membership_id))
    .where(text("search_items.id IN (__ITEMS__)")))


@lru_cache(maxsize=4)
def _hit_rows_sql(dialect: Dialect) -> tuple[str, list[str], list[tuple[int, str, Any]], Any]:
    """``_HIT_ROWS`` as this database's SQL (the item ids, integers, to be written in), the names of
    its columns, what turns a value read into its column's type (as SQLAlchemy would: a date; the
    columns that need it, by position) and what does it for the text (a packed SQLite body). Run by
    the driver: the ids written in, not bound, cost nothing to expand, and the rows are plain tuples."""
    columns = list(_HIT_ROWS.selected_columns)
    keys = [str(c.key) for c in columns]
    processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    converted = [(n, k, p) for n, (k, p) in enumerate(zip(keys, processors)) if p is not None and k != "text"]
    return str(_HIT_ROWS.compile(dialect=dialect)), keys, converted, processors[keys.index("text")]


class _HitRow(dict):
    """A hit row whose text is unpacked when first read (a question group's other items are read
    for their places in it, seldom for their text)."""

    def __missing__(self, key: str):
        if key != "text":
            raise KeyError(key)
        value, unpack = self["_text"]
        self["text"] = value = unpack(value) if unpack is not None and value is not None else value
        return value


def _hit_rows(conn: Connection, items: list[int]) -> list[_HitRow]:
    """The rows of these items, read on the connection's own cursor: SQLAlchemy's result machinery
    cost a third as much as the statement (0.08 of 0.22 ms for a page at 20k); the connection is
    in its transaction already (the index's marks were read on it)."""
    sql, keys, converted, unpack = _hit_rows_sql(conn.dialect)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql.replace("__ITEMS__", ", ".join(str(int(i)) for i in items)))
        found = cursor.fetchall()
    finally:
        cursor.close()
    out = []
    for row in found:
        r = _HitRow(zip(keys, row))
        for n, key, convert in converted:
            if row[n] is not None:
                r[key] = convert(row[n])
        r["_text"] = (r.pop("text"), unpack)
        out.append(r)
    return out


def _shown(conn: Connection, rows) -> tuple[list[dict], dict, dict]:
    """The page's rows with each result shown by its answer (``speech_id`` set: the speech shown);
    the hit rows read (by speech id); and the questions of the answers shown. A written question
    that matched (on its own, or better than its answer) stands for its question group, shown as
    the group's first answer with the question above it (``SearchHit.question``); an unanswered
    question is shown as itself. One statement reads the page's items and their question groups'
    (the index lists a group's items: ``tantivy_search._rows``)."""
    rows = [dict(r) for r in rows]
    wanted = {r["doc"] for r in rows}.union(*(r["group"] for r in rows))
    by_item: dict[int, Any] = {}
    by_id: dict[str, Any] = {}
    groups: dict[tuple, list] = {}               # (debate, heading) → its questions and answers, in order
    for r in _hit_rows(conn, sorted(wanted)):
        by_item[r["item"]] = by_id[r["id"]] = r
        if r["element"] in _WRITTEN and r["heading_id"]:
            groups.setdefault((r["debate_id"], r["heading_id"]), []).append(r)
    for members in groups.values():
        members.sort(key=lambda m: m["position"])
    for r in rows:
        s = by_item.get(r["doc"])
        r["speech_id"] = s["id"] if s is not None else None
        if s is not None and s["element"] == "ques":
            answers = [a for a in groups.get((s["debate_id"], s["heading_id"]), []) if a["element"] == "reply"]
            if answers:
                r["speech_id"] = answers[0]["id"]
    questions = {}
    for r in rows:
        s = by_id.get(r["speech_id"])
        if s is not None and s["element"] == "reply":
            asked = [q for q in groups.get((s["debate_id"], s["heading_id"]), [])
                     if q["element"] == "ques" and q["position"] < s["position"]]
            if asked:
                questions[s["id"]] = _question(asked[0])
    return rows, by_id, questions


def _question(qn) -> QuestionContext:
    """A written question as its answer shows it: who asked, and its first ``QUESTION_CHARS`` characters."""
    body = " ".join(qn["text"].split())
    if len(body) > QUESTION_CHARS:
        body = body[:QUESTION_CHARS].rsplit(" ", 1)[0] + " …"
    return QuestionContext(id=qn["id"], person_id=qn["person_id"], name=qn["person_name"] or qn["speaker_name"],
                           text=body)


def _hydrate(conn: Connection, parsed: ql.ParsedQuery, rows) -> list[SearchHit]:
    if not rows:
        return []
    rows, by_id, questions = _shown(conn, rows)
    texts = {n: by_id[r["speech_id"]]["text"] for n, r in enumerate(rows) if r["speech_id"] in by_id}
    stemmed = stemmed_ranges(conn, parsed, texts)
    exact = [leaf for leaf in parsed.positive_leaves() if leaf.index == ql.EXACT]
    phrases = [leaf.words for leaf in exact if isinstance(leaf, ql.Phrase)]
    prefixes = [leaf.word for leaf in exact if isinstance(leaf, ql.Term)]
    out = []
    for n, r in enumerate(rows):
        budget.check()                        # snippets are work too: the budget covers them
        s = by_id.get(r["speech_id"])
        if s is None:                         # deleted between the two queries by a concurrent ingest
            continue
        title = s["debate_title"] or ""
        heading = s["heading_title"] if s["heading_title"] and s["heading_title"] != title else None
        out.append(SearchHit(
            id=s["id"], debate_id=s["debate_id"], heading_id=s["heading_id"], kind=s["kind"], element=s["element"],
            item_type=item_type(s["kind"], s["element"]), date=_as_date(s["date"]), person_id=s["person_id"],
            person_slug=s["person_slug"], person_name=s["person_name"], speaker_name=s["speaker_name"],
            membership=membership_of(s), speaker_office=s["speaker_office"], title=title, heading=heading,
            department_slug=s["department_slug"],
            snippet=snippet(s["text"], stemmed.get(n, []) + exact_ranges(s["text"], phrases, prefixes)),
            score=float(r["score"] or 0.0), question=questions.get(s["id"]),
            hits_in_debate=int(r["in_debate"]) if r["in_debate"] is not None else None))
    return out


# --- what the filters can be set to ------------------------------------------------------------

def filter_options(conn: Connection) -> FilterOptions:
    """The department slugs and party codes present in the index, for a search form's choices: of the
    departments and the members data's parties (a few dozen), those the index holds, asked of it
    once each time what it holds changes (~15 ms at 3M contributions). Every search page asks;
    reading the items' memberships in SQL instead cost 3.3 s at 3M on SQLite, every time."""
    slugs = conn.exec_driver_sql("SELECT slug FROM departments").scalars().all()
    codes = conn.exec_driver_sql("SELECT DISTINCT party FROM memberships WHERE party IS NOT NULL").scalars().all()

    def held(searcher) -> FilterOptions:
        return FilterOptions(department_slugs=sorted(tantivy_search.values_held(searcher, "department", slugs)),
                             party_codes=sorted(tantivy_search.values_held(searcher, "party", codes)))
    return tantivy_index.current(conn).remembered(f"filter_options {slugs} {codes}", held)


# --- upkeep (the same on both databases) --------------------------------------------------------

def index_status(conn: Connection) -> dict:
    """How many items the index holds against how many speeches have text (they should agree)."""
    indexed = tantivy_index.current(conn).documents()
    expected = conn.exec_driver_sql("SELECT count(*) FROM speeches WHERE text <> ''").scalar_one()
    if conn.dialect.name == "sqlite":       # search_items is a view of the keys whose speech is held (0022)
        stale_sql = (f"SELECT count(*) FROM {index_marks.SQLITE_ITEM_KEYS} k WHERE NOT EXISTS (SELECT 1 FROM "
                     f"speeches s WHERE s.id = {whole_sql('k.speech', PARLPARSE_ID)})")
        stale = conn.exec_driver_sql(stale_sql).scalar_one()
    else:                                   # the item id is held in the speech's row (0031): never stale
        stale = 0
    return {"indexed": int(indexed), "speeches_with_text": int(expected), "stale": int(stale)}


def check_index(conn: Connection) -> None:
    """Raises when the search index disagrees with the database's list of items."""
    held = tantivy_index.current(conn).documents()
    table = index_marks.SQLITE_ITEM_KEYS if conn.dialect.name == "sqlite" else "search_items"
    items = int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    if held != items:
        raise RuntimeError(f"the search index holds {held} items; the database lists {items}")


def rebuild_index(conn: Connection) -> None:
    """List every speech with text again (after a bulk load that bypassed the triggers); run in a
    transaction. The index outside the database follows once it commits (at the next ingest or
    search: the list has a new installation id, so it rebuilds itself)."""
    index_marks.list_items_again(conn)


def sync_index(engine) -> bool:
    """Bring the search index outside the database up to what the database has committed; ingest
    calls it when it has loaded, a search when it finds the index behind."""
    return tantivy_index.sync(engine)
