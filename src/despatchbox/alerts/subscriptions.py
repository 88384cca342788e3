"""Subscriptions: checking what an alert asks for, creating, confirming, changing and deleting
alerts, and limiting how often an address may ask.

An operator's ``despatchbox alerts add`` is confirmed at once; a sign-up on the web stays
unconfirmed (and is never sent) until its signed confirmation link is followed (double opt-in).
An alert confirmed now is sent what is ingested from now on: its watermark starts at the
newest finished ingest batch.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ..record import naming
from ..store.database import write_transaction
from ..store.queries import departments as department_queries
from ..store.queries import alerts as aq
from .model import (DEPARTMENT, FREQUENCIES, KINDS, PERSON, QUERY_FILTERS, Alert, filters_json,
                    utcnow)

SIGNUP, MANAGE_LINK = "signup", "manage-link"
#: a manage-link request past its email address's limit: counted for its client, sends nothing
MANAGE_LINK_QUIET = "manage-link-quiet"


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per RATE_WINDOW, counted separately for each purpose."""
    per_email: int
    per_client: int
    #: past ``per_email`` the request is refused (429); when False it is answered as usual and sends nothing.
    #: Manage links count only the emails they send: whoever asks for another person's link sends it to
    #: them, at most ``per_email`` an hour, so nobody can lock another person out of their own manage link
    email_refused: bool


RATE_LIMITS = {SIGNUP: RateLimits(per_email=5, per_client=10, email_refused=True),
               MANAGE_LINK: RateLimits(per_email=3, per_client=10, email_refused=False)}
#: sign-up requests one email address may make per RATE_WINDOW
RATE_LIMIT = RATE_LIMITS[SIGNUP].per_email
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
        if dept is None:
            return alert.target
        # as the record it alerts on names it: its name on the latest day held for it
        return naming.department_name(alert.target, department_queries.latest_day_of(conn, alert.target),
                                      dept["name"]) or alert.target
    extra = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(alert.filters.items()))
    shown = alert.target if alert.target[:1] in "\"“" else f"“{alert.target}”"
    return f"Search: {shown}" + (f" ({extra})" if extra else "")


def add_alert(engine: Engine, *, email: str, kind: str, target: str, filters: dict | None = None,
              frequency: str = "immediate", confirmed: bool = True, now: datetime | None = None) -> tuple[Alert, bool]:
    """Create an alert (or find the same one of this address); returns (alert, created)."""
    now = now or utcnow()
    email = normalise_email(email)
    frequency = check_frequency(frequency)
    with engine.connect() as conn:
        # checked before the write lock is taken: a saved search is validated by running it, which
        # may first bring the search index up to an ingest's newest files
        t = check_target(conn, kind, target, filters)
    fjson = filters_json(t.filters)
    with write_transaction(engine) as conn:
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


def client_key(remote_addr: str | None) -> str | None:
    """Whom a client address counts as: the address, or for IPv6 its /64 network (one subscriber's line)."""
    if not remote_addr:
        return None
    try:
        ip = ipaddress.ip_address(remote_addr)
    except ValueError:
        return remote_addr[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def check_rate(engine: Engine, email: str, *, purpose: str, remote_addr: str | None = None,
               now: datetime | None = None) -> bool:
    """Count one request for ``purpose`` (SIGNUP or MANAGE_LINK), each with its own counters: raise
    RateLimited when the client address is past its limit, or for a sign-up when the email address is.
    Returns False when a manage-link request is past the email address's limit: answer as usual, send nothing."""
    now = now or utcnow()
    limits = RATE_LIMITS[purpose]
    key = email.lower()                       # one mailbox, however its local part is capitalised
    client = client_key(remote_addr)
    since = now - RATE_WINDOW
    minutes = int(RATE_WINDOW.total_seconds() // 60)
    with write_transaction(engine) as conn:
        aq.prune_signups(conn, before=now - RATE_WINDOW * 24)   # a write first: the transaction holds the lock
        every = (purpose, MANAGE_LINK_QUIET) if purpose == MANAGE_LINK else (purpose,)
        if client is not None and aq.count_signups(conn, purposes=every, remote_addr=client,
                                                   since=since) >= limits.per_client:
            raise RateLimited(f"Too many requests from your address: at most {limits.per_client} in {minutes} "
                              f"minutes. Please try again later.", retry_after=int(RATE_WINDOW.total_seconds()))
        over = aq.count_signups(conn, purposes=(purpose,), email=key, since=since) >= limits.per_email
        if over and limits.email_refused:
            raise RateLimited(f"Too many requests for {email}: at most {limits.per_email} in {minutes} minutes. "
                              f"Please try again later.", retry_after=int(RATE_WINDOW.total_seconds()))
        aq.record_signup(conn, email=key, purpose=MANAGE_LINK_QUIET if over else purpose, remote_addr=client,
                         when=now)
    return not over


def get_alert(engine: Engine, alert_id: int) -> Alert | None:
    with engine.connect() as conn:
        row = aq.get_alert(conn, alert_id)
    return Alert.from_row(row) if row else None


def confirm(engine: Engine, alert_id: int, *, now: datetime | None = None) -> bool:
    """Confirm an alert; False when it was confirmed already."""
    with write_transaction(engine) as conn:
        return aq.confirm_alert(conn, alert_id, when=now or utcnow(), last_batch=aq.latest_finished_batch(conn))


def alerts_of(engine: Engine, email: str) -> list[Alert]:
    with engine.connect() as conn:
        return [Alert.from_row(r) for r in aq.alerts_of_email(conn, email)]


def change_frequency(engine: Engine, alert_id: int, frequency: str) -> None:
    frequency = check_frequency(frequency)
    with write_transaction(engine) as conn:
        aq.set_frequency(conn, alert_id, frequency)


def delete(engine: Engine, alert_id: int) -> bool:
    with write_transaction(engine) as conn:
        return aq.delete_alert(conn, alert_id)
