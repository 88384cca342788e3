"""Who spoke: membership ids and person ids resolved to a person, and to the
membership (party, constituency or peerage) valid on the day.

The rules, in order:
1. ``speakerid`` names a membership (``…/member/N`` or ``…/lord/N``): the person is
   the one people.xml gives for it, the membership is that one.
2. ``person_id`` (newer data) names a person: the membership is the one of theirs
   valid on the day (the latest one started on or before it, Commons first).
3. ``unknown``, no id, or an id no members file knows: no person. The printed name
   is kept beside, and the id is counted by ``despatchbox check``.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from ..ingest.records import Membership

UNKNOWN_SPEAKER = "unknown"


@dataclass(frozen=True, slots=True)
class Resolution:
    person_id: int | None
    membership_id: str | None


NOBODY = Resolution(None, None)


def _person_number(value: str) -> int | None:
    tail = value.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


@dataclass
class SpeakerResolver:
    """Built once per ingest from the members data held in the store."""
    person_of_membership: dict[str, int]
    memberships: dict[str, Membership]
    _by_person: dict[int, list[Membership]] = field(default_factory=dict, init=False)
    _known_people: set[int] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        for mid, pid in self.person_of_membership.items():
            self._known_people.add(pid)
            m = self.memberships.get(mid)
            if m is not None:
                self._by_person.setdefault(pid, []).append(m)
        for items in self._by_person.values():
            items.sort(key=lambda m: (m.from_date or date.min, m.house != "commons"))

    def knows_person(self, person_id: int) -> bool:
        return person_id in self._known_people

    def membership_on(self, person_id: int, on: date) -> Membership | None:
        """The person's membership valid on a date (the seat, not a chair role when they hold one)."""
        items = self._by_person.get(person_id)
        if not items:
            return None
        valid = [m for m in items
                 if (m.from_date is None or m.from_date <= on) and (m.to_date is None or on <= m.to_date)]
        if valid:
            seats = [m for m in valid if m.party not in ("SPK", "CWM", "DCWM")] or valid
            return seats[-1]
        starts = [m.from_date or date.min for m in items]
        i = bisect_right(starts, on)
        return items[i - 1] if i else items[0]

    def resolve(self, speaker_id: str | None, person_id: int | None, on: date) -> Resolution:
        if speaker_id and speaker_id != UNKNOWN_SPEAKER and "/person/" not in speaker_id:
            pid = self.person_of_membership.get(speaker_id)
            if pid is not None:
                return Resolution(pid, speaker_id if speaker_id in self.memberships else None)
            return NOBODY
        if person_id is None and speaker_id and "/person/" in speaker_id:
            person_id = _person_number(speaker_id)
        if person_id is not None and self.knows_person(person_id):
            m = self.membership_on(person_id, on)
            return Resolution(person_id, m.id if m else None)
        return NOBODY
