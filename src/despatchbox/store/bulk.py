"""Writing many rows at once, as fast as each backend allows.

SQLite: the driver's ``executemany`` in chunks over plain tuples (one prepared statement, no
round trips), each value through its column type's own bind processor (the same conversion
SQLAlchemy's ``insert`` applies; building its per-row parameter dicts was ~8 % of ingest CPU).
The tuples are built a column at a time (:func:`bound_rows`): each column's values taken from
every row by ``operator.itemgetter``, passed through its processor by ``map``, and the columns
zipped into rows, so that the per-value work runs in C but for the processors themselves
(building them a row at a time, value by value in Python, was ~5 % of the writing process's CPU).
PostgreSQL: ``COPY … FROM STDIN`` on the connection's own transaction, several times
faster than psycopg's pipelined ``executemany`` (which is what SQLAlchemy 2 uses for a
plain INSERT without RETURNING) and far faster than one round trip per row.

Rows are dicts keyed by column name, as for ``conn.execute(insert(table), rows)``;
a column missing from a row takes its scalar default, else NULL. ``values`` may give some columns'
values as lists instead (one value a row, in order), e.g. a value worked out from several keys
of each row, without copying the rows.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Connection, Table

#: rows per executemany call: large enough to amortise, small enough to bound memory
CHUNK = 2000


def _columns_for(table: Table, rows: list[dict], given: Iterable[str] = ()) -> list:
    """Every column a row names (or ``given``), and the others except those the server fills (serial
    ids, server defaults)."""
    keys: set[str] = set(given)
    for r in rows:
        keys.update(r)
    return [col for col in table.columns
            if col.name in keys or not (col is table.autoincrement_column or col.server_default is not None)]


def insert_rows(conn: Connection, table: Table, rows: Iterable[dict],
                values: Mapping[str, Sequence] | None = None, or_ignore: bool = False) -> int:
    """Insert every row (the caller owns the transaction); returns how many were given. ``values``:
    columns whose values are given as lists (one a row) rather than read from the rows.
    ``or_ignore`` (SQLite only): a row whose key is already held is skipped (``INSERT OR IGNORE``)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    values = values or {}
    plan = _bind_plan(conn, table, rows, values)
    if conn.dialect.name == "postgresql":
        if or_ignore:
            raise ValueError("or_ignore is for SQLite: COPY skips no row")
        return _copy_rows(conn, table, plan, bound_rows(plan, rows, values))
    # SQLite, the only other backend ("?" placeholders)
    column_list = ", ".join(f'"{name}"' for name, _d, _p in plan)
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    statement = f'{verb} INTO "{table.name}" ({column_list}) VALUES ({", ".join("?" for _ in plan)})'
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        given = {name: column[start:start + CHUNK] for name, column in values.items()}
        conn.exec_driver_sql(statement, bound_rows(plan, chunk, given))
    return len(rows)


def _default(col):
    return col.default.arg if col.default is not None and getattr(col.default, "is_scalar", False) else None


def _copy_rows(conn: Connection, table: Table, plan: list[tuple], bound: list[tuple]) -> int:
    dbapi = conn.connection.driver_connection
    assert dbapi is not None, "an open connection has its driver's"
    column_list = ", ".join(f'"{name}"' for name, _d, _p in plan)
    schema = f'"{table.schema}".' if table.schema else ""
    with dbapi.cursor() as cur:
        with cur.copy(f'COPY {schema}"{table.name}" ({column_list}) FROM STDIN') as copy:
            for row in bound:
                copy.write_row(row)
    return len(bound)


def _bind_plan(conn: Connection, table: Table, rows: list[dict], values: Mapping[str, Sequence]) -> list[tuple]:
    """(name, default, bind processor) of each column written: the conversion SQLAlchemy's own
    ``insert`` applies (column types such as ``RedirectKey`` and ``PackedText`` store values in
    their own form), for statements that bypass it."""
    return [(c.name, _default(c), c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
            for c in _columns_for(table, rows, values)]


def bound_rows(plan: list[tuple], rows: list[dict], values: Mapping[str, Sequence] | None = None) -> list[tuple]:
    """The rows as the driver takes them: a tuple each, in ``plan``'s column order, every value
    through its column's bind processor (None stays None), built a column at a time."""
    columns = []
    for name, default, process in plan:
        if values and name in values:
            column = list(values[name])
            if len(column) != len(rows):
                raise ValueError(f"{len(column)} values given for column {name!r} of {len(rows)} rows")
        else:
            try:
                column = list(map(itemgetter(name), rows))
            except KeyError:                     # a row without it: its default
                column = [r.get(name, default) for r in rows]
        if process is not None:
            if None in column:                   # identity first: a None is found without comparing
                column = [None if v is None else process(v) for v in column]
            else:
                column = list(map(process, column))
        columns.append(column)
    return list(zip(*columns))
