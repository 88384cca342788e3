"""Addresses of the pages that show a record, for ``web_url`` fields and feed entries.

The pages own their addresses (:mod:`despatchbox.web.pages.common`); this is the one place
the API and the feeds ask for them. Paths are site-relative; feeds make them absolute with
``DESPATCHBOX_BASE_URL``.
"""
from __future__ import annotations

from ..pages import common as pages


def web_url(kind: str, ident: str, *, house: str | None = None) -> str:
    """The page for a record: ``web_url("member", "david-hanson", house="commons")`` → ``/mp/david-hanson``;
    kinds: member, debate, division, department, question."""
    if kind == "member":
        return pages.member_url(ident, house) or "/"
    if kind == "debate":
        return pages.debate_url(ident)
    if kind == "division":
        return pages.division_url(ident)
    if kind == "department":
        return pages.dept_url(ident) or "/departments"
    if kind == "question":
        return pages.question_url(ident)
    raise KeyError(kind)


def speech_url(debate_id: str, speech_id: str) -> str:
    """A contribution inside its debate's page."""
    return pages.debate_url(debate_id, at=speech_id)


def member_debate_url(slug: str, house: str | None, debate_id: str) -> str:
    """A member's contributions to one debate, in context."""
    return pages.member_debate_url(slug, house, debate_id)
