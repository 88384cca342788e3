"""Where the page routes run: one page at a time per worker process on SQLite.

A page route is plain (synchronous) Python that reads the store and renders a template; FastAPI runs
such a route in anyio's thread pool, up to 40 at once. On SQLite every bit of that work is Python
holding the GIL (the database is in the process), so pages rendered side by side in one process do
not finish sooner: they take turns on the GIL, and the turns cost CPU. Under load over HTTP
(bench/pages.py, 2 workers, 8 connections) a page cost ~6.3 ms of CPU with the default pool and
~5.2 ms with one page thread per process (docs/benchmarks.md, "Pages").

:func:`page_router` makes the routers of the pages (``web/pages/``): each synchronous route is run
in a worker thread as before, but under this module's own limiter — :data:`SQLITE_PAGE_THREADS` at a
time on SQLite, and the thread pool's default on PostgreSQL, where a page waits on the server part of
its time. Requests still never block the event loop; static files, cached pages, the API and search
do not wait for pages. The route's parameters, status, headers and body are exactly as before.
"""
from __future__ import annotations

import asyncio
import inspect
import weakref
from functools import partial
from typing import Any, Callable

import anyio
import anyio.to_thread
from fastapi import APIRouter
from fastapi.routing import APIRoute

#: page routes run at once per worker process on SQLite
SQLITE_PAGE_THREADS = 1

#: page routes run at once per process (None: the thread pool's default limiter); see :func:`configure`
_tokens: int | None = None
_limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def configure(engine) -> None:
    """Size the page limiter for the store the app serves (called by ``create_app``)."""
    global _tokens
    _tokens = SQLITE_PAGE_THREADS if engine is not None and engine.dialect.name == "sqlite" else None


def page_limiter() -> anyio.CapacityLimiter | None:
    """The running event loop's page limiter (None: the default one). One per loop, since a limiter
    belongs to the loop it was made in (a test client runs a loop per request)."""
    if _tokens is None:
        return None
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None or found.total_tokens != _tokens:
        found = _limiters[loop] = anyio.CapacityLimiter(_tokens)
    return found


def in_page_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """An async route that runs the synchronous ``endpoint`` in a worker thread under the page limiter.
    FastAPI reads its parameters from ``__signature__`` (annotations resolved here, in the endpoint's
    module); it has no ``__wrapped__``, so FastAPI awaits it instead of sending it to its own pool."""
    signature = inspect.signature(endpoint, eval_str=True)

    async def run(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(partial(endpoint, *args, **kwargs), limiter=page_limiter())

    run.__signature__ = signature  # type: ignore[attr-defined]
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, name, getattr(endpoint, name, None))
    return run


class PageRoute(APIRoute):
    """An APIRoute whose synchronous endpoint runs through :func:`in_page_thread`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_page_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)


def page_router() -> APIRouter:
    """The router a page module declares its routes on."""
    return APIRouter(route_class=PageRoute)


__all__ = ["PageRoute", "SQLITE_PAGE_THREADS", "configure", "in_page_thread", "page_limiter", "page_router"]
