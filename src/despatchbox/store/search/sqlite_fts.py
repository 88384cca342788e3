"""SQLite FTS5: the SQL that finds and ranks matching items, and highlights them.

Two external-content FTS5 tables index ``search_items`` (see migration 0002):
``search_stem`` (porter) answers words, ``search_exact`` (unstemmed) answers "phrases" and
prefixes. A query's plan (``query_language.plan``) says which table answers which part; every
part goes in as one bound MATCH string rendered by ``query_language.to_fts5``.
"""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, text

from . import query_language as ql
from .highlight import START, STOP, ranges_from_marked

TABLES = {ql.STEMMED: "search_stem", ql.EXACT: "search_exact"}


def _rank_subquery(table: str, placeholder: str, scored: bool = True) -> str:
    score = f"-bm25({table})" if scored else "0"
    return f"SELECT rowid AS doc, {score} AS score FROM {table} WHERE {table} MATCH {placeholder}"


def _predicate(plan: ql.Plan, sink: ql.ParamSink, column: str) -> str:
    if isinstance(plan, ql.Match):
        table = TABLES[plan.index]
        return f"{column} IN (SELECT rowid FROM {table} WHERE {table} MATCH {sink.add(ql.to_fts5(plan.node))})"
    if isinstance(plan, ql.NoneOf):
        return f"NOT ({_predicate(plan.part, sink, column)})"
    joiner = " AND " if isinstance(plan, ql.AllOf) else " OR "
    return "(" + joiner.join(_predicate(p, sink, column) for p in plan.parts) + ")"


def hits_sql(parsed: ql.ParsedQuery, scored: bool = True, prefix: str = "m") -> tuple[str, dict]:
    """A SELECT of (doc, score) for every item matching the query: doc is search_items.id,
    score is relevance (BM25, higher is better) — or 0 when not ``scored``, which is much
    cheaper when only the count or the order by date is wanted. Parameters are named prefix0, …"""
    plan = ql.plan(parsed.root)
    sink = ql.ParamSink(prefix)
    if isinstance(plan, ql.Match):                       # the common case: one table answers it all
        table = TABLES[plan.index]
        return _rank_subquery(table, sink.add(ql.to_fts5(plan.node)), scored), sink.params
    drivers = [p for p in plan.parts if isinstance(p, ql.Match)] if isinstance(plan, ql.AllOf) else []
    if drivers:
        # every part a match must have, one join each (each computed once: a join on an FTS
        # subquery would run it again for every row); the rest as conditions
        ctes, joins, scores = [], [], []
        for n, part in enumerate(drivers):
            sub = _rank_subquery(TABLES[part.index], sink.add(ql.to_fts5(part.node)), scored)
            ctes.append(f"p{n} AS MATERIALIZED ({sub})")
            joins.append(f"p{n}" + (f" ON p{n}.doc = p0.doc" if n else ""))
            scores.append(f"p{n}.score")
        rest = [p for p in plan.parts if p not in drivers]
        where = " AND ".join(_predicate(p, sink, "p0.doc") for p in rest)
        sql = f"WITH {', '.join(ctes)} SELECT p0.doc AS doc, {' + '.join(scores)} AS score FROM {' JOIN '.join(joins)}"
        return sql + (f" WHERE {where}" if where else ""), sink.params
    # OR across both tables, or groups mixing them: test each item, rank by what each table finds
    rank = ql.rank_nodes(parsed.root) if scored else {}
    joins, scores = [], []
    for n, (index, node) in enumerate(rank.items()):
        joins.append(f"LEFT JOIN ({_rank_subquery(TABLES[index], sink.add(ql.to_fts5(node)))}) r{n} "
                     f"ON r{n}.doc = i.id")
        scores.append(f"coalesce(r{n}.score, 0)")
    where = _predicate(plan, sink, "i.id")
    sql = (f"SELECT i.id AS doc, {' + '.join(scores) or '0'} AS score FROM search_items i {' '.join(joins)} "
           f"WHERE {where}")
    return sql, sink.params


def raw_sql(parsed: ql.ParsedQuery, limit: int = 20) -> tuple[str, dict] | None:
    """The bare FTS5 query a benchmark compares against: one table's MATCH, ORDER BY rank, LIMIT —
    or None when the query needs both tables."""
    plan = ql.plan(parsed.root)
    if not isinstance(plan, ql.Match):
        return None
    table = TABLES[plan.index]
    return (f"SELECT rowid FROM {table} WHERE {table} MATCH :m ORDER BY rank LIMIT {int(limit)}",
            {"m": ql.to_fts5(plan.node)})


def stemmed_ranges(conn: Connection, parsed: ql.ParsedQuery, texts: dict[int, str]) -> dict[int, list]:
    """For each item (id → its text), where the query's stemmed words match, as FTS5's highlight()
    finds them. Exact phrases and prefixes are found by ``highlight.exact_ranges`` on both backends."""
    out: dict[int, list] = {doc: [] for doc in texts}
    node = ql.rank_nodes(parsed.root).get(ql.STEMMED)
    if node is None or not texts:
        return out
    table = TABLES[ql.STEMMED]
    stmt = text(f"SELECT rowid AS doc, highlight({table}, 0, :start, :stop) AS marked FROM {table} "
                f"WHERE {table} MATCH :m AND rowid IN :ids").bindparams(bindparam("ids", expanding=True))
    for row in conn.execute(stmt, {"start": START, "stop": STOP, "m": ql.to_fts5(node), "ids": list(texts)}):
        out[row.doc] = ranges_from_marked(row.marked, texts[row.doc])
    return out


def integrity_check(conn: Connection) -> None:
    """Raises if an FTS table disagrees with the content it indexes."""
    for table in TABLES.values():
        conn.exec_driver_sql(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


def rebuild(conn: Connection) -> None:
    """Re-index every speech from scratch (after a bulk load that bypassed the triggers)."""
    for stmt in ("DELETE FROM search_items",
                 "INSERT INTO search_items (speech_id, debate_id, kind, date, person_id, membership_id) "
                 "SELECT id, debate_id, kind, date, person_id, membership_id FROM speeches WHERE text <> '' "
                 "ORDER BY date, debate_id, position",
                 "INSERT INTO search_stem (search_stem) VALUES ('rebuild')",
                 "INSERT INTO search_exact (search_exact) VALUES ('rebuild')"):
        conn.exec_driver_sql(stmt)
