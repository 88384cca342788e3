"""Rendered pages kept in memory, per worker: the site's pages are read-only views of the store that
change only when an ingest runs, so a page rendered once is served again without touching the store.

:func:`install_page_cache` adds :class:`PageCacheMiddleware` outermost (after
``http_caching.install_http_middleware``). For a ``GET`` of a page address (:data:`PAGE_PREFIXES`:
the home page, sitting days, departments, members, debates, written questions, divisions — never
search, who-said, alerts, feeds, the API or static files):

- The key is (path, query string, the store's generation): the app's one
  ``http_caching.StoreGeneration`` (the latest ingest batch, its id and when it finished), the same
  one ETags and Last-Modified come from; when it changes every entry is dropped. An
  entry also expires after :data:`ENTRY_TTL` seconds, since pages show relative ages ("2 days,
  3 hours ago").
- Only complete ``200`` ``text/html`` responses are kept: never errors, redirects, ``304``s,
  responses that set a cookie or say ``Cache-Control: no-store``/``private``, nor bodies larger than
  an eighth of the budget. Requests with an ``Origin`` (CORS), ``Authorization`` or ``Range``
  header are passed through untouched.
- Memory is bounded: entries are evicted least recently used first once their bodies (plain and
  gzipped) exceed ``DESPATCHBOX_PAGE_CACHE_MB`` (default :data:`DEFAULT_BUDGET_MB`; ``0`` turns
  the cache off).
- Compression: the page is asked of the app without ``Accept-Encoding``, compressed here once at
  :data:`GZIP_LEVEL` and kept; the plain body is kept too (for clients that do not take gzip).
  Responses that are not kept (the cache off, or a page it may not keep) are compressed when the
  client accepts gzip at :data:`FAST_GZIP_LEVEL`: they are compressed for one response, so the
  CPU counts more than the last bytes (``GZipMiddleware`` would have used level 9: 6–7 times the CPU).
  They are compressed by ISA-L (``isal``) at that level, not by zlib: the long debate
  of bench/pages.py in 0.12 ms, not zlib level 1's 0.67 ms, and 3 % smaller (27.9 KB, not 28.7 KB).
- A hit answers ``If-None-Match`` / ``If-Modified-Since`` against the validators the page was
  stored with (``ETag``/``Last-Modified`` from ``http_caching``, compared by its ``not_modified``),
  so ``304`` still works.

Pages served from memory carry ``X-Page-Cache: hit``, pages just rendered ``miss`` (kept or not).
:func:`page_cache_of` finds the middleware of an app (``.stats()``, ``.clear()``, ``.enabled``),
for tests and benchmarks.
"""
from __future__ import annotations

import gzip
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import anyio
from isal import igzip, isal_zlib
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_caching import FAST_GZIP_LEVEL, header, not_modified, parse_http_date, store_generation_of

#: addresses of the pages (exact, or prefixes); everything else passes through
PAGE_EXACT = frozenset({"/", "/departments"})
PAGE_PREFIXES = ("/day/", "/dept/", "/mp/", "/lord/", "/debate/", "/written-question/", "/division/")
#: memory for bodies, per worker process (DESPATCHBOX_PAGE_CACHE_MB overrides; 0 turns the cache off)
DEFAULT_BUDGET_MB = 64
#: seconds an entry is served for (relative ages on pages move on)
ENTRY_TTL = 60.0
#: gzip level for pages that are kept: 4 costs a quarter of level 9 on a long debate (7 ms, not 27) for a
#: body 2 % larger; compressed once, sent many times
GZIP_LEVEL = 4
GZIP_MINIMUM_SIZE = 500
#: bodies at least this long are compressed in a worker thread
THREAD_COMPRESS_SIZE = 64 * 1024
#: bodies compressed for one response at least this long are compressed in a worker thread (ISA-L
#: compresses ~0.8 MB a millisecond: a thread hop would cost more than it saves the event loop below this)
THREAD_COMPRESS_FAST_SIZE = 512 * 1024
#: request headers that make a request bypass the cache
_BYPASS_HEADERS = (b"origin", b"authorization", b"range")
#: headers a 304 keeps (as http_caching does)
_KEEP_ON_304 = {b"cache-control", b"content-location", b"date", b"expires", b"vary", b"link", b"etag",
                b"last-modified"}


def is_page_path(path: str) -> bool:
    return path in PAGE_EXACT or path.startswith(PAGE_PREFIXES)


@dataclass
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]     # without content-length and content-encoding
    body: bytes
    gzipped: bytes | None
    stored: float
    etag: str | None
    last_modified: datetime | None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 512


def _budget_from_env() -> int:
    raw = os.environ.get("DESPATCHBOX_PAGE_CACHE_MB")
    try:
        mb = float(raw) if raw not in (None, "") else DEFAULT_BUDGET_MB
    except ValueError:
        mb = DEFAULT_BUDGET_MB
    return max(0, int(mb * 1024 * 1024))


class PageCacheMiddleware:
    """See the module's note."""

    def __init__(self, app: ASGIApp, budget_bytes: int | None = None, entry_ttl: float = ENTRY_TTL,
                 gzip_level: int = GZIP_LEVEL, fast_gzip_level: int = FAST_GZIP_LEVEL) -> None:
        self.app = app
        self.budget = _budget_from_env() if budget_bytes is None else budget_bytes
        self.enabled = self.budget > 0
        self.max_entry = self.budget // 8
        self.entry_ttl = entry_ttl
        self.gzip_level = gzip_level
        self.fast_gzip_level = fast_gzip_level
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.bytes = 0
        self._generation: tuple | None = None
        self.hits = self.misses = self.stored = self.evicted = self.bypassed = 0

    # --- bookkeeping ------------------------------------------------------------------------------

    def stats(self) -> dict:
        return {"enabled": self.enabled, "entries": len(self.entries), "bytes": self.bytes, "budget": self.budget,
                "hits": self.hits, "misses": self.misses, "stored": self.stored, "evicted": self.evicted,
                "bypassed": self.bypassed}

    def resize(self, budget_bytes: int) -> None:
        """A new memory budget (0 turns the cache off); entries over it are evicted."""
        self.budget = max(0, int(budget_bytes))
        self.enabled = self.budget > 0
        self.max_entry = self.budget // 8
        while self.bytes > self.budget and self.entries:
            self._drop(next(iter(self.entries)))
            self.evicted += 1

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0

    async def generation(self, app) -> tuple | None:
        """The store's generation (the app's one :class:`StoreGeneration`, shared with ETags and
        Last-Modified); every entry is dropped when it changes. None when the store cannot say
        (nothing is then served from memory)."""
        current = (await store_generation_of(app).current()).token
        if current != self._generation:
            self.clear()
            self._generation = current
        return self._generation

    def _get(self, key: tuple) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.stored > self.entry_ttl:
            self._drop(key)
            return None
        self.entries.move_to_end(key)
        return entry

    def _drop(self, key: tuple) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size

    def _put(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_entry:
            return
        self._drop(key)
        self.entries[key] = entry
        self.bytes += entry.size
        self.stored += 1
        while self.bytes > self.budget and self.entries:
            old_key = next(iter(self.entries))
            self._drop(old_key)
            self.evicted += 1

    # --- the middleware ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET" or not is_page_path(scope["path"])
                or any(k.lower() in _BYPASS_HEADERS for k, _ in scope.get("headers") or [])):
            await self.app(scope, receive, send)
            return
        request_headers = scope.get("headers") or []
        accepts_gzip = b"gzip" in (header(request_headers, b"accept-encoding") or b"").lower()
        app = scope.get("app")
        engine = getattr(getattr(app, "state", None), "engine", None)
        generation = await self.generation(app) if self.enabled and engine is not None else None
        key = (scope["path"], scope.get("query_string", b""), generation) if generation is not None else None
        if key is not None:
            entry = self._get(key)
            if entry is not None:
                self.hits += 1
                await self._send_entry(scope, entry, accepts_gzip, send, b"hit")
                return
            self.misses += 1
        else:
            self.bypassed += 1

        # render: ask for the plain body (compressed here). A page that may be kept is asked for in
        # full (no validators), kept, then checked against the request's validators here; otherwise
        # http_caching answers 304 itself.
        dropped = {b"accept-encoding"} | ({b"if-none-match", b"if-modified-since"} if key is not None else set())
        inner_scope = {**scope, "headers": [(k, v) for k, v in request_headers if k.lower() not in dropped]}
        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal start, streaming
            if streaming:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            assert start is not None, "ASGI sends a response's start before its body"
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                if sum(map(len, chunks)) > max(self.max_entry, 1 << 20):   # too big to hold: pass it on
                    streaming = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                    chunks.clear()
                return
            await self._finish(scope, key, start, b"".join(chunks), accepts_gzip, send)

        await self.app(inner_scope, receive, capture)

    async def _finish(self, scope: Scope, key: tuple | None, start: Message, body: bytes, accepts_gzip: bool,
                      send: Send) -> None:
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
        status = start["status"]
        encoded = header(headers, b"content-encoding") is not None
        content_type = (header(headers, b"content-type") or b"").lower()
        compressible = (not encoded and len(body) >= GZIP_MINIMUM_SIZE
                        and not content_type.startswith(b"text/event-stream"))
        if compressible:
            headers = _with_vary(headers)
        kept = key is not None and self._keepable(status, headers, content_type, encoded)
        gzipped = (await self._gzip(body, self.gzip_level if kept else self.fast_gzip_level, one_response=not kept)
                   if compressible and accepts_gzip else None)
        if kept and key is not None:
            etag = header(headers, b"etag")
            modified = header(headers, b"last-modified")
            entry = Entry(status=status, headers=headers, body=body, gzipped=gzipped if compressible else None,
                          stored=time.monotonic(), etag=etag.decode("latin-1") if etag else None,
                          last_modified=parse_http_date(modified.decode("latin-1")) if modified else None)
            if compressible and entry.gzipped is None:
                entry.gzipped = await self._gzip(body, self.gzip_level, one_response=False)
            self._put(key, entry)
            await self._send_entry(scope, entry, accepts_gzip, send, b"miss")
            return
        await _send_body(send, status, headers, gzipped if gzipped is not None else body,
                         b"gzip" if gzipped is not None else None, None)

    async def _gzip(self, body: bytes, level: int, *, one_response: bool) -> bytes:
        """gzip at ``level``; a long page in a thread (zlib and ISA-L let go of the GIL), so that the
        event loop goes on serving other requests, from memory, meanwhile. A body compressed for one
        response (not kept) is compressed by ISA-L (its levels are 0–3, and its level 1 makes the bench's
        four pages smaller than zlib's level 1 in a fifth to a half of its CPU: member 0.058 -> 0.033 ms,
        the long debate 0.675 -> 0.121 ms)."""
        if one_response:
            compress = partial(igzip.compress, body, compresslevel=min(level, isal_zlib.ISAL_BEST_COMPRESSION),
                               mtime=0)
            threshold = THREAD_COMPRESS_FAST_SIZE
        else:
            compress = partial(gzip.compress, body, compresslevel=level, mtime=0)
            threshold = THREAD_COMPRESS_SIZE
        if len(body) < threshold:
            return compress()
        return await anyio.to_thread.run_sync(compress)

    @staticmethod
    def _keepable(status: int, headers, content_type: bytes, encoded: bool) -> bool:
        if status != 200 or encoded or not content_type.startswith(b"text/html"):
            return False
        if header(headers, b"set-cookie") is not None:
            return False
        cache_control = (header(headers, b"cache-control") or b"").lower()
        return b"no-store" not in cache_control and b"private" not in cache_control

    async def _send_entry(self, scope: Scope, entry: Entry, accepts_gzip: bool, send: Send, state: bytes) -> None:
        """Send a stored page, or 304 when the request's validators still match it."""
        if entry.etag and not_modified(scope, entry.etag, entry.last_modified):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in entry.headers if k.lower() in _KEEP_ON_304]
                        + [(b"x-page-cache", state)]})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        gzipped = entry.gzipped if accepts_gzip else None
        use_gzip = gzipped is not None
        await _send_body(send, entry.status, entry.headers, gzipped if gzipped is not None else entry.body,
                         b"gzip" if use_gzip else None, state)


async def _send_body(send: Send, status: int, headers, body: bytes, encoding: bytes | None,
                     state: bytes | None) -> None:
    out = list(headers)
    if encoding:
        out.append((b"content-encoding", encoding))
    if status not in (204, 304) and status >= 200:
        out.append((b"content-length", str(len(body)).encode()))
    if state:
        out.append((b"x-page-cache", state))
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _with_vary(headers):
    vary = header(headers, b"vary")
    if vary is not None and b"accept-encoding" in vary.lower():
        return headers
    rest = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return rest + [(b"vary", (vary + b", Accept-Encoding") if vary else b"Accept-Encoding")]


def install_page_cache(app, budget_bytes: int | None = None) -> None:
    """Add the page cache outermost to ``app`` (call after ``install_http_middleware``).
    :func:`page_cache_of` finds it."""
    if getattr(app.state, "page_cache_installed", False):
        return
    app.state.page_cache_installed = True
    app.add_middleware(PageCacheMiddleware, budget_bytes=budget_bytes)


def page_cache_of(app) -> PageCacheMiddleware | None:
    """The page cache of an app (builds the middleware stack if the app has not served yet)."""
    found = getattr(app.state, "page_cache", None)
    if found is not None:
        return found
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    node = app.middleware_stack
    while node is not None:
        if isinstance(node, PageCacheMiddleware):
            app.state.page_cache = node
            return node
        node = getattr(node, "app", None)
    return None


__all__ = ["install_page_cache", "page_cache_of", "PageCacheMiddleware", "is_page_path"]
