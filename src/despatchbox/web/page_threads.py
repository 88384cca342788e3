"""Where the page routes run: one page at a time per worker process on SQLite.

A page route is plain (synchronous) Python that reads the store and renders a template; FastAPI runs
such a route in anyio's thread pool, up to 40 at once. On SQLite every bit of that work is Python
holding the GIL (the database is in the process), so pages rendered side by side in one process do
not finish sooner: they take turns on the GIL, and the turns cost CPU. Under load over HTTP
(bench/pages.py, 2 workers, 8 connections) a page cost ~6.3 ms of CPU with the default pool and
~5.2 ms with one page thread per process (docs/benchmarks.md, "Pages").

:func:`page_router` makes the routers of the pages (``web/pages/``): each synchronous route is run
in a worker thread as before, but in this module's own threads — :data:`SQLITE_PAGE_THREADS` at a
time on SQLite —, and in anyio's pool under its default limiter on PostgreSQL, where a page waits on the server part of
its time. Requests still never block the event loop; static files, cached pages, the API and search
do not wait for pages. The route's parameters, status, headers and body are exactly as before.

A page request without a query string takes a shorter way through FastAPI (:meth:`PageRoute.get_route_handler`):
the page routes take only the request, ``str`` path parameters and query parameters with defaults, so
their arguments are the path's own strings and the defaults — FastAPI's dependency solving and
validation would return exactly those. A request with a query string (``?page=2``, ``?debates_page=x``)
goes through FastAPI's handler as before, so its validation and its errors (a 400 page) are unchanged.
Measured under load over HTTP (docs/benchmarks.md, "6 December 2026 (late morning)").
"""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Callable

import anyio
import anyio.to_thread
from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

#: page routes run at once per worker process on SQLite
SQLITE_PAGE_THREADS = 1

#: page routes run at once per process (None: anyio's thread pool and its default limiter); see :func:`configure`
_tokens: int | None = None
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def configure(engine) -> None:
    """Size the page threads for the store the app serves (called by ``create_app``)."""
    global _tokens
    _tokens = SQLITE_PAGE_THREADS if engine is not None and engine.dialect.name == "sqlite" else None


def page_executor() -> ThreadPoolExecutor | None:
    """The process's page threads: :data:`SQLITE_PAGE_THREADS` on SQLite, made on first use (None
    elsewhere: anyio's pool). An executor is not bound to an event loop, so one serves every loop of
    the process (a test client runs one per request)."""
    global _executor
    tokens = _tokens
    if tokens is None:
        return None
    found = _executor
    if found is None or found._max_workers != tokens:
        with _executor_lock:
            found = _executor
            if found is None or found._max_workers != tokens:
                found = _executor = ThreadPoolExecutor(max_workers=tokens, thread_name_prefix="despatchbox-page")
    return found


def in_page_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """An async route that runs the synchronous ``endpoint`` in a page thread (:func:`page_executor`;
    anyio's pool when there is none). FastAPI reads its parameters from ``__signature__`` (annotations
    resolved here, in the endpoint's module); it has no ``__wrapped__``, so FastAPI awaits it instead of
    sending it to its own pool.

    The page threads are a plain executor, not anyio's pool under a CapacityLimiter: the same one page
    at a time, without the limiter's and the cancel scope's checkpoints (extra turns of the event loop)
    on every page. The request's context variables go with it, as anyio passes them."""
    signature = inspect.signature(endpoint, eval_str=True)

    async def run(*args: Any, **kwargs: Any) -> Any:
        call = partial(endpoint, *args, **kwargs)
        executor = page_executor()
        if executor is None:
            return await anyio.to_thread.run_sync(call)
        return await asyncio.get_running_loop().run_in_executor(executor, contextvars.copy_context().run, call)

    run.__signature__ = signature  # type: ignore[attr-defined]
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, name, getattr(endpoint, name, None))
    return run


#: query parameters' defaults that FastAPI would pass as they are (it deep-copies a default: these are immutable)
_PLAIN_DEFAULTS = (int, str, bool, float, type(None))


def _plain_arguments(route: Any) -> tuple[str | None, tuple[str, ...], dict[str, Any]] | None:
    """(request parameter, path parameters, query defaults) when a request without a query string
    can be answered without FastAPI's dependency solving — the route takes only the request, ``str`` path
    parameters and optional query parameters with plain defaults, declares no response model, status or
    response class of its own — else None (FastAPI's own handler always)."""
    dependant = route.dependant
    if (dependant.dependencies or dependant.header_params or dependant.cookie_params or dependant.body_params
            or dependant.response_param_name or dependant.background_tasks_param_name
            or dependant.websocket_param_name or dependant.http_connection_param_name
            or dependant.security_scopes_param_name or route.body_field is not None
            or route.response_field is not None or route.status_code is not None
            or getattr(route.response_class, "value", None) is None):
        return None
    path = []
    for field in dependant.path_params:
        if field.field_info.annotation is not str or field.alias != field.name:
            return None
        path.append(field.name)
    defaults = {}
    for field in dependant.query_params:
        if field.field_info.is_required() or type(field.default) not in _PLAIN_DEFAULTS:
            return None
        defaults[field.name] = field.default
    return dependant.request_param_name, tuple(path), defaults


class PageRoute(APIRoute):
    """An APIRoute whose synchronous endpoint runs through :func:`in_page_thread`, with a short way
    for requests without a query string (see the module's note)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_page_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        # FastAPI builds a handler for this route and one per router it is included in (the latter from a
        # context holding the included route's dependant; the same routes here, as page routers add nothing).
        # That context is FastAPI's own (0.165): a FastAPI without it gets FastAPI's handler, unchanged.
        try:
            from fastapi.routing import _effective_route_context_var
        except ImportError:
            return handler
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        plain = _plain_arguments(route)
        if plain is None:
            return handler
        request_name, path_names, defaults = plain
        call = route.dependant.call
        response_class = route.response_class.value

        async def page_handler(request: Request) -> Response:
            scope = request.scope
            if scope.get("query_string"):
                return await handler(request)
            values = dict(defaults)
            path_params = scope["path_params"]
            for name in path_names:
                values[name] = path_params[name]
            if request_name is not None:
                values[request_name] = request
            response = await call(**values)
            if not isinstance(response, Response):   # not what a page returns: encoded as FastAPI's handler does
                response = response_class(jsonable_encoder(response))
            return response

        return page_handler


def page_router() -> APIRouter:
    """The router a page module declares its routes on."""
    return APIRouter(route_class=PageRoute)


__all__ = ["PageRoute", "SQLITE_PAGE_THREADS", "configure", "in_page_thread", "page_executor", "page_router"]
