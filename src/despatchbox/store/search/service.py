"""Running a search on either backend: filters, ordering, totals, pages, grouping, and turning
matched ids into :class:`SearchHit` facts (speaker and membership, debate, department slug, snippet);
the surfaces name them (``web.search_hits``)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Connection, Date, and_, bindparam, or_, select, text, tuple_

from ...attribute import departments as dept_registry
from ..queries.speakers import membership_columns, membership_of
from ..schema import debates, headings, memberships, people, speeches
from . import budget, postgres_fts, query_language as ql, tantivy_index, tantivy_search
from .highlight import exact_ranges, snippet
from .model import FilterOptions, QuestionContext, SearchHit, SearchQuery, SearchResults, item_type

#: characters of a written question shown above its answer
QUESTION_CHARS = 400


def backend(conn: Connection):
    """The module implementing search for this connection's database: PostgreSQL's own full text,
    or on SQLite the tantivy index beside the database."""
    return postgres_fts if conn.dialect.name == "postgresql" else tantivy_search


# --- filters ------------------------------------------------------------------------------------

def known_department(slug: str) -> None:
    """Raise QueryError for a department slug the registry does not know."""
    if dept_registry.by_slug(slug) is None:
        raise ql.QueryError(f"No department {slug!r}.")


def _filters(conn: Connection, query: SearchQuery) -> tuple[list[str], dict, list]:
    """SQL conditions on ``search_items i`` for the query's typed filters, their parameters and bindparams."""
    where: list[str] = []
    params: dict[str, Any] = {}
    binds: list[BindParameter[Any]] = []
    if query.person_id is not None:
        where.append("i.person_id = :f_person")
        params["f_person"] = int(query.person_id)
    if query.party_codes:
        where.append("i.membership_id IN (SELECT id FROM memberships WHERE party IN :f_parties)")
        params["f_parties"] = list(query.party_codes)
        binds.append(bindparam("f_parties", expanding=True))
    if query.department_slug:
        known_department(query.department_slug)
        where.append("i.debate_id IN (SELECT id FROM debates WHERE department_slug = :f_department)")
        params["f_department"] = query.department_slug
    if query.kinds:
        where.append("i.kind IN :f_kinds")
        params["f_kinds"] = list(query.kinds)
        binds.append(bindparam("f_kinds", expanding=True))
    if query.date_from:
        where.append("i.date >= :f_from")
        params["f_from"] = query.date_from
        binds.append(bindparam("f_from", type_=Date))
    if query.date_to:
        where.append("i.date <= :f_to")
        params["f_to"] = query.date_to
        binds.append(bindparam("f_to", type_=Date))
    if query.since_batch is not None:
        where.append("i.speech_id IN (SELECT s.id FROM speeches s JOIN source_files f ON f.id = s.file_id "
                     "WHERE f.batch > :f_batch)")
        params["f_batch"] = int(query.since_batch)
    return where, params, binds


# --- the search ---------------------------------------------------------------------------------

def search(conn: Connection, query: SearchQuery) -> SearchResults:
    """Run one search. Raises :class:`QueryError` (a message for the user) for a query that cannot run.

    Relevance is worked out only where it is needed: a page by relevance ranks the matches once
    (as the bare full-text query would) and counts them on the way; a page by date orders the
    matches by date and ranks only the page's own items.

    The work is bounded (:mod:`.budget`): a search over its time budget raises ``OverBudget``,
    a QueryError that says how to narrow it.
    """
    parsed = ql.parse(query.text)
    impl = backend(conn)
    if impl is tantivy_search:
        index = tantivy_index.current(conn)      # catching up after an ingest is not the query's cost
        with budget.guard(conn):
            rows, total, total_debates = tantivy_search.search(conn, parsed, query, index)
            budget.check()
            hits = _hydrate(conn, impl, parsed, rows)
        return SearchResults(query=query, understood_as=parsed.describe(), total=total, hits=hits,
                             notices=parsed.notices, total_debates=total_debates)
    with budget.guard(conn):
        return _search_sql(conn, impl, parsed, query)


def _search_sql(conn: Connection, impl, parsed: ql.ParsedQuery, query: SearchQuery) -> SearchResults:
    where, fparams, binds = _filters(conn, query)
    stmt = _Statements(impl, parsed, where, fparams, binds)
    if query.group_by_debate:
        rows, total, total_debates = _grouped(conn, stmt, query)
    else:
        total_debates = None
        if query.sort == "date":
            rows, total = stmt.page_by_date(conn, query.limit, query.offset)
        else:
            rows, total = stmt.page_by_relevance(conn, query.limit, query.offset)
    budget.check()
    found = _hydrate(conn, impl, parsed, rows)
    return SearchResults(query=query, understood_as=parsed.describe(), total=total, hits=found,
                         notices=parsed.notices, total_debates=total_debates)


class _Statements:
    """The SQL of one search: matches (unscored), hits (scored), filters on ``search_items i``."""

    def __init__(self, impl, parsed: ql.ParsedQuery, where: list[str], params: dict, binds: list):
        self.matches, match_params = impl.hits_sql(parsed, scored=False, prefix="m")
        self.hits, self.hit_params = impl.hits_sql(parsed, scored=True, prefix="s")
        self.params = {**match_params, **self.hit_params, **params}
        self.binds = binds
        self.where = where
        self.condition = " AND ".join(where) or "1 = 1"

    def run(self, conn: Connection, sql: str, **extra):
        budget.check()          # a statement is held to the budget by the database; between them, here
        return conn.execute(text(sql).bindparams(*self.binds), {**self.params, **extra}).mappings().all()

    def count(self, conn: Connection) -> int:
        """Matching results (a written question and its answer are one: ``search_items.result_id``)."""
        if self.where:
            sql = (f"WITH m AS MATERIALIZED ({self.matches}) SELECT count(DISTINCT m.result) AS n FROM m "
                   f"JOIN search_items i ON i.id = m.doc WHERE {self.condition}")
        else:
            sql = f"WITH m AS MATERIALIZED ({self.matches}) SELECT count(DISTINCT result) AS n FROM m"
        return int(self.run(conn, sql)[0]["n"])

    def found(self, source: str, columns: str) -> str:
        """The CTE ``f``: the matches of ``source`` (a CTE of hits) that pass the filters."""
        if self.where:
            cols = ", ".join(f"{source}.{c.strip()}" for c in columns.split(","))
            return (f"f AS MATERIALIZED (SELECT {cols} FROM {source} JOIN search_items i ON i.id = {source}.doc "
                    f"WHERE {self.condition})")
        return f"f AS MATERIALIZED (SELECT {columns} FROM {source})"

    def page_by_relevance(self, conn: Connection, limit: int, offset: int) -> tuple[list, int]:
        """A page of results by relevance (each at its best hit) and the total, in one pass over
        the matches (each common table is computed once: MATERIALIZED)."""
        sql = (f"WITH h AS MATERIALIZED ({self.hits}), {self.found('h', 'doc, result, score')}, "
               f"r AS MATERIALIZED (SELECT result, max(score) AS score FROM f GROUP BY result), "
               f"page AS (SELECT result, score FROM r ORDER BY score DESC, result LIMIT :limit OFFSET :offset) "
               f"SELECT DISTINCT ON (page.score, page.result) f.doc, i.speech_id, page.score, NULL AS in_debate, "
               f"       (SELECT count(*) FROM r) AS total "
               f"FROM page JOIN f ON f.result = page.result AND f.score = page.score "
               f"JOIN search_items i ON i.id = f.doc ORDER BY page.score DESC, page.result, f.doc")
        rows = self.run(conn, sql, limit=limit, offset=offset)
        return rows, (int(rows[0]["total"]) if rows else self.count(conn))

    def page_by_date(self, conn: Connection, limit: int, offset: int) -> tuple[list, int]:
        """A page of results by date (newest first) and the total; only the page's own items are
        ranked (a result's relevance is its best item's)."""
        sql = (f"WITH m AS MATERIALIZED ({self.matches}), "
               f"f AS MATERIALIZED (SELECT i.id AS doc, m.result, i.date FROM m "
               f"                   JOIN search_items i ON i.id = m.doc WHERE {self.condition}), "
               f"r AS MATERIALIZED (SELECT result, max(date) AS date, min(doc) AS doc FROM f GROUP BY result), "
               f"page AS (SELECT result, date, doc FROM r ORDER BY date DESC, doc LIMIT :limit OFFSET :offset) "
               f"SELECT page.doc, i.speech_id, f.doc AS item, (SELECT count(*) FROM r) AS total "
               f"FROM page JOIN f ON f.result = page.result JOIN search_items i ON i.id = page.doc "
               f"ORDER BY page.date DESC, page.doc")
        found = self.run(conn, sql, limit=limit, offset=offset)
        scores = self.scores(conn, [r["item"] for r in found])
        rows: dict[int, dict] = {}
        for r in found:
            row = rows.setdefault(r["doc"], {"doc": r["doc"], "speech_id": r["speech_id"], "score": 0.0,
                                              "in_debate": None})
            row["score"] = max(row["score"], scores.get(r["item"], 0.0))
        return list(rows.values()), (int(found[0]["total"]) if found else self.count(conn))

    def scores(self, conn: Connection, docs: list[int]) -> dict[int, float]:
        if not docs:
            return {}
        stmt = text(f"WITH h AS ({self.hits}) SELECT h.doc, h.score FROM h WHERE h.doc IN :page_docs"
                    ).bindparams(bindparam("page_docs", expanding=True))
        rows = conn.execute(stmt, {**self.hit_params, "page_docs": docs}).mappings()
        return {r["doc"]: float(r["score"] or 0.0) for r in rows}


def _grouped(conn: Connection, stmt: _Statements, query: SearchQuery) -> tuple[list, int, int]:
    """One hit per debate — its best — with the number of matching results in each debate (a
    question group lies within one debate: its written questions and answers count once)."""
    group_order = "date DESC, doc" if query.sort == "date" else "best DESC, date DESC, doc"
    sql = (f"WITH h AS MATERIALIZED ({stmt.hits}), "
           f"found AS (SELECT i.id AS doc, i.speech_id, i.debate_id, i.date, h.score, "
           f"          row_number() OVER (PARTITION BY h.result ORDER BY h.doc) AS nth_of_result "
           f"          FROM h JOIN search_items i ON i.id = h.doc WHERE {stmt.condition}), "
           f"ranked AS (SELECT found.*, "
           f"           row_number() OVER (PARTITION BY debate_id ORDER BY score DESC, doc) AS rn, "
           f"           count(*) FILTER (WHERE nth_of_result = 1) OVER (PARTITION BY debate_id) AS in_debate, "
           f"           max(score) OVER (PARTITION BY debate_id) AS best FROM found) "
           f"SELECT doc, speech_id, score, in_debate, sum(in_debate) OVER () AS total, "
           f"       count(*) OVER () AS debates_total "
           f"FROM ranked WHERE rn = 1 ORDER BY {group_order} LIMIT :limit OFFSET :offset")
    rows = stmt.run(conn, sql, limit=query.limit, offset=query.offset)
    if rows:
        return rows, int(rows[0]["total"]), int(rows[0]["debates_total"])
    sql = (f"WITH m AS MATERIALIZED ({stmt.matches}) SELECT count(DISTINCT m.result) AS n, "
           f"count(DISTINCT i.debate_id) AS d FROM m JOIN search_items i ON i.id = m.doc WHERE {stmt.condition}")
    row = stmt.run(conn, sql)[0]
    return [], int(row["n"]), int(row["d"])


# --- from ids to hits ---------------------------------------------------------------------------

def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


#: written questions and answers (the elements that make question groups)
_WRITTEN = ("ques", "reply")
_PAGE = speeches.alias("page")

#: the rows behind a page of hits, with the other written questions and answers of their question
#: groups (built once: SQLAlchemy caches its compiled form; (debate_id, position) is indexed)
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
    .where(or_(speeches.c.id.in_(bindparam("ids", expanding=True)),
               and_(speeches.c.element.in_(_WRITTEN),
                    tuple_(speeches.c.debate_id, speeches.c.heading_id).in_(
                        select(_PAGE.c.debate_id, _PAGE.c.heading_id)
                        .where(and_(_PAGE.c.id.in_(bindparam("ids", expanding=True)),
                                    _PAGE.c.element.in_(_WRITTEN)))))))
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


def _hydrate(conn: Connection, impl, parsed: ql.ParsedQuery, rows) -> list[SearchHit]:
    if not rows:
        return []
    rows, by_id, questions = _shown(conn, rows)
    texts = {n: by_id[r["speech_id"]]["text"] for n, r in enumerate(rows) if r["speech_id"] in by_id}
    stemmed = impl.stemmed_ranges(conn, parsed, texts)
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


# --- upkeep -------------------------------------------------------------------------------------

def index_status(conn: Connection) -> dict:
    """How many items the index holds against how many speeches have text (they should agree)."""
    if conn.dialect.name == "sqlite":
        indexed = tantivy_index.current(conn).documents()
    else:
        indexed = conn.exec_driver_sql("SELECT count(*) FROM search_items").scalar_one()
    expected = conn.exec_driver_sql("SELECT count(*) FROM speeches WHERE text <> ''").scalar_one()
    stale = conn.exec_driver_sql("SELECT count(*) FROM search_items i WHERE NOT EXISTS "
                                 "(SELECT 1 FROM speeches s WHERE s.id = i.speech_id)").scalar_one()
    return {"indexed": int(indexed), "speeches_with_text": int(expected), "stale": int(stale)}


def check_index(conn: Connection) -> None:
    """Raises when the full-text index disagrees with what it indexes."""
    if conn.dialect.name == "sqlite":
        held = tantivy_index.current(conn).documents()
        items = int(conn.exec_driver_sql("SELECT count(*) FROM search_items").scalar_one())
        if held != items:
            raise RuntimeError(f"the search index holds {held} items; the database lists {items}")
        return
    postgres_fts.integrity_check(conn)


def rebuild_index(conn: Connection) -> None:
    """Index every speech again (after a bulk load that bypassed the triggers); run in a transaction.
    On SQLite this lists the items again; the index beside the database follows once it commits
    (at the next ingest or search: it finds every item new and rebuilds itself)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DELETE FROM search_items")
        conn.exec_driver_sql(
            "INSERT INTO search_items (speech_id, debate_id, kind, date, person_id, membership_id) "
            "SELECT id, debate_id, kind, date, person_id, membership_id FROM speeches WHERE text <> '' "
            "ORDER BY date, debate_id, position")
        return
    postgres_fts.rebuild(conn)


def sync_index(engine) -> bool:
    """Bring a search index kept outside the database (SQLite's) up to what the database has
    committed; ingest calls it when it has loaded. Nothing to do on PostgreSQL."""
    return tantivy_index.sync(engine)
