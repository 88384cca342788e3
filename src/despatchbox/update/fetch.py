"""Fetching one file into the mirror: conditional, resumable and atomic.

A file is downloaded to ``<name>.part`` beside its place, fsynced, checked against the length the
server announced, and only then renamed over the old copy; a half-downloaded file is never where the
ingest looks (the ingest reads ``*.xml`` and ``*.json``, never ``*.part``). An interrupted download
resumes from the ``.part`` with a Range request when the server still has the same version (If-Range
with its ETag), else starts again.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

CHUNK = 64 * 1024


class FetchError(Exception):
    """A file that could not be fetched whole (the mirror keeps what it had). ``source_down``: the
    source stopped answering (no connection, or no answer in time), not just this one file failed."""

    def __init__(self, message: str, source_down: bool = False):
        super().__init__(message)
        self.source_down = source_down


@dataclass
class Fetched:
    changed: bool            # False: 304 Not Modified
    etag: str | None
    last_modified: str | None
    size: int


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fetch_file(client: httpx.Client, url: str, dest: Path, etag: str | None = None,
               last_modified: str | None = None, on_bytes=None) -> Fetched:
    """GET url into dest unless unchanged (ETag / Last-Modified); raises FetchError on any failure."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    headers = {}
    if dest.exists():
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
    tag = part.with_name(part.name + ".etag")        # the version a .part holds the start of
    have = part.stat().st_size if part.exists() else 0
    part_etag = tag.read_text().strip() if tag.exists() else None
    if have and part_etag:
        headers["Range"] = f"bytes={have}-"
        headers["If-Range"] = part_etag
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(False, etag, last_modified, dest.stat().st_size)
            if response.status_code not in (200, 206):
                raise FetchError(f"{url}: HTTP {response.status_code}")
            appending = response.status_code == 206
            expected = response.headers.get("content-length")
            if not appending:
                if response.headers.get("etag"):
                    tag.write_text(response.headers["etag"])
                elif tag.exists():
                    tag.unlink()
            with open(part, "ab" if appending else "wb") as out:
                for chunk in response.iter_raw(CHUNK):
                    out.write(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            got = part.stat().st_size - (have if appending else 0)
            if expected is not None and got != int(expected):
                raise FetchError(f"{url}: got {got} of {expected} bytes")
            new_etag = response.headers.get("etag")
            new_modified = response.headers.get("last-modified")
    except httpx.HTTPError as exc:
        down = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout))
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}", source_down=down) from None
    os.replace(part, dest)
    if tag.exists():
        tag.unlink()
    _fsync_dir(dest.parent)
    return Fetched(True, new_etag, new_modified, dest.stat().st_size)
