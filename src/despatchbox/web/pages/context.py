"""Choosing what to show of a long debate: a member's contributions with the speech each
answered and the reply to it, the rest elided ("--- Later in debate ---").

Works on the light outline from ``store.queries.debates.speech_outline``; only the chosen
speeches are then fetched in full.
"""
from __future__ import annotations


def _named(row: dict) -> bool:
    return bool(row.get("person_id") or row.get("speaker_name"))


def choose(outline: list[dict], person_ids: set[int], before: int = 1, after: int = 1) -> list[list[str]]:
    """Groups of speech ids to show, in order: each speech by one of ``person_ids`` with ``before``
    named speeches ahead of it (the one it answered) and ``after`` behind it (the reply), under the same
    heading. Groups are separated where speeches were left out."""
    named = [r for r in outline if _named(r)]
    keep: set[int] = set()
    for i, r in enumerate(named):
        if r.get("person_id") in person_ids:
            for j in range(max(0, i - before), min(len(named), i + after + 1)):
                if j == i or named[j].get("heading_id") == r.get("heading_id"):
                    keep.add(j)
    groups: list[list[str]] = []
    last = None
    for i in sorted(keep):
        if last is None or i != last + 1:
            groups.append([])
        groups[-1].append(named[i]["id"])
        last = i
    return groups


def arrange(groups: list[list[str]], rows: list[dict], headings: dict[str, dict] | None = None) -> list[dict]:
    """Groups of ids + the full rows → [{"heading": title or None, "speeches": [...], "later": bool}], where
    ``later`` marks a group that follows elided speeches and ``heading`` the minor heading a group starts
    under when it differs from the previous group's."""
    by_id = {r["id"]: r for r in rows}
    out: list[dict] = []
    previous_heading = None
    for n, ids in enumerate(groups):
        speeches = [by_id[i] for i in ids if i in by_id]
        if not speeches:
            continue
        heading_id = speeches[0].get("heading_id")
        heading = None
        if headings and heading_id != previous_heading and heading_id in headings:
            if headings[heading_id]["level"] != "major":
                heading = headings[heading_id]["title"]
        previous_heading = speeches[-1].get("heading_id")
        out.append({"heading": heading, "speeches": speeches, "later": n > 0})
    return out
