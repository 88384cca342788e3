"""What an alert is: a saved search, a member or a department, owned by an email address,
sent at a frequency."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

QUERY, PERSON, DEPARTMENT = "query", "person", "department"
KINDS = (QUERY, PERSON, DEPARTMENT)

IMMEDIATE, DAILY, WEEKLY = "immediate", "daily", "weekly"
FREQUENCIES = (IMMEDIATE, DAILY, WEEKLY)
FREQUENCY_LABELS = {IMMEDIATE: "after each update", DAILY: "once a day", WEEKLY: "once a week"}
#: the least time between two digests; ``immediate`` sends after every ingest that brings something
PERIODS = {IMMEDIATE: timedelta(0), DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}
#: a digest may go this much early, so that a daily cron job does not drift by a day
PERIOD_SLACK = timedelta(hours=1)

#: the search filters a query alert may carry (as the search page names them)
QUERY_FILTERS = ("person", "party", "department", "kind", "date_from", "date_to")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite: they are stored in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def filters_json(filters: dict | None) -> str | None:
    """Canonical JSON of a query's filters (sorted, empty ones dropped), or None."""
    clean = {k: v for k, v in sorted((filters or {}).items()) if v not in (None, "", [])}
    return json.dumps(clean, sort_keys=True, separators=(",", ":")) if clean else None


@dataclass
class Alert:
    id: int
    email: str
    kind: str
    target: str
    filters: dict = field(default_factory=dict)
    frequency: str = IMMEDIATE
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    last_sent_at: datetime | None = None
    last_batch: int = 0
    last_error: str | None = None
    failures: int = 0

    @classmethod
    def from_row(cls, row) -> "Alert":
        return cls(id=row["id"], email=row["email"], kind=row["kind"], target=row["target"],
                   filters=json.loads(row["filters"]) if row["filters"] else {}, frequency=row["frequency"],
                   created_at=as_utc(row["created_at"]), confirmed_at=as_utc(row["confirmed_at"]),
                   last_sent_at=as_utc(row["last_sent_at"]), last_batch=row["last_batch"] or 0,
                   last_error=row["last_error"], failures=row["failures"] or 0)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def period_elapsed(self, now: datetime) -> bool:
        if self.frequency == IMMEDIATE or self.last_sent_at is None:
            return True
        return now - self.last_sent_at >= PERIODS[self.frequency] - PERIOD_SLACK
