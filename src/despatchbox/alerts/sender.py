"""``despatchbox alerts send``: every due alert gets one digest of what was ingested since its
last one, and each item is sent to an alert once and only once.

For each confirmed alert:

1. **Due?** Something was ingested since its watermark (``alerts.last_batch``: the newest
   *finished* ingest batch it has considered) and its period has passed (immediate: always;
   daily/weekly: a day/a week since the last digest, less an hour of slack).
2. **Claim** it with a lease (``lease_until``/``lease_token``), so that two senders never work
   on one alert at once. A crashed sender's lease runs out after :data:`LEASE`.
3. **Plan**: the items it matches in batches after its watermark, less those already sent
   (by exact key, by record id, or as a revision of a superseded record: see :mod:`.identity`).
4. **Send** one digest over SMTP. Only when the server has accepted it, **record** in one
   transaction: a delivery row per item (UNIQUE (alert_id, item_key)), the watermark moved
   to this run's batch, ``last_sent_at``, the lease cleared. If the server refuses or cannot be
   reached nothing is recorded and the watermark stays, so the same items are tried again next
   run and the failure is reported (``last_error``, ``failures``). After a connection failure
   the remaining alerts are deferred to the next run.

The one window left is a crash after the server accepted a digest and before the commit: the
next run sends that digest again, with the same Message-ID (made from the alert and its item
keys), which mail clients show once. Nothing is ever marked sent that was not accepted.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy.engine import Engine

from ..config import Settings
from ..store.queries import alerts as aq
from ..store.queries.redirects import redirect_targets
from .digest import DigestBuilder
from .emails import Emails
from .identity import (Candidate, division_candidate, follow_redirects, match_revisions, speech_candidate)
from .links import Links
from .mailbox import DevMailbox, mail_setup
from .mailer import Mailer, MailError
from .model import QUERY, Alert, utcnow
from .selection import Selection, SelectionError, select_items
from .signing import Signer
from .subscriptions import describe

#: how long a sender may hold an alert before another may take it over
LEASE = timedelta(minutes=15)

SENT, NOTHING_NEW, NOT_DUE, UP_TO_DATE, FAILED, DEFERRED, BUSY, WOULD_SEND = (
    "sent", "nothing new", "not due", "up to date", "failed", "deferred", "busy", "would send")


@dataclass
class Plan:
    new: list[Candidate]                         # to send
    repoints: list[dict]                         # deliveries that follow their item to a newer record
    revisions: int = 0                           # items recognised as revisions of ones sent before
    context: list = field(default_factory=list)  # question-group rows shown beside the new items


@dataclass
class Outcome:
    alert_id: int
    email: str
    title: str
    status: str
    items: int = 0
    revisions: int = 0
    detail: str | None = None
    message_id: str | None = None

    def as_dict(self) -> dict:
        return {"alert": self.alert_id, "email": self.email, "title": self.title, "status": self.status,
                "items": self.items, "revisions": self.revisions, "detail": self.detail,
                "message_id": self.message_id}


@dataclass
class SendReport:
    upto_batch: int
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return not any(o.status in (FAILED, DEFERRED) for o in self.outcomes)

    @property
    def items_sent(self) -> int:
        return sum(o.items for o in self.outcomes if o.status in (SENT, WOULD_SEND))

    def summary(self) -> str:
        digests = self.count(WOULD_SEND if self.dry_run else SENT)
        parts = [f"{len(self.outcomes)} alert{'s' if len(self.outcomes) != 1 else ''}",
                 f"{digests} digest{'s' if digests != 1 else ''} {'would be sent' if self.dry_run else 'sent'} "
                 f"({self.items_sent} item{'s' if self.items_sent != 1 else ''})"]
        for status in (NOTHING_NEW, UP_TO_DATE, NOT_DUE, BUSY, FAILED, DEFERRED):
            if self.count(status):
                parts.append(f"{self.count(status)} {status}")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "upto_batch": self.upto_batch, "summary": self.summary(),
                "alerts": [o.as_dict() for o in self.outcomes]}


def plan_items(conn, alert_id: int, selection: Selection) -> Plan:
    """What of the selection is new to this alert (see :mod:`.identity`)."""
    candidates: dict[str, Candidate] = {}
    for c in [*map(speech_candidate, selection.speeches), *map(division_candidate, selection.divisions)]:
        candidates.setdefault(c.key, c)
    cands = list(candidates.values())
    repoints: list[dict] = []
    # 1. exact key (following the item to its current record id)
    by_key = aq.deliveries_by_key(conn, alert_id, [c.key for c in cands])
    for c in cands:
        held = by_key.get(c.key)
        if held and held["gid"] != c.gid:
            repoints.append({"id": held["id"], "gid": c.gid})
    rest = [c for c in cands if c.key not in by_key]
    # 0. the same record (re-ingested with changed text): same item
    by_gid = aq.deliveries_by_gid(conn, alert_id, [c.gid for c in rest])
    for c in rest:
        if c.gid in by_gid:
            repoints.append({"id": by_gid[c.gid]["id"], "item_key": c.key, "sketch": c.sketch, "via": "revised"})
    revisions = sum(1 for c in rest if c.gid in by_gid)
    rest = [c for c in rest if c.gid not in by_gid]
    # 2, 3. revisions of superseded records: redirect chains, then near duplicates
    speeches_left = [c for c in rest if c.item_type == "speech"]
    if speeches_left:
        taken = {r["id"] for r in repoints}
        orphans = [o for o in aq.orphaned_deliveries(conn, alert_id, {c.item_date for c in speeches_left})
                   if o["id"] not in taken]
        if orphans:
            reach = follow_redirects([o["gid"] for o in orphans], lambda ids: redirect_targets(conn, ids))
            matched = match_revisions(speeches_left, orphans, reach)
            for c in speeches_left:
                if c.key in matched:
                    repoints.append({"id": matched[c.key]["id"], "item_key": c.key, "gid": c.gid,
                                     "sketch": c.sketch, "via": "revised"})
            revisions += len(matched)
            rest = [c for c in rest if c.key not in matched]
    new_ids = {c.gid for c in rest}
    context = list(selection.context) + [c.row for c in cands if c.item_type == "speech" and c.gid not in new_ids
                                         and c.record_kind in aq.WRANS_KINDS]
    return Plan(new=rest, repoints=repoints, revisions=revisions, context=context)


def delivery_rows(alert_id: int, items: list[Candidate], *, message_id: str | None, now: datetime) -> list[dict]:
    return [{"alert_id": alert_id, "item_key": c.key, "item_type": c.item_type, "record_kind": c.record_kind,
             "item_date": c.item_date, "gid": c.gid, "speaker_key": c.speaker_key, "sketch": c.sketch,
             "via": "sent", "message_id": message_id, "sent_at": now} for c in items]


class Sender:
    def __init__(self, engine: Engine, settings: Settings, *, mailer: Mailer | DevMailbox | None = None,
                 now: Callable[[], datetime] = utcnow, on_sent: Callable[[Outcome], None] | None = None):
        self.engine = engine
        self.settings = settings
        self.links = Links(settings.base_url)
        self.emails = Emails(links=self.links, signer=Signer(settings.secret_key), mail_from=settings.mail_from)
        self.mailer = mailer
        self.now = now
        self.on_sent = on_sent

    def run(self, *, dry_run: bool = False, alert_ids: list[int] | None = None) -> SendReport:
        with self.engine.connect() as conn:
            upto = aq.latest_finished_batch(conn)
            rows = aq.confirmed_alerts(conn)
        report = SendReport(upto_batch=upto, dry_run=dry_run)
        own_mailer = False
        if not dry_run and self.mailer is None:
            # SMTP, or the development mailbox on a laptop; MailError(stage="config") when neither
            self.mailer = mail_setup(self.settings).transport()
            own_mailer = True
        server_down: str | None = None
        try:
            for row in rows:
                alert = Alert.from_row(row)
                if alert_ids is not None and alert.id not in alert_ids:
                    continue
                with self.engine.connect() as conn:
                    title = describe(conn, alert)
                outcome = Outcome(alert.id, alert.email, title, NOT_DUE)
                report.outcomes.append(outcome)
                now = self.now()
                if upto <= alert.last_batch:
                    outcome.status = UP_TO_DATE
                    continue
                if not alert.period_elapsed(now):
                    outcome.detail = f"{alert.frequency}: last digest {alert.last_sent_at:%Y-%m-%d %H:%M} UTC"
                    continue
                if server_down and not dry_run:
                    outcome.status, outcome.detail = DEFERRED, server_down
                    continue
                if dry_run:
                    self._dry_run(alert, upto, outcome)
                    continue
                try:
                    self._send_one(alert, upto, outcome, now)
                except MailError as exc:
                    if exc.stage in ("connect", "config"):
                        server_down = f"not tried: {exc}"
        finally:
            if own_mailer and self.mailer is not None:
                self.mailer.close()
                self.mailer = None
        return report

    def _compose(self, alert: Alert, title: str, selection: Selection, plan: Plan):
        builder = DigestBuilder(self.links, terms=selection.terms)
        new_speeches = [c.row for c in plan.new if c.item_type == "speech"]
        new_divisions = [c.row for c in plan.new if c.item_type == "division"]
        digest = builder.build(title, new_speeches, new_divisions, context_rows=plan.context)
        more_url = self.links.search(alert.target, alert.filters) if alert.kind == QUERY else None
        return self.emails.digest(alert, digest, item_keys=[c.key for c in plan.new], truncated=selection.truncated,
                                  more_url=more_url)

    def _dry_run(self, alert: Alert, upto: int, outcome: Outcome) -> None:
        try:
            with self.engine.connect() as conn:
                selection = select_items(conn, alert, aq.BatchScope(alert.last_batch, upto))
                plan = plan_items(conn, alert.id, selection)
        except SelectionError as exc:
            outcome.status, outcome.detail = FAILED, str(exc)
            return
        outcome.items, outcome.revisions = len(plan.new), plan.revisions
        outcome.status = WOULD_SEND if plan.new else NOTHING_NEW

    def _send_one(self, alert: Alert, upto: int, outcome: Outcome, now: datetime) -> None:
        token = secrets.token_hex(16)
        with self.engine.begin() as conn:
            if not aq.claim_alert(conn, alert.id, token=token, now=now, until=now + LEASE):
                outcome.status, outcome.detail = BUSY, "another sender is working on it"
                return
        finished = False
        try:
            try:
                with self.engine.connect() as conn:
                    selection = select_items(conn, alert, aq.BatchScope(alert.last_batch, upto))
                    plan = plan_items(conn, alert.id, selection)
            except SelectionError as exc:
                with self.engine.begin() as conn:
                    aq.fail_alert(conn, alert.id, token=token, now=self.now(), error=str(exc))
                finished = True
                outcome.status, outcome.detail = FAILED, str(exc)
                return
            outcome.revisions = plan.revisions
            if not plan.new:
                with self.engine.begin() as conn:
                    aq.repoint_deliveries(conn, alert.id, plan.repoints)
                    aq.finish_alert(conn, alert.id, token=token, now=self.now(), last_batch=upto, sent=False)
                finished = True
                outcome.status = NOTHING_NEW
                return
            message = self._compose(alert, outcome.title, selection, plan)
            assert self.mailer is not None, "run() opens a mailer before sending"
            try:
                self.mailer.send(message)
            except MailError as exc:
                with self.engine.begin() as conn:
                    aq.fail_alert(conn, alert.id, token=token, now=self.now(), error=str(exc))
                finished = True
                outcome.status, outcome.detail, outcome.items = FAILED, str(exc), len(plan.new)
                raise
            # accepted: record it, once
            sent_at = self.now()
            with self.engine.begin() as conn:
                aq.record_deliveries(conn, delivery_rows(alert.id, plan.new, message_id=message["Message-ID"],
                                                         now=sent_at))
                aq.repoint_deliveries(conn, alert.id, plan.repoints)
                aq.finish_alert(conn, alert.id, token=token, now=sent_at, last_batch=upto, sent=True)
            finished = True
            outcome.status, outcome.items, outcome.message_id = SENT, len(plan.new), message["Message-ID"]
            if self.on_sent is not None:
                self.on_sent(outcome)
        finally:
            if not finished:
                with self.engine.begin() as conn:
                    aq.release_alert(conn, alert.id, token=token)


def send_alerts(engine: Engine, settings: Settings, *, dry_run: bool = False, mailer: Mailer | None = None,
                alert_ids: list[int] | None = None, now: Callable[[], datetime] = utcnow,
                on_sent: Callable[[Outcome], None] | None = None) -> SendReport:
    return Sender(engine, settings, mailer=mailer, now=now, on_sent=on_sent).run(dry_run=dry_run,
                                                                                 alert_ids=alert_ids)
