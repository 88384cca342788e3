"""Running a search (tantivy, on both databases) and turning matched ids into :class:`SearchHit` facts
(speaker and membership, debate, department slug, snippet); the surfaces name them
(``web.search_hits``). Keeping the index exact: :mod:`.tantivy_index`."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, union

from ...attribute import departments as dept_registry
from ..queries.speakers import membership_columns, membership_of
from ..schema import debates, headings, memberships, people, speeches
from ..short_text import PARLPARSE_ID, whole_sql
from . import budget, index_marks, query_language as ql, tantivy_index, tantivy_search
from .highlight import exact_ranges, snippet
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
    a QueryError that says how to narrow it.
    """
    parsed = ql.parse(query.text)
    index = tantivy_index.current(conn)      # catching up after an ingest is not the query's cost
    with budget.guard(conn):
        rows, total, total_debates = tantivy_search.search(conn, parsed, query, index)
        budget.check()
        hits = _hydrate(conn, parsed, rows)
    return SearchResults(query=query, understood_as=parsed.describe(), total=total, hits=hits,
                         notices=parsed.notices, total_debates=total_debates)


# --- from ids to hits ---------------------------------------------------------------------------

def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


#: written questions and answers (the elements that make question groups)
_WRITTEN = ("ques", "reply")
_PAGE = speeches.alias("page")

_SAME = speeches.alias("same")
#: the page's speeches and the other written questions and answers of their question groups: a
#: union of two indexed lookups (by primary key; by debate, ix_speeches_debate_speaker) — written as one
#: OR, PostgreSQL read the whole table for it (17 ms of a 21 ms search at 20k)
_WANTED = union(
    select(_PAGE.c.id).where(_PAGE.c.id.in_(bindparam("ids", expanding=True))),
    select(_SAME.c.id)
    .select_from(_PAGE.join(_SAME, and_(_SAME.c.debate_id == _PAGE.c.debate_id,
                                        _SAME.c.heading_id == _PAGE.c.heading_id)))
    .where(and_(_PAGE.c.id.in_(bindparam("ids", expanding=True)), _PAGE.c.element.in_(_WRITTEN),
                _SAME.c.element.in_(_WRITTEN))))

#: the rows behind a page of hits, with the other written questions and answers of their question
#: groups (built once: SQLAlchemy caches its compiled form)
_HIT_ROWS = (
    select(speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
           speeches.c.element, speeches.c.speaker_name, speeches.c.speaker_office, speeches.c.person_id,
           speeches.c.position, speeches.c.text,
           debates.c.title.label("debate_title"), debates.c.department_slug,
           headings.c.title.label("heading_title"),
           people.c.name.label("person_name"), people.c.slug.label("person_slug"),
           *membership_columns())
    .select_from(speeches.join(debates, debates.c.id == speeches.c.debate_id)
                 .outerjoin(headings, headings.c.id == speeches.c.heading_id)
                 .outerjoin(people, people.c.id == speeches.c.person_id)
                 .outerjoin(memberships, memberships.c.id == speeches.c.membership_id))
    .where(speeches.c.id.in_(_WANTED))
    .order_by(speeches.c.debate_id, speeches.c.position))


def _shown(conn: Connection, rows) -> tuple[list[dict], dict, dict]:
    """The page's rows with each result shown by its answer; the hit rows read (by speech id); and
    the questions of the answers shown. A written question that matched (on its own, or better
    than its answer) stands for its question group, shown as the group's first answer with the
    question above it (``SearchHit.question``); an unanswered question is shown as itself. One
    query reads the page's items and their question groups."""
    rows = [dict(r) for r in rows]
    by_id: dict[str, Any] = {}
    groups: dict[tuple, list] = {}               # (debate, heading) → its questions and answers, in order
    for r in conn.execute(_HIT_ROWS, {"ids": [r["speech_id"] for r in rows]}).mappings():
        by_id[r["id"]] = r
        if r["element"] in _WRITTEN and r["heading_id"]:
            groups.setdefault((r["debate_id"], r["heading_id"]), []).append(r)
    for r in rows:
        s = by_id.get(r["speech_id"])
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
    stemmed = tantivy_search.stemmed_ranges(conn, parsed, texts)
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
    """The department slugs and party codes present in the index, for a search form's choices."""
    slugs = conn.exec_driver_sql("SELECT DISTINCT department_slug FROM debates WHERE department_slug IS NOT NULL"
                                 ).scalars().all()
    codes = conn.exec_driver_sql("SELECT DISTINCT m.party FROM memberships m WHERE m.id IN "
                                 "(SELECT DISTINCT membership_id FROM search_items)").scalars().all()
    return FilterOptions(department_slugs=sorted(slugs), party_codes=sorted(c for c in codes if c))


# --- upkeep (the same on both databases) --------------------------------------------------------

def index_status(conn: Connection) -> dict:
    """How many items the index holds against how many speeches have text (they should agree)."""
    indexed = tantivy_index.current(conn).documents()
    expected = conn.exec_driver_sql("SELECT count(*) FROM speeches WHERE text <> ''").scalar_one()
    if conn.dialect.name == "sqlite":       # search_items is a view of the keys whose speech is held (0022)
        stale_sql = (f"SELECT count(*) FROM {index_marks.SQLITE_ITEM_KEYS} k WHERE NOT EXISTS (SELECT 1 FROM "
                     f"speeches s WHERE s.id = {whole_sql('k.speech', PARLPARSE_ID)})")
    else:
        stale_sql = ("SELECT count(*) FROM search_items i WHERE NOT EXISTS "
                     "(SELECT 1 FROM speeches s WHERE s.id = i.speech_id)")
    stale = conn.exec_driver_sql(stale_sql).scalar_one()
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
