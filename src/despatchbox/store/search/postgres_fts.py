"""PostgreSQL full text: the SQL that finds and ranks matching items, and highlights them.

``search_items`` holds two tsvectors per item (see migration 0002): ``stem`` (the ``english``
configuration: stemmed, stop words dropped) answers words, ``exact`` (``simple``: lower-cased,
nothing dropped) answers "phrases" (``<->``) and prefixes (``:*``). Both have GIN indexes.
``result_id`` is the result an item belongs to (migration 0014): a written question and its
answer share their question group's heading id; anything else is its own speech id.
Every word reaches the server as a bind parameter of ``plainto_tsquery``/``phraseto_tsquery``
(see ``to_tsquery_sql``).
"""
from __future__ import annotations

from sqlalchemy import Connection, text

from . import query_language as ql
from . import query_plan as qp
from .highlight import words_starting

COLUMNS = {ql.STEMMED: "stem", ql.EXACT: "exact"}

#: the result a row of speeches ``{r}`` belongs to (as migration 0014's trigger computes it;
#: ``tantivy_index.result_id`` is the same rule)
RESULT_ID = ("CASE WHEN {r}.element IN ('ques', 'reply') AND {r}.heading_id IS NOT NULL "
             "THEN {r}.heading_id ELSE {r}.id END")

#: text-search configurations of the two PostgreSQL indexes
PG_CONFIGS = {ql.STEMMED: "english", ql.EXACT: "simple"}


class ParamSink:
    """Collects bind parameters under generated names (:q0, :q1 …)."""

    def __init__(self, prefix: str = "q"):
        self.prefix = prefix
        self.params: dict[str, object] = {}

    def add(self, value) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def to_tsquery_sql(node: ql.Node, sink: ParamSink) -> str:
    """A SQL expression of type tsquery for a node whose leaves all belong to one index.

    Words go in as bind parameters of ``plainto_tsquery``/``phraseto_tsquery`` (which never read
    operators); a prefix is a quoted lexeme built with ``quote_literal`` before ``:*``.
    """
    if isinstance(node, ql.Term):
        config = PG_CONFIGS[node.index]
        if node.prefix:
            return f"to_tsquery('{config}', quote_literal({sink.add(node.word)}) || ':*')"
        return f"plainto_tsquery('{config}', {sink.add(node.word)})"
    if isinstance(node, ql.Phrase):
        return f"phraseto_tsquery('{PG_CONFIGS[node.index]}', {sink.add(' '.join(node.words))})"
    if isinstance(node, ql.Or):
        return "(" + " || ".join(to_tsquery_sql(i, sink) for i in node.items) + ")"
    if isinstance(node, ql.Not):
        return f"(!! {to_tsquery_sql(node.item, sink)})"
    return "(" + " && ".join(to_tsquery_sql(i, sink) for i in node.items) + ")"


def _predicate(plan: qp.Plan, sink: ParamSink) -> str:
    if isinstance(plan, qp.Match):
        return f"i.{COLUMNS[plan.index]} @@ {to_tsquery_sql(plan.node, sink)}"
    if isinstance(plan, qp.NoneOf):
        return f"NOT ({_predicate(plan.part, sink)})"
    joiner = " AND " if isinstance(plan, qp.AllOf) else " OR "
    return "(" + joiner.join(_predicate(p, sink) for p in plan.parts) + ")"


def hits_sql(parsed: ql.ParsedQuery, scored: bool = True, prefix: str = "m") -> tuple[str, dict]:
    """A SELECT of (doc, result, score) for every item matching the query: doc is search_items.id,
    result the result it belongs to (``search_items.result_id``: a written question and its answer
    are one), score is relevance (ts_rank, higher is better) — or 0 when not ``scored``, which is much
    cheaper when only the count or the order by date is wanted. Parameters are named prefix0, …"""
    sink = ParamSink(prefix)
    where = _predicate(qp.plan(parsed.root), sink)
    scores = [f"ts_rank(i.{COLUMNS[index]}, {to_tsquery_sql(node, sink)})"
              for index, node in (qp.rank_nodes(parsed.root) if scored else {}).items()]
    return (f"SELECT i.id AS doc, i.result_id AS result, ({' + '.join(scores) or '0'}) AS score "
            f"FROM search_items i WHERE {where}", sink.params)


def raw_sql(parsed: ql.ParsedQuery, limit: int = 20) -> tuple[str, dict] | None:
    """The bare full-text query a benchmark compares against: one column's @@, ranked, LIMIT —
    or None when the query needs both columns."""
    plan = qp.plan(parsed.root)
    if not isinstance(plan, qp.Match):
        return None
    sink = ParamSink("m")
    tsq = to_tsquery_sql(plan.node, sink)
    column = COLUMNS[plan.index]
    return (f"WITH q AS (SELECT {tsq} AS q) SELECT i.id FROM search_items i, q WHERE i.{column} @@ q.q "
            f"ORDER BY ts_rank(i.{column}, q.q) DESC LIMIT {int(limit)}", sink.params)


_LEXEMES = text("SELECT w AS word, array_to_string(tsvector_to_array(to_tsvector('english', w)), ' ') AS lexemes "
                 "FROM unnest(CAST(:words AS text[])) AS w")


def stemmed_ranges(conn: Connection, parsed: ql.ParsedQuery, texts: dict[int, str]) -> dict[int, list]:
    """For each item (id → its text), where the query's stemmed words match: the words of the text
    whose ``english`` lexemes are the query words' lexemes (one round trip for all the words that
    could be; a word and its stem share their first two letters). Exact phrases and prefixes are
    found by ``highlight.exact_ranges`` on both backends."""
    out: dict[int, list] = {doc: [] for doc in texts}
    node = qp.rank_nodes(parsed.root).get(ql.STEMMED)
    if node is None or not texts:
        return out
    wanted = sorted({w for leaf in ql.leaves(node) for w in (leaf.words if isinstance(leaf, ql.Phrase) else (leaf.word,))})
    heads = {w[:2] for w in wanted}
    words_of = {doc: words_starting(body, heads) for doc, body in texts.items()}
    candidates = sorted({w for found in words_of.values() for _s, _e, w in found} | set(wanted))
    lexemes = {r.word: set(r.lexemes.split()) for r in conn.execute(_LEXEMES, {"words": candidates})}
    targets = set().union(*(lexemes.get(w, set()) for w in wanted))
    for doc, found in words_of.items():
        out[doc] = [(start, end) for start, end, w in found if lexemes.get(w, set()) & targets]
    return out


def integrity_check(conn: Connection) -> None:
    """Nothing to check beyond what the catalog guarantees (tsvectors live in the rows)."""


def rebuild(conn: Connection) -> None:
    """Re-index every speech from scratch (after a bulk load that bypassed the triggers)."""
    conn.exec_driver_sql("DELETE FROM search_items")
    conn.exec_driver_sql(
        "INSERT INTO search_items (speech_id, debate_id, kind, date, person_id, membership_id, result_id, stem, exact) "
        "SELECT id, debate_id, kind, date, person_id, membership_id, "
        f"{RESULT_ID.format(r='speeches')}, "
        "to_tsvector('english', regexp_replace(text, '[[:punct:]]+', ' ', 'g')), "
        "to_tsvector('simple', regexp_replace(text, '[[:punct:]]+', ' ', 'g')) "
        "FROM speeches WHERE text <> '' ORDER BY date, debate_id, position")
