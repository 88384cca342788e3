"""The FastAPI application: routers from each area, templates, static files, errors.

Each area owns a module that exposes ``router`` (an ``APIRouter``); they are listed
in :func:`site_routers` and included here. The JSON API is a sub-application mounted at
``/api/v1`` with its own OpenAPI schema (``web/api``).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import settings
from ..store.database import engine_for, is_busy
from .busy import BUSY_MESSAGE, BUSY_RETRY_AFTER
from .collector import tuned_for_serving
from .http_caching import install_http_middleware
from .negotiation import install_negotiation
from .page_cache import install_page_cache
from . import page_routes
from .security import check_secret_key, install_security
from .static_files import StaticAssets
from .templating import templates

log = logging.getLogger("despatchbox.web")
STATIC_DIR = Path(__file__).resolve().parent / "static"


def site_routers() -> tuple:
    """Every router of the site, in the order they are matched (imported here, not at the top:
    the page modules import ``engine_of`` from this one). A missing module is an ImportError."""
    from . import alerts_pages, data_pages, feeds, quote_check_pages, search_pages, who_said_pages
    from .pages import debates, departments, divisions, home, members, members_index, questions, versus

    return (home.router, members_index.router, members.router, debates.router, departments.router,
            questions.router, divisions.router, versus.router, search_pages.router, data_pages.router, feeds.router,
            alerts_pages.router, who_said_pages.router, quote_check_pages.router)


def _include_routers(app: FastAPI) -> None:
    for router in site_routers():
        app.include_router(router)


def _mount_api(app: FastAPI) -> None:
    from . import api

    app.mount("/api/v1", api.create_api(app.state.engine))


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"status": status, "title": title, "message": message},
                                      status_code=status)


def _mount_mcp(app: FastAPI) -> None:
    """The MCP server's streamable-HTTP transport at ``/mcp/`` (its sessions run in the app's lifespan)."""
    from ..mcp import build_server
    from ..mcp.http import McpHttp

    app.state.mcp = McpHttp(build_server(app.state.engine))
    app.mount("/mcp", app.state.mcp)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI):
    with tuned_for_serving():             # the garbage collector as a server wants it (web/collector.py)
        async with app.state.mcp.running():
            yield
    await asyncio.to_thread(app.state.outbox.close)   # send the alert emails still queued


def create_app(database_url: str | None = None) -> FastAPI:
    site_settings = settings()
    check_secret_key(site_settings)   # the development key never signs links for a public site
    app = FastAPI(title="despatchbox", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan)
    app.state.engine = engine_for(database_url or site_settings.database_url)
    page_routes.configure(app.state.engine)   # page routes on the event loop on SQLite, in threads elsewhere
    app.state.settings = site_settings
    app.mount("/static", StaticAssets(STATIC_DIR), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return error_page(request, 404, "Not found", exc.detail if isinstance(exc.detail, str) and
                              exc.detail != "Not Found" else "There is no page at this address.")
        return error_page(request, exc.status_code, "Error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return error_page(request, 400, "Bad request", problems or "The request could not be understood.")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):  # pragma: no cover - last resort
        if is_busy(exc):                 # a writer held the database longer than the busy timeout
            log.warning("%s %s: the database was busy (%s); answered 503", request.method, request.url.path, exc)
            page = error_page(request, 503, "Busy", BUSY_MESSAGE)
            page.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
            return page
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500, "Something went wrong", "The error has been logged.")

    from .alerts_pages import install_alert_mail

    _include_routers(app)
    _mount_api(app)
    _mount_mcp(app)
    install_http_middleware(app)  # covers pages, feeds and the mounted API
    install_page_cache(app)       # rendered pages kept until the record changes (web/page_cache.py)
    install_alert_mail(app)       # how alert emails leave: SMTP, the development mailbox, or not at all
    install_negotiation(app)      # JSON for page URLs on request, HEAD everywhere (web/negotiation.py)
    install_security(app, site_settings, error_page)  # outermost: web/security.py
    return app


def engine_of(request: Request):
    """The store's engine, for route handlers."""
    return request.app.state.engine


__all__ = ["create_app", "engine_of", "error_page", "JSONResponse"]
