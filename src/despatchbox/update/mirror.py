"""An incremental mirror of the ParlParse archive.

Layout, as TheyWorkForYou publishes it: ``BASE/scrapedxml/<kind>/<file>.xml`` with a
``changedates.txt`` in each kind folder, and ``BASE/members/<file>.json``. A transcript is fetched
when its changedates.txt stamp differs from the one the mirror holds (new or changed files only); the
members files by conditional GET (ETag, Last-Modified). What the mirror holds is written down in
``MIRROR/.despatchbox-mirror.json`` after each file, atomically, so an interrupted run loses nothing
and the next one fetches only what is still missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import httpx

from ..record.kinds import KEYS
from .changedates import day_of, parse_changedates
from .fetch import FetchError, fetch_file

DEFAULT_SOURCE = "https://www.theyworkforyou.com/pwdata"
#: every kind folder the ingest reads (the division extracts only repeat the day files)
DEFAULT_KINDS: tuple[str, ...] = KEYS
MEMBERS_FILES = ("people.json", "ministers.json", "ministers-2010.json")
STATE = ".despatchbox-mirror.json"


class SourceUnreachable(Exception):
    """The source base URL cannot be reached at all."""


@dataclass
class UpdateReport:
    fetched: list[Path] = field(default_factory=list)      # new or changed files, now in the mirror
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)   # (url, why)
    missing: list[str] = field(default_factory=list)       # kind folders / members files the source lacks
    #: files not tried because the source stopped answering mid-run (the next run fetches them)
    not_tried: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def load_state(folder: Path) -> dict[str, dict]:
    """What the mirror folder holds, as the last run recorded it: relative path → stamp, ETag, …"""
    path = folder / STATE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_state(folder: Path, state: dict[str, dict]) -> None:
    """Record what the mirror holds, atomically (a crash leaves the old record or the new one)."""
    tmp = folder / (STATE + ".part")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, folder / STATE)


class Listener:
    """What an update tells of its progress (the CLI shows a Rich bar)."""

    def planned(self, files: int) -> None: ...
    def done(self, name: str) -> None: ...


class Mirror:
    def __init__(self, source: str, folder: Path, client: httpx.Client):
        self.source = source.rstrip("/")
        self.folder = folder
        self.client = client
        self.state = load_state(folder)

    def _save(self) -> None:
        save_state(self.folder, self.state)

    def _get_text(self, url: str) -> str | None:
        """A small listing file; None when the source has none (404)."""
        try:
            response = self.client.get(url)
        except httpx.TransportError as exc:
            raise SourceUnreachable(f"cannot reach {url}: {exc.__class__.__name__}: {exc}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SourceUnreachable(f"{url}: HTTP {response.status_code}")
        return response.text

    def plan(self, kinds: tuple[str, ...], since: date | None) -> tuple[list[tuple[str, Path, str]], UpdateReport]:
        """(url, local path, changedates stamp or '') of every file to fetch."""
        report = UpdateReport()
        todo: list[tuple[str, Path, str]] = []
        for kind in kinds:
            url = f"{self.source}/scrapedxml/{kind}/changedates.txt"
            text = self._get_text(url)
            if text is None:
                report.missing.append(f"scrapedxml/{kind}/changedates.txt")
                continue
            for name, stamp in sorted(parse_changedates(text).items()):
                day = day_of(name)
                if since is not None and day is not None and day < since:
                    continue
                rel = f"scrapedxml/{kind}/{name}"
                local = self.folder / rel
                if self.state.get(rel, {}).get("stamp") == stamp and local.exists():
                    report.unchanged += 1
                    continue
                todo.append((f"{self.source}/{rel}", local, stamp))
        for name in MEMBERS_FILES:
            rel = f"members/{name}"
            todo.append((f"{self.source}/{rel}", self.folder / rel, ""))
        return todo, report

    def update(self, kinds: tuple[str, ...] = DEFAULT_KINDS, since: date | None = None,
               listener: Listener | None = None, on_bytes: Callable[[int], None] | None = None) -> UpdateReport:
        listener = listener or Listener()
        self.folder.mkdir(parents=True, exist_ok=True)
        todo, report = self.plan(kinds, since)
        listener.planned(len(todo))
        for n, (url, local, stamp) in enumerate(todo):
            rel = local.relative_to(self.folder).as_posix()
            held = self.state.get(rel, {})
            try:
                got = fetch_file(self.client, url, local, etag=held.get("etag"),
                                 last_modified=held.get("last_modified"), on_bytes=on_bytes)
            except FetchError as exc:
                if rel.startswith("members/") and "HTTP 404" in str(exc):
                    report.missing.append(rel)
                else:
                    report.failed.append((url, str(exc)))
                listener.done(local.name)
                if exc.source_down:
                    # every further file would wait on the timeout too (hours for the whole archive):
                    # stop here; what was fetched is kept and ingested, the rest is fetched next run
                    report.not_tried = len(todo) - n - 1
                    break
                continue
            if got.changed:
                report.fetched.append(local)
            else:
                report.unchanged += 1
            self.state[rel] = {"stamp": stamp, "etag": got.etag, "last_modified": got.last_modified,
                               "size": got.size}
            self._save()
            listener.done(local.name)
        return report


def open_client(timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, follow_redirects=True,
                        headers={"Accept-Encoding": "identity", "User-Agent": "despatchbox-update"})


__all__ = ["DEFAULT_KINDS", "DEFAULT_SOURCE", "MEMBERS_FILES", "Listener", "Mirror", "SourceUnreachable",
           "UpdateReport", "load_state", "open_client", "save_state"]
