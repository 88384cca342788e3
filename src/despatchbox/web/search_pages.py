"""``/search``: the search page — query box, filters, people who match, results with snippets, pages.

Everything a user can put in the address is read here by hand, so that a mistyped date, page or
query is answered with the form and a message (status 400), never an error page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from ..record import naming
from ..store.search import (MAX_QUERY_CHARS, PersonHit, QueryError, SearchQuery, person_by_slug, search,
                            search_people, sort_order)
from .app import engine_of
from .pages.common import dept_url, member_url
from .search_hits import KIND_NAMES, filter_choices, named_hits, party_filter
from .templating import templates
from ..store.database import reading

router = APIRouter()

PER_PAGE = 20
#: the most pages a search can be paged through
MAX_PAGE = 1000
FORM_FIELDS = ("q", "person", "member", "party", "department", "kind", "from", "to", "sort", "group")


@dataclass
class SearchForm:
    """The search as the address gives it, with the problems found in it."""
    q: str = ""
    person: str = ""
    member: str = ""
    party: str = ""
    department: str = ""
    kind: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    group: bool = False
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, params) -> "SearchForm":
        def one(name: str) -> str:
            return (params.get(name) or "").strip()

        form = cls(q=(params.get("q") or "").strip(), person=one("person"), member=one("member"), party=one("party"),
                   department=one("department"), kind=one("kind"), date_from=one("from"), date_to=one("to"),
                   sort=one("sort") or "relevance", group=one("group") in ("1", "on", "true", "yes"))
        page = one("page") or "1"
        if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
            form.problems.append(f"There is no page {page!r}: pages are numbered from 1 to {MAX_PAGE}.")
        else:
            form.page = int(page)
        if form.sort not in ("relevance", "date"):
            form.problems.append("Sort by relevance or by date.")
            form.sort = "relevance"
        if form.kind and form.kind not in KIND_NAMES:
            form.problems.append(f"There is no chamber or kind {form.kind!r}.")
            form.kind = ""
        return form

    def day(self, value: str, label: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problems.append(f"The {label} date should look like 2009-10-26, not {value!r}.")
            return None

    def params(self, **changes) -> dict:
        values = {"q": self.q, "person": self.person, "member": self.member, "party": self.party,
                  "department": self.department, "kind": self.kind, "from": self.date_from, "to": self.date_to,
                  "sort": "" if self.sort == "relevance" else self.sort, "group": "1" if self.group else "",
                  "page": "" if self.page == 1 else str(self.page)}
        values.update({k: ("" if v is None else str(v)) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}

    def url(self, **changes) -> str:
        return "/search?" + urlencode(self.params(**changes))


def _page_links(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 — None where numbers are left out."""
    wanted = {1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}
    out: list[int | None] = []
    for n in sorted(wanted):
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def named_people(hits: list[PersonHit]) -> list[dict]:
    """People found, as the page lists them: each with its name, party and seat ('Lord Bach (Labour - Life peer)')."""
    return [{"id": p.id, "name": p.name, "slug": p.slug, "house": p.house, "current": p.current,
             "full_match": p.full_match, "speeches": p.speeches,
             "display_name": naming.member_label(p.latest, None, p.name)} for p in hits]


@router.get("/search")
def search_page(request: Request):
    form = SearchForm.read(request.query_params)
    context: dict = {"form": form, "q": form.q, "results": None, "people": [], "member": None,
                     "member_choices": [], "kind_labels": KIND_NAMES, "max_chars": MAX_QUERY_CHARS,
                     "member_url": member_url, "dept_url": dept_url, "page_links": [], "notices": []}
    start, end = form.day(form.date_from, "from"), form.day(form.date_to, "to")
    with reading(engine_of(request)) as conn:
        context["options"] = filter_choices(conn)
        person_id = None
        if form.person:
            found = person_by_slug(conn, form.person)
            if found is None:
                form.problems.append(f"There is no member {form.person!r}.")
            else:
                person_id, context["member"] = found["id"], found
        elif form.member:
            choices = [p for p in search_people(conn, form.member) if p.full_match]
            if not choices:
                form.problems.append(f"No member is called {form.member!r}.")
            else:
                person_id = choices[0].id
                context["member"] = {"id": choices[0].id, "name": choices[0].name, "slug": choices[0].slug}
                context["member_choices"] = named_people(choices[1:])
        if form.q and not form.problems:
            try:
                results = search(conn, SearchQuery(
                    text=form.q, person_id=person_id, party_codes=party_filter(conn, form.party),
                    department_slug=form.department or None, kind=form.kind or None, date_from=start,
                    date_to=end, sort=sort_order(form.sort), limit=PER_PAGE, offset=(form.page - 1) * PER_PAGE,
                    group_by_debate=form.group, exact_total=False))
            except QueryError as exc:
                form.problems.append(str(exc))
            else:
                context["results"] = results
                context["hits"] = named_hits(results.hits)
                context["search_feed_url"] = "/feeds/search.atom?" + urlencode(
                    [(k, v) for k, v in (("q", form.q), ("person", form.person), ("party", form.party),
                                         ("department", form.department), ("kind", form.kind),
                                         ("from", form.date_from), ("to", form.date_to)) if v])
                context["page_links"] = _page_links(form.page, results.pages)
                if form.page == 1 and not form.member and not form.person:
                    context["people"] = named_people(search_people(conn, form.q, limit=5))
    status = 400 if form.problems else 200
    return templates.TemplateResponse(request, "search.html", context, status_code=status)
