"""The site's static files, served from memory with their gzip made once.

Starlette's ``StaticFiles`` stats and reads the file on every request (on the thread pool) and
the gzip middleware compresses it again each time: a static file reached 10–25 % of a bare
route's requests per second (docs/benchmarks.md). The files here are few and small (the style
sheet), fixed for the life of the process: :class:`StaticAssets` reads every file under its
directory once, at start-up, and keeps its body, its gzipped body (level 9, made once), a strong
``ETag`` and ``Last-Modified``. A request is a dictionary lookup: ``GET``/``HEAD`` only, the
gzipped body when the client accepts gzip (``Vary: Accept-Encoding``), ``304`` for a matching
``If-None-Match``, ``Cache-Control: public, max-age=3600``; anything else is a 404 raised as
Starlette's ``HTTPException``, which the site's error page answers (no path ever reaches the file
system).
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

#: how long browsers and proxies may reuse a file without asking again
MAX_AGE = 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    last_modified: str


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
        kind += "; charset=utf-8"
    modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0)
    return Asset(body=body, gzipped=gzip.compress(body, compresslevel=9, mtime=0), content_type=kind,
                 etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                 last_modified=format_datetime(modified, usegmt=True))


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return any(part.split(b";")[0].strip() == b"gzip" for part in value.lower().split(b","))
    return False


def _if_none_match(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return value
    return None


class StaticAssets:
    """An ASGI app serving every file under ``directory`` (read once) at its relative path."""

    def __init__(self, directory: Path):
        self.assets = {p.relative_to(directory).as_posix(): _asset(p)
                       for p in sorted(directory.rglob("*")) if p.is_file()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise HTTPException(status_code=404)
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        root = scope.get("root_path", "")
        path = scope["path"]
        path = path[len(root):] if root and path.startswith(root) else path
        asset = self.assets.get(path.lstrip("/"))
        if asset is None:
            raise HTTPException(status_code=404)
        headers = [(b"etag", asset.etag.encode()), (b"last-modified", asset.last_modified.encode()),
                   (b"cache-control", f"public, max-age={MAX_AGE}".encode()), (b"vary", b"Accept-Encoding")]
        wanted = _if_none_match(scope)
        if wanted is not None and (wanted.strip() == b"*" or asset.etag.encode() in
                                   [v.strip().removeprefix(b"W/") for v in wanted.split(b",")]):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.gzipped if _accepts_gzip(scope) else asset.body
        if body is asset.gzipped:
            headers.append((b"content-encoding", b"gzip"))
        headers += [(b"content-type", asset.content_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
