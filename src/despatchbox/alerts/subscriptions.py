"""Subscriptions: checking what an alert asks for, creating, confirming, changing and deleting
alerts, and limiting how often an address may ask.

An operator's ``despatchbox alerts add`` is confirmed at once; a sign-up on the web stays
unconfirmed (and is never sent) until its signed confirmation link is followed (double opt-in).
An alert confirmed now is sent what is ingested from now on: its watermark starts at the
newest finished ingest batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ..store.queries import alerts as aq
from .model import (DEPARTMENT, FREQUENCIES, KINDS, PERSON, QUERY, QUERY_FILTERS, Alert, filters_json,
                    utcnow)

#: sign-up requests (and manage-link requests) one address may make per RATE_WINDOW
RATE_LIMIT = 5
RATE_WINDOW = timedelta(hours=1)
MAX_QUERY_CHARS = 500


class InvalidAlert(ValueError):
    """Bad input; the message is meant for the person who typed it."""


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def normalise_email(raw: str | None) -> str:
    raw = (raw or "").strip()
    if not raw:
        raise InvalidAlert("Please give an email address.")
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidAlert(f"“{raw[:100]}” is not a valid email address: {exc}") from None


@dataclass(frozen=True)
class Target:
    kind: str
    target: str
    filters: dict


def check_target(conn: Connection, kind: str | None, target: str | None, filters: dict | None = None) -> Target:
    """Validate what an alert is for (raises InvalidAlert with a message for the user)."""
    kind = (kind or "").strip().lower()
    target = " ".join((target or "").split())
    if kind not in KINDS:
        raise InvalidAlert(f"An alert is for a search, a member or a department, not {kind or 'nothing'!r}.")
    if kind == PERSON:
        if not target or aq.person_by_slug(conn, target) is None:
            raise InvalidAlert(f"There is no member {target!r}." if target else "Choose a member.")
        return Target(kind, target, {})
    if kind == DEPARTMENT:
        if not target or aq.department_by_slug(conn, target) is None:
            raise InvalidAlert(f"There is no department {target!r}." if target else "Choose a department.")
        return Target(kind, target, {})
    if not target:
        raise InvalidAlert("Please type something to search for: an alert needs a query.")
    if len(target) > MAX_QUERY_CHARS:
        raise InvalidAlert(f"The query is too long (at most {MAX_QUERY_CHARS} characters).")
    clean = {}
    for key, value in (filters or {}).items():
        if key not in QUERY_FILTERS:
            raise InvalidAlert(f"Unknown search filter {key!r}: use {', '.join(QUERY_FILTERS)}.")
        value = " ".join(str(value or "").split())
        if value:
            clean[key] = value
    from .selection import SelectionError, _search_api, validate_query
    _search, _SearchQuery, QueryError = _search_api()
    try:
        validate_query(conn, target, clean)
    except (QueryError, SelectionError) as exc:
        raise InvalidAlert(str(exc)) from None
    return Target(kind, target, clean)


def check_frequency(frequency: str | None) -> str:
    frequency = (frequency or "immediate").strip().lower()
    if frequency not in FREQUENCIES:
        raise InvalidAlert(f"How often: choose {', '.join(FREQUENCIES)}, not {frequency!r}.")
    return frequency


def describe(conn: Connection, alert: Alert | Target) -> str:
    """What the alert is for, as a title: 'David Hanson', 'Home Office', 'Search: "county lines"'."""
    if alert.kind == PERSON:
        person = aq.person_by_slug(conn, alert.target)
        return person["name"] if person else alert.target
    if alert.kind == DEPARTMENT:
        dept = aq.department_by_slug(conn, alert.target)
        return dept["name"] if dept else alert.target
    extra = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(alert.filters.items()))
    shown = alert.target if alert.target[:1] in "\"“" else f"“{alert.target}”"
    return f"Search: {shown}" + (f" ({extra})" if extra else "")


def add_alert(engine: Engine, *, email: str, kind: str, target: str, filters: dict | None = None,
              frequency: str = "immediate", confirmed: bool = True, now: datetime | None = None) -> tuple[Alert, bool]:
    """Create an alert (or find the same one of this address); returns (alert, created)."""
    now = now or utcnow()
    email = normalise_email(email)
    frequency = check_frequency(frequency)
    with engine.begin() as conn:
        t = check_target(conn, kind, target, filters)
        fjson = filters_json(t.filters)
        same = aq.find_same_alert(conn, email=email, kind=t.kind, target=t.target, filters=fjson)
        if same is not None:
            if confirmed and same["confirmed_at"] is None:
                aq.confirm_alert(conn, same["id"], when=now, last_batch=aq.latest_finished_batch(conn))
            if same["frequency"] != frequency and (confirmed or same["confirmed_at"] is None):
                aq.set_frequency(conn, same["id"], frequency)
            return Alert.from_row(aq.get_alert(conn, same["id"])), False
        alert_id = aq.insert_alert(conn, email=email, kind=t.kind, target=t.target, filters=fjson,
                                   frequency=frequency, created_at=now, confirmed_at=now if confirmed else None,
                                   last_batch=aq.latest_finished_batch(conn))
        return Alert.from_row(aq.get_alert(conn, alert_id)), True


def check_rate(engine: Engine, email: str, *, purpose: str, remote_addr: str | None = None,
               now: datetime | None = None) -> None:
    """Count one request by this address; raise RateLimited past RATE_LIMIT per RATE_WINDOW."""
    now = now or utcnow()
    key = email.lower()                       # one mailbox, however its local part is capitalised
    with engine.begin() as conn:
        aq.prune_signups(conn, before=now - RATE_WINDOW * 24)
        if aq.count_signups(conn, email=key, since=now - RATE_WINDOW) >= RATE_LIMIT:
            minutes = int(RATE_WINDOW.total_seconds() // 60)
            raise RateLimited(f"Too many requests for {email}: at most {RATE_LIMIT} in {minutes} minutes. "
                              f"Please try again later.", retry_after=int(RATE_WINDOW.total_seconds()))
        aq.record_signup(conn, email=key, purpose=purpose, remote_addr=remote_addr, when=now)


def get_alert(engine: Engine, alert_id: int) -> Alert | None:
    with engine.connect() as conn:
        row = aq.get_alert(conn, alert_id)
    return Alert.from_row(row) if row else None


def confirm(engine: Engine, alert_id: int, *, now: datetime | None = None) -> bool:
    """Confirm an alert; False when it was confirmed already."""
    with engine.begin() as conn:
        return aq.confirm_alert(conn, alert_id, when=now or utcnow(), last_batch=aq.latest_finished_batch(conn))


def alerts_of(engine: Engine, email: str) -> list[Alert]:
    with engine.connect() as conn:
        return [Alert.from_row(r) for r in aq.alerts_of_email(conn, email)]


def change_frequency(engine: Engine, alert_id: int, frequency: str) -> None:
    frequency = check_frequency(frequency)
    with engine.begin() as conn:
        aq.set_frequency(conn, alert_id, frequency)


def delete(engine: Engine, alert_id: int) -> bool:
    with engine.begin() as conn:
        return aq.delete_alert(conn, alert_id)
