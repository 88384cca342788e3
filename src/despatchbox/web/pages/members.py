"""Member pages: ``/mp/{slug}`` and ``/lord/{slug}`` (the main page), ``…/dept-debates/{dept}``
(their debates with a department) and ``…/debate/{id}`` (their part in one debate)."""
from __future__ import annotations

from fastapi import Request

from ..page_routes import page_router
from ...attribute.names import full_name, peerage_kind
from ...store.queries import debates as debate_queries
from ...store.queries import fellows as fellow_queries
from ...store.queries import people as people_queries
from ...store.queries.people import SPOKEN_KINDS, WRITTEN_ANSWER_KINDS
from ..app import engine_of
from . import context
from .chart import LEGEND, activity_svg
from .common import (KIND_NAMES, PER_PAGE, Pager, check_page, clamp, debate_url, department_name, full_id, member_debate_url,
                     member_prefix, member_url, not_found, question_url, redirect, render, short_id)
from .items import activity_rows, contribution_items, fellow_items, vote_rows
from .naming import label_speeches, member_heading, membership, party_of
from ...store.database import reading

router = page_router()


def find_person(conn, prefix: str, slug: str, request: Request):
    """(person, None) or (None, a redirect to the right prefix); 404 for an unknown slug."""
    person = people_queries.person_by_slug(conn, slug)
    if person is None:
        raise not_found(f"No member called \u201c{slug}\u201d. Try searching for them by name, "
                        f"or browse the departments.")
    right = member_prefix(person["house"])
    if right != prefix:
        path = request.url.path.replace(f"/{prefix}/", f"/{right}/", 1)
        return None, redirect(path + (f"?{request.url.query}" if request.url.query else ""))
    return person, None


def _contribution_url(person: dict, c: dict) -> str:
    if c["kind"] in SPOKEN_KINDS:
        return member_debate_url(person["slug"], person["house"], c["debate_id"], at=c["id"])
    if c["kind"] in WRITTEN_ANSWER_KINDS and c.get("heading_id"):
        return question_url(c["heading_id"])
    return debate_url(c["debate_id"], at=c["id"])


ELEMENT_NAMES = {"speech": "Speech", "ques": "Question", "reply": "Answer"}


def _member_page(request: Request, prefix: str, slug: str):
    with reading(engine_of(request)) as conn:
        person, moved = find_person(conn, prefix, slug, request)
        if moved:
            return moved
        pid = person["id"]
        items = people_queries.memberships_of(conn, pid)
        current = people_queries.pick_membership(items, None)
        posts = people_queries.offices_of(conn, pid)
        activity, counts = people_queries.activity_and_counts(conn, pid)
        departments = people_queries.department_debate_counts(conn, pid)
        recent = people_queries.recent_contributions(conn, pid, limit=10)
        votes = people_queries.votes_of(conn, pid, limit=15)
        fellows = fellow_queries.fellow_speakers(conn, pid)
    m = membership(current)
    seats = []
    for item in reversed(items):
        rec = membership(item)
        if rec is not None and rec.house == "lords":
            seat = f"{full_name(rec)} ({peerage_kind(item['peerage_type']) or 'Peer'})"
        else:
            seat = item["constituency"] or ""
        seats.append({"house": "House of Lords" if item["house"] == "lords" else "House of Commons",
                      "party": party_of(item["party"]), "seat": seat,
                      "from_date": item["from_date"], "to_date": item["to_date"], "record": rec})
    for d in departments:
        d["name"] = department_name(d["department_slug"], d["latest"])       # as on their latest debate with it
        d["url"] = f"{member_url(person['slug'], person['house'])}/dept-debates/{d['department_slug']}"
    for c in recent:
        c["url"] = _contribution_url(person, c)
        c["what"] = ELEMENT_NAMES.get(c["element"], "Speech")
    for f in fellows:
        f["vs_url"] = f"{member_url(person['slug'], person['house'])}/vs/{f['slug']}"
        f["url"] = member_url(f["slug"], f["house"])
    return render(request, "member.html", {
        "person": person, "heading": member_heading(m, person["name"]), "membership": m, "seats": seats,
        "posts": posts, "counts": counts, "departments": departments, "recent": recent, "votes": votes,
        "recent_html": contribution_items(recent), "votes_html": vote_rows(votes),
        "chart": activity_svg(activity, person["name"]), "activity_html": activity_rows(activity["latest"]),
        "legend": LEGEND, "fellows": fellows, "fellows_html": fellow_items(fellows, person["name"]), "self_url": member_url(person["slug"], person["house"]),
    })


@router.get("/mp/{slug}")
def mp_page(request: Request, slug: str):
    return _member_page(request, "mp", slug)


@router.get("/lord/{slug}")
def lord_page(request: Request, slug: str):
    return _member_page(request, "lord", slug)


@router.get("/members/{slug}")
def member_alias(request: Request, slug: str):
    """The address the JSON API links to: redirects to /mp/… or /lord/…."""
    with reading(engine_of(request)) as conn:
        person = people_queries.person_by_slug(conn, slug)
        if person is None and slug.isdigit():
            person = people_queries.person_by_id(conn, int(slug))
    url = member_url(person["slug"], person["house"]) if person is not None else None
    if url is None:
        raise not_found(f"No member called \u201c{slug}\u201d.")
    return redirect(url)


# --- their debates with a department ------------------------------------------------------

def _dept_debates(request: Request, prefix: str, slug: str, dept: str, page: int):
    check_page(page)
    with reading(engine_of(request)) as conn:
        person, moved = find_person(conn, prefix, slug, request)
        if moved:
            return moved
        from ...store.queries import departments as department_queries
        if department_queries.department(conn, dept) is None:
            raise not_found(f"No department called \u201c{dept}\u201d. See the list of departments.")
        total, _ = debate_queries.member_department_debates(conn, person["id"], dept, limit=0)
        assert total is not None        # counted: with_total is on
        pager = clamp(Pager(page, PER_PAGE, total))
        _, rows = debate_queries.member_department_debates(conn, person["id"], dept, limit=PER_PAGE,
                                                           offset=pager.offset, with_total=False)
        current = people_queries.pick_membership(people_queries.memberships_of(conn, person["id"]), None)
        latest = next((d["latest"] for d in people_queries.department_debate_counts(conn, person["id"])
                       if d["department_slug"] == dept), None)
    for r in rows:
        r["url"] = member_debate_url(person["slug"], person["house"], r["id"])
    return render(request, "member_dept_debates.html", {
        "person": person, "heading": member_heading(membership(current), person["name"]),
        "dept": dept, "dept_name": department_name(dept, latest), "rows": rows, "total": total, "pager": pager,
        "self_url": member_url(person["slug"], person["house"]),
        "page_url": lambda n: f"{member_url(person['slug'], person['house'])}/dept-debates/{dept}?page={n}",
    })


@router.get("/mp/{slug}/dept-debates/{dept}")
def mp_dept_debates(request: Request, slug: str, dept: str, page: int = 1):
    return _dept_debates(request, "mp", slug, dept, page)


@router.get("/lord/{slug}/dept-debates/{dept}")
def lord_dept_debates(request: Request, slug: str, dept: str, page: int = 1):
    return _dept_debates(request, "lord", slug, dept, page)


# --- their part in one debate (the seed page) ---------------------------------------------

def _member_debate(request: Request, prefix: str, slug: str, gid: str):
    with reading(engine_of(request)) as conn:
        person, moved = find_person(conn, prefix, slug, request)
        if moved:
            return moved
        debate_id = full_id(gid)
        debate = debate_queries.debate(conn, debate_id)
        if debate is None:
            found = debate_queries.locate(conn, debate_id)
            if found is None:
                raise not_found(f"There is no debate with the id \u201c{short_id(debate_id)}\u201d.")
            at = found["id"] if found["type"] in ("speech", "heading") and found["id"] != found["debate_id"] else None
            return redirect(member_debate_url(person["slug"], person["house"], found["debate_id"], at=at))
        if gid.startswith("uk.org.publicwhip/"):
            return redirect(member_debate_url(person["slug"], person["house"], debate_id))
        outline = debate_queries.speech_outline(conn, debate_id)
        groups = context.choose(outline, {person["id"]})
        if not groups:
            raise not_found(f"{person['name']} did not speak in \u201c{debate['title']}\u201d "
                            f"({short_id(debate_id)}). Read the full debate at {debate_url(debate_id)}.")
        rows = debate_queries.speeches_by_ids(conn, debate_id, [i for g in groups for i in g], with_text=False)
        label_speeches(conn, rows)
        headings = {h["id"]: h for h in debate_queries.headings_of(conn, debate_id)}
        on_day = people_queries.pick_membership(people_queries.memberships_of(conn, person["id"]), debate["date"])
    for r in rows:
        r["mine"] = r["person_id"] == person["id"]
        r["full_url"] = debate_url(debate_id, at=r["id"])
    arranged = context.arrange(groups, rows, headings)
    dept = debate["department_slug"]
    base = member_url(person["slug"], person["house"])
    return render(request, "member_debate.html", {
        "person": person, "heading": member_heading(membership(on_day), person["name"]), "debate": debate,
        "groups": arranged, "dept": dept, "dept_name": department_name(dept, debate["date"]) if dept else None,
        "dept_debates_url": f"{base}/dept-debates/{dept}" if dept else None, "self_url": base,
        "chamber_name": KIND_NAMES.get(debate["kind"], debate["kind"]),
        "full_url": debate_url(debate_id), "mine_count": sum(1 for r in rows if r["mine"]),
    })


@router.get("/mp/{slug}/debate/{gid:path}")
def mp_debate(request: Request, slug: str, gid: str):
    return _member_debate(request, "mp", slug, gid)


@router.get("/lord/{slug}/debate/{gid:path}")
def lord_debate(request: Request, slug: str, gid: str):
    return _member_debate(request, "lord", slug, gid)
