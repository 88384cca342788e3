"""The lists of the member and department pages as markup, built here rather than by template loops.

A department page lists thirty sections and answers, a member page ten contributions, fifteen
votes, ten days of activity and eight people it debated with: in a template loop each item costs a dozen template steps (each value looked up, escaped and
yielded apart, each global called through the template's context), ~10 µs an item. Here an item is
one f-string of the same lines, with the same filters and the same escaping (:func:`markupsafe.escape`
on every value the template wrote with ``{{ }}``), so the page is byte for byte what the loops made
(the templates keep the markup around the lists).
"""
from __future__ import annotations

from markupsafe import Markup

from .. import formatting
from ..formatting import escaped as escape
from .common import KIND_NAMES, debate_url, department_name, display_title, division_url, question_url

_VOTE_NAMES = {"aye": "Aye", "no": "No", "content": "Content", "not-content": "Not content"}


def _kind(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def section_items(rows: list[dict], *, speeches: bool) -> Markup:
    """``<li>`` lines of a department's debates (``speeches``: with their number of speeches) or written
    statements."""
    out = []
    for d in rows:
        meta = f"{escape(formatting.full_date(d['date']))} · {escape(_kind(d['kind']))}"
        if speeches:
            n = d["speeches"]
            meta += f" · {escape(n)} speech{'' if n == 1 else 'es'}"
        out.append(f'  <li><a href="{escape(debate_url(d["id"]))}">{escape(display_title(d["title"]))}</a>\n'
                   f'    <span class="meta">{meta}</span></li>\n')
    return Markup("".join(out))


def answer_items(rows: list[dict]) -> Markup:
    """``<li>`` lines of a department's written answers (question groups)."""
    out = []
    for q in rows:
        meta = str(escape(formatting.full_date(q["date"])))
        if q["askers"]:
            meta += " · asked by " + ", ".join(str(escape(a)) for a in q["askers"])
        if q["answerer"]:
            meta += f" · answered by {escape(q['answerer'])}"
        out.append(f'  <li><a href="{escape(question_url(q["id"]))}">{escape(display_title(q["title"]))}</a>\n'
                   f'    <span class="meta">{meta}</span></li>\n')
    return Markup("".join(out))


def contribution_items(rows: list[dict]) -> Markup:
    """``<li>`` lines of a member's recent contributions (rows with ``url`` and ``what`` set)."""
    out = []
    for c in rows:
        title = str(escape(display_title(c["debate_title"])))
        if c["heading_title"] and c["heading_title"] != c["debate_title"]:
            title += f": {escape(display_title(c['heading_title']))}"
        meta = f"{escape(c['what'])} · {escape(formatting.full_date(c['date']))} · {escape(_kind(c['kind']))}"
        if c["department_slug"]:
            meta += f" · {escape(department_name(c['department_slug'], c['date']))}"
        out.append(f'  <li><a href="{escape(c["url"])}">{title}</a>\n'
                   f'    <span class="meta">{meta}</span>\n'
                   f'    <blockquote>{escape(formatting.excerpt(c["text"], 220))}</blockquote></li>\n')
    return Markup("".join(out))


def vote_rows(rows: list[dict]) -> Markup:
    """``<tr>`` lines of a member's votes."""
    out = []
    for v in rows:
        vote = escape(_VOTE_NAMES.get(v["vote"], v["vote"]))
        out.append(f'  <tr><td>{escape(formatting.short_date(v["date"]))}</td>\n'
                   f'      <td><a href="{escape(division_url(v["division_id"]))}">No. {escape(v["number"])}: '
                   f'{escape(display_title(v["debate_title"]))}</a></td>\n'
                   f'      <td>{vote}{" (teller)" if v["teller"] else ""}</td>\n'
                   f'      <td>{escape(v["ayes"])}–{escape(v["noes"])}</td></tr>\n')
    return Markup("".join(out))


def activity_rows(days: list[dict]) -> Markup:
    """``<tr>`` cells of a member's activity table: their ten latest days of ``days`` (oldest first), the
    latest first."""
    return Markup("".join(f"<tr><td>{escape(formatting.short_date(a['date']))}</td> <td>{escape(a['speeches'])}</td> "
                          f"<td>{escape(a['questions'])}</td> <td>{escape(a['answers'])}</td></tr>"
                          for a in reversed(days[-10:])))


def fellow_items(fellows: list[dict], name: str) -> Markup:
    """``<li>`` lines of the people a member (``name``) debated with most (rows with ``vs_url`` set)."""
    person = escape(name)
    return Markup("".join(f'  <li><a href="{escape(f["vs_url"])}">{person} and {escape(f["name"])}</a> '
                          f'<span class="meta">{escape(f["debates"])} debate{"" if f["debates"] == 1 else "s"}</span></li>\n'
                          for f in fellows))
