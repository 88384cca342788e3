"""Quote check: did this person really say this, in these words?

:func:`check_quote` cuts a published quote into sentences (:func:`sentences`) and gives each one a
verdict against the record:

* ``verbatim`` / ``abridged`` / ``altered`` — the words are the speech's (see
  :mod:`despatchbox.quotes.verdict` for what counts as a change), under the speaker the quote is
  attributed to (or, when no speaker is given, under the one speaker who said them);
* ``said_by_someone_else`` — the words are in the record, under another speaker than the one given;
* ``widely_said`` — the same words were said by more than one person (a stock phrase such as "I
  thank my hon. Friend for her question"): every speech holding them is listed, none is pinned;
* ``not_found`` — nothing in the record is close enough. Precision comes first: a quote too short
  to be distinctive (under :data:`MIN_WORDS` words), a short one that is not word for word (under
  :data:`LOOSE_WORDS`), or one only loosely like a speech is "not found", never a guess.

Data comes through the :class:`~despatchbox.quotes.matcher.SpeechIndex` protocol (fingerprint
candidates and texts) plus two callables the caller provides: ``phrases(text, limit)`` (speeches
holding a phrase — the search engine; needed for short fragments, whose few shingles may hold no
winnowed fingerprint of the speech) and ``details(ids)`` (speaker and date of each speech).

Candidates: every 4-word shingle hash of every piece of the quote (pieces are cut at ``…``,
``...`` and ``[...]``), not just the winnowed ones, so a piece of ≥ 12 words always shares one with
its speech, whatever was cut around it; then the phrase search for the longest piece.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .fingerprint import narrow, shingle_hashes
from .matcher import SpeechIndex
from .normalise import tokens
from .verdict import Comparison, compare, fold_tokens, speech_matcher

__all__ = ["check_quote", "sentences", "pieces", "SentenceCheck", "Found", "speaker_matches", "VERDICTS",
           "MIN_WORDS", "LOOSE_WORDS"]

VERDICTS = ("verbatim", "abridged", "altered", "said_by_someone_else", "widely_said", "not_found")
MIN_WORDS = 5        # fewer words than this: too short to check
LOOSE_WORDS = 12     # fewer than this: only word for word counts
CANDIDATES = 40      # asked of the fingerprint index per sentence
PHRASE_CANDIDATES = 50
PHRASE_UNDER = 24    # sentences shorter than this also ask the phrase search

_ELLIPSIS = re.compile(r"\s*(?:…|\.\s?\.\s?\.|\[\s*(?:…|\.\s?\.\s?\.)\s*\]|\(\s*(?:…|\.\s?\.\s?\.)\s*\))\s*")
_ABBREV = re.compile(r"(?:\b(?:hon|Hon|Mr|Mrs|Ms|Dr|St|No|Nos|Col|Rt|Gen|Sgt|Prof|Co|Ltd|vol|cf|ie|eg|etc|Cllr|c|cc)"
                     r"|\b[A-Z])\.$")
_SENTENCE_END = re.compile(r"(?<=[.?!])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9£])")
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "baron", "viscount",
               "earl", "rt", "hon", "right", "honourable", "the", "mp", "qc", "of", "minister", "secretary"}

Details = Callable[[Sequence[str]], dict]
Phrases = Callable[[str, int], tuple[list[str], int]]


_QUOTED = re.compile(r'“([^”]+)”|"([^"]+)"|(?<!\w)‘(.+?)’(?!\w)')


def quoted(line: str) -> str:
    """What a line puts in quotation marks, if anything (“…”, "…" or ‘…’), the stretches joined by an
    ellipsis — so that *"Tasers have been used 4,818 times," he said* checks only the quoted words."""
    parts = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(line)]
    parts = [p for p in parts if tokens(p)]
    if not parts or sum(len(tokens(p)) for p in parts) < MIN_WORDS:
        return line
    return " … ".join(p.strip() for p in parts)


def sentences(text: str) -> list[str]:
    """Sentences of ``text``: each line cut after ``.``, ``?`` or ``!`` followed by a capital.

    An ellipsis never ends a sentence (it marks words left out); ``hon.``, ``Mr.`` and initials do not.
    A line with words in quotation marks is cut to those words (:func:`quoted`).
    """
    out: list[str] = []
    for line in text.splitlines():
        line = quoted(" ".join(line.split()))
        if not line:
            continue
        at = 0
        for m in _SENTENCE_END.finditer(line):
            head = line[at:m.start()].rstrip("\"'”’)]")
            if _ABBREV.search(head) or re.search(r"(?:…|\.\.\.)$", head):
                continue
            out.append(line[at:m.start()].strip())
            at = m.end()
        if line[at:].strip():
            out.append(line[at:].strip())
    return [s for s in out if tokens(s)]


def pieces(quote: str) -> list[str]:
    """The quote cut where it marks words left out (``…``, ``...``, ``[...]``)."""
    return [p for p in _ELLIPSIS.split(quote) if tokens(p)]


def speaker_matches(attributed: str, detail: dict) -> bool:
    """Is the speech's speaker the one the quote is attributed to? Every word of the attribution
    (titles such as "Mr", "Lord", "the Minister" left aside) must be in the speaker's name, name
    as printed, name with party and seat, or office."""
    wanted = [t for t in tokens(attributed) if t not in _HONORIFICS]
    if not wanted:
        return False
    have = set(tokens(" ".join(str(detail.get(k) or "") for k in
                               ("name", "display_name", "speaker_name", "office", "person_slug"))))
    return all(t in have for t in wanted)


@dataclass
class Found:
    speech_id: str
    comparison: Comparison
    detail: dict


@dataclass
class SentenceCheck:
    text: str
    verdict: str                        # one of VERDICTS
    reason: str                         # one sentence, for people
    match: Found | None = None          # the speech the verdict is about
    others: list[Found] = field(default_factory=list)   # widely_said: every speech; else the same
                                        # words elsewhere (the same speaker's other speeches)
    speakers: int = 0                   # distinct speakers who said these words
    more: int = 0                       # phrase search: further speeches holding them, not verified


def _person(d: dict):
    return d.get("person_id") if d.get("person_id") is not None else (d.get("name") or d.get("speaker_name"))


def _rank(f: Found):
    order = {"verbatim": 0, "abridged": 1, "altered": 2}[f.comparison.wording]
    c = f.comparison
    return (order, -c.matched, c.omitted, str(f.detail.get("date")), f.speech_id)


def _in_range(d: dict, since: date | None, until: date | None) -> bool:
    day = d.get("date")
    return day is None or ((since is None or day >= since) and (until is None or day <= until))


class _Memo:
    """What one check has read and computed: texts, folded tokens and details of speeches (a quote's
    sentences mostly come from the same few speeches)."""

    def __init__(self, index: SpeechIndex, details: Details) -> None:
        self.index, self._details = index, details
        self.texts: dict[str, str] = {}
        self.folded: dict[str, tuple] = {}
        self.info: dict[str, dict] = {}

    def text_of(self, ids: list[str]) -> dict[str, str]:
        missing = [s for s in ids if s not in self.texts]
        if missing:
            self.texts.update(self.index.texts(missing))
        return {s: self.texts[s] for s in ids if s in self.texts}

    def fold(self, sid: str) -> tuple:
        if sid not in self.folded:
            toks, spans = fold_tokens(self.texts[sid])
            self.folded[sid] = (toks, spans, speech_matcher(toks))
        return self.folded[sid]

    def details(self, ids: list[str]) -> dict[str, dict]:
        missing = [s for s in ids if s not in self.info]
        if missing:
            self.info.update(self._details(missing))
        return {s: self.info[s] for s in ids if s in self.info}


def check_sentence(sentence: str, index: SpeechIndex, details: Details, *, phrases: Phrases | None = None,
                   speaker: str | None = None, since: date | None = None, until: date | None = None,
                   memo: _Memo | None = None) -> SentenceCheck:
    memo = memo or _Memo(index, details)
    folded = fold_tokens(sentence)
    n = len(folded[0])
    if n < MIN_WORDS:
        return SentenceCheck(sentence, "not_found", f"Too short to check: fewer than {MIN_WORDS} words.")
    parts = pieces(sentence)
    hashes: set[int] = set()
    for p in parts:
        toks = tokens(p)
        if len(toks) >= 4:
            hashes.update(narrow(shingle_hashes(toks)))    # as the index stores them
    ids = _likely(index.candidates(sorted(hashes), CANDIDATES)) if hashes else []
    compared = _compare(sentence, folded, ids, memo, n)
    more_total = 0
    whole_found = any(c.wording in ("verbatim", "abridged") and c.matched == n for _, c in compared)
    if phrases is not None and n < PHRASE_UNDER and (n < LOOSE_WORDS or not whole_found):
        longest = max(parts, key=lambda p: len(tokens(p)))
        if len(tokens(longest)) >= MIN_WORDS:
            phrase_ids, more_total = phrases(longest, PHRASE_CANDIDATES)
            compared += _compare(sentence, folded, [s for s in phrase_ids if s not in ids], memo, n)
    info = memo.details([sid for sid, _ in compared]) if compared else {}
    found = sorted((Found(sid, c, info[sid]) for sid, c in compared
                    if sid in info and _in_range(info[sid], since, until)), key=_rank)
    if not found:
        return SentenceCheck(sentence, "not_found", "No speech in the record holds these words"
                             + (" in the dates given." if since or until else "."))
    best = found[0]
    whole = [f for f in found if f.comparison.wording in ("verbatim", "abridged") and f.comparison.matched == n]
    people = list(dict.fromkeys(_person(f.detail) for f in whole))
    more = max(0, more_total - len(whole)) if more_total > len(found) else 0
    if len(people) > 1:
        mine = [f for f in whole if speaker and speaker_matches(speaker, f.detail)]
        if mine:
            return SentenceCheck(sentence, mine[0].comparison.wording,
                                 f"Said by the speaker named — and by {len(people) - 1} other"
                                 f"{'s' if len(people) > 2 else ''}: a common phrase.",
                                 mine[0], [f for f in whole if f is not mine[0]], len(people), more)
        return SentenceCheck(sentence, "widely_said", f"These words were said by {len(people)} different speakers "
                             f"(in {len(whole)} speeches{' at least' if more else ''}); they cannot be pinned on one.",
                             None, whole, len(people), more)
    if best.comparison.wording == "altered":
        rivals = [f for f in found if f.comparison.wording == "altered"
                  and f.comparison.matched == best.comparison.matched and _person(f.detail) != _person(best.detail)]
        if rivals:
            return SentenceCheck(sentence, "not_found", "Close to several speeches by different speakers, "
                                 "word for word to none.", None, [best, *rivals], 0)
    same = [f for f in (whole or [best]) if f is not best]
    if speaker and not speaker_matches(speaker, best.detail):
        who = best.detail.get("display_name") or best.detail.get("name") or "another speaker"
        return SentenceCheck(sentence, "said_by_someone_else", f"These words are in the record, said by {who}, "
                             f"not by {speaker}.", best, same, 1)
    reasons = {"verbatim": "Word for word as in the record.",
               "abridged": "The record's words, with some left out.",
               "altered": "Close to the record, with words changed or added."}
    return SentenceCheck(sentence, best.comparison.wording, reasons[best.comparison.wording], best, same, 1, more)


def _likely(shared: dict[str, int]) -> list[str]:
    """The candidates worth comparing word by word: those sharing at least half as many of the
    sentence's fingerprints as the best one. A speech holding the sentence whole (verbatim, or abridged:
    fingerprints are taken within each piece, never across a cut) shares them all; one changed word
    loses only the few fingerprints that span it; speeches sharing a stray phrase or two fall away
    (bench/quote_check.py on a 100k-speech corpus: 222 speeches and 95,047 words compared for its
    300-word quote became 150 speeches and 19,311 words, with the same verdicts)."""
    if not shared:
        return []
    best = max(shared.values())
    return [sid for sid, n in shared.items() if 2 * n >= best]


def _compare(sentence: str, folded, ids: list[str], memo: _Memo, n: int) -> list[tuple[str, Comparison]]:
    out = []
    texts = memo.text_of(ids)
    for sid in ids:
        if sid in texts:
            toks, spans, matcher = memo.fold(sid)
            c = compare(sentence, texts[sid], quote_folded=folded, speech_folded=(toks, spans), matcher=matcher)
            if c is not None and (c.wording == "verbatim" or n >= LOOSE_WORDS):
                out.append((sid, c))
    return out


def check_quote(text: str, index: SpeechIndex, details: Details, *, phrases: Phrases | None = None,
                speaker: str | None = None, since: date | None = None,
                until: date | None = None) -> list[SentenceCheck]:
    """One :class:`SentenceCheck` per sentence of ``text``, in order."""
    memo = _Memo(index, details)
    return [check_sentence(s, index, details, phrases=phrases, speaker=speaker, since=since, until=until, memo=memo)
            for s in sentences(text)]
