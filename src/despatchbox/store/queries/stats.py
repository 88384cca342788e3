"""What is stored: counts over the current version of each file."""
from __future__ import annotations

from sqlalchemy import Connection, case, func, or_, select

from ..schema import debates, divisions, headings, memberships, offices, people, source_files, speeches


def stats(conn: Connection) -> dict:
    by_kind: dict[str, dict[str, int]] = {}

    def put(kind: str, key: str, value) -> None:
        if value:
            by_kind.setdefault(kind, {})[key] = int(value)

    current = source_files.c.is_current.is_(True)
    for kind, n in conn.execute(select(source_files.c.kind, func.count()).where(
            current, source_files.c.kind != "members").group_by(source_files.c.kind)):
        put(kind, "files", n)
    is_speech = speeches.c.element == "speech"
    no_speaker = or_(speeches.c.nospeaker.is_(True), speeches.c.speaker_id.is_(None))
    q = select(
        speeches.c.kind,
        func.sum(case((is_speech, 1), else_=0)),
        func.sum(case((is_speech & no_speaker, 1), else_=0)),
        func.sum(case((speeches.c.element == "ques", 1), else_=0)),
        func.sum(case((speeches.c.element == "reply", 1), else_=0)),
        func.sum(speeches.c.words),
    ).group_by(speeches.c.kind)
    for kind, n_speech, n_nospeaker, n_ques, n_reply, words in conn.execute(q):
        put(kind, "speeches", n_speech)
        put(kind, "speeches_without_speaker", n_nospeaker)
        put(kind, "questions", n_ques)
        put(kind, "answers", n_reply)
        put(kind, "words", words)
    for kind, n in conn.execute(select(headings.c.kind, func.count()).where(
            headings.c.level.in_(("major", "minor"))).group_by(headings.c.kind)):
        put(kind, "headings", n)
    out: dict = {"by_kind": dict(sorted(by_kind.items()))}
    for key, table in (("divisions", divisions), ("people", people), ("memberships", memberships),
                       ("offices", offices)):
        n = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if n:
            out[key] = n
    return out


def debate_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(debates)).scalar_one()
