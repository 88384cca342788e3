"""How long a search may take, on both databases, and what a search over that time answers.

Every search runs within a :func:`deadline` (``DESPATCHBOX_QUERY_BUDGET_MS``, read by config.py;
2 seconds unless set; 0 turns it off). Statements whose cost is not bounded run inside
:func:`guard`, which gives them that deadline and holds the database to it (a search's own
statement reads a page of rows by primary key: bounded, it runs without; see service.search):

- PostgreSQL: ``statement_timeout`` set locally, inside a savepoint, to what is left of the
  budget; a cancelled statement rolls back to the savepoint (the caller's transaction stays
  usable) and the setting goes back to what it was.
- SQLite: a progress handler on the connection, which interrupts a statement once the deadline
  has passed (every :data:`SQLITE_STEPS` virtual-machine steps it looks at the clock).
- tantivy (SQLite's full text) cannot be interrupted: its work is bounded by the query's
  structure (query_language's limits: words, prefixes, and the words a prefix stands for) and
  :func:`check` looks at the clock between its steps.

A search over its budget raises :class:`OverBudget`, a :class:`~.query_language.QueryError`:
every surface already answers those with the message (a 400 on the web and the API, exit 2 from
the CLI, a tool error over MCP), so an over-budget search is a helpful answer, never a long wait.

A page that runs several searches (an alert's sample runs one per hundred hits) shares one
budget between them: :func:`deadline` around them all; nested deadlines defer to the outer one.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from ...config import settings
from .query_language import QueryError

#: SQLite virtual-machine steps between two looks at the clock
SQLITE_STEPS = 1000
#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled)
QUERY_CANCELED = "57014"

#: (when the budget runs out, on time.monotonic()'s clock; the budget in ms) — None outside a deadline
_current: ContextVar[tuple[float, int] | None] = ContextVar("despatchbox_search_deadline", default=None)

_SHOW_TIMEOUT = text("SELECT current_setting('statement_timeout')")
_SET_TIMEOUT = text("SELECT set_config('statement_timeout', :value, true)")


class OverBudget(QueryError):
    """A search that needed more time than one search may take; the message says how to narrow it."""


def budget_ms() -> int:
    """The time one search may take, in milliseconds (0: no limit)."""
    return settings().query_budget_ms


def over_budget(ms: int) -> OverBudget:
    took = f"{ms / 1000:g} seconds" if ms >= 1000 else f"{ms} ms"
    return OverBudget(f"This search needs more work than one search may do (its time budget is {took}). "
                      "Narrow it: fewer words joined by OR, more letters before each *, "
                      "a phrase in quotes, or a date range, member or department.")


@contextmanager
def deadline(ms: int | None = None) -> Iterator[None]:
    """One budget (``ms``, else the setting) for every search inside; inside another deadline, the outer one counts."""
    if _current.get() is not None:
        yield
        return
    ms = budget_ms() if ms is None else ms
    token = _current.set((time.monotonic() + ms / 1000 if ms > 0 else math.inf, ms))
    try:
        yield
    finally:
        _current.reset(token)


def remaining_ms() -> int | None:
    """What is left of the current budget, in whole milliseconds (at least 1); None: no limit."""
    current = _current.get()
    if current is None or current[0] == math.inf:
        return None
    return max(1, math.ceil((current[0] - time.monotonic()) * 1000))


def check() -> None:
    """Raise :class:`OverBudget` when the current budget is spent (called between steps that no
    database can interrupt)."""
    current = _current.get()
    if current is not None and time.monotonic() > current[0]:
        raise over_budget(current[1])


@contextmanager
def guard(conn: Connection) -> Iterator[None]:
    """Run the body within the budget (see the module's note); raises :class:`OverBudget` when it is spent."""
    with deadline():
        check()
        ends, ms = _current.get() or (math.inf, 0)
        left = remaining_ms()
        if left is None:
            yield
        elif conn.dialect.name == "postgresql":
            with _statement_timeout(conn, left, ms):
                yield
        elif conn.dialect.name == "sqlite":
            with _progress_handler(conn, ends, ms):
                yield
        else:
            yield


@contextmanager
def _statement_timeout(conn: Connection, left: int, ms: int) -> Iterator[None]:
    """``statement_timeout`` = what is left of the budget, local to a savepoint (undone with it)."""
    previous = conn.execute(_SHOW_TIMEOUT).scalar_one()
    try:
        with conn.begin_nested():
            conn.execute(_SET_TIMEOUT, {"value": f"{left}ms"})
            yield
            conn.execute(_SET_TIMEOUT, {"value": previous})
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
            raise over_budget(ms) from None
        raise


@contextmanager
def _progress_handler(conn: Connection, ends: float, ms: int) -> Iterator[None]:
    """A progress handler on the sqlite3 connection that interrupts a statement past ``ends``."""
    raw = conn.connection.driver_connection
    if raw is None:                      # a connection already closed: nothing to hold to the budget
        yield
        return

    def past_deadline() -> int:
        return 1 if time.monotonic() > ends else 0

    raw.set_progress_handler(past_deadline, SQLITE_STEPS)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc.orig):
            raise over_budget(ms) from None
        raise
    finally:
        raw.set_progress_handler(None, SQLITE_STEPS)
