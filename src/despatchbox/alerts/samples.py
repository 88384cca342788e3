"""A sample alert: what a digest for a department, a member or a saved search would hold for
the last week held (the seven days up to the newest sitting day in the store)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from ..store.queries import alerts as aq
from .digest import Digest, DigestBuilder
from .links import Links
from .model import Alert
from .selection import select_items
from .subscriptions import Target, describe

SAMPLE_DAYS = 7


@dataclass
class Sample:
    digest: Digest
    start: date | None
    end: date | None
    truncated: bool = False


def last_week(conn: Connection) -> tuple[date, date] | None:
    end = aq.latest_record_date(conn)
    if end is None:
        return None
    if not isinstance(end, date):
        end = date.fromisoformat(str(end)[:10])
    return end - timedelta(days=SAMPLE_DAYS - 1), end


def sample_digest(conn: Connection, target: Target, links: Links) -> Sample:
    """The digest ``target`` (already checked) would have been sent for the last week held."""
    alert = Alert(id=0, email="", kind=target.kind, target=target.target, filters=dict(target.filters))
    title = describe(conn, alert)
    week = last_week(conn)
    if week is None:
        return Sample(DigestBuilder(links).build(title, []), None, None)
    selection = select_items(conn, alert, aq.DateScope(*week))
    digest = DigestBuilder(links, terms=selection.terms).build(title, selection.speeches, selection.divisions,
                                                                context_rows=selection.context)
    return Sample(digest, week[0], week[1], selection.truncated)
