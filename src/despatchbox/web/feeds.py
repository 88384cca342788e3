"""Atom feeds: a member's contributions, a department's debates and written answers, and a
saved search.

    /feeds/members/{slug}.atom          the member's latest speeches, questions and answers
    /feeds/departments/{slug}.atom      the department's latest debates, statements and answers
                                        (``?show=debates`` or ``?show=answers`` for one of them)
    /feeds/search.atom?q=…              a saved search (the search page's parameters), newest first

Pages advertise them in their ``<head>`` with :func:`feed_link` (a template global)::

    {% block head %}{{ feed_link("member", person.slug, person.name) }}{% endblock %}

Entry ids are ``urn:uuid:`` names derived from the record's ParlParse id, so they never change
when addresses do. Feeds are valid Atom 1.0 (RFC 4287).
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timezone
from typing import Annotated, Literal
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from ..record import kinds as record_kinds
from ..record import naming, urls
from ..store.queries import debates as debate_queries
from ..store.queries import departments as department_queries
from ..store.queries import people as people_queries
from ..store.queries import questions as question_queries
from ..store.queries.people import WRITTEN_ANSWER_KINDS
from ..store.queries.api import heading_titles, last_change
from .api.links import speech_url, web_url
from .formatting import excerpt
from .templating import register_global
from ..store.database import reading

router = APIRouter()

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
#: entries per feed
FEED_ENTRIES = 50
#: namespace of entry ids: uuid5(ENTRY_NAMESPACE, gid)
ENTRY_NAMESPACE = uuid.UUID("7d3c1a52-3a43-5e0c-9a57-2f3b1c0d5e11")
GENERATOR = "despatchbox"
ELEMENT_LABELS = {"speech": "Speech", "ques": "Question", "reply": "Answer"}
#: characters XML 1.0 does not allow
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# --- links for page heads ---------------------------------------------------------------------------------

def feed_url(feed: str, ident: str | None = None, /, **params) -> str:
    """The site-relative address of a feed: ``feed_url("member", "david-hanson")``,
    ``feed_url("department", "home-office", show="answers")``, ``feed_url("search", q="taser")``."""
    return urls.site.feed(feed, ident, **params)


def feed_link(feed: str, ident: str | None = None, /, title: str | None = None, **params) -> Markup:
    """``<link rel="alternate" type="application/atom+xml" title="…" href="…">`` for a page's head."""
    default = {"member": "Contributions", "department": "Debates and answers", "search": "Search results"}[feed]
    return Markup('<link rel="alternate" type="{}" title="{}" href="{}">').format(
        ATOM_TYPE, title or default, feed_url(feed, ident, **params))


register_global("feed_link")(feed_link)
register_global("feed_url")(feed_url)


# --- building a feed --------------------------------------------------------------------------------------

def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _stamp(value: date | datetime | None) -> str:
    if value is None:
        value = datetime.now(timezone.utc)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0), tzinfo=timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entry_id(record_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, record_id)}"


class Feed:
    def __init__(self, request: Request, *, title: str, self_path: str, alternate_path: str, subtitle: str = ""):
        self.base = request.app.state.settings.base_url if hasattr(request.app.state, "settings") else ""
        self.root = ET.Element("feed", xmlns=ATOM_NS)
        self.updated: list[str] = []
        self._add(self.root, "title", title)
        if subtitle:
            self._add(self.root, "subtitle", subtitle)
        self.self_url = self.absolute(self_path)
        self._add(self.root, "id", self.self_url)
        ET.SubElement(self.root, "link", rel="self", type=ATOM_TYPE, href=self.self_url)
        ET.SubElement(self.root, "link", rel="alternate", type="text/html", href=self.absolute(alternate_path))
        author = ET.SubElement(self.root, "author")
        self._add(author, "name", "despatchbox")
        self._add(self.root, "generator", GENERATOR)
        self._add(self.root, "rights", "Parliamentary copyright, reused under the Open Parliament Licence")
        self._updated = self._add(self.root, "updated", "")

    def absolute(self, path: str) -> str:
        return self.base + path if path.startswith("/") else path

    @staticmethod
    def _add(parent, tag: str, text: str, **attrs):
        el = ET.SubElement(parent, tag, **attrs)
        el.text = _clean(text)
        return el

    def entry(self, *, record_id: str, title: str, path: str, day: date, author: str | None, summary: str,
              categories: tuple[str, ...] = ()) -> None:
        e = ET.SubElement(self.root, "entry")
        self._add(e, "id", entry_id(record_id))
        self._add(e, "title", title or "(untitled)")
        ET.SubElement(e, "link", rel="alternate", type="text/html", href=self.absolute(path))
        stamp = _stamp(day)
        self.updated.append(stamp)
        self._add(e, "published", stamp)
        self._add(e, "updated", stamp)
        who = ET.SubElement(e, "author")
        self._add(who, "name", author or "UK Parliament")
        for term in categories:
            if term:
                ET.SubElement(e, "category", term=_clean(term))
        self._add(e, "summary", summary, type="text")

    def response(self, fallback_updated: datetime | None) -> Response:
        self._updated.text = max(self.updated) if self.updated else _stamp(fallback_updated)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(self.root, encoding="utf-8")
        return Response(body, media_type=ATOM_TYPE + "; charset=utf-8")


def _missing(request: Request, message: str):
    from .app import error_page
    return error_page(request, 404, "Not found", message)


# --- the feeds --------------------------------------------------------------------------------------------

@router.get("/feeds/members/{slug}.atom", include_in_schema=False)
def member_feed(request: Request, slug: str):
    with reading(request.app.state.engine) as conn:
        person = people_queries.person_by_slug(conn, slug)
        if person is None and slug.isdigit() and len(slug) < 10:
            person = people_queries.person_by_id(conn, int(slug))
        if person is None:
            return _missing(request, f"There is no member {slug!r}.")
        rows = people_queries.recent_contributions(conn, person["id"], limit=FEED_ENTRIES)
        titles = heading_titles(conn, [r["heading_id"] for r in rows])
        changed = last_change(conn)
    feed = Feed(request, title=f"{person['name']}: contributions", self_path=feed_url("member", person["slug"]),
                alternate_path=web_url("member", person["slug"], house=person.get("house")),
                subtitle=f"Speeches, written questions and answers by {person['name']} in the UK Parliament")
    for r in rows:
        label = ELEMENT_LABELS.get(r["element"], "Contribution")
        chamber = record_kinds.name_of(r["kind"])
        dept = naming.department_name(r.get("department_slug"), r["date"])
        title = naming.item_title(r["debate_title"])
        heading = naming.item_title(titles.get(r["heading_id"]))
        if heading and heading != title:
            title = f"{title}: {heading}"
        written = r["kind"] in WRITTEN_ANSWER_KINDS and r["heading_id"]
        feed.entry(record_id=r["id"], title=f"{label}: {title} ({chamber})",
                   path=web_url("question", r["heading_id"]) if written else speech_url(r["debate_id"], r["id"]),
                   day=r["date"], author=person["name"],
                   summary=excerpt(r["text"], 1000), categories=(chamber, dept or ""))
    return feed.response(changed)


@router.get("/feeds/departments/{slug}.atom", include_in_schema=False)
def department_feed(request: Request, slug: str,
                    show: Annotated[Literal["all", "debates", "answers"], Query()] = "all"):
    with reading(request.app.state.engine) as conn:
        row = department_queries.department(conn, slug)
        if row is None:
            return _missing(request, f"There is no department {slug!r}.")
        entries = []
        if show in ("all", "debates"):
            kinds = [k for k in record_kinds.KEYS if k not in record_kinds.ANSWERS]
            _, sections = debate_queries.department_sections(conn, slug, kinds, limit=FEED_ENTRIES)
            for s in sections:
                chamber = record_kinds.name_of(s["kind"])
                entries.append((s["date"], dict(record_id=s["id"], title=f"{naming.item_title(s['title'])} ({chamber})",
                                                path=web_url("debate", s["id"]), day=s["date"], author=None,
                                                summary=f"{chamber}, {naming.full_date(s['date'])}: "
                                                        f"{s['speeches']} contributions, {s['words']:,} words.",
                                                categories=(chamber,))))
        if show in ("all", "answers"):
            _, groups = question_queries.department_questions(conn, slug, limit=FEED_ENTRIES)
            for g in groups:
                askers = ", ".join(g.get("askers") or []) or "A member"
                answerer = g.get("answerer") or "the government"
                entries.append((g["date"], dict(record_id=g["id"], title=f"Written answer: {naming.item_title(g['title'])}",
                                                path=web_url("question", g["id"]), day=g["date"],
                                                author=g.get("answerer"),
                                                summary=f"Asked by {askers}; answered by {answerer}.",
                                                categories=(record_kinds.name_of(g["kind"]),))))
        changed = last_change(conn)
        latest = department_queries.latest_sitting_day(conn) or date.today()
    name = naming.department_name(slug, latest, row["name"])
    what = {"all": "debates, statements and written answers", "debates": "debates and statements",
            "answers": "written answers"}[show]
    feed = Feed(request, title=f"{name}: {what}", self_path=feed_url("department", slug, show=None if show == "all"
                                                                     else show),
                alternate_path=web_url("department", slug),
                subtitle=f"The latest {what} of the {name} in the UK Parliament")
    entries.sort(key=lambda e: e[0], reverse=True)
    for _, entry in entries[:FEED_ENTRIES]:
        feed.entry(**entry)
    return feed.response(changed)


@router.get("/feeds/search.atom", include_in_schema=False)
def search_feed(request: Request,
                q: Annotated[str, Query(max_length=500)] = "",
                person: Annotated[str | None, Query(max_length=200)] = None,
                member: Annotated[str | None, Query(max_length=200)] = None,
                party: Annotated[str | None, Query(max_length=80)] = None,
                department: Annotated[str | None, Query(max_length=80)] = None,
                kind: Annotated[list[str] | None, Query()] = None,
                since: Annotated[date | None, Query(alias="from")] = None,
                until: Annotated[date | None, Query(alias="to")] = None):
    """A saved search: the search page's parameters; the newest matching contributions first."""
    from ..store.search import SearchQuery, search, search_people
    from ..store.search.query_language import QueryError
    from .search_hits import named_hits, party_filter
    if not q.strip():
        return _bad(request, "A saved search needs words to search for (q).")
    with reading(request.app.state.engine) as conn:
        person_id = None
        if person:
            found = (people_queries.person_by_id(conn, int(person)) if person.isdigit() and len(person) < 10
                     else people_queries.person_by_slug(conn, person))
            if found is None:
                return _missing(request, f"There is no member {person!r}.")
            person_id = found["id"]
        elif member and member.strip():
            choices = [p for p in search_people(conn, member.strip()) if p.full_match]
            if not choices:
                return _missing(request, f"No member is called {member!r}.")
            person_id = choices[0].id
        try:
            query = SearchQuery(text=q, person_id=person_id, party_codes=party_filter(conn, party),
                                department_slug=department or None,
                                kind=tuple(kind) if kind else None, date_from=since, date_to=until, sort="date",
                                limit=FEED_ENTRIES)
            results = search(conn, query)
        except QueryError as exc:
            return _bad(request, str(exc))
        changed = last_change(conn)
    params = {"q": q, "person": person, "member": member, "party": party, "department": department, "kind": kind,
              "from": since.isoformat() if since else None, "to": until.isoformat() if until else None}
    feed = Feed(request, title=f"Search: {q}", self_path=feed_url("search", **params),
                alternate_path=_search_page(params),
                subtitle=f"The newest contributions in the UK Parliament matching {results.understood_as or q}")
    for hit in named_hits(results.hits):
        label = {"question": "Question", "answer": "Answer", "statement": "Statement"}.get(hit.item_type, "Speech")
        who = hit.display_name or hit.name
        feed.entry(record_id=hit.id, title=f"{label}: {naming.item_title(hit.title)}" + (f" \u2014 {who}" if who else ""),
                   path=speech_url(hit.debate_id, hit.id), day=hit.date, author=hit.name,
                   summary=_strip_tags(str(hit.snippet)), categories=(hit.chamber, hit.department or ""))
    return feed.response(changed)


def _search_page(params: dict) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    return "/search" + ("?" + urlencode(query, doseq=True) if query else "")


def _strip_tags(html: str) -> str:
    from html import unescape
    return unescape(re.sub(r"<[^>]+>", "", html))


def _bad(request: Request, message: str):
    from .app import error_page
    return error_page(request, 400, "Bad request", message)


__all__ = ["router", "feed_link", "feed_url", "Feed", "entry_id"]
