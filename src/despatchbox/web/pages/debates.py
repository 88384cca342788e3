"""The full debate (``/debate/{id}``) and a sitting day (``/day/{yyyy-mm-dd}``).

The debate page shows every heading and speech with a permanent anchor per speech, and its
divisions with their tallies and names by party (tellers marked). Ids of superseded file
versions, and ids of headings or speeches inside a debate, redirect (301) to the debate.
"""
from __future__ import annotations


from operator import itemgetter

from fastapi import Request
from markupsafe import Markup

from ..page_routes import page_router
from ...store.queries import debates as debate_queries
from ...store.queries import divisions as division_queries
from ...store.queries.people import WRITTEN_ANSWER_KINDS
from ..app import engine_of
from ..api.common import IsoDate
from .common import (CHAMBERS, KIND_NAMES, anchor, debate_url, department_name, display_title, division_url, full_id,
                     not_found, question_url, redirect, render, short_id)
from ..formatting import escaped
from .divisions import shape_division
from .naming import label_speeches, speech_markup
from ...store.database import reading

router = page_router()


def redirect_to_record(found: dict):
    """The page for a record :func:`debate_queries.locate` found (301)."""
    if found["type"] == "division":
        return redirect(division_url(found["id"]))
    at = found["id"] if found["type"] in ("speech", "heading") and found["id"] != found["debate_id"] else None
    return redirect(debate_url(found["debate_id"], at=at))


def heading_html(h: dict) -> str:
    """A heading of the debate page: ``<h2>`` with its anchor (a written question's links to its page)."""
    title = escaped(display_title(h["title"]))
    if h["level"] == "minor":
        if h.get("question_url"):
            title = f'<a href="{escaped(h["question_url"])}">{title}</a>'
        return f'<h2 class="subheading" id="{escaped(anchor(h["id"]))}">{title}</h2>'
    return f'<h2 class="majorheading" id="{escaped(anchor(h["id"]))}">{title}</h2>'


def runs_of_markup(items: list[tuple[str, dict]]) -> list[tuple[str, object]]:
    """The debate's items in order for debate.html: each run of headings and speeches as one piece of
    markup (``("html", Markup)``, the lines the template used to write one by one: hundreds of
    template steps on a long debate), divisions as they are (``("division", shaped)``)."""
    out: list[tuple[str, object]] = []
    lines: list[str] = []
    for kind, item in items:
        if kind == "division":
            if lines:
                out.append(("html", Markup("\n".join(lines))))
                lines = []
            out.append((kind, item))
            continue
        lines.append(f"    {heading_html(item) if kind == 'heading' else speech_markup(item)}")
    if lines:
        out.append(("html", Markup("\n".join(lines))))
    return out


#: a debate page's items (position, order of kind, kind, item) in their order on the page
_BY_POSITION = itemgetter(0, 1)


@router.get("/debate/{gid:path}")
def debate_page(request: Request, gid: str):
    debate_id = full_id(gid)
    with reading(engine_of(request)) as conn:
        debate = debate_queries.debate(conn, debate_id)
        if debate is None:
            found = debate_queries.locate(conn, debate_id)
            if found is None:
                raise not_found(f"There is no debate with the id \u201c{short_id(debate_id)}\u201d. It may be "
                                f"from a day not yet loaded; try searching for its title.")
            return redirect_to_record(found)
        if gid.startswith("uk.org.publicwhip/"):
            return redirect(debate_url(debate_id))
        headings = debate_queries.headings_of(conn, debate_id)
        speeches = label_speeches(conn, debate_queries.page_speeches(conn, debate))
        divisions = debate_queries.divisions_of(conn, debate_id)
        votes = division_queries.votes_by_division(conn, [d["id"] for d in divisions])
    items: list[tuple[int, int, str, dict]] = []
    written = debate["kind"] in WRITTEN_ANSWER_KINDS
    for h in headings:
        if h["id"] != debate_id:
            if written and h["level"] == "minor":
                h["question_url"] = question_url(h["id"])
            items.append((h["position"], 0, "heading", h))
    for s in speeches:
        items.append((s["position"], 1, "speech", s))
    for d in divisions:
        items.append((d["position"], 2, "division", shape_division(d, votes.get(d["id"], []))))
    items.sort(key=_BY_POSITION)
    dept = debate["department_slug"]
    return render(request, "debate.html", {
        "debate": debate, "items": runs_of_markup([(kind, item) for _, _, kind, item in items]),
        "chamber": KIND_NAMES.get(debate["kind"], debate["kind"]),
        "dept": dept, "dept_name": department_name(dept, debate["date"]) if dept else None,
        "speech_count": debate["speeches"], "word_count": debate["words"],
    })


@router.get("/debates/{gid:path}")
def debate_alias(gid: str):
    """The address the JSON API links to."""
    return redirect(debate_url(full_id(gid)))


@router.get("/day/{day}")
def day_page(request: Request, day: IsoDate):
    with reading(engine_of(request)) as conn:
        chambers = []
        for key, name, kinds in CHAMBERS:
            rows = debate_queries.debates_on(conn, day, kinds)
            if rows:
                chambers.append({"key": key, "name": name, "debates": rows})
    if not chambers:
        raise not_found(f"Nothing is held for {day.isoformat()}: Parliament may not have sat that day, "
                        f"or the day is not loaded yet.")
    return render(request, "day.html", {"day": day, "chambers": chambers})
