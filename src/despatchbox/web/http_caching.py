"""HTTP behaviour shared by pages, the JSON API and feeds: conditional GET, gzip and CORS.

:func:`install_http_middleware` adds, outermost first:

1. CORS for ``GET``/``HEAD`` from any origin (no credentials); preflight answered for those only.
2. gzip for responses over :data:`GZIP_MINIMUM_SIZE` bytes when the client accepts it.
3. Conditional GET: every successful ``GET``/``HEAD`` response without its own validators gets a
   weak ``ETag`` (a hash of the body) and a ``Last-Modified`` (when the record last changed: the
   latest finished ingest, or the process start if later, since new code can change a page too).
   ``If-None-Match`` (preferred) or ``If-Modified-Since`` that still match answer ``304 Not
   Modified`` with no body.

Responses that set ``Cache-Control: no-store`` or ``private``, or a cookie, are never given
validators (alert forms, confirmation pages). Static files keep Starlette's own validators.
"""
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: bodies smaller than this are not worth compressing
GZIP_MINIMUM_SIZE = 500
#: bodies larger than this are passed through without an ETag (never buffered)
MAX_BUFFERED_BODY = 16 * 1024 * 1024
#: seconds the "last changed" time is cached before asking the store again
LAST_MODIFIED_TTL = 5.0
#: headers a browser script may read from a cross-origin response
EXPOSED_HEADERS = ["ETag", "Last-Modified", "Link", "Content-Length"]
CACHEABLE_TYPES = ("application/json", "text/html", "application/atom+xml", "application/xml", "text/xml",
                   "text/plain", "text/csv", "application/problem+json")

_PROCESS_STARTED = datetime.now(timezone.utc).replace(microsecond=0)


def install_http_middleware(app) -> None:
    """Add conditional GET (ETag / Last-Modified → 304), gzip and CORS for GET to ``app``.
    Call once, on the outermost application (sub-applications mounted in it are covered)."""
    if getattr(app.state, "http_middleware_installed", False):
        return
    app.state.http_middleware_installed = True
    app.add_middleware(ConditionalGetMiddleware)           # innermost: sees the plain body
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"],
                       allow_headers=["Accept", "Accept-Language", "Content-Language", "If-None-Match",
                                      "If-Modified-Since", "Content-Type"],
                       expose_headers=EXPOSED_HEADERS, allow_credentials=False, max_age=86400)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def etag_for(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


class _LastModified:
    """When the record last changed, asked of the store at most every LAST_MODIFIED_TTL seconds."""

    def __init__(self) -> None:
        self._value: datetime | None = None
        self._checked = 0.0

    def get(self, engine) -> datetime:
        now = time.monotonic()
        if self._value is None or now - self._checked > LAST_MODIFIED_TTL:
            self._value = max(_PROCESS_STARTED, _last_ingest(engine))
            self._checked = now
        return self._value


def _last_ingest(engine) -> datetime:
    if engine is None:
        return _PROCESS_STARTED
    from ..store.queries.api import last_change
    try:
        with engine.connect() as conn:
            moment = last_change(conn)
    except Exception:  # noqa: BLE001 - a validator must never break a response
        return _PROCESS_STARTED
    if moment is None:
        return _PROCESS_STARTED
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.replace(microsecond=0)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _request_header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class ConditionalGetMiddleware:
    """Adds ETag and Last-Modified to successful GET/HEAD responses and answers 304 when they match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last_modified = _LastModified()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing_through = False

        async def send_wrapper(message: Message) -> None:
            nonlocal start, size, passing_through
            if passing_through:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                if not self._eligible(message):
                    passing_through = True
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BUFFERED_BODY:             # too big to hold: send as it comes
                passing_through = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                chunks.clear()
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if message.get("more_body", False):
                return
            await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, send_wrapper)

    @staticmethod
    def _eligible(start: Message) -> bool:
        if start["status"] != 200:
            return False
        headers = start.get("headers") or []
        if _header(headers, b"etag") is not None or _header(headers, b"set-cookie") is not None:
            return False
        cache_control = (_header(headers, b"cache-control") or b"").lower()
        if b"no-store" in cache_control or b"private" in cache_control:
            return False
        content_type = (_header(headers, b"content-type") or b"").decode("latin-1").lower()
        return content_type.startswith(CACHEABLE_TYPES)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        etag = etag_for(body)
        app = scope.get("app")
        engine = getattr(getattr(app, "state", None), "engine", None)
        modified = self.last_modified.get(engine)
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"last-modified"]
        validators = [(b"etag", etag.encode()), (b"last-modified", http_date(modified).encode())]
        if _not_modified(scope, etag, modified):
            keep = {b"cache-control", b"content-location", b"date", b"expires", b"vary", b"link",
                    b"access-control-allow-origin", b"access-control-expose-headers"}
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in headers if k.lower() in keep] + validators})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({**start, "headers": headers + validators})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _not_modified(scope: Scope, etag: str, modified: datetime) -> bool:
    if_none_match = _request_header(scope, b"if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = _request_header(scope, b"if-modified-since")
    if since:
        parsed = _parse_http_date(since)
        return parsed is not None and modified <= parsed
    return False


__all__ = ["install_http_middleware", "ConditionalGetMiddleware", "etag_for", "etag_matches", "http_date"]
