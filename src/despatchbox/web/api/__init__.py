"""The JSON API, mounted at ``/api/v1``: typed responses (``models``), an OpenAPI 3 schema at
``/api/v1/openapi.json`` and browsable docs at ``/api/v1/docs``.

Errors are always ``{"error": {"code", "message"}}``: 400 for a request that cannot be answered
as asked, 404 for an unknown record or address, 405 for a method other than GET, 422 for a
parameter of the wrong type; never a 500 for anything a client sends.
"""
from __future__ import annotations


from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ...store.database import is_busy
from ..busy import BUSY_MESSAGE, BUSY_RETRY_AFTER
from .common import ApiError, error_body
from .docs import install_docs

API_VERSION = "1.0.0"
#: route modules of this package, included in this order

DESCRIPTION = """\
The UK Parliament's record as data: members with their seats and posts, debates with every
contribution attributed to a person and a government department, written questions with their
answers, divisions with every vote, and search.

* Open: no key. CORS is allowed for GET from any origin.
* Dates are ISO 8601 (`2009-10-26`); a membership or post still held has `to_date: null`.
* Ids are ParlParse's: debate, speech and division ids are gids
  (`uk.org.publicwhip/debate/2009-10-26b.1.4`, used whole in paths), member ids are person ids
  (`10259`). Ids from an older version of a day's file still resolve.
* Lists are paged with `limit` and `offset`; `next` is the address of the next page.
* Responses carry `ETag` and `Last-Modified`; send `If-None-Match` / `If-Modified-Since` to get
  `304 Not Modified`. Responses are gzipped for clients that accept it.
* Errors: `{"error": {"code", "message"}}` with status 400, 404, 405 or 422.
* Every page of the site answers this API's object for `Accept: application/json`
  (`/mp/david-hanson` gives `/api/v1/members/10259`); `HEAD` works everywhere.

The same data in bulk: `/export/{kind}.jsonl` and `.csv` (see `/data`), or `despatchbox export`. This reference as one plain page,
without JavaScript: `/api/v1/reference`.
"""

_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
                 413: "too_large", 415: "unsupported_media_type", 422: "invalid_parameter"}


class RejectNulBytes:
    """Answer 400 to a path or query string holding a NUL character (no database stores one in text)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").lower()
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                response = JSONResponse(error_body("bad_request", "NUL characters are not allowed"), status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def create_api(engine: Engine) -> FastAPI:
    """The API application over a store; mount it at ``/api/v1``."""
    api = FastAPI(title="despatchbox API", version=API_VERSION, description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  license_info={"name": "AGPL-3.0-or-later (code); Open Parliament Licence (data)"})
    api.state.engine = engine

    @api.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "there is nothing at this address"
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse(error_body("invalid_parameter", _describe_validation(exc)), status_code=422)

    @api.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):  # pragma: no cover - last resort
        if is_busy(exc):                 # a writer held the database longer than the busy timeout
            return JSONResponse(error_body("busy", BUSY_MESSAGE), status_code=503,
                                headers={"Retry-After": str(BUSY_RETRY_AFTER)})
        return JSONResponse(error_body("server_error", "something went wrong; it has been logged"),
                            status_code=500)

    from . import debates, departments, divisions, members, questions, quote_check, reference, search, stats, who_said

    for module in (members, debates, departments, questions, divisions, search, stats, who_said, quote_check, reference):
        api.include_router(module.router)
    install_docs(api)  # /docs and /redoc from packaged assets (web/api/docs.py)
    api.add_middleware(RejectNulBytes)
    return api


__all__ = ["create_api", "API_VERSION"]
