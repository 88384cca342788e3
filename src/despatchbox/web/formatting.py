"""Presentation helpers shared by the pages: dates in full, relative ages in Parallel
Parliament's form, excerpts, and the one place stored speech markup is made safe.

Speech HTML (``speeches.html``) is the source's markup. :func:`safe_html` (with ``nh3``, the
Python binding of the ammonia sanitiser) keeps a short whitelist of tags (paragraphs, emphasis, tables, line breaks, sub/superscripts, spans and
links to http(s) addresses), drops every attribute but a link's ``href`` and a cell's
``colspan``/``rowspan``, drops comments, scripts and styles, and escapes all text — once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from html import escape

import nh3
from markupsafe import Markup
from markupsafe import escape as escape_markup

from ..record import naming

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


def escaped(value: object) -> str:
    """``str(markupsafe.escape(value))``, for markup written by f-strings (page lists, speeches): a str
    with nothing to escape is itself and an int its digits, without a :class:`Markup` made and copied
    (~0.15 µs, not ~0.5: a member page writes ~190 values, a long debate ~450); anything else (text to
    escape, a Markup, a date) through ``escape``."""
    if type(value) is str:
        return value if _TO_ESCAPE(value) is None else str(escape_markup(value))
    if type(value) is int:
        return str(value)
    return str(escape_markup(value))


def words(n: int | None) -> str:
    """12345 → '12,345'."""
    return f"{n or 0:,}"


# --- speech markup ------------------------------------------------------------

ALLOWED_TAGS = frozenset({"p", "i", "b", "em", "strong", "table", "thead", "tbody", "tr", "td", "th", "br", "sup",
                          "sub", "span", "a"})
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea",
                          "title", "xmp", "noembed", "noframes", "plaintext", "select"})
_ATTRIBUTES = {"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_SAFE_HREF = re.compile(r"^https?://[^\s\"'<>]+$", re.I)
_SPAN = re.compile(r"^[1-9][0-9]?$")


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: absolute http(s) links only; small positive cell spans only."""
    if name == "href":
        value = value.strip()
        return value if _SAFE_HREF.match(value) else None
    if name in ("colspan", "rowspan"):
        return value if _SPAN.match(value) else None
    return value if (tag, name) == ("a", "rel") else None      # the rel="nofollow" nh3 adds itself


#: one configured sanitiser, reused: building nh3's configuration on every call cost more than the
#: cleaning itself (3.6 → 0.6 ms for the 142 speeches of a debate page)
_CLEANER = nh3.Cleaner(tags=set(ALLOWED_TAGS), clean_content_tags=set(DROP_CONTENT), attributes=_ATTRIBUTES,
                       attribute_filter=_keep_attribute, strip_comments=True, link_rel="nofollow",
                       url_schemes={"http", "https"})


#: text nh3 passes through unchanged: no markup, no entity, no character its serialiser escapes (&nbsp;)
#: or its parser replaces (NUL, CR and the other control characters but tab and newline)
_PLAIN_TEXT = r"[^<>&\x00-\x08\x0b-\x1f\x7f\u00a0]*+"
#: attributes of a tag the fast path drops: lower-case names, values with no markup character or entity
_ATTRIBUTES_DROPPED = r'(?: [a-z]+="[^"<>&]*+")*+'
#: the tags allowed directly inside a paragraph of the fast path, without attributes
_INLINE = "|".join(f"<{tag}>{_PLAIN_TEXT}</{tag}>" for tag in ("i", "b", "em", "strong", "sup", "sub"))
#: most stored speeches: paragraphs (with any attributes, all dropped) of plain text, perhaps with plain
#: emphasis, sub- and superscripts (no attributes) directly inside, or ParlParse's ``<phrase>`` (a date,
#: a member named as "my hon. Friend", an official-report reference: tag and attributes dropped, its
#: plain text kept, as nh3 does with a tag it does not allow).
#:
#: Every repetition is possessive (``*+``: what it took is never given back). That matches the same
#: markup as the greedy form, since each repeated piece stops only where the next piece must begin with
#: a character the piece cannot take (text stops at ``<``, which every tag begins with; an attribute at
#: ``"``; the paragraph's inline tags at ``</p>``, which none of them begins with; paragraphs at the end),
#: so giving any of it back never made a match. Without the bookkeeping to give back, and with each
#: inline tag written out rather than matched by a back-reference, it runs in less than half the time
#: (3.4 µs for a speech of ~960 characters, not 7.9; tests/test_pages_formatting.py compares the two).
_PLAIN_PARAGRAPHS = re.compile(rf'[ \t\n]*+(?:<p{_ATTRIBUTES_DROPPED}>{_PLAIN_TEXT}'
                               rf'(?:(?:{_INLINE}|<phrase{_ATTRIBUTES_DROPPED}>{_PLAIN_TEXT}</phrase>){_PLAIN_TEXT})*+'
                               rf'</p>[ \t\n]*+)*+')
_P_WITH_ATTRIBUTES = re.compile(r"<p [^>]*>")
_PHRASE_TAGS = re.compile(r"</?phrase[^>]*>")


def sanitise(html: str) -> str:
    """Speech markup reduced to the whitelist by nh3 (mySociety-independent, Rust's ammonia).

    Markup of the plain form most speeches have (:data:`_PLAIN_PARAGRAPHS`) is what nh3 would make
    of it once the paragraphs' attributes and any ``<phrase>`` tags are dropped: that is done here, in
    a quarter of nh3's time, and anything else goes through nh3 (tests/test_pages_formatting.py checks
    the two agree on every speech of the sample)."""
    if _PLAIN_PARAGRAPHS.fullmatch(html):
        out = _P_WITH_ATTRIBUTES.sub("<p>", html)
        if "<phrase" in out:
            out = _PHRASE_TAGS.sub("", out)
        return out.strip()
    return _CLEANER.clean(html).strip()


def safe_html(html: str | None) -> Markup:
    """Stored speech markup made safe to put in a page (see the module's note)."""
    if not html:
        return Markup("")
    return Markup(sanitise(html))


def text_paragraphs(text: str | None) -> Markup:
    """Plain text (one paragraph per line) as escaped paragraphs."""
    if not text:
        return Markup("")
    return Markup("".join(f"<p>{escape(line, quote=False)}</p>" for line in text.splitlines() if line.strip()))
