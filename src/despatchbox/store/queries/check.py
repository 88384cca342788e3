"""How complete the attribution is: who spoke, which department."""
from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, or_, select

from ..schema import debates, speeches, votes

#: speaker ids that name nobody on purpose ("Hon. Members", "Noble Lords")
UNATTRIBUTED_SPEAKER_ID = "unknown"


def attribution_report(conn: Connection) -> dict:
    """Speeches with and without a person, unknown speaker ids, debates with and without a department."""
    has_speaker = and_(speeches.c.speaker_id.is_not(None), speeches.c.nospeaker.is_(False))
    resolved = speeches.c.person_id.is_not(None)
    by_kind: dict[str, dict] = {}
    q = select(
        speeches.c.kind,
        func.count(),
        func.sum(case((resolved, 1), else_=0)),
        func.sum(case((and_(has_speaker, speeches.c.speaker_id == UNATTRIBUTED_SPEAKER_ID), 1), else_=0)),
        func.sum(case((or_(speeches.c.speaker_id.is_(None), speeches.c.nospeaker.is_(True)), 1), else_=0)),
        func.sum(case((and_(has_speaker, speeches.c.speaker_id != UNATTRIBUTED_SPEAKER_ID, ~resolved), 1),
                      else_=0)),
    ).group_by(speeches.c.kind)
    for kind, total, n_resolved, n_unknown, n_procedural, n_unresolved in conn.execute(q):
        by_kind[kind] = {"contributions": int(total), "with_person": int(n_resolved or 0),
                         "unattributed_as_printed": int(n_unknown or 0), "procedural": int(n_procedural or 0),
                         "unresolved_speaker_id": int(n_unresolved or 0)}
    q = select(debates.c.kind, func.count(),
               func.sum(case((debates.c.department_slug.is_not(None), 1), else_=0))).group_by(debates.c.kind)
    for kind, total, with_dept in conn.execute(q):
        entry = by_kind.setdefault(kind, {})
        entry["debates"] = int(total)
        entry["debates_with_department"] = int(with_dept or 0)
        entry["debates_without_department"] = int(total) - int(with_dept or 0)
        entry["department_share"] = round((with_dept or 0) / total, 4) if total else None
    unknown_ids = [
        {"speaker_id": sid, "references": int(n), "printed_name": name}
        for sid, n, name in conn.execute(
            select(speeches.c.speaker_id, func.count(), func.max(speeches.c.speaker_name))
            .where(speeches.c.person_id.is_(None), speeches.c.speaker_id.is_not(None),
                   speeches.c.speaker_id != UNATTRIBUTED_SPEAKER_ID)
            .group_by(speeches.c.speaker_id).order_by(func.count().desc()))
    ]
    unknown_voters = [
        {"membership_id": mid, "votes": int(n)} for mid, n in conn.execute(
            select(votes.c.membership_id, func.count()).where(votes.c.person_id.is_(None))
            .group_by(votes.c.membership_id).order_by(func.count().desc()))
    ]
    undepartmented = [
        {"id": r.id, "kind": r.kind, "date": r.date.isoformat(), "title": r.title, "speeches": r.speeches}
        for r in conn.execute(select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.speeches)
                              .where(debates.c.department_slug.is_(None))
                              .order_by(debates.c.date, debates.c.kind, debates.c.position))
    ]
    return {"by_kind": dict(sorted(by_kind.items())), "unknown_speaker_ids": unknown_ids,
            "unknown_voter_ids": unknown_voters, "debates_without_department": undepartmented}
