"""The speeches and debates who-said and quote check found, named for the page, the API, the CLI and
the MCP server: the store's facts (``store.queries.quotes``: memberships, party codes, slugs, dates)
through the vocabulary — the speaker with party and seat on the day ('David Hanson (Labour - Delyn)'),
the chamber by the kinds table, the department as it was called on the day."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from ..attribute.names import full_name
from ..record import kinds, naming
from ..store.queries.quotes import QuotedDebate, QuotedSpeech, quoted_debates, quoted_speeches

__all__ = ["speech_details", "debate_details", "speech_detail", "debate_detail"]


def _office(s: QuotedSpeech) -> str | None:
    """The office as printed, else the government posts held that day ('Minister of State, Home Office')."""
    if s.speaker_office:
        return s.speaker_office
    posts = [f"{p.position}, {naming.department_name(p.department_slug, s.date, p.department_as_printed)}"
             for p in s.posts]
    return "; ".join(posts) or None


def speech_detail(s: QuotedSpeech) -> dict:
    """``{speech_id, debate_id, debate_title, kind, chamber, date, department, person_id, person_slug, house,
    name, display_name, speaker_name, party, constituency, office}`` — the speech as the surfaces show it."""
    m = s.membership
    name: str | None
    shown: str | None
    if m is not None:
        name = s.person_name or full_name(m)
        shown = naming.member_label(m, s.own_party, name)
    else:
        name = s.person_name or (s.speaker_name or "").strip() or None
        shown = name
    house = m.house if m is not None else None
    return {
        "speech_id": s.speech_id, "debate_id": s.debate_id, "debate_title": s.debate_title,
        "kind": s.kind, "chamber": kinds.name_of(s.kind), "date": s.date,
        "department": naming.department_ref(s.department_slug, s.date),
        "person_id": s.person_id, "person_slug": s.person_slug, "house": house,
        "name": name, "display_name": shown, "speaker_name": s.speaker_name,
        "party": naming.party_on_the_day(m.party, s.own_party) if m is not None else None,
        "constituency": (m.constituency or None) if m is not None and house == "commons" else None,
        "office": _office(s),
    }


def debate_detail(d: QuotedDebate) -> dict:
    """``{id, title, date, kind, chamber, department}``."""
    return {"id": d.id, "title": d.title, "date": d.date, "kind": d.kind, "chamber": kinds.name_of(d.kind),
            "department": naming.department_ref(d.department_slug, d.date)}


def speech_details(conn: Connection, speech_ids: Sequence[str]) -> dict[str, dict]:
    """speech id → :func:`speech_detail`."""
    return {sid: speech_detail(s) for sid, s in quoted_speeches(conn, speech_ids).items()}


def debate_details(conn: Connection, debate_ids: Sequence[str]) -> dict[str, dict]:
    """debate id → :func:`debate_detail`."""
    return {did: debate_detail(d) for did, d in quoted_debates(conn, debate_ids).items()}
