"""What every page shares: addresses of records, chambers, paging, department names,
and the template filters and globals that use them.

Addresses use ParlParse ids without their ``uk.org.publicwhip/`` prefix:
``/debate/debate/2009-10-26b.1.4``, ``/debate/westminhall/2009-10-27a.1.0``,
``/division/debate/2009-10-26b.125.5``, ``/written-question/wrans/2009-10-26f.294335.h``.
The full gid is accepted too and redirected. A speech's anchor drops the date and the
file version (``#g3.3`` for ``…/2009-10-26b.3.3``), so it survives a later version of the
day's file.
"""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.responses import RedirectResponse

from ...record import kinds, naming, urls
from .. import formatting
from ..templating import register_filter, register_global, templates


#: chambers as the home page groups them: (key, name, kinds)
CHAMBERS = kinds.groups()
KIND_NAMES = {k.key: k.name for k in kinds.KINDS}
PER_PAGE = 20


# ids, anchors and addresses: the record's one URL builder (``record/urls.py``), site-relative
short_id, full_id, anchor, member_prefix = urls.short_id, urls.full_id, urls.anchor, urls.member_prefix


def debate_url(gid: str, at: str | None = None) -> str:
    return urls.site.debate(gid, at)


def division_url(gid: str) -> str:
    return urls.site.division(gid)


def question_url(heading_gid: str) -> str:
    return urls.site.question(heading_gid)


def member_url(slug: str | None, house: str | None = None) -> str | None:
    return urls.site.member(slug, house)


def member_debate_url(slug: str, house: str | None, gid: str, at: str | None = None) -> str:
    return urls.site.member_debate(slug, house, gid, at)


def dept_url(slug: str | None) -> str | None:
    return urls.site.department(slug)


#: a department's name on a date: the record's one naming policy (``record/naming.py``)
department_name = naming.department_name


def with_the(name: str | None) -> str:
    """'Home Office' → 'the Home Office'; 'HM Treasury' stays; 'Department for …' → 'the Department for …'."""
    if not name:
        return ""
    if name.startswith(("HM ", "Her Majesty", "His Majesty", "the ", "The ")):
        return name
    return "the " + name


#: headings for display, named as on every surface (``record/naming.item_title``)
display_title = naming.item_title


@dataclass
class Pager:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def check_page(page: int) -> int:
    """Page numbers start at 1; anything else is a bad request (FastAPI already rejects non-numbers)."""
    if page < 1 or page > 1_000_000:
        raise HTTPException(400, f"There is no page {page}: pages are numbered from 1.")
    return page


def clamp(pager: Pager) -> Pager:
    """A page past the end shows the last page."""
    if pager.page > pager.pages:
        pager.page = pager.pages
    return pager


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=301)


def render(request, name: str, context: dict, status_code: int = 200):
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def not_found(message: str) -> HTTPException:
    return HTTPException(404, message)


# --- template filters and globals ---------------------------------------------------------

register_filter("full_date")(formatting.full_date)
register_filter("short_date")(formatting.short_date)
register_filter("age")(formatting.relative_age)
register_filter("excerpt")(formatting.excerpt)
register_filter("safe_html")(formatting.safe_html)
register_filter("paragraphs")(formatting.text_paragraphs)
register_filter("thousands")(formatting.words)
register_filter("title_case")(display_title)
register_filter("anchor")(anchor)
register_filter("short_id")(short_id)
register_global("debate_url")(debate_url)
register_global("division_url")(division_url)
register_global("question_url")(question_url)
register_global("member_url")(member_url)
register_global("member_debate_url")(member_debate_url)
register_global("dept_url")(dept_url)
register_global("department_name")(department_name)
register_global("with_the")(with_the)
register_global("kind_name")(lambda kind: KIND_NAMES.get(kind, kind))
