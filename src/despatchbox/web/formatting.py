"""Presentation helpers shared by the pages: dates in full, relative ages in Parallel
Parliament's form, excerpts, and the one place stored speech markup is put in a page.

Speech HTML (``speeches.html``) is kept reduced to a short whitelist (``record/markup``), marked
:class:`~despatchbox.record.markup.SafeHtml`; :func:`safe_html` puts that in as it is, and reduces
anything else (a body stored by an older version, or by another whitelist) on the way.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from html import escape

from markupsafe import Markup
from markupsafe import escape as escape_markup

from ..record import naming
from ..record.markup import SafeHtml, sanitise

MONTHS, WEEKDAYS = naming.MONTHS, naming.WEEKDAYS
#: dates are named the same way on pages and in emails (``record/naming``)
ordinal, full_date, short_date = naming.ordinal, naming.full_date, naming.short_date


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def _months_between(then: datetime, now: datetime) -> int:
    months = (now.year - then.year) * 12 + (now.month - then.month)
    if (now.day, now.time()) < (then.day, then.time()):
        months -= 1
    return months


def _add_months(then: datetime, months: int) -> datetime:
    y, m = divmod(then.month - 1 + months, 12)
    year, month = then.year + y, m + 1
    for day in (then.day, 30, 29, 28):
        try:
            return then.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def relative_age(then: date | datetime | None, now: datetime | None = None) -> str:
    """Parallel Parliament's relative age, two units at most: '17 years, 1 month ago', '7 years ago',
    '3 months, 2 days ago', '2 days, 3 hours ago', '5 hours, 10 minutes ago', 'just now'."""
    if then is None:
        return ""
    now = _as_datetime(now or datetime.now(timezone.utc))
    start = _as_datetime(then)
    if start > now:
        return "in the future"
    months = _months_between(start, now)
    if months >= 12:
        years, rest = divmod(months, 12)
        return f"{_plural(years, 'year')}, {_plural(rest, 'month')} ago" if rest else f"{_plural(years, 'year')} ago"
    if months >= 1:
        days = (now - _add_months(start, months)).days
        return f"{_plural(months, 'month')}, {_plural(days, 'day')} ago" if days else f"{_plural(months, 'month')} ago"
    delta = now - start
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, (seconds % 3600) // 60
    if days:
        return f"{_plural(days, 'day')}, {_plural(hours, 'hour')} ago" if hours else f"{_plural(days, 'day')} ago"
    if hours:
        return (f"{_plural(hours, 'hour')}, {_plural(minutes, 'minute')} ago" if minutes
                else f"{_plural(hours, 'hour')} ago")
    if minutes:
        return f"{_plural(minutes, 'minute')} ago"
    return "just now"


def excerpt(text: str | None, limit: int = 240) -> str:
    """The first ``limit`` characters of plain text, cut at a word, with '…' when shortened."""
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:-\u2014")
    return cut + "\u2026"


#: a character :func:`markupsafe.escape` replaces
_TO_ESCAPE = re.compile(r"[&<>'\"]").search


def _escape_by_search(value: str) -> str:
    """What :func:`markupsafe.escape` makes of a str, as a str: the str itself when it has nothing to escape."""
    return value if _TO_ESCAPE(value) is None else str(escape_markup(value))


try:    # markupsafe's own C function behind ``escape`` for a str (the str itself when it has nothing to
    # escape): 0.09 µs a value, where the search above took 0.21 (a round of the bench pages writes ~800)
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:     # markupsafe without its speedups, or one that moved them: the search above
    _escape_str = _escape_by_search


def escaped(value: object) -> str:
    """``str(markupsafe.escape(value))``, for markup written by f-strings (page lists, speeches): a str
    with nothing to escape is itself and an int its digits, without a :class:`Markup` made and copied
    (a member page writes ~190 values, a long debate ~450); anything else (a Markup, a date) through
    ``escape``."""
    if type(value) is str:
        return _escape_str(value)
    if type(value) is int:
        return str(value)
    return str(escape_markup(value))


def words(n: int | None) -> str:
    """12345 → '12,345'."""
    return f"{n or 0:,}"


# --- speech markup ------------------------------------------------------------

def safe_html(html: str | None) -> Markup:
    """Stored speech markup made safe to put in a page: as it is when the store says it was reduced
    to the whitelist (:class:`SafeHtml`), reduced here otherwise (see the module's note)."""
    if not html:
        return Markup("")
    if type(html) is SafeHtml:
        return Markup(html)
    return Markup(sanitise(html))


def text_paragraphs(text: str | None) -> Markup:
    """Plain text (one paragraph per line) as escaped paragraphs."""
    if not text:
        return Markup("")
    return Markup("".join(f"<p>{escape(line, quote=False)}</p>" for line in text.splitlines() if line.strip()))
