"""Presentation helpers shared by the pages: dates in full, relative ages in Parallel
Parliament's form, excerpts, and the one place stored speech markup is made safe.

Speech HTML (``speeches.html``) is the source's markup. :func:`safe_html` keeps a short
whitelist of tags (paragraphs, emphasis, tables, line breaks, sub/superscripts, spans and
links to http(s) addresses), drops every attribute but a link's ``href`` and a cell's
``colspan``/``rowspan``, drops comments, scripts and styles, and escapes all text — once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache
from html import escape, unescape
from html.parser import HTMLParser

from markupsafe import Markup

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def full_date(day: date | None) -> str:
    """'Monday 26th October 2009'."""
    if day is None:
        return ""
    return f"{WEEKDAYS[day.weekday()]} {ordinal(day.day)} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | None) -> str:
    """'26 Oct 2009'."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


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


def words(n: int | None) -> str:
    """12345 → '12,345'."""
    return f"{n or 0:,}"


# --- speech markup ------------------------------------------------------------

ALLOWED_TAGS = frozenset({"p", "i", "b", "em", "strong", "table", "thead", "tbody", "tr", "td", "th", "br", "sup",
                          "sub", "span", "a"})
VOID_TAGS = frozenset({"br"})
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
_SAFE_HREF = re.compile(r"^https?://[^\s\"'<>]+$", re.I)
_SPAN = re.compile(r"^[1-9][0-9]?$")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        kept = []
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), None)
            if href and _SAFE_HREF.match(href.strip()):
                kept.append(f' href="{escape(href.strip(), quote=True)}" rel="nofollow"')
            else:
                return                      # a link without a safe address: keep only its text
        elif tag in ("td", "th"):
            for k, v in attrs:
                if k in ("colspan", "rowspan") and v and _SPAN.match(v):
                    kept.append(f' {k}="{v}"')
        if tag in VOID_TAGS:
            self.out.append(f"<{tag}>")
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in VOID_TAGS or tag in DROP_CONTENT:
            if tag in VOID_TAGS and not self.dropping:
                self.out.append(f"<{tag}>")
            return
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag and tag in ALLOWED_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in self.stack:
            return
        while self.stack:                   # close anything left open inside it
            top = self.stack.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def close(self) -> str:
        super().close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


# The fast path: ParlParse markup is regular (``<p pid="…">``, ``<i>``, ``<phrase class="…">``, tables), so
# one compiled regex splits it into tags and text, which feed the same handlers HTMLParser would call.
# Anything outside that simple form (comments, declarations, unquoted or single-quoted attributes,
# raw-text elements such as script or style, a stray "<") goes to HTMLParser itself: the output is the
# same either way (tests/test_pages_formatting.py compares them on the sample and on generated markup).
_WS = "[ \t\n\r\f]"
#: splits markup into text (even items) and whole tags (odd items)
_SPLIT = re.compile(r"(<[^<>]*>)")
_START = re.compile(
    rf'<([a-zA-Z][a-zA-Z0-9]*)((?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:{_WS}*={_WS}*"[^"]*")?)*){_WS}*(/?)>')
_END = re.compile(rf"</([a-zA-Z][a-zA-Z0-9]*){_WS}*>")
_ATTR = re.compile(rf'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_WS}*={_WS}*"([^"]*)")?')
#: elements whose content HTMLParser reads as raw text, or that the sanitiser drops whole
_RAW = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noembed", "noframes"}) | DROP_CONTENT
_KEEPS_ATTRIBUTES = frozenset({"a", "td", "th"})
#: allowed tags written without attributes, as the sanitiser writes them: tag → (name, start|end|void|empty)
_PLAIN_TAGS = {
    **{f"<{t}>": (t, "void" if t in VOID_TAGS else "start") for t in ALLOWED_TAGS if t != "a"},
    **{f"<{t}/>": (t, "void" if t in VOID_TAGS else "empty") for t in ALLOWED_TAGS if t != "a"},
    **{f"</{t}>": (t, "end") for t in ALLOWED_TAGS if t not in VOID_TAGS},
}


def _sanitise_fast(html: str) -> str | None:
    """The sanitised markup, or None when ``html`` is not in the simple form (see above). The same
    rules as :class:`_Sanitiser` (no content is ever being dropped here: raw-text elements fall back)."""
    parts = _SPLIT.split(html)
    out: list[str] = []
    stack: list[str] = []
    append = out.append
    for i, part in enumerate(parts):
        if not i & 1:                                       # text
            if part:
                if "<" in part:
                    return None
                append(escape(unescape(part) if "&" in part else part, quote=False))
            continue
        plain = _PLAIN_TAGS.get(part)
        if plain is not None:                               # <td>, </td>, <br/> …: no attributes
            tag, kind = plain
            if kind == "start":
                append(part)
                stack.append(tag)
            elif kind == "void":
                append(f"<{tag}>")
            elif kind == "empty":
                append(f"<{tag}></{tag}>")
            elif tag in stack:
                while stack:
                    top = stack.pop()
                    append(f"</{top}>")
                    if top == tag:
                        break
            continue
        if part[1] == "/":                                  # an end tag
            m = _END.fullmatch(part)
            if m is None:
                return None
            tag = m.group(1).lower()
            if tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in stack:
                if tag in _RAW:
                    return None
                continue
            while stack:
                top = stack.pop()
                append(f"</{top}>")
                if top == tag:
                    break
            continue
        m = _START.fullmatch(part)
        if m is None:
            return None
        tag, attrs, selfclose = m.group(1).lower(), m.group(2), m.group(3)
        if tag not in ALLOWED_TAGS:
            if tag in _RAW:
                return None
            continue
        if tag in VOID_TAGS:
            append(f"<{tag}>")
            continue
        kept = ""
        if tag == "a" or (attrs and tag in _KEEPS_ATTRIBUTES):
            kept = _kept_attributes(tag, attrs)
            if kept is None:                                # a link without a safe address: only its text
                if selfclose and stack and stack[-1] == tag:    # as HTMLParser's handle_startendtag does
                    append(f"</{stack.pop()}>")
                continue
        append(f"<{tag}{kept}>")
        if selfclose:
            append(f"</{tag}>")
        else:
            stack.append(tag)
    while stack:
        append(f"</{stack.pop()}>")
    return "".join(out)


def _kept_attributes(tag: str, attrs: str) -> str | None:
    """What :class:`_Sanitiser` keeps of a link's or a cell's attributes (None: an unsafe link)."""
    pairs = []
    for m in _ATTR.finditer(attrs):
        value = m.group(2)
        if value is not None and "&" in value:
            value = unescape(value)
        pairs.append((m.group(1).lower(), value))
    if tag == "a":
        href = next((v for k, v in pairs if k == "href" and v), None)
        if href and _SAFE_HREF.match(href.strip()):
            return f' href="{escape(href.strip(), quote=True)}" rel="nofollow"'
        return None
    return "".join(f' {k}="{v}"' for k, v in pairs if k in ("colspan", "rowspan") and v and _SPAN.match(v))


def _sanitise_slow(html: str) -> str:
    parser = _Sanitiser()
    parser.feed(html)
    return parser.close()


@lru_cache(maxsize=4096)
def _sanitise(html: str) -> str:
    fast = _sanitise_fast(html)
    return (fast if fast is not None else _sanitise_slow(html)).strip()


def safe_html(html: str | None) -> Markup:
    """Stored speech markup made safe to put in a page (see the module's note)."""
    if not html:
        return Markup("")
    return Markup(_sanitise(html))


def text_paragraphs(text: str | None) -> Markup:
    """Plain text (one paragraph per line) as escaped paragraphs."""
    if not text:
        return Markup("")
    return Markup("".join(f"<p>{escape(line, quote=False)}</p>" for line in text.splitlines() if line.strip()))
