"""Addresses on the site that alert emails and pages link to, made absolute with
``DESPATCHBOX_BASE_URL``. They follow the pages' scheme (``web/pages/common.py``): ids without
their ``uk.org.publicwhip/`` prefix (``/debate/debate/2009-10-26b.1.4``), and a speech's anchor
without the date and file version (``#g3.3``), so that it survives a later version of the file."""
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
    "search": "/search",
}

_LOCAL = re.compile(r"\d{4}-\d\d-\d\d[a-z]*\.(.+)$")


def short_id(gid: str) -> str:
    return gid[len(GID_PREFIX):] if gid.startswith(GID_PREFIX) else gid


def anchor(gid: str) -> str:
    """'uk.org.publicwhip/debate/2009-10-26b.3.3' → 'g3.3', as the debate page names its speeches."""
    m = _LOCAL.search(gid)
    tail = m.group(1) if m else gid.rsplit("/", 1)[-1]
    return "g" + re.sub(r"[^0-9A-Za-z._-]", "-", tail)


class Links:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def page(self, kind: str, ident: str = "", fragment: str | None = None, **query) -> str:
        path = PAGE_PATHS[kind].format(id=quote(short_id(str(ident)), safe="/"))
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
        """The search page for a saved search (its date filters are ``from`` and ``to`` there)."""
        names = {"date_from": "from", "date_to": "to"}
        return self.page("search", q=q, **{names.get(k, k): v for k, v in (filters or {}).items()})

    def alerts(self, path: str = "") -> str:
        return f"{self.base}/alerts{path}"
