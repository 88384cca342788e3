"""Every SQL statement email alerts need: subscriptions, deliveries, sign-up attempts, and
the record rows a digest is made of.

The tables are declared in ``store/schema.py`` and created by migration ``0004_alerts``. ``alert_deliveries`` holds one row per
item sent to an alert, under UNIQUE (alert_id, item_key): see ``despatchbox.alerts.identity``
for what an item key is.

"Scope" in the item queries is either a range of ingest batches (what was ingested since an
alert's last digest) or a range of dates (a sample digest of the last week held).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import (Connection, Insert, and_, delete, exists, func, insert, or_, select, update)
from sqlalchemy.dialects import postgresql, sqlite

from ...record import kinds
from ..schema import (alert_deliveries, alert_signups, alerts, debates, departments, divisions, headings,
                      ingest_batches, memberships, people, source_files, speeches, votes)

#: written answers: a question group is shown whole (question, asker, answer, answerer)
WRANS_KINDS = kinds.ANSWERS


@dataclass(frozen=True)
class BatchScope:
    """Records in current files loaded by ingest batches after ``after`` up to ``upto``."""
    after: int
    upto: int


@dataclass(frozen=True)
class DateScope:
    """Records dated ``start`` … ``end`` inclusive."""
    start: date
    end: date


Scope = BatchScope | DateScope


# --- subscriptions ------------------------------------------------------------------------------

def insert_alert(conn: Connection, *, email: str, kind: str, target: str, filters: str | None, frequency: str,
                 created_at: datetime, confirmed_at: datetime | None, last_batch: int) -> int:
    key = conn.execute(insert(alerts).values(
        email=email, kind=kind, target=target, filters=filters, frequency=frequency, created_at=created_at,
        confirmed_at=confirmed_at, last_batch=last_batch, failures=0)).inserted_primary_key
    assert key is not None          # a one-row INSERT has its key
    return key[0]


def get_alert(conn: Connection, alert_id: int):
    return conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()


def find_same_alert(conn: Connection, *, email: str, kind: str, target: str, filters: str | None):
    """An alert of this address for the same thing (to not create duplicates)."""
    cond = [alerts.c.email == email, alerts.c.kind == kind, alerts.c.target == target]
    cond.append(alerts.c.filters.is_(None) if filters is None else alerts.c.filters == filters)
    return conn.execute(select(alerts).where(*cond).order_by(alerts.c.id)).mappings().first()


def alerts_of_email(conn: Connection, email: str) -> list:
    return list(conn.execute(select(alerts).where(alerts.c.email == email).order_by(alerts.c.id)).mappings())


def list_alerts(conn: Connection) -> list:
    """Every alert with the number of items sent to it."""
    sent = (select(func.count()).select_from(alert_deliveries)
            .where(alert_deliveries.c.alert_id == alerts.c.id)
            .scalar_subquery())
    return list(conn.execute(select(alerts, sent.label("items_sent")).order_by(alerts.c.id)).mappings())


def confirmed_alerts(conn: Connection) -> list:
    return list(conn.execute(select(alerts).where(alerts.c.confirmed_at.is_not(None))
                             .order_by(alerts.c.id)).mappings())


def confirm_alert(conn: Connection, alert_id: int, *, when: datetime, last_batch: int) -> bool:
    """Confirm (once): from now on it is sent what is ingested after ``last_batch``."""
    result = conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.confirmed_at.is_(None))
                          .values(confirmed_at=when, last_batch=last_batch))
    return result.rowcount == 1


def set_frequency(conn: Connection, alert_id: int, frequency: str) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(frequency=frequency))


def delete_alert(conn: Connection, alert_id: int) -> bool:
    conn.execute(delete(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id))
    return conn.execute(delete(alerts).where(alerts.c.id == alert_id)).rowcount == 1


# --- sign-up attempts (rate limiting) --------------------------------------------------------------

def record_signup(conn: Connection, *, email: str, purpose: str, remote_addr: str | None, when: datetime) -> None:
    conn.execute(insert(alert_signups).values(email=email, purpose=purpose, remote_addr=remote_addr,
                                              created_at=when))


def count_signups(conn: Connection, *, purposes: Sequence[str], since: datetime, email: str | None = None,
                  remote_addr: str | None = None) -> int:
    """Requests for one of ``purposes`` since ``since`` by this email address, or from this client address."""
    conditions = [alert_signups.c.purpose.in_(list(purposes)), alert_signups.c.created_at >= since]
    if email is not None:
        conditions.append(alert_signups.c.email == email)
    if remote_addr is not None:
        conditions.append(alert_signups.c.remote_addr == remote_addr)
    return conn.execute(select(func.count()).select_from(alert_signups).where(*conditions)).scalar_one()


def prune_signups(conn: Connection, *, before: datetime) -> None:
    conn.execute(delete(alert_signups).where(alert_signups.c.created_at < before))


# --- what an alert is about -----------------------------------------------------------------------

def person_by_slug(conn: Connection, slug: str):
    return conn.execute(select(people.c.id, people.c.name, people.c.slug, people.c.house)
                        .where(people.c.slug == slug)).mappings().first()


def department_by_slug(conn: Connection, slug: str):
    return conn.execute(select(departments.c.slug, departments.c.name)
                        .where(departments.c.slug == slug)).mappings().first()


def department_names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(departments.c.slug, departments.c.name)).tuples().all())


# --- batches and the last week held -------------------------------------------------------------

def latest_finished_batch(conn: Connection) -> int:
    """The newest ingest batch that finished (0 when none has): batches still running are not read."""
    return conn.execute(select(func.coalesce(func.max(ingest_batches.c.id), 0))
                        .where(ingest_batches.c.finished_at.is_not(None))).scalar_one()


def latest_record_date(conn: Connection) -> date | None:
    return conn.execute(select(func.max(speeches.c.date))).scalar()


# --- leases: one sender per alert at a time ---------------------------------------------------------

def claim_alert(conn: Connection, alert_id: int, *, token: str, now: datetime, until: datetime) -> bool:
    result = conn.execute(update(alerts).where(
        alerts.c.id == alert_id, or_(alerts.c.lease_until.is_(None), alerts.c.lease_until < now))
        .values(lease_until=until, lease_token=token))
    return result.rowcount == 1


def finish_alert(conn: Connection, alert_id: int, *, token: str, now: datetime, last_batch: int,
                 sent: bool) -> None:
    """After success: advance the watermark, clear the lease and any error."""
    values = dict(lease_until=None, lease_token=None, last_batch=last_batch, last_attempt_at=now,
                  last_error=None, failures=0)
    if sent:
        values["last_sent_at"] = now
    conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.lease_token == token).values(**values))


def fail_alert(conn: Connection, alert_id: int, *, token: str, now: datetime, error: str) -> None:
    """After a failure: keep the watermark (so nothing is skipped), note the error, clear the lease."""
    conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.lease_token == token).values(
        lease_until=None, lease_token=None, last_attempt_at=now, last_error=error[:2000],
        failures=alerts.c.failures + 1))


def release_alert(conn: Connection, alert_id: int, *, token: str) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.lease_token == token)
                 .values(lease_until=None, lease_token=None))


# --- deliveries ----------------------------------------------------------------------------------

def record_deliveries(conn: Connection, rows: Sequence[dict]) -> int:
    """Insert delivery rows, ignoring any (alert_id, item_key) already held; returns rows inserted."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    stmt: Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(alert_deliveries).on_conflict_do_nothing(
            constraint="uq_alert_deliveries_alert_item")
    elif dialect == "sqlite":
        stmt = sqlite.insert(alert_deliveries).on_conflict_do_nothing(index_elements=["alert_id", "item_key"])
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        held = delivered_keys(conn, rows[0]["alert_id"], [r["item_key"] for r in rows])
        rows = [r for r in rows if r["item_key"] not in held]
        stmt = insert(alert_deliveries)
    inserted = 0
    for start in range(0, len(rows), 1000):
        result = conn.execute(stmt, list(rows[start:start + 1000]))
        inserted += max(result.rowcount or 0, 0)
    return inserted


def repoint_deliveries(conn: Connection, alert_id: int, changes: Sequence[dict]) -> None:
    """A sent item now held under a newer record: follow it. Each change names the delivery
    (``id``) and its new ``item_key``, ``gid``, ``sketch`` and ``via``."""
    for change in changes:
        values = {k: change[k] for k in ("item_key", "gid", "sketch", "via") if k in change}
        conn.execute(update(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id,
                                                    alert_deliveries.c.id == change["id"]).values(**values))


def deliveries_by_key(conn: Connection, alert_id: int, keys: Iterable[str]) -> dict[str, dict]:
    """item_key → {id, gid} of what this alert was sent, for the given keys."""
    keys = list(set(keys))
    found: dict[str, dict] = {}
    for start in range(0, len(keys), 500):
        for row in conn.execute(select(alert_deliveries.c.item_key, alert_deliveries.c.id, alert_deliveries.c.gid)
                                .where(alert_deliveries.c.alert_id == alert_id,
                                       alert_deliveries.c.item_key.in_(keys[start:start + 500]))).mappings():
            found[row["item_key"]] = {"id": row["id"], "gid": row["gid"]}
    return found


def delivered_keys(conn: Connection, alert_id: int, keys: Iterable[str]) -> set[str]:
    keys = list(set(keys))
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(conn.execute(select(alert_deliveries.c.item_key).where(
            alert_deliveries.c.alert_id == alert_id,
            alert_deliveries.c.item_key.in_(keys[start:start + 500]))).scalars())
    return found


def deliveries_by_gid(conn: Connection, alert_id: int, gids: Iterable[str]) -> dict[str, dict]:
    """gid → {id, item_key} of what this alert was sent under these record ids."""
    gids = list(set(gids))
    found: dict[str, dict] = {}
    for start in range(0, len(gids), 500):
        for row in conn.execute(select(alert_deliveries.c.gid, alert_deliveries.c.id, alert_deliveries.c.item_key)
                                .where(alert_deliveries.c.alert_id == alert_id,
                                       alert_deliveries.c.gid.in_(gids[start:start + 500]))).mappings():
            found[row["gid"]] = {"id": row["id"], "item_key": row["item_key"]}
    return found


def orphaned_deliveries(conn: Connection, alert_id: int, days: Iterable[date]) -> list:
    """Speeches sent to the alert on these days whose record is no longer held (superseded
    by a newer file version): the only ones a new record can be a revision of."""
    days = sorted(set(days))
    if not days:
        return []
    held = exists().where(speeches.c.id == alert_deliveries.c.gid)
    q = (select(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id,
                                        alert_deliveries.c.item_type == "speech",
                                        alert_deliveries.c.item_date.in_(days), ~held)
         .order_by(alert_deliveries.c.id))
    return list(conn.execute(q).mappings())


# --- the record rows a digest is made of ------------------------------------------------------------

def _scope_condition(scope: Scope, date_column):
    if isinstance(scope, BatchScope):
        return and_(source_files.c.is_current.is_(True), source_files.c.batch > scope.after,
                    source_files.c.batch <= scope.upto)
    return and_(source_files.c.is_current.is_(True), date_column >= scope.start, date_column <= scope.end)


def _speech_select():
    heading = headings.alias("h")
    return (select(speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
                   speeches.c.position, speeches.c.element, speeches.c.speaker_name, speeches.c.speaker_office,
                   speeches.c.nospeaker, speeches.c.person_id, speeches.c.text, speeches.c.words,
                   debates.c.title.label("debate_title"), debates.c.department_slug,
                   debates.c.speeches.label("debate_speeches"), debates.c.words.label("debate_words"),
                   heading.c.title.label("heading_title"),
                   people.c.name.label("person_name"), people.c.slug.label("person_slug"),
                   memberships.c.house, memberships.c.title.label("m_title"),
                   memberships.c.first_name.label("m_first_name"), memberships.c.last_name.label("m_last_name"),
                   memberships.c.constituency, memberships.c.party, memberships.c.from_date.label("m_from"),
                   memberships.c.to_date.label("m_to"), memberships.c.lord_name, memberships.c.lord_of_name,
                   memberships.c.peerage_type, memberships.c.id.label("membership_id"))
            .select_from(speeches.join(source_files, source_files.c.id == speeches.c.file_id)
                         .join(debates, debates.c.id == speeches.c.debate_id, isouter=True)
                         .join(heading, heading.c.id == speeches.c.heading_id, isouter=True)
                         .join(people, people.c.id == speeches.c.person_id, isouter=True)
                         .join(memberships, memberships.c.id == speeches.c.membership_id, isouter=True)))


def _ordered(q):
    return q.order_by(speeches.c.date, speeches.c.kind, speeches.c.file_id, speeches.c.position)


def speeches_by_person(conn: Connection, person_id: int, scope: Scope) -> list:
    q = _speech_select().where(_scope_condition(scope, speeches.c.date), speeches.c.person_id == person_id)
    return list(conn.execute(_ordered(q)).mappings())


def speeches_by_department(conn: Connection, slug: str, scope: Scope) -> list:
    q = _speech_select().where(_scope_condition(scope, speeches.c.date), debates.c.department_slug == slug)
    return list(conn.execute(_ordered(q)).mappings())


def speeches_by_ids(conn: Connection, ids: Iterable[str], scope: Scope) -> list:
    ids = list(set(ids))
    rows: list = []
    for start in range(0, len(ids), 500):
        q = _speech_select().where(_scope_condition(scope, speeches.c.date),
                                   speeches.c.id.in_(ids[start:start + 500]))
        rows.extend(conn.execute(q).mappings())
    rows.sort(key=lambda r: (r["date"], r["kind"], r["position"]))
    return rows


def question_groups(conn: Connection, heading_ids: Iterable[str]) -> list:
    """Every question and answer under these written-answer headings (asked and answered together)."""
    heading_ids = list(set(h for h in heading_ids if h))
    rows: list = []
    for start in range(0, len(heading_ids), 500):
        q = _speech_select().where(source_files.c.is_current.is_(True), speeches.c.kind.in_(WRANS_KINDS),
                                   speeches.c.heading_id.in_(heading_ids[start:start + 500]))
        rows.extend(conn.execute(q).mappings())
    return rows


def _division_select(*extra, with_votes: bool = False):
    joined = (divisions.join(source_files, source_files.c.id == divisions.c.file_id)
              .join(debates, debates.c.id == divisions.c.debate_id, isouter=True))
    if with_votes:
        joined = joined.join(votes, votes.c.division_id == divisions.c.id)
    return (select(divisions.c.id, divisions.c.kind, divisions.c.date, divisions.c.number, divisions.c.time,
                   divisions.c.ayes, divisions.c.noes, divisions.c.debate_id, divisions.c.position,
                   debates.c.title.label("debate_title"), debates.c.department_slug, *extra)
            .select_from(joined))


def _divisions_ordered(q):
    return q.order_by(divisions.c.date, divisions.c.kind, divisions.c.position)


def divisions_by_department(conn: Connection, slug: str, scope: Scope) -> list:
    q = _division_select().where(_scope_condition(scope, divisions.c.date), debates.c.department_slug == slug)
    return list(conn.execute(_divisions_ordered(q)).mappings())


def divisions_by_person(conn: Connection, person_id: int, scope: Scope) -> list:
    """Divisions the member voted in, with their vote (aye, no, content, not-content) and whether they told."""
    q = (_division_select(votes.c.vote, votes.c.teller, with_votes=True)
         .where(_scope_condition(scope, divisions.c.date), votes.c.person_id == person_id))
    return list(conn.execute(_divisions_ordered(q)).mappings())

