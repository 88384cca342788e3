"""The "who said this?" core: normalise, fingerprint, furniture, matcher.

Speech texts come from the real ParlParse sample (lxml, files as they are);
pasted inputs are built the way a copy from a web page looks.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from despatchbox.quotes import (
    InMemorySpeechIndex, ParagraphMatch, SpeechIndex, attribute_text, debates_of, fingerprints,
    is_furniture, strip_furniture, token_spans, tokens,
)
from despatchbox.quotes.fingerprint import K, SCHEME, W, shingle_hashes, winnow
from despatchbox.quotes import normalise as normalise_module
from despatchbox.quotes.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
DEBATES = ROOT / "sample" / "parlparse-2009-10" / "scrapedxml" / "debates"
SEED_PAGE = ROOT / "tests" / "data" / "seed-page.txt"
FILES = ["debates2009-10-26b.xml", "debates2009-10-27d.xml", "debates2009-10-28c.xml"]
G = "uk.org.publicwhip/debate/2009-10-"
_PINNED = -4641209691949404371   # shingle hash of "the hon gentleman will"


def load_sample() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """speech id → text (its <p> texts joined by "\\n"), → sitting, → debate heading id."""
    texts, sitting, debate = {}, {}, {}
    for name in FILES:
        root = etree.parse(str(DEBATES / name)).getroot()
        heading = None
        for el in root:
            if el.tag in ("major-heading", "minor-heading"):
                heading = el.get("id")
            elif el.tag == "speech" and el.get("speakerid"):
                paras = [" ".join("".join(p.itertext()).split()) for p in el.iter("p")]
                sid = el.get("id")
                texts[sid] = "\n".join(x for x in paras if x)
                sitting[sid] = name
                debate[sid] = heading
    return texts, sitting, debate


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def index(sample) -> InMemorySpeechIndex:
    texts, sitting, _ = sample
    return InMemorySpeechIndex(texts, groups=sitting)


def web(text: str) -> str:
    """How a web page prints a stored speech: curly quotes, real dashes, one line."""
    text = re.sub(r"(?<=\w)-(?=\w)", "\u2014", text, count=2)      # 2009 "-" used as a dash
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    return " ".join(text.split())


def paras(text: str) -> list[str]:
    return text.split("\n")


def words(text: str, a: int | None = None, b: int | None = None) -> str:
    return " ".join(text.split()[a:b])


# --- normalise --------------------------------------------------------------------------


def test_normalise_unifies_what_a_copy_changes():
    record = "I do not know to whom the hon. Gentleman refers-electronic borders-despite \"Order\" it's 4,818"
    pasted = "I do not  know to whom the hon Gentleman refers — electronic borders–despite “Order” it’s 4818"
    assert normalise(record) == normalise(pasted)
    assert normalise("CAFÉ ﬁne\u00a0Straße") == "cafe fine strasse"
    assert tokens("don't -- won’t") == ["dont", "wont"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=500, deadline=None)
@given(st.text() | st.text(st.characters(max_codepoint=0x2100)) | st.text("ab 1.,'-\u2014\u00a3\u00e9\u00f8\u00bd\u2019"))
def test_tokens_maps_every_character_as_the_character_map_does(text):
    """tokens() maps ASCII through a bytes table and the rest first: the same as translating the
    whole text through the character map (the reference, character by character)."""
    mapped = text.translate(normalise_module._MAP)
    mapped = normalise_module._DIGIT_SEP.sub(r"\1", mapped)
    assert tokens(text) == mapped.translate(normalise_module._SEP_TO_SPACE).split()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_token_spans_gives_the_same_tokens(text):
    spans = token_spans(text)
    assert [t for t, _, _ in spans] == tokens(text)
    assert all(0 <= a < b <= len(text) for _, a, b in spans)


def test_token_spans_point_into_the_text():
    text = "It’s “Order”, said 4,818 hon. Members—yes."
    for tok, a, b in token_spans(text):
        assert normalise(text[a:b]) == tok


# --- fingerprint ------------------------------------------------------------------------

WORDS = st.sampled_from(
    "the hon gentleman minister asked tasers police border it's don't Home Office 4,818 "
    "£5 million can't Prevent strategy a of and to value money question Friend's".split())
SEPS = [" ", "  ", "\t", "\u00a0", " - ", "\u2014", " \u2013 ", " -- ", "\n", " \u2014 "]


def render(words: list[str], seps: list[int], quotes: int) -> str:
    out = []
    for k, w in enumerate(words):
        if quotes % 2:
            w = w.replace("'", "\u2019")
        if quotes % 3 == 0 and k % 5 == 2:
            w = ("\u201c" if quotes % 2 else '"') + w + ("\u201d" if quotes % 2 else '"')
        out.append(w)
        if k < len(words) - 1:
            out.append(SEPS[seps[k % len(seps)] % len(SEPS)])
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=80),
       st.lists(st.integers(0, 50), min_size=1, max_size=10),
       st.lists(st.integers(0, 50), min_size=1, max_size=10),
       st.integers(0, 5), st.integers(0, 5))
def test_fingerprints_ignore_whitespace_quote_and_dash_changes(words, seps1, seps2, q1, q2):
    a = fingerprints(render(words, seps1, q1))
    b = fingerprints(render(words, seps2, q2))
    assert a and a == b                      # every fingerprint overlaps: same set


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=12, max_size=120), st.data())
def test_any_fragment_of_12_words_shares_a_fingerprint(words, data):
    start = data.draw(st.integers(0, len(words) - 12))
    end = data.draw(st.integers(start + 12, len(words)))
    assert fingerprints(" ".join(words[start:end])) & fingerprints(" ".join(words))


def test_fingerprints_are_stable_signed_int32(sample):
    texts, _, _ = sample
    assert SCHEME == "blake2b64-k4-w9-top32" and (K, W) == (4, 9)
    # pinned: the store persists these, a change means re-indexing everything
    assert shingle_hashes(["the", "hon", "gentleman", "will"]) == [_PINNED]
    assert fingerprints("the hon gentleman will") == {_PINNED >> 32}
    rows = [len(fingerprints(t)) for t in texts.values()]
    words = [len(tokens(t)) for t in texts.values()]
    assert all(-2**31 <= h < 2**31 for t in list(texts.values())[:50] for h in fingerprints(t))
    # the top half of the 64-bit selection: the same shingles, no fewer fingerprints on the sample
    assert all(fingerprints(t) == {h >> 32 for h in winnow(shingle_hashes(tokens(t)))} for t in texts.values())
    assert sum(rows) == sum(len(winnow(shingle_hashes(tokens(t)))) for t in texts.values())
    # density ≈ 2 / (W + 1): ~24 rows for a 120-word speech
    assert 0.15 < sum(rows) / sum(words) < 0.25
    assert winnow([5, 1, 3, 1, 4], 3) == {1}


# --- furniture --------------------------------------------------------------------------


def test_furniture_lines_and_glued_furniture():
    for line in ["(7 years ago)", "Commons Chamber", "Read Full debate", "26 October 2009",
                 "Monday 26 October 2009", "2.30 pm", "Column 5", "1. [295125]", "T2.",
                 "Main Page: Ben Wallace (Conservative - Wyre and Preston North)Department Debates"
                 " - View all Ben Wallace's debates with the Home Office",
                 "Department Debates - View all Ben Wallace's debates with the Home Office",
                 "HC Deb 26 October 2009 vol 498 c1", "—"]:
        assert is_furniture(line), line
    for line in ["Order.", "Answer!", "indicated dissent.", "Share prices fell.", "Tasers"]:
        assert not is_furniture(line), line
    assert strip_furniture("Commons ChamberRegional organised crime units are") == \
        "Regional organised crime units are"
    assert strip_furniture("It is a pleasure.Read Full debate") == "It is a pleasure."
    assert is_furniture("Ben Wallace", names={"Ben Wallace"})


# --- the in-memory index ------------------------------------------------------------------------


def test_in_memory_index(sample, index):
    texts, _, _ = sample
    assert isinstance(index, SpeechIndex)
    sid = G + "26b.3.5"
    got = index.candidates(sorted(fingerprints(texts[sid])), 3)
    assert next(iter(got)) == sid and got[sid] == len(fingerprints(texts[sid]))
    assert index.texts([sid, "nope"]) == {sid: texts[sid]}
    around = index.neighbours(sid)
    assert around.index(sid) > 0 and around[around.index(sid) + 1] == G + "26b.3.6"
    assert all(s.startswith(G + "26b") for s in around)        # same sitting only
    tiny = InMemorySpeechIndex({"a": "one two three four five six", "b": "one two three four five six"},
                               max_postings=1)
    assert tiny.candidates(sorted(fingerprints("one two three four five six")), 5) == {}


# --- attribution -----------------------------------------------------------------------------


def pasted_page(texts: dict[str, str]) -> list[tuple[str, str | None]]:
    """A copy of a web page: (line, expected speech id | "F" furniture | None unmatched)."""
    S = lambda k: texts[G + k]                                             # noqa: E731
    typos = (web(S("26b.1.9")).replace("democratically", "democraticaly")
             .replace("experiments", "experiements").replace("rightly", "rigthly"))
    return [
        ("Home Office", None),                                          # page title
        ("Main Page: Meg Hillier (Labour - Hackney South and Shoreditch)Department Debates"
         " - View all Meg Hillier's debates with the Home Office", "F"),
        ("(16 years ago)", "F"),
        ("Commons Chamber" + web(paras(S("26b.1.8"))[0]), "26b.1.8"),   # glued furniture
        (web(paras(S("26b.1.8"))[1]), "26b.1.8"),                       # same speech, 2nd line
        (typos, "26b.1.9"),                                             # three typos
        (web(S("26b.1.10")), "26b.1.10"),                               # two paragraphs, one line
        (words(S("26b.1.11"), 0, 16), "26b.1.11"),                      # cut short
        ("Read Full debate", "F"),
        ("Tasers", None),                                               # heading
        (words(S("26b.3.4"), -14) + " " + web(S("26b.3.5")), "26b.3.5"),  # end of one + next
        (web(S("26b.7.0")), "26b.7.0"),
        (web(S("26b.7.1")), "26b.7.1"),
        ("indicated dissent.", "26b.7.2"),                              # short: context only
        (web(S("26b.7.3")), "26b.7.3"),
        ("Prevent", None),
        (web(S("26b.7.5")), "26b.7.5"),                                 # the same question …
        (web(S("26b.7.6")), "26b.7.6"),                                 # … asked twice
        (web(S("26b.7.7")).replace(" ", "  ").replace(", ", " , "), "26b.7.7"),
        (words(S("26b.7.8"), -25) + " " + words(S("26b.7.9"), 0, 35), "26b.7.9"),  # 42% + 58%
        ("26 October 2009", "F"),
        ("Wednesday 28 October 2009", "F"),                             # another day, debate
        (paras(S("28c.269.2"))[0], "28c.269.2"),
        (paras(S("28c.269.2"))[1], "28c.269.2"),
        ("indicated dissent.", "28c.269.3"),                            # same words, other day
        (web(S("28c.269.4")), "28c.269.4"),
        (web(S("26b.9.1")).replace("\u2019", "'"), "26b.9.1"),          # back to Monday
        (NEWSPAPER, None),
        (STOCK_PHRASES, None),
        ("I thank the hon. Gentleman for his question.", None),
    ]


NEWSPAPER = ("The Home Secretary, Alan Johnson, insisted on Monday that Prevent has absolutely "
             "nothing to do with spying on communities, as critics in Waltham Forest and Islington "
             "accused ministers of using the programme to gather intelligence on Muslims who had "
             "done nothing wrong.")
STOCK_PHRASES = ("I thank the hon. Gentleman for his question. My right hon. Friend will know that "
                 "we keep these matters under review, and I will write to him.")
NEEDS_CONTEXT = {"26b.7.2", "26b.7.5", "26b.7.6", "28c.269.3"}


def check(results: list[ParagraphMatch], expected: list[tuple[str, str | None]]) -> None:
    assert [m.line for m in results] == list(range(1, len(expected) + 1))
    got = [("F" if m.furniture else m.speech_id and m.speech_id.removeprefix(G)) for m in results]
    assert got == [e for _, e in expected]


def test_attributes_a_pasted_page_with_context(sample, index):
    texts, _, _ = sample
    page = pasted_page(texts)
    results = attribute_text("\n".join(line for line, _ in page), index, index.neighbours)
    check(results, page)
    for m in results:
        if m.speech_id:
            assert m.confidence >= 0.5 and 0 <= m.start < m.end <= len(texts[m.speech_id])
    cut = results[7]                                   # the cut paragraph: its span is the prefix
    assert normalise(texts[cut.speech_id][cut.start:cut.end]) == normalise(cut.text)
    assert results[4].start > results[3].end           # 2nd paragraph of the same speech
    assert results[10].confidence < 1 and results[19].confidence < 0.75   # merged lines


def test_without_neighbours_context_dependent_lines_stay_unmatched(sample, index):
    texts, _, _ = sample
    page = pasted_page(texts)
    expected = [(line, None if e in NEEDS_CONTEXT else e) for line, e in page]
    results = attribute_text("\n".join(line for line, _ in page), index)
    check(results, expected)


def test_blank_lines_are_skipped_and_lines_numbered_from_input(sample, index):
    texts, _, _ = sample
    text = "\n\n" + web(texts[G + "26b.3.3"]) + "\n   \n" + web(texts[G + "26b.3.4"]) + "\n"
    results = attribute_text(text, index)
    assert [(m.line, m.speech_id) for m in results] == [(3, G + "26b.3.3"), (5, G + "26b.3.4")]


def test_seed_page_is_not_in_the_2009_record(index):
    results = attribute_text(SEED_PAGE.read_text(encoding="utf-8"), index, index.neighbours)
    assert len(results) == 26
    assert all(m.speech_id is None for m in results)
    assert [m.line for m in results if m.furniture] == [1, 2, 3]
    assert results[3].text.startswith("Regional organised crime units")    # glued "Commons Chamber"
    assert max(m.confidence for m in results) < 0.5


def test_text_merely_sharing_phrases_is_not_forced(index):
    text = "\n".join([NEWSPAPER, STOCK_PHRASES, "Will the Minister give way?",
                      "I am grateful to my hon. Friend for that question."])
    assert all(m.speech_id is None for m in attribute_text(text, index, index.neighbours))


def test_debates_of(sample, index):
    texts, _, debate = sample
    page = pasted_page(texts)
    results = attribute_text("\n".join(line for line, _ in page), index, index.neighbours)
    got = debates_of(results, debate.get)
    assert {d.removeprefix(G): lines for d, lines in got.items()} == {
        "26b.1.6": [4, 5, 6, 7, 8],            # Animals (Scientific Procedures) Act
        "26b.3.1": [11],                       # Tasers
        "26b.5.4": [12, 13, 14, 15],           # Work Visas
        "26b.7.4": [17, 18, 19, 20, 27],       # Prevent
        "28c.268.4": [23, 24, 25, 26],         # Third Sector (Recession), Wednesday
    }
