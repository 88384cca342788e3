"""Ids, anchors and the site's addresses: the one URL builder.

Every surface that links to a record — pages and their templates, the JSON API's ``web_url``
fields, Atom feeds, alert emails, search results, who-said and the CLI — asks :class:`Urls` (or
the module functions, which are a site-relative ``Urls``). Ids appear without their
``uk.org.publicwhip/`` prefix (``/debate/debate/2009-10-26b.1.4``) and a speech's anchor without
the date and file version (``#g3.3``), so that links survive a later version of the day's file.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode

GID_PREFIX = "uk.org.publicwhip/"

#: page → path pattern; ``{id}`` keeps its slashes
PAGE_PATHS = {
    "debate": "/debate/{id}",
    "question": "/written-question/{id}",
    "division": "/division/{id}",
    "commons-member": "/mp/{id}",
    "lords-member": "/lord/{id}",
    "department": "/dept/{id}",
    "departments": "/departments",
    "day": "/day/{id}",
    "search": "/search",
}
#: feed → path pattern; ``{id}`` is one path segment
FEED_PATHS = {"member": "/feeds/members/{id}.atom", "department": "/feeds/departments/{id}.atom",
              "search": "/feeds/search.atom"}

#: an id ``quote(id, safe="/")`` leaves as it is (its never-quoted characters, and "/"): a page writes
#: dozens of addresses, most of slugs and ids made of these (~1 µs each not spent in ``quote``)
_AS_QUOTED = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch
_LOCAL = re.compile(r"\d{4}-\d\d-\d\d[a-z]*\.(.+)$")
_NOT_IN_ANCHOR = re.compile(r"[^0-9A-Za-z._-]")


def short_id(gid: str) -> str:
    """'uk.org.publicwhip/debate/2009-10-26b.1.4' → 'debate/2009-10-26b.1.4'."""
    return gid[len(GID_PREFIX):] if gid.startswith(GID_PREFIX) else gid


def full_id(short: str) -> str:
    """The inverse of :func:`short_id` (a full gid is returned as it is)."""
    short = short.strip("/")
    return short if short.startswith(GID_PREFIX) else GID_PREFIX + short


def anchor(gid: str) -> str:
    """'uk.org.publicwhip/debate/2009-10-26b.3.3' → 'g3.3': a speech's anchor in its debate's page,
    without the date and file version, so that it survives a later version."""
    m = _LOCAL.search(gid)
    tail = m.group(1) if m else gid.rsplit("/", 1)[-1]
    return "g" + _NOT_IN_ANCHOR.sub("-", tail)


def _path_id(ident: str) -> str:
    """An id as an address writes it: short (:func:`short_id`), then ``quote(…, safe="/")``, skipped
    where quote would leave it as it is."""
    ident = short_id(ident)
    return ident if _AS_QUOTED(ident) else quote(ident, safe="/")


def member_prefix(house: str | None) -> str:
    return "lord" if house == "lords" else "mp"


class Urls:
    """The site's addresses, site-relative (``base=""``) or absolute (``Urls(settings.base_url)``)."""

    def __init__(self, base: str = ""):
        self.base = base.rstrip("/")

    def page(self, page: str, ident: str = "", fragment: str | None = None, **query) -> str:
        path = PAGE_PATHS[page].format(id=_path_id(str(ident)))
        params = {k: v for k, v in query.items() if v not in (None, "", [], ())} if query else None
        url = self.base + path + ("?" + urlencode(params, doseq=True) if params else "")
        return url + ("#" + fragment if fragment else "")

    def debate(self, debate_id: str, speech_id: str | None = None) -> str:
        """The debate (item of business) page, at a speech when one is given."""
        return self.page("debate", debate_id, anchor(speech_id) if speech_id else None)

    def speech(self, debate_id: str, speech_id: str) -> str:
        return self.debate(debate_id, speech_id)

    def question(self, heading_id: str) -> str:
        return self.page("question", heading_id)

    def division(self, division_id: str) -> str:
        return self.page("division", division_id)

    def day(self, day) -> str:
        return self.page("day", str(day))

    def member(self, slug: str | None, house: str | None = None) -> str | None:
        if not slug:
            return None
        return self.page("lords-member" if house == "lords" else "commons-member", slug)

    def member_debate(self, slug: str, house: str | None, debate_id: str, speech_id: str | None = None) -> str:
        """A member's contributions to one debate, in context."""
        path = f"/{member_prefix(house)}/{slug}/debate/{_path_id(debate_id)}"
        return self.base + path + (f"#{anchor(speech_id)}" if speech_id else "")

    def department(self, slug: str | None) -> str | None:
        return self.page("department", slug) if slug else None

    def departments(self) -> str:
        return self.page("departments")

    def search(self, q: str, filters: dict | None = None) -> str:
        """The search page for a query (a saved search's date filters are ``from`` and ``to`` there)."""
        names = {"date_from": "from", "date_to": "to"}
        return self.page("search", q=q, **{names.get(k, k): v for k, v in (filters or {}).items()})

    def feed(self, feed: str, ident: str | None = None, /, **params) -> str:
        path = FEED_PATHS[feed].format(id=quote(str(ident or ""), safe=""))
        query = {k: v for k, v in params.items() if v not in (None, "", [], ())}
        return self.base + path + ("?" + urlencode(query, doseq=True) if query else "")

    def alerts(self, path: str = "") -> str:
        return f"{self.base}/alerts{path}"


#: site-relative addresses, as pages, the API and feeds write them
site = Urls()
