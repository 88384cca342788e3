"""HTTP behaviour shared by pages, the JSON API and feeds: conditional GET, gzip and CORS.

:func:`install_http_middleware` adds, outermost first:

1. CORS for ``GET``/``HEAD`` from any origin (no credentials); preflight answered for those only.
2. gzip for responses over :data:`GZIP_MINIMUM_SIZE` bytes when the client accepts it, at
   :data:`FAST_GZIP_LEVEL` (pages are compressed by the page cache, web/page_cache.py).
3. Conditional GET: every successful ``GET``/``HEAD`` response without its own validators gets a
   weak ``ETag`` (a hash of the body) and a ``Last-Modified`` (when the record last changed: the
   latest finished ingest, or the process start if later, since new code can change a page too),
   read from the app's one :class:`StoreGeneration`, which the page cache keys its pages by too.
   ``If-None-Match`` (preferred) or ``If-Modified-Since`` that still match answer ``304 Not
   Modified`` with no body.

Responses that set ``Cache-Control: no-store`` or ``private``, or a cookie, are never given
validators (alert forms, confirmation pages). Static files keep Starlette's own validators.
"""
from __future__ import annotations

import time
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

import anyio
from isal.isal_zlib import adler32 as _adler32, crc32 as _crc32

from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from ..store.database import reading

#: bodies smaller than this are not worth compressing
GZIP_MINIMUM_SIZE = 500
#: gzip level of a body compressed for one response (feeds, the API, search; pages the page cache does not
#: keep): level 1 costs a sixth of Starlette's default 9 and two thirds of 4 on a long page, for a body
#: 10–13 % larger than level 4's (the long debate of bench/pages.py in 0.67 ms, not 1.04, for 28.7 KB, not
#: 25.4 KB; a member page 0.12 ms, not 0.16, for 4.9 KB, not 4.5 KB)
FAST_GZIP_LEVEL = 1
#: bodies larger than this are passed through without an ETag (never buffered)
MAX_BUFFERED_BODY = 16 * 1024 * 1024
#: seconds the store's generation (latest ingest batch, last change) is trusted before asking again
GENERATION_TTL = 5.0
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
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=FAST_GZIP_LEVEL)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"],
                       allow_headers=["Accept", "Accept-Language", "Content-Language", "If-None-Match",
                                      "If-Modified-Since", "Content-Type"],
                       expose_headers=EXPOSED_HEADERS, allow_credentials=False, max_age=86400)


@lru_cache(maxsize=64)
def http_date(moment: datetime) -> str:
    """An HTTP date (RFC 9110). Cached: every response of an app carries the same few moments."""
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
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
    """A weak ETag for a body: its CRC-32 and Adler-32 (64 bits) and its length, by ISA-L (the gzip
    library the pages are compressed with). Computed on the event loop for every page answered with
    the page cache off, over the plain body: 7 µs for the bench's long debate (96 KB), where SHA-256 took
    ~73 µs even on the CPU's own SHA instructions (1–2 % of a page; docs/benchmarks.md, 8 December 2026,
    second round). A validator only has to change when its URL's body does: two bodies of one URL
    pass as the same only if their lengths and both sums agree."""
    return f'W/"{_crc32(body):08x}{_adler32(body):08x}{len(body):x}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


@dataclass(frozen=True)
class Generation:
    """What the store says about its record, as the HTTP layer uses it."""
    token: tuple | None            # changes whenever the record may have (None: the store cannot say)
    last_modified: datetime        # when the record last changed (or the process start, if later)


class StoreGeneration:
    """The store's generation, shared by every cache of one app: ETags and Last-Modified here, the
    page cache's keys, and anything else that must notice an ingest. Asked of the store at most every
    ``ttl`` seconds, in a worker thread, so the event loop is never blocked on the database."""

    def __init__(self, engine, ttl: float = GENERATION_TTL) -> None:
        self.engine = engine
        self.ttl = ttl
        self._value = Generation(None, _PROCESS_STARTED)
        self._checked = float("-inf")
        self._lock = anyio.Lock()

    def fresh(self) -> bool:
        return time.monotonic() - self._checked <= self.ttl

    async def current(self) -> Generation:
        if self.fresh():
            return self._value
        async with self._lock:
            if not self.fresh():                   # not refreshed by another request while we waited
                self._value = await anyio.to_thread.run_sync(self.read)
                self._checked = time.monotonic()
        return self._value

    def read(self) -> Generation:
        if self.engine is None:
            return Generation(None, _PROCESS_STARTED)
        from ..store.queries.debates import record_state
        try:
            with reading(self.engine) as conn:
                latest_batch, latest_finished, last_finished = record_state(conn)
        except Exception:  # noqa: BLE001 - a validator or a cache must never break a response
            return Generation(None, _PROCESS_STARTED)
        moment = _PROCESS_STARTED
        if last_finished is not None:
            if last_finished.tzinfo is None:
                last_finished = last_finished.replace(tzinfo=timezone.utc)
            moment = max(moment, last_finished.replace(microsecond=0))
        return Generation(("store", latest_batch, latest_finished), moment)


def store_generation_of(app) -> StoreGeneration:
    """The one StoreGeneration of an application (made on first use, for the app's engine)."""
    state = app.state
    found = getattr(state, "store_generation", None)
    engine = getattr(state, "engine", None)
    if found is None or found.engine is not engine:
        found = StoreGeneration(engine)
        state.store_generation = found
    return found


def header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class ConditionalGetMiddleware:
    """Adds ETag and Last-Modified to successful GET/HEAD responses and answers 304 when they match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            assert start is not None, "ASGI sends a response's start before its body"
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
        if header(headers, b"etag") is not None or header(headers, b"set-cookie") is not None:
            return False
        cache_control = (header(headers, b"cache-control") or b"").lower()
        if b"no-store" in cache_control or b"private" in cache_control:
            return False
        content_type = (header(headers, b"content-type") or b"").decode("latin-1").lower()
        return content_type.startswith(CACHEABLE_TYPES)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        etag = etag_for(body)
        app = scope.get("app")
        modified = (await store_generation_of(app).current()).last_modified if app is not None else _PROCESS_STARTED
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"last-modified"]
        validators = [(b"etag", etag.encode()), (b"last-modified", http_date(modified).encode())]
        if not_modified(scope, etag, modified):
            keep = {b"cache-control", b"content-location", b"date", b"expires", b"vary", b"link",
                    b"access-control-allow-origin", b"access-control-expose-headers"}
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in headers if k.lower() in keep] + validators})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({**start, "headers": headers + validators})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def not_modified(scope: Scope, etag: str, modified: datetime | None) -> bool:
    """Whether the request's If-None-Match (preferred) or If-Modified-Since still match."""
    headers = scope.get("headers") or []
    if_none_match = header(headers, b"if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match.decode("latin-1"), etag)
    since = header(headers, b"if-modified-since")
    if since and modified is not None:
        parsed = parse_http_date(since.decode("latin-1"))
        return parsed is not None and modified <= parsed
    return False


__all__ = ["install_http_middleware", "ConditionalGetMiddleware", "StoreGeneration", "Generation",
           "store_generation_of", "etag_for", "etag_matches", "http_date", "parse_http_date", "not_modified", "header"]
