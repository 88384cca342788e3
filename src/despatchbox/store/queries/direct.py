"""The pages' fixed statements run straight on the database's driver, with SQLAlchemy's own conversions.

A page runs ten or so small statements built once at import (``select(...)`` with ``bindparam``\\ s).
Through :meth:`Connection.execute`, each costs SQLAlchemy's statement machinery — the compiled cache's
lookup, an execution context, parameters processed into a new dict, a result's metadata, a ``Row``
per row — ~25 µs a statement before SQLite does anything, and much more for an ``IN`` list (the
statement is rendered again for each call: 57 seats of a debate's speakers took 0.23 ms, 14 µs of it
SQLite's). :func:`rows` compiles such a statement once per process and database kind and runs it on
the connection's driver (SQLite's ``sqlite3``; PostgreSQL's psycopg 3, the statement compiled with
positional ``%s`` parameters, which psycopg prepares on the server once it has run a few times): the
values bound are converted by the same bind processors, and the rows read by the same result
processors (dates, packed bodies, ids without their prefix) that SQLAlchemy applies, so callers get
the same values. The connection's transaction is begun first as ``Connection.execute`` would (the
engine's ``begin`` event: SQLite's reader ``BEGIN``), and driver errors are raised as SQLAlchemy's
exceptions, as before.

A statement's LIMIT and OFFSET values are written into its SQL (as SQLAlchemy's literal-execute
parameters are), not bound: PostgreSQL plans a prepared statement once for all values (a generic plan)
only when that plan costs no more than one made for the values, and a LIMIT it cannot see costs as if
it read a tenth of the rows, so a member page's latest speeches and votes were planned again on every
run (0.9 ms of the 4.4 ms PostgreSQL spent on the page at 1M once its statements stayed prepared).
Each value written is a statement of its own, prepared once it runs often.

For a statement this module does not handle (a literal-execute parameter whose value is not an integer,
an empty ``IN`` list), and on any other driver, the statement goes through :meth:`Connection.execute` as
before.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Callable, Mapping

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from ..short_text import PrefixDropped, whole_expression

_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")


#: the placeholder each positional parameter style writes for a value
_PLACEHOLDERS = {"qmark": "?", "format": "%s"}
#: per dialect class, an instance compiling with positional ``%s`` parameters (psycopg's own style
#: is named parameters, which leave no order to bind a list of values in)
_positional_dialects: dict[type, Any] = {}


def _compiling_dialect(dialect: Any) -> Any:
    """The dialect a statement is compiled with for the driver: SQLite's own (``?``); for psycopg,
    one of its class with positional ``%s`` parameters."""
    if dialect.name == "sqlite" and dialect.paramstyle == "qmark":
        return dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        found = _positional_dialects.get(type(dialect))
        if found is None:
            found = _positional_dialects.setdefault(type(dialect), type(dialect)(paramstyle="format"))
        return found
    raise _Unsupported


class _Prepared:
    """A statement compiled for the driver: its SQL in parts around its ``IN`` lists, the parameters in
    order with their defaults and bind processors, and the result's keys and processors."""

    __slots__ = ("parts", "names", "defaults", "expanding", "written", "binders", "keys", "as_tuple", "as_dict",
                 "plain_sql", "placeholder")

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiling = _compiling_dialect(dialect)
        compiled = _limits_written(statement).compile(dialect=compiling)
        self.placeholder = _PLACEHOLDERS[compiling.paramstyle]     # qmark or format: _compiling_dialect's
        names = list(compiled.positiontup or ())
        self.names = names
        binds = [compiled.binds[n] for n in names]
        self.expanding = [bool(b.expanding) for b in binds]
        written_names = {compiled.bind_names[b] for b in getattr(compiled, "literal_execute_params", ())}
        self.written = [n in written_names for n in names]
        self.defaults = [None if b.required else b.effective_value for b in binds]
        self.binders: list[Callable[[Any], Any] | None] = [_bind_processor(b.type, dialect) for b in binds]
        expanding_names = {n for n, e in zip(names, self.expanding) if e}
        if {compiled.bind_names[b] for b in compiled.post_compile_params} - expanding_names:
            raise _Unsupported
        sql = compiled.string
        # the SQL around each IN list and each value written into it, in order: a placeholder is written
        # for each element of a list at run time, and the value itself
        self.parts = _POSTCOMPILE.split(sql)
        if ([p for i, p in enumerate(self.parts) if i % 2]
                != [n for n in names if n in expanding_names or n in written_names]):
            raise _Unsupported
        self.plain_sql = sql if len(self.parts) == 1 else None
        # what a result of the statement is made from (SQLAlchemy reads its keys and types from it too:
        # ``CursorResultMetaData``); not a public attribute, so the tests compare every row it gives
        # with SQLAlchemy's (tests/test_direct_rows.py)
        columns = compiled._result_columns
        self.keys = tuple(c.keyname for c in columns)
        processors = [_result_processor(c.type, dialect) for c in columns]
        self.as_tuple, self.as_dict = _converters(self.keys, processors, [_prefix_of(c.type, dialect) for c in columns])

    def bound(self, params: Mapping[str, Any] | None) -> tuple[str, list[Any]] | None:
        """(SQL, values) for these parameters; None when an IN list is empty (SQLAlchemy writes those)."""
        given = params or {}
        values: list[Any] = []
        slots: list[str] = []           # what each IN list and each written value becomes in the SQL
        for name, default, expanding, written, binder in zip(self.names, self.defaults, self.expanding,
                                                             self.written, self.binders):
            value = given[name] if name in given else default
            if expanding:
                items = list(value) if value is not None else []
                if not items:
                    return None
                slots.append(", ".join([self.placeholder] * len(items)))
                values.extend(map(binder, items) if binder is not None else items)
            elif written:
                if type(value) is not int:      # noqa: E721 - only an integer is written out (not a bool, not text)
                    return None
                slots.append(str(value))
            else:
                values.append(binder(value) if binder is not None else value)
        if self.plain_sql is not None:
            return self.plain_sql, values
        out = [self.parts[0]]
        for n, slot in enumerate(slots):
            out.append(slot)
            out.append(self.parts[2 * n + 2])
        return "".join(out), values


class _Unsupported(Exception):
    pass


def _limits_written(statement: Any) -> Any:
    """The statement with the parameters of its LIMIT and OFFSET clauses (its own and its subqueries')
    made literal-execute: compiled, they are written into the SQL at run time, not bound."""
    limits = {id(clause) for element in visitors.iterate(statement)
              for clause in (getattr(element, "_limit_clause", None), getattr(element, "_offset_clause", None))
              if isinstance(clause, BindParameter)}
    if not limits:
        return statement

    def written(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and id(element) in limits:
            copy = element._clone()
            copy.literal_execute = True
            return copy
        return None
    return visitors.replacement_traverse(statement, {}, written)


def _bind_processor(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The function SQLAlchemy converts a value bound to ``type_`` with on this dialect (None: as it is)."""
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result_processor(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The function SQLAlchemy converts a value read as ``type_`` with on this dialect (None: as it is)."""
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _prefix_of(type_: Any, dialect: Any) -> str | None:
    """The prefix of a column whose values are stored without it (``short_text.PrefixDropped``) when its
    result processor is exactly :func:`short_text.whole` (no processor of its own type under it, and
    ``process_result_value`` not overridden); else None."""
    if (isinstance(type_, PrefixDropped) and type(type_).process_result_value is PrefixDropped.process_result_value
            and _result_processor(type_.impl_instance, dialect) is None):
        return type_.prefix
    return None


def _converters(keys: tuple[str, ...], processors: list, prefixes: list[str | None] | None = None
                ) -> tuple[Callable[[tuple], tuple] | None, Callable[[tuple], dict]]:
    """(a row as the tuple of its converted values — None when no value is converted —, a row as the dict of
    them by key), each one expression made for the statement: per row, one call rather than a loop over
    its processors and a ``zip`` (a debate's 142 speeches: ~0.1 ms less). A column stored without its
    prefix (``prefixes[i]``, :func:`_prefix_of`) is read back by :func:`short_text.whole` written out in
    the expression (:func:`short_text.whole_expression`), not through SQLAlchemy's processor (three calls a value)."""
    prefixes = prefixes or [None] * len(processors)
    values = [(f"(None if (v{i} := r[{i}]) is None else {whole_expression(f'v{i}', f'w{i}')})"
               if prefixes[i] is not None else f"p{i}(r[{i}])" if fn is not None else f"r[{i}]")
              for i, fn in enumerate(processors)]
    scope = {f"p{i}": fn for i, fn in enumerate(processors) if fn is not None and prefixes[i] is None}
    scope.update({f"w{i}": prefix for i, prefix in enumerate(prefixes) if prefix is not None})
    as_tuple = (eval(f"lambda r: ({', '.join(values)},)", scope)  # noqa: S307 (made here from column positions)
                if scope else None)
    as_dict = eval("lambda r: {" + ", ".join(f"{k!r}: {v}" for k, v in zip(keys, values)) + "}", scope)  # noqa: S307
    return as_tuple, as_dict


_prepared: dict[tuple[int, str], tuple[Any, _Prepared | None]] = {}
_lock = threading.Lock()


def _prepare(statement: Any, dialect: Any) -> _Prepared | None:
    key = (id(statement), dialect.name)
    found = _prepared.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    try:
        prepared: _Prepared | None = _Prepared(statement, dialect)
    except _Unsupported:
        prepared = None
    with _lock:
        _prepared[key] = (statement, prepared)                # the statement kept: its id stays its own
    return prepared


def _fast(conn: Connection, statement: Any, params: Mapping[str, Any] | None
          ) -> tuple[_Prepared, list[tuple]] | None:
    """(the prepared statement, its rows as the driver read them); None where it goes through SQLAlchemy."""
    prepared = _prepare(statement, conn.dialect)
    bound = prepared.bound(params) if prepared is not None else None
    if prepared is None or bound is None:
        return None
    sql, values = bound
    if not conn.in_transaction():
        conn.begin()                 # as Connection.execute does: the engine's begin event runs
    driver, dbapi = conn.connection.dbapi_connection, conn.dialect.dbapi
    assert driver is not None and dbapi is not None
    error = dbapi.Error                              # the driver module's (sqlite3's, psycopg's)
    try:
        fetched = driver.execute(sql, values).fetchall()
    except error as exc:
        raise DBAPIError.instance(sql, values, exc, error) from exc
    return prepared, fetched


def rows(conn: Connection, statement: Any, params: Mapping[str, Any] | None = None) -> list[tuple]:
    """Every row of a fixed statement (built once, at import: it is compiled once per process), as
    tuples of the values ``conn.execute(statement, params).all()`` would give."""
    fast = _fast(conn, statement, params)
    if fast is None:
        return [tuple(r) for r in conn.execute(statement, params).all()]
    prepared, found = fast
    convert = prepared.as_tuple
    return found if convert is None else [convert(r) for r in found]


def dicts(conn: Connection, statement: Any, params: Mapping[str, Any] | None = None) -> list[dict]:
    """:func:`rows` as dicts by the result's keys (``[dict(r) for r in result.mappings()]``)."""
    fast = _fast(conn, statement, params)
    if fast is None:
        result = conn.execute(statement, params)
        keys = list(result.keys())
        return [dict(zip(keys, row)) for row in result.all()]
    prepared, found = fast
    return list(map(prepared.as_dict, found))


def first(conn: Connection, statement: Any, params: Mapping[str, Any] | None = None) -> dict | None:
    """The first row of :func:`dicts`, or None (for a statement of one row at most, or a few)."""
    found = dicts(conn, statement, params)
    return found[0] if found else None
