"""Speech markup reduced to a short whitelist: what of a speech's source markup is kept, on every surface.

:func:`sanitise` (with ``nh3``, the Python binding of the ammonia sanitiser) keeps paragraphs,
emphasis, tables, line breaks, sub/superscripts, spans and links to http(s) addresses, drops every
attribute but a link's ``href`` and a cell's ``colspan``/``rowspan``, drops comments, scripts and
styles, and escapes all text — once.

It runs where a speech's record is built (``pipeline/transcripts.build_rows``): the store keeps the
reduced markup, as :class:`SafeHtml`, and says so in the stored body's format
(``store/packing``: format 3 is "reduced by :data:`WHITELIST` 1"), so that a page puts it in as it
is, rather than reducing every speech again on every render (0.5–0.8 ms of the bench's 142-speech
debate page); migration 0033 rewrote the bodies held before in that format. A body in format 2
(the source's markup, or what 0033's downgrade writes) or reduced by another whitelist is read as
a plain ``str``, and the surfaces reduce it when they show it (``web/formatting.safe_html``): a
change to what is kept must come with a new :data:`WHITELIST` and a new stored format.

Pure functions, no database and no web.
"""
from __future__ import annotations

import re

import nh3

#: the version of what :func:`sanitise` keeps; stored bodies name it (store/packing ``SAFE_BODY_FORMAT``)
WHITELIST = 1


class SafeHtml(str):
    """Markup :func:`sanitise` made (by :data:`WHITELIST`): safe to put in a page as it is."""

    __slots__ = ()


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


def reduced(html: str | None) -> SafeHtml:
    """A speech's source markup as the store keeps it: reduced by :func:`sanitise`, marked :class:`SafeHtml`."""
    if type(html) is SafeHtml:
        return html
    return SafeHtml(sanitise(html) if html else "")
