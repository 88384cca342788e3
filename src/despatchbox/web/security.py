"""What the site does to defend itself from hostile visitors (docs/security.md):

* :func:`check_secret_key` — the development ``DESPATCHBOX_SECRET_KEY`` is refused when the public base
  URL is not loopback (anyone who knows it could forge a manage link);
* :class:`SecurityMiddleware`, outermost, on every request:

  1. a path with a control character (``/static/%00``, a newline) answers 404 at once — JSON under
     ``/api/``, the error page elsewhere — before any router or file system sees it;
  2. a request body over its limit (:data:`FORM_BODY_LIMIT` for the alert forms, :data:`BODY_LIMIT` for
     any other) answers 413 without reading it: at once when ``Content-Length`` says so, and as soon as
     the limit is passed when the body is streamed;
  3. cross-site request forgery: a ``POST`` (or any unsafe method) that a browser marks as coming from
     another site (``Sec-Fetch-Site: cross-site``/``same-site``, or an ``Origin`` that is neither this
     host nor the base URL) answers 403. Requests without either header are not from a browser's form
     or script on another site (mail clients' RFC 8058 one-click unsubscribe, curl) and pass. There is no
     cookie or session anywhere on the site, so a hidden-field token would have nothing to be bound to;
     the browser's own word on where a request came from is the check (as Go's CrossOriginProtection);
  4. security headers on every response: a Content-Security-Policy (no scripts but the site's own files,
     ``frame-ancestors 'none'``), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
     ``Referrer-Policy`` and, when the base URL is https, ``Strict-Transport-Security``.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import DEVELOPMENT_SECRET_KEY, Settings

#: bytes a POST to the alert forms may carry (the largest real sign-up is well under 2 KiB)
FORM_BODY_LIMIT = 16 * 1024
#: bytes any other request body may carry (who-said takes up to 100,000 characters of pasted text)
BODY_LIMIT = 1024 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HSTS = "max-age=31536000; includeSubDomains"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: the interactive API documentation starts itself with an inline script; it shows no record text
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InsecureSettings(RuntimeError):
    """The settings would let a visitor forge signed links; the message says what to set."""


def check_secret_key(settings: Settings) -> None:
    """Raise :class:`InsecureSettings` when the development key would sign links for a public site."""
    if settings.secret_key == DEVELOPMENT_SECRET_KEY and settings.public:
        raise InsecureSettings(
            f"DESPATCHBOX_SECRET_KEY is the development key, but the site is public at {settings.base_url}: "
            "anyone could forge a link to read or delete a subscriber's alerts. Set a secret key of your own, "
            "for example\n  export DESPATCHBOX_SECRET_KEY=\"$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')\"\nand keep it the same across restarts (links in emails "
            "already sent are signed with it).")


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"strict-origin-when-cross-origin"),
               (b"cross-origin-opener-policy", b"same-origin")]
    if urlsplit(settings.base_url).scheme == "https":
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def body_limit(path: str) -> int:
    return FORM_BODY_LIMIT if path == "/alerts" or path.startswith("/alerts/") else BODY_LIMIT


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return value.decode("latin-1")
    return None


def cross_site_refusal(scope: Scope, base_url: str) -> str | None:
    """Why this request looks like a browser's request from another site; None when it does not."""
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.lower() in ("same-origin", "none"):
            return None
        return f"this form was sent from another site (Sec-Fetch-Site: {fetch_site})"
    origin = _header(scope, b"origin")
    if origin is None:
        return None                                   # not a browser's form or script
    allowed = {_origin(base_url)}
    host = _header(scope, b"host")
    if host:
        allowed.add(f"{scope.get('scheme', 'http')}://{host.lower()}")
        allowed.add(_origin(f"{scope.get('scheme', 'http')}://{host.lower()}"))
    if origin.lower() in allowed or _origin(origin) in allowed - {None}:
        return None
    return f"this form was sent from another site (Origin: {origin[:100]})"


class SecurityMiddleware:
    """Control-character paths → 404, oversized bodies → 413, cross-site POSTs → 403, headers on all."""

    def __init__(self, app: ASGIApp, settings: Settings, error_page=None) -> None:
        self.app = app
        self.settings = settings
        self.headers = security_headers(settings)
        self.error_page = error_page          # (request, status, title, message) → an HTML Response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = (DOCS_CSP if path.startswith(DOCS_PATHS) else CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers") or []}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", csp))
                message = {**message, "headers": list(message.get("headers") or []) + extra}
            await send(message)

        if _CONTROL.search(path):
            await self._refuse(scope, send_with_headers, 404, "Not found", "There is no page at this address.")
            return
        if scope["method"] not in SAFE_METHODS:
            reason = cross_site_refusal(scope, self.settings.base_url)
            if reason:
                await self._refuse(scope, send_with_headers, 403, "Forbidden",
                                   f"Refused: {reason}. Use the form on this site.")
                return
            limit = body_limit(path)
            length = _header(scope, b"content-length")
            if length is not None and (not length.strip().isdigit() or int(length) > limit):
                await self._too_large(scope, send_with_headers, limit)
                return
            await self.app(scope, _LimitedReceive(receive, limit), send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await self._refuse(scope, send, 413, "Too large", too_large_message(limit),
                           extra=[(b"connection", b"close")])

    async def _refuse(self, scope: Scope, send: Send, status: int, title: str, message: str,
                      extra: list | None = None) -> None:
        if scope.get("path", "").startswith("/api/") or self.error_page is None:
            code = {403: "forbidden", 404: "not_found", 413: "too_large"}.get(status, "error")
            body = json.dumps({"error": {"code": code, "message": message}}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                       (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
            await send({"type": "http.response.body", "body": body})
            return
        response = self.error_page(Request(scope), status, title, message)
        response.headers["Cache-Control"] = "no-store"
        for key, value in extra or []:
            response.headers[key.decode()] = value.decode()

        async def no_body() -> Message:
            return {"type": "http.disconnect"}
        await response(scope, no_body, send)


class BodyTooLarge(HTTPException):
    """Raised while the body is read; an HTTPException so that the form parser passes it on and the
    site's (or the API's) error handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit), headers={"Connection": "close"})


def too_large_message(limit: int) -> str:
    return f"The request body is too large: at most {limit // 1024:,} KiB is accepted here."


class _LimitedReceive:
    """Passes the request body through, raising :class:`BodyTooLarge` once more than ``limit`` bytes came."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.size = 0

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit:
                raise BodyTooLarge(self.limit)
        return message


def install_security(app, settings: Settings, error_page=None) -> None:
    """Add :class:`SecurityMiddleware` as the outermost layer of ``app`` (call after every other middleware)."""
    app.add_middleware(SecurityMiddleware, settings=settings, error_page=error_page)


__all__ = ["BODY_LIMIT", "FORM_BODY_LIMIT", "InsecureSettings", "SecurityMiddleware", "check_secret_key",
           "cross_site_refusal", "install_security", "security_headers"]
