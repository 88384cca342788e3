"""Addresses of the pages that show a record, for ``web_url`` fields and feed entries.

One table, so that when a page moves only this changes. Paths are site-relative; feeds
make them absolute with ``DESPATCHBOX_BASE_URL``.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

#: record type → page path pattern (``{id}`` is quoted with "/" kept: gids keep their slashes)
PAGE_PATHS = {
    "member": "/members/{id}",
    "debate": "/debates/{id}",
    "division": "/divisions/{id}",
    "department": "/departments/{id}",
    "question": "/questions/{id}",
    "speech": "/debates/{id}",
}


def web_url(kind: str, ident: str | int, **query) -> str:
    """The page for a record: ``web_url("member", "david-hanson")`` → ``/members/david-hanson``."""
    path = PAGE_PATHS[kind].format(id=quote(str(ident), safe="/"))
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urlencode(params) if params else "")


def anchor_for(gid: str) -> str:
    """A contribution's anchor in its debate's page: the gid after its last "/"."""
    return gid.rsplit("/", 1)[-1]


def speech_url(debate_id: str, speech_id: str) -> str:
    """A contribution inside its debate's page."""
    return web_url("debate", debate_id) + "#" + quote(anchor_for(speech_id), safe="")
