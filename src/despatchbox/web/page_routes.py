"""Where the page routes run: on the event loop itself on SQLite, in anyio's thread pool on PostgreSQL.

A page route is plain (synchronous) Python that reads the store and renders a template; FastAPI would
run it in anyio's thread pool, up to 40 at once. On SQLite every bit of that work is Python holding
the GIL (the database is in the process), so pages rendered side by side in one process do not
finish sooner: they take turns on the GIL, and the turns cost CPU. Until 7 December 2026 a worker
process rendered one page at a time in a thread of its own, so that the event loop stayed free for
static files and cached pages. Measured under load, that thread cost more than it spared:

* the loop and the page thread took turns on the GIL for every request that arrived during a render.
  A static file answered in 0.4–0.5 ms at p50 while the four bench pages loaded the server, but the
  pages themselves fell to 75–360 req/s with a p95 of 49–278 ms;
* rendered on the loop, the pages reached 614–688 req/s with a p95 of 22 ms, and the static file
  waited for the render in hand: 10–13 ms at p50, 19–24 at p95 (docs/benchmarks.md, "7 December
  2026 (seventh round)");
* the bench's HTTP ratio rose from 0.062–0.075 to 0.073–0.081 of the bare route, higher in each of
  six alternated pairs.

So on SQLite a page route is called on the event loop, one at a time per process by construction;
each request waits for at most the renders queued before it. On PostgreSQL a page waits on the server
for part of its time, and its routes keep anyio's pool under its default limiter, so that the loop
serves other requests meanwhile.

:func:`page_router` makes the routers of the pages (``web/pages/``). The route's parameters, status,
headers and body are exactly as FastAPI's own handling gives them. A page request without a query
string takes a shorter way through FastAPI (:meth:`PageRoute.get_route_handler`): the page routes
take only the request, ``str`` path parameters and query parameters with defaults, so their
arguments are the path's own strings and the defaults — FastAPI's dependency solving and validation
would return exactly those. A request with a query string (``?page=2``, ``?debates_page=x``) goes
through FastAPI's handler as before, so its validation and its errors (a 400 page) are unchanged.
"""
from __future__ import annotations

import inspect
from functools import partial
from typing import Any, Callable

import anyio.to_thread
from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

#: whether page routes run on the event loop (SQLite) or in anyio's pool (PostgreSQL); see :func:`configure`
_on_loop = False


def configure(engine) -> None:
    """Choose where page routes run for the store the app serves (called by ``create_app``)."""
    global _on_loop
    _on_loop = engine is not None and engine.dialect.name == "sqlite"


def runs_on_loop() -> bool:
    """Whether page routes are called on the event loop (the app serves SQLite)."""
    return _on_loop


def as_page_route(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """An async route that calls the synchronous ``endpoint`` on the event loop (SQLite) or in anyio's
    thread pool (elsewhere), as :func:`configure` chose. FastAPI reads its parameters from
    ``__signature__`` (annotations resolved here, in the endpoint's module); it has no ``__wrapped__``,
    so FastAPI awaits it instead of sending it to its own pool."""
    signature = inspect.signature(endpoint, eval_str=True)

    async def run(*args: Any, **kwargs: Any) -> Any:
        if _on_loop:
            return endpoint(*args, **kwargs)
        return await anyio.to_thread.run_sync(partial(endpoint, *args, **kwargs))

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
    """An APIRoute whose synchronous endpoint runs through :func:`as_page_route`, with a short way
    for requests without a query string (see the module's note)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = as_page_route(endpoint)
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


__all__ = ["PageRoute", "as_page_route", "configure", "page_router", "runs_on_loop"]
