"""Which government department a debate belongs to: pure rules, no database, no web.

The registry (slugs, names over time, aliases) lives in :mod:`.department_registry`;
the text matching in :mod:`.department_match`. :func:`assign_department` applies
the rules below, in order, and names the rule and its evidence in the reason:

0. ``speaker`` — the Speaker's own business (Speaker's statements, private bills
   ("Leeds City Council Bill (By Order)"), regional select committee motions, prayers, introductions, sections where only the chair speaks) → None.
1. ``leader-of-house`` — business statements ("Business of the House"), points of
   order, sittings of the House, select committee and committee membership motions
   (the major heading "JUSTICE" over "That X be discharged from the Justice Committee
   … on behalf of the Committee of Selection" is no Ministry of Justice business) and
   the like → the Leader of the House of Commons (of the Lords for Lords kinds).
2. ``heading`` — Commons oral questions, written answers and statements (kinds
   ``debates``, ``wrans``, ``wms``) sit under a major heading naming the department (in the
   Commons chamber only departmental questions items, ``questions=True``, use this rule);
   Westminster Hall's debate title (its minor heading) is tried the same way. Lords
   kinds have subject headings and skip this rule.
3. ``office`` — a responding minister's ``speakeroffice`` text ("The Minister for
   Borders and Immigration"); the most frequent office wins, the first on a tie.
4. ``asked`` — a question addressed to an office ("To ask the Secretary of State for
   the Home Department …").
5. ``post`` — the ministers.xml posts the responding minister (the contributor with
   government posts who speaks most, askers of questions and the chair aside) holds
   that day, through ``posts``:
   * one department → it; several (Phil Woolas: Home Office, HM Treasury, Regional
     Affairs) → the one the subject favours, else the first listed ("first of N
     posts"); Regional Affairs only when nothing else is held;
   * a whip (HM Household: Lords in Waiting answer for any department), and in the
     Lords the Leader's office (Baroness Royall answered for the Northern Ireland
     Office and equalities) → the subject of the title decides among all departments,
     the minister's own departments winning ties; with no subject in the title, the
     minister's own department;
   * only government posts held on that day count: never an opposition or shadow post, a PPS
     or a committee place (:func:`is_government_post`), nor a post that had ended or not yet
     begun (ministers.xml has gaps: Meg Hillier answered for the Home Office in October 2009
     between listed posts — her printed office, rule 3, decides there).
6. ``subject`` — no minister at all (motions put forthwith, petitions): the department
   the title and subtitles name by subject keywords, if one clearly leads; with no subject
   keyword in the title at all, the one the text names, if one clearly leads.

The subject: registry keywords found in the title parts and subtitles decide (a
"Category:" prefix, as in "Aviation: Air Quality", counts double; longer phrases
weigh more); keywords in the contributions' text only break ties.
Otherwise None.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from .department_match import (HOUSE, MINISTERIAL, NON_MINISTERIAL, REGIONAL, WHIPS, Department, by_slug,
                               clean_title, department_for_heading, department_for_office,
                               department_for_post, name_on, normalise, office_matches, registry,
                               subject_scores, title_parts)

__all__ = ["Department", "registry", "by_slug", "name_on", "department_for_heading", "department_for_office",
           "department_for_post", "office_matches", "normalise", "Contribution", "DebateEvidence", "Assignment",
           "PostLookup", "assign_department", "is_chair_office", "is_government_post",
           "MINISTERIAL", "HOUSE", "WHIPS", "REGIONAL", "NON_MINISTERIAL"]

HEADING_KINDS = {"debates", "wrans", "wms", "westminhall"}
LORDS_KINDS = {"lordspages", "lordswms", "lordswrans"}
COMMONS_LEADER = "leader-of-the-house-of-commons"
LORDS_LEADER = "leader-of-the-house-of-lords"

PostLookup = Callable[[int, date], list[str]]


@dataclass
class Contribution:
    element: str                     # "speech" | "ques" | "reply"
    speaker_office: str | None
    speaker_name: str | None
    person_id: int | None
    text: str


@dataclass
class DebateEvidence:
    kind: str                        # scrapedxml folder: debates, westminhall, wms, wrans, lordspages …
    date: date
    title: str                       # major heading (minor heading where a kind has no majors)
    subtitles: list[str] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    #: Commons chamber: True for departmental questions, False for any other item (a title naming a
    #: body — "Speaker's Committee for the Independent Parliamentary Standards Authority" — is then
    #: the subject of a motion, not the department answering); None where the kind does not tell
    questions: bool | None = None


@dataclass(frozen=True)
class Assignment:
    slug: str
    reason: str                      # "heading: HOME DEPARTMENT", "post: Meg Hillier, Home Office" …


# --- chair and procedural titles -------------------------------------------------------

_CHAIR = re.compile(r"^(?:(?:mr|madam|lord|deputy|first|second|temporary)\s+)*"
                    r"(?:speaker|chairman|chair|deputy speaker|chairman of ways and means|"
                    r"deputy chairman(?: of ways and means| of committees)?|chairman of committees)\b")
_SPEAKER_BUSINESS = ("speakers statement", "statement by the speaker", "speakers ruling", "election of speaker",
                     "business before questions", "private business", "prayers", "royal assent", "members sworn",
                     "oaths and affirmations", "oath", "introduction", "deferred divisions", "death of a member",
                     "in memoriam", "message to attend the lords commissioners", "speaker")
_HOUSE_BUSINESS = ("business of the house", "business statement", "future business", "points of order",
                   "point of order", "sittings of the house", "sitting of the house", "standing orders",
                   "sessional orders", "committee of selection", "arrangement of business", "procedure of the house",
                   "business of the house motion")
#: ministers data sources that list opposition, other parties' and committee places, never government posts;
#: ``datadotparl/parliamentarypost`` (ministers-2010.json) holds the House's and the parties' own posts —
#: "Speaker of the House of Commons", "Deputy Speaker (Lords)", "Party Chair, Labour Party" — no department's
_NON_GOVERNMENT_SOURCES = re.compile(
    r"offoppose|oppositionpost|parliamentarypost|libdem|plaidsnp|privsec|selctee|committee", re.I)
_NON_GOVERNMENT_POSITIONS = re.compile(r"\bshadow\b|^pps\b|parliamentary private secretary|opposition", re.I)
_NO_DEPARTMENT = re.compile(r"\(by order\)|^regional (?:select )?committee\b", re.I)
_SELECT_COMMITTEE = re.compile(r"\bselect committee\b|\bprivilege\b")
_COMMITTEE_MOTION = re.compile(r"\bon behalf of the Committee of Selection\b|\bbe discharged from the\b", re.I)
_ASKED = re.compile(r"\bTo ask the ((?:(?:[A-Z][\w'\u2019-]*|of|for|the|and|&),?\s+)+)")


def is_government_post(position: str | None, source: str | None) -> bool:
    """A post held in government: not an opposition or shadow post, a PPS, a committee place or
    another party's spokesmanship, a post of the House or a party (ministers.xml
    ``source="chgpages/offoppose"``, JSON ``datadotparl/oppositionpost`` and
    ``datadotparl/parliamentarypost``, ``position="PPS"``)."""
    if source and _NON_GOVERNMENT_SOURCES.search(source):
        return False
    if not (position or "").strip():
        return False
    return not _NON_GOVERNMENT_POSITIONS.search(position or "")


def is_chair_office(text: str | None) -> bool:
    """'Mr. Deputy Speaker', 'Madam Deputy Speaker', 'The Chairman', 'The Deputy Speaker (Lord Brett)'."""
    key = normalise(text)
    return bool(key) and bool(_CHAIR.match(key)) and "minister" not in key and "secretary" not in key


def _is_chair(c: Contribution) -> bool:
    return is_chair_office(c.speaker_office) or is_chair_office(c.speaker_name)


def _starts(key: str, phrases: tuple[str, ...]) -> str | None:
    for p in phrases:
        if key == p or key.startswith(p + " "):
            return p
    return None


def _title_keys(title: str) -> list[str]:
    keys = [normalise(clean_title(title))]
    parts = title_parts(title)
    if parts:
        keys.append(normalise(parts[0]))
    return [k for k in keys if k]


# --- the responding minister -----------------------------------------------------------

def _posts_held(pid: int, on: date, posts: PostLookup) -> list[tuple[str, Department]]:
    out: list[tuple[str, Department]] = []
    for printed in posts(pid, on):
        dept = department_for_post(printed, on)
        if dept is not None and all(d.slug != dept.slug for _, d in out):
            out.append((printed, dept))
    return out


def _by_post(ev: DebateEvidence, posts: PostLookup, heads: list[tuple[str, float]], body: str
             ) -> Assignment | None:
    speakers: Counter[int] = Counter()
    names: dict[int, str] = {}
    for c in ev.contributions:
        if c.person_id is not None and c.element != "ques" and not _is_chair(c):
            speakers[c.person_id] += 1
            names.setdefault(c.person_id, c.speaker_name or f"person {c.person_id}")
    order = {pid: i for i, pid in enumerate(dict.fromkeys(
        c.person_id for c in ev.contributions if c.person_id is not None))}
    best: tuple[int, list[tuple[str, Department]], str] | None = None
    for pid in sorted(speakers, key=lambda p: (-speakers[p], order[p])):
        held = _posts_held(pid, ev.date, posts)
        note = ""
        if held:
            best = (pid, held, note)
            break
    if best is None:
        return None
    pid, held, note = best
    who = names[pid]
    lords = ev.kind in LORDS_KINDS
    # Whips, and in the Lords the Leader's office, speak for departments that hold no post there
    spokes = [(p, d) for p, d in held if d.kind == WHIPS or (d.kind == HOUSE and lords)]
    departments = [(p, d) for p, d in held if d.kind in (MINISTERIAL, NON_MINISTERIAL) or (d.kind == HOUSE and not lords)]
    if spokes:
        printed = spokes[0][0] + (" (whip)" if spokes[0][1].kind == WHIPS else "")
        own = [d.slug for _, d in departments]
        ranked = subject_scores(heads, body, ev.date)
        if ranked and ranked[0].title > 0:
            top = min(ranked, key=lambda s: (-s.title, s.department.slug not in own, -s.text))
            if top.department.slug in own:
                printed = next(p for p, d in departments if d.slug == top.department.slug)
            return Assignment(top.department.slug, f"post: {who}, {printed}{note}; subject: {top.keyword}")
        if departments:                     # no subject in the title: the spokesman's own department
            scored = {s.department.slug: s.text for s in ranked}
            p, d = max(departments, key=lambda pd: scored.get(pd[1].slug, 0.0))
            return Assignment(d.slug, f"post: {who}, {p}{note}")
        if ranked:
            return Assignment(ranked[0].department.slug, f"post: {who}, {printed}{note}; subject: {ranked[0].keyword}")
        house = next(((p, d) for p, d in spokes if d.kind == HOUSE), None)
        return Assignment(house[1].slug, f"post: {who}, {house[0]}{note}") if house else None
    if not departments:
        regional = [(p, d) for p, d in held if d.kind == REGIONAL]
        if regional:
            return Assignment(regional[0][1].slug, f"post: {who}, {regional[0][0]}{note}")
        return None
    if len(departments) == 1:
        return Assignment(departments[0][1].slug, f"post: {who}, {departments[0][0]}{note}")
    ranked = subject_scores(heads, body, ev.date, among=[d for _, d in departments])
    if ranked and (len(ranked) == 1 or (ranked[0].title, ranked[0].text) > (ranked[1].title, ranked[1].text)):
        top = ranked[0]
        printed = next(p for p, d in departments if d.slug == top.department.slug)
        return Assignment(top.department.slug, f"post: {who}, {printed}{note}; subject: {top.keyword}")
    printed, dept = departments[0]
    return Assignment(dept.slug, f"post: {who}, {printed}{note}; first of {len(departments)} posts")


# --- the rules -------------------------------------------------------------------------

def _by_office(ev: DebateEvidence) -> Assignment | None:
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for c in ev.contributions:
        if c.speaker_office and not _is_chair(c):
            dept = department_for_office(c.speaker_office, ev.date)
            if dept is not None:
                counts[dept.slug] += 1
                first.setdefault(dept.slug, c.speaker_office)
    if not counts:
        return None
    slug = max(first, key=lambda s: counts[s])          # max keeps the first on a tie (dict order)
    return Assignment(slug, f"office: {first[slug]}")


def _by_question_addressee(ev: DebateEvidence) -> Assignment | None:
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for c in ev.contributions:
        m = _ASKED.search(c.text or "")
        if not m:
            continue
        addressee = " ".join(m.group(1).replace(",", ", ").split()).rstrip(",")
        dept = department_for_office(addressee, ev.date)
        if dept is not None:
            counts[dept.slug] += 1
            first.setdefault(dept.slug, "the " + addressee)
    if not counts:
        return None
    slug = max(first, key=lambda s: counts[s])
    return Assignment(slug, f"asked: {first[slug]}")


def _by_subject(ev: DebateEvidence, heads: list[tuple[str, float]], body: str) -> Assignment | None:
    ranked = subject_scores(heads, "", ev.date)
    if ranked and (len(ranked) == 1 or ranked[0].title > ranked[1].title):
        return Assignment(ranked[0].department.slug, f"subject: {ranked[0].keyword}")
    if ranked:
        return None
    # no subject in the title ("DELEGATED LEGISLATION"): the motion's text, if one department clearly leads
    ranked = subject_scores([], body, ev.date)
    if ranked and ranked[0].text > 0 and (len(ranked) == 1 or ranked[0].text > ranked[1].text):
        return Assignment(ranked[0].department.slug, f"subject: {ranked[0].keyword} (text)")
    return None


def _heads(ev: DebateEvidence) -> list[tuple[str, float]]:
    """Title parts and subtitles with their weights: a 'Category:' prefix (Lords and written
    answers headings, 'Aviation: Air Quality') counts double."""
    out: list[tuple[str, float]] = []
    for part in [*title_parts(ev.title), *ev.subtitles]:
        category, colon, rest = part.partition(":")
        if colon and rest.strip():
            out += [(category, 2.0), (rest, 1.0)]
        else:
            out.append((part, 1.0))
    return out


def assign_department(evidence: DebateEvidence, posts: PostLookup) -> Assignment | None:
    """The department a debate belongs to, with the rule and evidence that decided it (see module doc)."""
    ev = evidence
    title = clean_title(ev.title)
    keys = _title_keys(ev.title)
    speaking = [c for c in ev.contributions if c.speaker_office or c.speaker_name or c.person_id is not None]
    # 0. the Speaker's own business
    if any(_starts(k, _SPEAKER_BUSINESS) for k in keys) or _NO_DEPARTMENT.search(title):
        return None
    if speaking and all(_is_chair(c) for c in speaking):
        return None
    # 1. business of the House and the like
    procedural = not any(c.speaker_office for c in speaking)      # motions, not a minister's debate
    if any(_starts(k, _HOUSE_BUSINESS) or (procedural and _SELECT_COMMITTEE.search(k)) for k in keys):
        leader = LORDS_LEADER if ev.kind in LORDS_KINDS else COMMONS_LEADER
        return Assignment(leader, f"leader-of-house: {title}")
    if procedural and ev.kind == "debates" and any(_COMMITTEE_MOTION.search(c.text or "") for c in ev.contributions):
        return Assignment(COMMONS_LEADER, f"leader-of-house: committee membership ({title})")
    # 2. a heading naming the department
    if ev.kind in HEADING_KINDS and ev.questions is not False:
        dept = department_for_heading(ev.title, ev.date)
        if dept is not None:
            return Assignment(dept.slug, f"heading: {title}")
    # 3-4. the responding minister's office; the office a question is addressed to
    found = _by_office(ev) or _by_question_addressee(ev)
    if found is not None:
        if found.slug == COMMONS_LEADER and ev.kind in LORDS_KINDS:     # "the Leader of the House" in the Lords
            found = Assignment(LORDS_LEADER, found.reason)
        return found
    # 5. the responding minister's posts, the subject breaking ties
    heads = _heads(ev)
    body = "\n".join(c.text or "" for c in ev.contributions)
    found = _by_post(ev, posts, heads, body)
    if found is not None:
        return found
    # 6. the subject alone
    return _by_subject(ev, heads, body)
