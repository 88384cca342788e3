"""Formatting for pages: full dates, relative ages in Parallel Parliament's form, excerpts,
titles, anchors, and the sanitiser that makes stored speech markup safe (escaped once)."""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, timezone

import pytest

from despatchbox.web.formatting import excerpt, full_date, ordinal, relative_age, safe_html
from despatchbox.web.pages.common import anchor, display_title, full_id, short_id

NOW = datetime(2026, 11, 28, 0, 33, tzinfo=timezone.utc)


@pytest.mark.parametrize("then, expected", [
    (date(2009, 10, 26), "17 years, 1 month ago"),
    (date(2019, 11, 28), "7 years ago"),
    (date(2026, 8, 26), "3 months, 2 days ago"),
    (datetime(2026, 11, 25, 21, 30, tzinfo=timezone.utc), "2 days, 3 hours ago"),
    (datetime(2026, 11, 27, 23, 33, tzinfo=timezone.utc), "1 hour ago"),
    (datetime(2026, 11, 27, 19, 23, tzinfo=timezone.utc), "5 hours, 10 minutes ago"),
    (datetime(2026, 11, 28, 0, 30, tzinfo=timezone.utc), "3 minutes ago"),
    (datetime(2026, 11, 28, 0, 33, tzinfo=timezone.utc), "just now"),
    (date(2025, 11, 28), "1 year ago"),
    (date(2026, 1, 31), "9 months, 28 days ago"),
])
def test_relative_age(then, expected):
    assert relative_age(then, NOW) == expected


def test_full_dates():
    assert full_date(date(2009, 10, 26)) == "Monday 26th October 2009"
    assert full_date(date(2009, 11, 3)) == "Tuesday 3rd November 2009"
    assert full_date(date(2009, 10, 22)) == "Thursday 22nd October 2009"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_safe_html_keeps_the_whitelist_and_drops_attributes():
    html = ('<p pid="b.3.3/1" class="numindent" qnum="1">Tasers &amp; <i>(a)</i> <b>bold</b> '
            '<phrase class="date" code="2009-10-26">26 October</phrase></p>'
            '<table><tbody><tr pid="x"> <td/> <td colspan="2" onclick="evil()">£1<sup>2</sup></td></tr></tbody></table>')
    assert safe_html(html) == ('<p>Tasers &amp; <i>(a)</i> <b>bold</b> 26 October</p>'
                               '<table><tbody><tr> <td> </td><td colspan="2">£1<sup>2</sup></td></tr></tbody></table>')


@pytest.mark.parametrize("evil", [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>',
    '<p onmouseover="alert(1)">x</p>', '<iframe src="http://evil"></iframe>', '<svg onload=alert(1)>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>', '<style>body{}</style>', '<!-- <script>alert(1)</script> -->',
])
def test_safe_html_never_lets_script_through(evil):
    out = str(safe_html(evil)).lower()
    assert "<script" not in out and "onerror" not in out and "javascript:" not in out
    assert "onload" not in out and "<iframe" not in out and "onmouseover" not in out and "<img" not in out


def test_safe_html_escapes_text_once_and_balances_tags():
    assert safe_html("<p>1 &lt; 2 &amp; &quot;x&quot;</p>") == "<p>1 &lt; 2 &amp; \"x\"</p>"
    assert safe_html("<p>open <b>bold") == "<p>open <b>bold</b></p>"
    assert safe_html("</b>stray</p>") == "stray<p></p>"          # as an HTML5 parser reads it
    assert safe_html('<a href="/relative">r</a> <td colspan="999">x</td>') == '<a rel="nofollow">r</a> x'
    assert safe_html('<a href="http://www.parliament.uk/x?a=1&b=2">link</a>') == \
        '<a href="http://www.parliament.uk/x?a=1&amp;b=2" rel="nofollow">link</a>'
    assert safe_html(None) == "" and safe_html("") == ""


def test_excerpt():
    assert excerpt("short") == "short"
    text = "word " * 100
    out = excerpt(text, 50)
    assert len(out) <= 51 and out.endswith("\u2026") and not out.endswith(" \u2026")


def test_titles_anchors_and_ids():
    assert display_title("HOME DEPARTMENT") == "Home Department"
    assert display_title("UK INVENTORS") == "UK Inventors"
    assert display_title("[David Taylor in the Chair] — Biofuels") == "Biofuels"
    assert display_title("Sri Lanka (IDP Camps) — [Dr. William McCrea in the Chair]") == "Sri Lanka (IDP Camps)"
    assert display_title("Commonwealth: Privy Council — Question") == "Commonwealth: Privy Council — Question"
    assert anchor("uk.org.publicwhip/debate/2009-10-26b.3.3") == "g3.3"
    assert anchor("uk.org.publicwhip/debate/2009-10-26a.3.3") == "g3.3"       # stable across versions
    assert anchor("uk.org.publicwhip/wrans/2009-10-26f.294335.q0") == "g294335.q0"
    assert anchor("uk.org.publicwhip/standing/standing2009-10-20_CHILDPOV_05-0_2009-10-27a.1.4") == "g1.4"
    assert short_id("uk.org.publicwhip/debate/2009-10-26b.1.4") == "debate/2009-10-26b.1.4"
    assert full_id("debate/2009-10-26b.1.4") == "uk.org.publicwhip/debate/2009-10-26b.1.4"
    assert full_id("uk.org.publicwhip/debate/2009-10-26b.1.4") == "uk.org.publicwhip/debate/2009-10-26b.1.4"


# --- the sanitiser on random mixes of the markup it meets, and on the real week ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


_FRAGMENTS = [
    "<p>", "</p>", '<p pid="b.3.3/1" class="numindent">', "<P>", "</P >", "<p/>", "<i>", "</i>", "<b>", "</b>",
    "<table>", "<tbody>", "<tr>", "</tr>", "<td>", "</td>", "<td/>", '<td colspan="2">', '<th rowspan="3" x="1">',
    '<td colspan="200">', "<td colspan='2'>", "<td colspan=2>", "<br>", "<br/>", "</br>", "<br />", "<sup>", "</sup>",
    '<a href="http://www.parliament.uk/x?a=1&amp;b=2">', '<a href="javascript:alert(1)">', "<a>", "<a/>", "</a>",
    '<a href=" http://x.org/ ">', '<a name="x"/>', '<phrase class="date" code="2009-10-26">', "</phrase>",
    "<span>", "</span>", "<script>", "</script>", "<style>", "</style>", "<iframe>", "</iframe>", "<!-- c -->",
    "<!doctype html>", "<?xml x?>", "<![CDATA[x]]>", "<", ">", "&", "&amp;", "&lt;", "&#163;", "&pound;", "&nbsp;",
    "&bogus;", "&#x27;", '"', "'", " ", "\n", "\xa0", "text", "£1", "<img src=x onerror=alert(1)>", "<p\xa0x>",
    '<p title="a>b">', '<p title="a<b">', "<p x>", "<p x=>", '<p x="1"y="2">', "<P PID=\"1\">", "<em>", "</em>",
    "<strong >", "<foo-bar>", "</foo-bar>", "<textarea>", "</textarea>", "<title>", "<noscript>", "</ p>",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_safe_html_never_lets_anything_active_through(parts):
    out = str(safe_html("".join(parts))).lower()
    for bad in ("<script", "<style", "<iframe", "<img", "javascript:", "onerror", "<!--", "<phrase", "class="):
        assert bad not in out
    again = str(safe_html(out)).lower()                     # nor after a second pass
    assert not any(bad in again for bad in ("<script", "javascript:", "onerror"))


@functools.cache
def _source_markup() -> tuple[str, ...]:
    """The markup of every speech of the real week as its files hold it (the store keeps it reduced)."""
    from despatchbox.config import SAMPLE_DIR
    from despatchbox.ingest.discover import discover
    from despatchbox.ingest.parlparse.transcripts import parse_transcript
    out = []
    for path in discover([SAMPLE_DIR / "parlparse-2009-10"]).transcripts:
        out += [item.html for item in parse_transcript(path).items if getattr(item, "html", None)]
    return tuple(out)


def test_safe_html_on_the_sample_keeps_every_word():
    """Sanitising the real week's markup loses no text: only tags and attributes go."""
    from lxml import html as lxml_html
    markup = _source_markup()
    assert markup
    for h in markup:
        clean = str(safe_html(h))
        assert "<phrase" not in clean and " pid=" not in clean and " class=" not in clean
        assert lxml_html.fragment_fromstring(h, create_parent="div").text_content().split() == \
            lxml_html.fragment_fromstring(clean or " ", create_parent="div").text_content().split()


def test_markup_reduced_once_is_what_reducing_it_again_makes():
    """The store keeps a speech's markup reduced (record/markup.reduced); a page reduces anything else
    on the way. Reducing the reduced markup of every speech of the real week changes nothing, so a
    page is the same whichever way its bodies were stored."""
    from despatchbox.record.markup import SafeHtml, reduced, sanitise
    for h in _source_markup():
        once = reduced(h)
        assert type(once) is SafeHtml and once == sanitise(h) == sanitise(once)
        assert str(safe_html(once)) == str(safe_html(h)) and reduced(once) is once


def _nh3_itself(html: str) -> str:
    from despatchbox.record.markup import _CLEANER
    return _CLEANER.clean(html).strip()


def test_the_plain_paragraph_path_agrees_with_nh3_on_the_sample():
    """Speeches of the plain form skip nh3 (record/markup.sanitise): on every speech of the real week
    the result is nh3's own, and most speeches take that path."""
    from despatchbox.record.markup import _PLAIN_PARAGRAPHS, sanitise
    markup = _source_markup()
    plain = [h for h in markup if _PLAIN_PARAGRAPHS.fullmatch(h)]
    assert len(plain) > len(markup) // 2
    for h in markup:
        assert sanitise(h) == _nh3_itself(h), h


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS + ['<p pid="a/1" qnum="2">', "<sub>", "</sub>", "</strong>", "\r",
                                              "\x00", "\x0c", "\t"]), max_size=25))
def test_the_plain_paragraph_path_agrees_with_nh3_on_any_mix(parts):
    from despatchbox.record.markup import sanitise
    html = "".join(parts)
    assert sanitise(html) == _nh3_itself(html)


@pytest.mark.parametrize("html", [
    '<p pid="1">a &amp; b</p>', "<p>a\xa0b</p>", "<p>a\rb</p>", '<p x="a>b">c</p>', "<p><i>a<b>b</b></i></p>",
    "<p>a</p><i>b</i>", "<p><span>a</span></p>", "<p><i>a</b></p>", "  <p>a</p>\n<p>b <sup>2</sup> c</p>  ",
    '<p pid="1">On <phrase class="date" code="2009-10-26">26 October</phrase>, my hon. Friend '
    '<phrase class="honfriend" id="uk.org.publicwhip/member/1" name="A B">the Member</phrase> <i>said</i></p>',
    '<p><phrase class="x" code="a&amp;b">c</phrase></p>', "<p><phrase>a<i>b</i></phrase></p>",
    "<p><phrase>a</phrase></p><phrase>b</phrase>", '<p><phrase class="offrep">a &amp; b</phrase></p>',
])
def test_the_plain_paragraph_path_on_its_edges(html):
    from despatchbox.record.markup import sanitise
    assert sanitise(html) == _nh3_itself(html)


#: the fast path's pattern as it was written before its repetitions were made possessive (greedy, the
#: inline tags matched by a back-reference): the possessive one must accept exactly the same markup
_GREEDY_TEXT = r"[^<>&\x00-\x08\x0b-\x1f\x7f\u00a0]*"
_GREEDY_ATTRIBUTES = r'(?: [a-z]+="[^"<>&]*")*'
_GREEDY_PLAIN_PARAGRAPHS = re.compile(
    rf'[ \t\n]*(?:<p{_GREEDY_ATTRIBUTES}>{_GREEDY_TEXT}(?:(?:<(i|b|em|strong|sup|sub)>{_GREEDY_TEXT}</\1>'
    rf'|<phrase{_GREEDY_ATTRIBUTES}>{_GREEDY_TEXT}</phrase>){_GREEDY_TEXT})*</p>[ \t\n]*)*')

_PARAGRAPH_FRAGMENTS = _FRAGMENTS + ['<p pid="a/1" qnum="2">', "<sub>", "</sub>", "</strong>", "<sup>", "</b>",
                                     "<strong>", "</em>", "<i>", "</i>", "<phrase>", '<phrase x="">', "<p>",
                                     "</p>", "\r", "\x00", "\t", "a", "a b", '<p x="">', '<p x="a"', "<p >", "<i >"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PARAGRAPH_FRAGMENTS), max_size=30))
def test_the_possessive_fast_path_accepts_what_the_greedy_one_did(parts):
    from despatchbox.record.markup import _PLAIN_PARAGRAPHS
    html = "".join(parts)
    assert bool(_PLAIN_PARAGRAPHS.fullmatch(html)) == bool(_GREEDY_PLAIN_PARAGRAPHS.fullmatch(html)), html


def test_the_possessive_fast_path_accepts_what_the_greedy_one_did_on_the_sample():
    from despatchbox.record.markup import _PLAIN_PARAGRAPHS
    markup = _source_markup()
    accepted = [bool(_GREEDY_PLAIN_PARAGRAPHS.fullmatch(h)) for h in markup]
    assert sum(accepted) > len(markup) // 2
    assert [bool(_PLAIN_PARAGRAPHS.fullmatch(h)) for h in markup] == accepted


@pytest.mark.parametrize("value", [
    "plain", "", "Tom & Jerry", "<b>", "it's", 'say "x"', "£1\xa0b", 0, 7, -3, True, None, 1.5,
    date(2009, 10, 26), ["a<"], __import__("markupsafe").Markup("<i>kept</i>"), "&amp;",
])
def test_escaped_is_markupsafe_escape_as_a_str(value):
    from markupsafe import escape

    from despatchbox.web.formatting import escaped
    out = escaped(value)
    assert type(out) is str and out == str(escape(value))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>'\"\u2019\xa0\U0001f600")))
def test_both_ways_of_escaping_a_str_are_markupsafes(value):
    """A str is escaped by markupsafe's C function where it has one, else by the search kept beside it."""
    from markupsafe import escape

    from despatchbox.web import formatting
    assert formatting._escape_str(value) == formatting._escape_by_search(value) == str(escape(value))
    assert type(formatting._escape_str(value)) is str


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", " ", "\t", "\n", "in the chair", "In The Chair", "in the Chair]", "Mr",
                                 "HOME", "\u2014", "-", "x", "(", ")", "\xa0"]), max_size=12))
def test_a_title_without_a_bracket_has_no_chair_note_to_drop(parts):
    """record.naming.item_title looks for a chair's note only in a title with "[": the note's pattern
    cannot match without one, so the title is the same either way."""
    from despatchbox.record import naming
    title = "".join(parts)
    if "[" not in title:
        assert naming._CHAIR_NOTE.sub(" ", title) == title
