"""Addresses on the site that alert emails and pages link to, made absolute with
``DESPATCHBOX_BASE_URL``. One table, so that when a page moves only this changes."""
from __future__ import annotations

from urllib.parse import quote, urlencode

#: page → path pattern; ``{id}`` keeps its slashes (gids such as uk.org.publicwhip/debate/2009-10-26b.1.4)
PAGE_PATHS = {
    "debate": "/debate/{id}",
    "question": "/question/{id}",
    "division": "/division/{id}",
    "commons-member": "/mp/{id}",
    "lords-member": "/lord/{id}",
    "department": "/dept/{id}",
    "search": "/search",
}


def anchor(speech_id: str) -> str:
    """The fragment naming a speech inside its debate's page: the gid after its last "/"
    (``uk.org.publicwhip/debate/2009-10-26b.1.0`` → ``2009-10-26b.1.0``), as the search and the
    debate pages name them."""
    return quote(speech_id.rsplit("/", 1)[-1], safe="")


class Links:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def page(self, kind: str, ident: str = "", fragment: str | None = None, **query) -> str:
        path = PAGE_PATHS[kind].format(id=quote(str(ident), safe="/"))
        params = {k: v for k, v in query.items() if v not in (None, "", [])}
        url = self.base + path + ("?" + urlencode(params, doseq=True) if params else "")
        return url + ("#" + fragment if fragment else "")

    def debate(self, debate_id: str, speech_id: str | None = None) -> str:
        return self.page("debate", debate_id, anchor(speech_id) if speech_id else None)

    def question(self, heading_id: str) -> str:
        return self.page("question", heading_id)

    def division(self, division_id: str) -> str:
        return self.page("division", division_id)

    def member(self, slug: str | None, house: str | None) -> str | None:
        if not slug:
            return None
        return self.page("lords-member" if house == "lords" else "commons-member", slug)

    def department(self, slug: str) -> str:
        return self.page("department", slug)

    def search(self, q: str, filters: dict | None = None) -> str:
        return self.page("search", q=q, **(filters or {}))

    def alerts(self, path: str = "") -> str:
        return f"{self.base}/alerts{path}"
