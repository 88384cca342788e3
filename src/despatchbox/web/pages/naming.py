"""How speakers, askers, answerers and voters are named on pages, from the rows the store's
queries return, using the naming rules of :mod:`despatchbox.attribute.names`.

- the chair: "Mr Speaker (John Bercow)", "Madam Deputy Speaker (Sylvia Heal)";
- a minister speaking by office: "The Minister for Policing, Crime and Counter-Terrorism (David Hanson)";
- a Commons member: "Tom Watson (West Bromwich East) (Lab)"; a peer: "Lord Bach (Lab)";
- nobody resolved: the name as printed ("Hon. Members").
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import Connection

from ...record import naming
from ...record.markup import SafeHtml
from ...attribute.departments import is_chair_office
from ...attribute.names import chair_display, display_name, full_name, short_form
from ...attribute.parties import is_chair, party_name, party_short
from ...ingest.records import Membership
from ...store.queries import debates as debate_queries
from ...store.queries import people as people_queries
from ..formatting import escaped as _escaped
from ..formatting import safe_html
from ..templating import register_global
from .common import anchor, member_url


def membership(row: dict | None, prefix: str = "") -> Membership | None:
    """A Membership record from a row's membership columns (``m_party`` … with prefix "m_")."""
    return naming.membership_from_row(row, prefix)


def chair_titles(conn: Connection, rows: Iterable[dict]) -> dict[int, list[str | None]]:
    """For speeches made from the chair: person id → the titles of all their memberships (one query)."""
    return _titles_of(conn, {r["person_id"] for r in rows if r.get("person_id") and is_chair(r.get("m_party"))})


def _titles_of(conn: Connection, chair_people: set) -> dict[int, list[str | None]]:
    if not chair_people:
        return {}
    held = people_queries.memberships_of_people(conn, chair_people)
    return {pid: [m["title"] for m in items] for pid, items in held.items()}


def _clean_office(office: str) -> str:
    return " ".join(office.replace("Mr.", "Mr").replace("Mrs.", "Mrs").split())


def speaker_label(row: dict, titles: dict[int, list[str | None]] | None = None) -> str:
    """The speaker of a speech row (from ``store.queries.debates``), named as a page shows it."""
    m = membership(row, "m_")
    day: date | None = row.get("date")
    office = (row.get("speaker_office") or "").strip()
    if m is not None and is_chair(m.party):
        person_id = row.get("person_id")
        shown = chair_display(m, day, (titles or {}).get(person_id, ()) if person_id is not None else ())
        if shown:
            return shown
    if m is not None and office and is_chair_office(office):
        return f"{_clean_office(office)} ({full_name(m)})"
    if office and m is not None:
        return f"{_clean_office(office)} ({full_name(m)})"
    if m is not None:
        short = party_short(m.party)
        if m.house == "lords":
            return f"{full_name(m)} ({short})" if short else full_name(m)
        parts = [full_name(m)]
        if m.constituency:
            parts.append(f"({m.constituency})")
        if short:
            parts.append(f"({short})")
        return " ".join(parts)
    if row.get("person_name"):
        return row["person_name"]
    name = (row.get("speaker_name") or "").strip()
    return f"{_clean_office(office)} ({name})" if office and name and office != name else (name or office)


def label_speeches(conn: Connection, rows: list[dict]) -> list[dict]:
    """Adds what a page shows of each speech row: ``speaker_label``, ``speaker_href``, ``anchor``,
    ``body`` (the sanitised markup: :class:`SafeHtml` as the store read it, else :class:`Markup`) and
    ``speaker_html`` (the speaker's line of :func:`speech_html`).
    Chair titles are fetched once for all rows. Rows read without their speakers' columns
    (``store.queries.debates.page_speeches``) have them read here, once per speaker."""
    found: dict[str, dict[tuple, dict]] | None = None
    if rows and "person_slug" not in rows[0]:
        found = {d: debate_queries.speakers(conn, d) for d in {r["debate_id"] for r in rows}}
    # chair titles first (one query), from the speakers when they were read apart: then each row is
    # named in one pass
    if found is not None:
        titles = _titles_of(conn, {person_id for speakers in found.values() for (person_id, _), speaker
                                   in speakers.items() if person_id and is_chair(speaker["m_party"])})
    else:
        titles = chair_titles(conn, rows)
    # everything speaker_label reads: the seat (membership_id → m_* columns), the person
    # (person_id → person_name, person_slug, person_house), the office as printed, the day, and the
    # name as printed when no person is known (a debate has a few dozen speakers for hundreds of speeches)
    shown: dict[tuple, tuple] = {}
    clean, safe = safe_html, SafeHtml
    for r in rows:
        person_id, membership_id = r.get("person_id"), r.get("membership_id")
        if found is not None:
            speaker = found[r["debate_id"]].get((person_id, membership_id), _NOBODY)
            key = (membership_id, person_id, r.get("speaker_office"),
                   None if speaker["person_name"] else r.get("speaker_name"), r.get("date"))
            named = shown.get(key)
            if named is None:
                inputs = _speaker_inputs(r, speaker)
        else:
            key = (membership_id, person_id, r.get("speaker_office"),
                   None if r.get("person_name") else r.get("speaker_name"), r.get("date"))
            named = shown.get(key)
            if named is None:
                inputs = tuple(map(r.get, _SPEAKER_INPUTS))
        if named is None:
            named = shown[key] = _shown_speaker(
                inputs, tuple(titles.get(person_id, ())) if person_id is not None else ())
        r["speaker_label"], r["speaker_href"], r["speaker_html"] = named
        r["anchor"] = anchor(r["id"])
        html = r.get("html")
        r["body"] = html if type(html) is safe else clean(html)     # SafeHtml as it is: not copied into a Markup
    return rows


#: every column of a speech row that :func:`speaker_label` and the speaker's link read
_SPEAKER_INPUTS = ("membership_id", "m_id", "person_id", "person_name", "person_slug", "person_house", "speaker_office",
                   "speaker_name", "date", "m_house", "m_title", "m_first_name", "m_last_name", "m_constituency",
                   "m_party", "m_from_date", "m_to_date", "m_lord_name", "m_lord_of_name", "m_peerage_type")


@lru_cache(maxsize=8192)
def _shown_speaker(inputs: tuple, titles: tuple) -> tuple[str, str | None, str]:
    """(label, link, the speaker's line of :func:`speech_html`) of a speaker, from every value they are
    made of (so never stale): the same members speak in debate after debate, and naming one costs
    ~15 µs, a lookup here ~1 µs."""
    row = dict(zip(_SPEAKER_INPUTS, inputs))
    person_id = row["person_id"]
    label = speaker_label(row, {person_id: list(titles)} if person_id is not None else None)
    href = member_url(row["person_slug"], row["person_house"])
    return label, href, _speaker_line(label, href)


#: the speaker columns of a speech whose speaker is not in the store
_NOBODY = {"person_slug": None, "person_name": None, "person_house": None, "m_house": None, "m_title": None,
           "m_first_name": None, "m_last_name": None, "m_constituency": None, "m_party": None, "m_from_date": None,
           "m_to_date": None, "m_lord_name": None, "m_lord_of_name": None, "m_peerage_type": None}
#: the inputs read once per speaker by :func:`debate_queries.speakers` (the person's and the seat's columns)
_FROM_SPEAKERS = frozenset(_NOBODY)
#: (row, speaker) → the values of :data:`_SPEAKER_INPUTS`, each from the speaker (:data:`_FROM_SPEAKERS`) or
#: else the row: one expression made from those two names (a loop over them cost ~2 µs a speaker)
_speaker_inputs = eval("lambda r, speaker: (" + "".join(  # noqa: S307 (made here from the constants above)
    f"speaker[{k!r}], " if k in _FROM_SPEAKERS else f"r.get({k!r}), " for k in _SPEAKER_INPUTS) + ")")


def _speaker_line(label: str | None, href: str | None) -> str:
    """The speaker's line of a speech's <article> (escaped), "" for a procedural speech (no speaker)."""
    if not label:
        return ""
    name = f'<a href="{escape(href)}">{escape(label)}</a>' if href else str(escape(label))
    return f'  <p class="speaker">\n{name}  </p>\n'


def speech_html(s: dict, highlight: bool = False, link: str | None = None, show_permalink: bool = True) -> Markup:
    """A speech as pages show it (``<article class="speech">``), from a row of :func:`label_speeches`:
    its speaker, its body, and a line with its permanent link (or ``link``: "View in full debate"), time
    and column. Built here rather than by a template macro: a long debate has hundreds (a macro call
    cost ~20 µs each)."""
    return Markup(speech_markup(s, highlight, link, show_permalink))


#: the types of a body :func:`speech_markup` puts in as it is (both already safe)
_SAFE_BODIES = frozenset((Markup, SafeHtml))


def speech_markup(s: dict, highlight: bool = False, link: str | None = None, show_permalink: bool = True) -> str:
    """:func:`speech_html` as a plain (escaped) str, for pages that join many: a few f-strings, and the
    body (already safe from :func:`label_speeches`: :class:`Markup` or :class:`SafeHtml`) not escaped
    again (0.36 ms for the 142 speeches of a long debate, not 0.51; 0.17, not 0.34, with anchors, times
    and columns through :func:`_escaped`)."""
    anchor_id = _escaped(s["anchor"])
    classes = "speech"
    if highlight:
        classes += " highlight"
    if not s.get("speaker_label"):
        classes += " procedural"
    speaker = s.get("speaker_html")
    if speaker is None:
        speaker = _speaker_line(s.get("speaker_label"), s.get("speaker_href"))
    body = s.get("body") or ""
    head = (f'<article class="{classes}" id="{anchor_id}">\n{speaker}'
            f'  <div class="body">{body if type(body) in _SAFE_BODIES else escape(body)}</div>\n')
    if not show_permalink:
        return head + "</article>\n"
    meta = (f'<a href="{escape(link)}">View in full debate</a>' if link
            else f'<a href="#{anchor_id}" title="Link to this speech">#</a>')
    time, colnum = s.get("time"), s.get("colnum")
    if time:
        meta += f" · {_escaped(time[:5])}"
    if colnum:
        meta += f" · col. {_escaped(colnum)}"
    return f'{head}  <p class="meta">\n{meta}  </p>\n</article>\n'


register_global("speech_html")(speech_html)


def member_heading(m: Membership | None, fallback: str) -> str:
    """'David Hanson (Labour - Delyn)' from a membership; the fallback name without one."""
    return display_name(m) if m is not None else fallback


def member_short(m: Membership | None) -> str:
    return short_form(m) if m is not None else ""


def person_with_party(row: dict, prefix: str = "m_") -> str:
    """'NAME (PARTY - CONSTITUENCY)' for an asker or answerer row; the printed name if unresolved."""
    m = membership(row, prefix)
    if m is None:
        return row.get("person_name") or row.get("speaker_name") or ""
    return display_name(m)


def party_of(code: str | None) -> str:
    return party_name(code) or "Unknown party"
