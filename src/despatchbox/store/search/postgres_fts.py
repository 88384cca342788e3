"""PostgreSQL full text: the SQL that finds and ranks matching items, and highlights them.

``search_items`` holds two tsvectors per item (see migration 0002): ``stem`` (the ``english``
configuration: stemmed, stop words dropped) answers words, ``exact`` (``simple``: lower-cased,
nothing dropped) answers "phrases" (``<->``) and prefixes (``:*``). Both have GIN indexes.
Every word reaches the server as a bind parameter of ``plainto_tsquery``/``phraseto_tsquery``
(see ``query_language.to_tsquery_sql``).
"""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, text

from . import query_language as ql
from .highlight import START, STOP

COLUMNS = {ql.STEMMED: "stem", ql.EXACT: "exact"}


def _predicate(plan: ql.Plan, sink: ql.ParamSink) -> str:
    if isinstance(plan, ql.Match):
        return f"i.{COLUMNS[plan.index]} @@ {ql.to_tsquery_sql(plan.node, sink)}"
    if isinstance(plan, ql.NoneOf):
        return f"NOT ({_predicate(plan.part, sink)})"
    joiner = " AND " if isinstance(plan, ql.AllOf) else " OR "
    return "(" + joiner.join(_predicate(p, sink) for p in plan.parts) + ")"


def hits_sql(parsed: ql.ParsedQuery) -> tuple[str, dict]:
    """A SELECT of (doc, score) for every item matching the query: doc is search_items.id,
    score is relevance (ts_rank, higher is better)."""
    sink = ql.ParamSink("m")
    where = _predicate(ql.plan(parsed.root), sink)
    scores = [f"ts_rank(i.{COLUMNS[index]}, {ql.to_tsquery_sql(node, sink)})"
              for index, node in ql.rank_nodes(parsed.root).items()]
    return f"SELECT i.id AS doc, ({' + '.join(scores) or '0'}) AS score FROM search_items i WHERE {where}", sink.params


def raw_sql(parsed: ql.ParsedQuery, limit: int = 20) -> tuple[str, dict] | None:
    """The bare full-text query a benchmark compares against: one column's @@, ranked, LIMIT —
    or None when the query needs both columns."""
    plan = ql.plan(parsed.root)
    if not isinstance(plan, ql.Match):
        return None
    sink = ql.ParamSink("m")
    tsq = ql.to_tsquery_sql(plan.node, sink)
    column = COLUMNS[plan.index]
    return (f"WITH q AS (SELECT {tsq} AS q) SELECT i.id FROM search_items i, q WHERE i.{column} @@ q.q "
            f"ORDER BY ts_rank(i.{column}, q.q) DESC LIMIT {int(limit)}", sink.params)


def marked_texts(conn: Connection, parsed: ql.ParsedQuery, item_ids: list[int]) -> dict[int, list[str]]:
    """For each item, its whole text with the matched (stemmed) words between START and STOP.
    Exact phrases and prefixes are marked by ``highlight.exact_ranges``, the same on both backends."""
    out: dict[int, list[str]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    options = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
    node = ql.rank_nodes(parsed.root).get(ql.STEMMED)
    if node is not None:
        sink = ql.ParamSink("m")
        tsq = ql.to_tsquery_sql(node, sink)
        config = ql.PG_CONFIGS[ql.STEMMED]
        stmt = text(f"SELECT i.id AS doc, ts_headline('{config}', s.text, {tsq}, :options) AS marked "
                    f"FROM search_items i JOIN speeches s ON s.id = i.speech_id WHERE i.id IN :ids"
                    ).bindparams(bindparam("ids", expanding=True))
        for row in conn.execute(stmt, {**sink.params, "options": options, "ids": item_ids}):
            out[row.doc].append(row.marked)
    return out


def integrity_check(conn: Connection) -> None:
    """Nothing to check beyond what the catalog guarantees (tsvectors live in the rows)."""


def rebuild(conn: Connection) -> None:
    """Re-index every speech from scratch (after a bulk load that bypassed the triggers)."""
    conn.exec_driver_sql("DELETE FROM search_items")
    conn.exec_driver_sql(
        "INSERT INTO search_items (speech_id, debate_id, kind, date, person_id, membership_id, stem, exact) "
        "SELECT id, debate_id, kind, date, person_id, membership_id, "
        "to_tsvector('english', regexp_replace(text, '[[:punct:]]+', ' ', 'g')), "
        "to_tsvector('simple', regexp_replace(text, '[[:punct:]]+', ' ', 'g')) "
        "FROM speeches WHERE text <> '' ORDER BY date, debate_id, position")
