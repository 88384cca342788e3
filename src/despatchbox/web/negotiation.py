"""One URL, two representations; every method a reader may send.

- Content negotiation: a page URL asked for ``Accept: application/json`` answers the JSON API's
  object for the same thing (``/mp/david-hanson`` → ``/api/v1/members/10259``), served by the
  API itself, so the two cannot drift. A page with no API counterpart answers 406 in the API's
  error shape, naming where the data is. Every page response says ``Vary: Accept``.
- ``HEAD`` everywhere: answered as the ``GET`` would be (same status and headers), without a body.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode

import anyio
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.queries import people as people_queries
from ..store.database import reading

API = "/api/v1"
#: paths that are not pages: left alone whatever the Accept header says
NOT_PAGES = (API, "/static/", "/feeds/", "/export/")


def wants_json(accept: str) -> bool:
    """True when the client prefers JSON to HTML (``application/json`` ranked above ``text/html``)."""
    best: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        best[media.lower()] = max(q, best.get(media.lower(), 0.0))
    json_q = best.get("application/json", 0.0)
    html_q = max(best.get("text/html", 0.0), best.get("application/xhtml+xml", 0.0))
    return json_q > 0 and json_q > html_q


def _rename(query: str, names: dict[str, str]) -> str:
    pairs = [(names.get(k, k), v) for k, v in parse_qsl(query, keep_blank_values=False)]
    return urlencode([(k, v) for k, v in pairs if k])


#: page path → (API path, query-parameter renames); a slug in a member path is looked up first
_SIMPLE: list[tuple[re.Pattern, Callable[[re.Match], str], dict[str, str]]] = [
    (re.compile(r"^/members/?$"), lambda m: "/members", {"q": "name", "letter": "initial", "page": ""}),
    (re.compile(r"^/(?:debate|debates)/(?P<gid>.+)$"), lambda m: f"/debates/{m['gid']}", {}),
    (re.compile(r"^/departments/?$"), lambda m: "/departments", {}),
    (re.compile(r"^/(?:dept|departments)/(?P<slug>[^/]+)$"), lambda m: f"/departments/{m['slug']}", {}),
    (re.compile(r"^/(?:division|divisions)/(?P<gid>.+)$"), lambda m: f"/divisions/{m['gid']}", {}),
    (re.compile(r"^/(?:written-question|questions)/(?P<gid>.+)$"), lambda m: f"/questions/{m['gid']}", {}),
    (re.compile(r"^/search/?$"), lambda m: "/search", {"page": ""}),
]
_MEMBER = re.compile(r"^/(?:mp|lord|members)/(?P<slug>[^/]+)(?P<rest>/dept-debates/(?P<dept>[^/]+)|/debate/(?P<gid>.+))?$")


class ContentNegotiation:
    """ASGI middleware: JSON for page URLs on request, and HEAD answered as GET without a body."""

    def __init__(self, app: ASGIApp, engine_of: Callable[[], object]) -> None:
        self.app = app
        self.engine_of = engine_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        path = scope["path"]
        if scope["method"] != "GET" or path.startswith(NOT_PAGES):
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")
        if not wants_json(accept):
            await self.app(scope, receive, _vary_accept(send))
            return
        target = await self.api_target(path, scope.get("query_string", b"").decode("latin-1"))
        if target is None:
            await _json_error(send, 406, "not_acceptable",
                              f"{path} has no JSON form; the API is described at {API}/docs and bulk data "
                              f"at /data")
            return
        if len(target) == 3:
            await _json_error(send, *target)
            return
        api_path, query = target
        scope = {**scope, "path": API + api_path, "raw_path": quote(API + api_path).encode(),
                 "query_string": query.encode()}
        await self.app(scope, receive, _vary_accept(send))

    async def api_target(self, path: str, query: str):
        """(API path, query string), an (status, code, message) error, or None (no API counterpart)."""
        for pattern, to_api, renames in _SIMPLE:
            m = pattern.match(path)
            if m:
                return to_api(m), _rename(query, renames)
        m = _MEMBER.match(path)
        if m is None:
            return None
        person = await anyio.to_thread.run_sync(self._person, m["slug"])
        if person is None:
            return 404, "not_found", f"no member called {m['slug']!r}"
        base = f"/members/{person['id']}"
        if m["dept"]:
            return f"{base}/debates", urlencode({"department": m["dept"]})
        if m["gid"]:
            return f"{base}/debates/{m['gid']}", ""
        return base, ""

    def _person(self, slug: str):
        with reading(self.engine_of()) as conn:  # type: ignore[attr-defined,arg-type]
            return people_queries.person_by_slug(conn, slug)


def _vary_accept(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
            vary = [v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"vary"]
            values = {x.strip() for v in vary for x in v.split(",") if x.strip()} | {"Accept"}
            headers.append((b"vary", ", ".join(sorted(values)).encode("latin-1")))
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


def _without_body(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)
    return wrapped


async def _json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"vary", b"Accept")]})
    await send({"type": "http.response.body", "body": body})


def install_negotiation(app: FastAPI) -> None:
    """Outermost: it decides, before any cache, whether a request is for a page or its JSON."""
    app.add_middleware(ContentNegotiation, engine_of=lambda: app.state.engine)


__all__ = ["ContentNegotiation", "install_negotiation", "wants_json"]
