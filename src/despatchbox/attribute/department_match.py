"""The department registry as objects, and the text matching behind it.

Public names are re-exported by :mod:`despatchbox.attribute.departments`; import
them from there. Matching normalises case, accents, "&"/"and", apostrophes,
punctuation and whitespace ("CULTURE MEDIA AND SPORT" = "Culture, Media & Sport").
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .department_registry import HOUSE, MINISTERIAL, NON_MINISTERIAL, REGIONAL, WHIPS, specs

Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Department:
    slug: str
    name: str                                   # the latest name
    kind: str                                   # ministerial | house | whips | regional | non-ministerial
    names: tuple[tuple[str, date | None, date | None], ...]   # (name, from, to-exclusive)
    aliases: tuple[str, ...]
    successor: str | None = None

    @property
    def ministerial(self) -> bool:
        """A government department or a Leader's office (not whips, regions, or House bodies)."""
        return self.kind in (MINISTERIAL, HOUSE)

    @property
    def start(self) -> date | None:
        return self.names[0][1]

    @property
    def end(self) -> date | None:
        return self.names[-1][2]

    def active_on(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


# --- normalisation -------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_PREFIXES = ("department for ", "department of ", "ministry of ", "office of the ", "office of ", "hm ",
             "her majestys ", "the ")


class _Uncombined(dict):
    """For ``str.translate``: a combining character's code → None (dropped), any other's → itself,
    worked out the first time it is met. The marks go at C speed, not by a test per character in
    Python (the department rules normalise ~1 M characters of evidence at 20k speeches)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_UNCOMBINED = _Uncombined()


def normalise(text: str | None) -> str:
    """Lower case, accents folded, '&' → 'and', punctuation dropped, one space between words."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():                  # no ASCII character is a combining one
        text = text.translate(_UNCOMBINED)
    text = text.lower()
    text = text.replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def _stripped(key: str) -> str:
    """'department for culture media and sport' → 'culture media and sport'."""
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix):], True
    return key


_CHAIR_NOTE = re.compile(r"\[[^\]]*\bin the chair\b[^\]]*\]", re.I)
_DASHES = re.compile(r"\s+[\u2014\u2013-]\s+|\s*\u2014\s*")


def clean_title(title: str | None) -> str:
    """Drop '[Mr. X in the Chair]' notes and empty dash parts: '[… in the Chair] — Biofuels' → 'Biofuels'."""
    if not title:
        return ""
    text = _CHAIR_NOTE.sub(" ", title)
    parts = [p.strip(" []") for p in _DASHES.split(text)]
    return " \u2014 ".join(p for p in parts if p)


def title_parts(title: str | None) -> list[str]:
    return [p for p in clean_title(title).split(" \u2014 ") if p]


# --- the registry ----------------------------------------------------------------

@dataclass(frozen=True)
class _Phrase:
    dept: int
    start: date | None
    end: date | None

    def covers(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


class _Registry:
    def __init__(self) -> None:
        self.departments: list[Department] = []
        self.by_slug: dict[str, Department] = {}
        self.keys: dict[str, list[_Phrase]] = defaultdict(list)       # exact heading / post keys
        self.office_phrases: dict[str, list[_Phrase]] = defaultdict(list)
        self.keywords: dict[str, list[tuple[int, float]]] = defaultdict(list)   # phrase → (dept, weight)
        for i, spec in enumerate(specs()):
            dept = Department(slug=spec["slug"], name=spec["names"][-1][0], kind=spec["kind"],
                              names=tuple(spec["names"]), aliases=tuple(a for a, _, _ in spec["aliases"]),
                              successor=spec["successor"])
            self.departments.append(dept)
            self.by_slug[dept.slug] = dept
            windowed = [(n, f, t) for n, f, t in spec["names"]] + spec["aliases"]
            for text, start, end in windowed:
                key = normalise(text)
                self._add(self.keys, key, _Phrase(i, start, end))
                if len(key) > 4:           # acronyms ("bis", "dti") are no office phrase
                    self._add(self.office_phrases, key, _Phrase(i, start, end))
            for text, start, end in spec["offices"]:
                self._add(self.office_phrases, normalise(text), _Phrase(i, start, end))
            for kw in spec["keywords"] + [n for n, _, _ in spec["names"]]:
                weak = kw.startswith("~")
                key = normalise(kw.lstrip("~"))
                weight = min(len(key.split()), 3) * (0.5 if weak else 1.0)
                if key and all(d != i for d, _ in self.keywords[key]):
                    self.keywords[key].append((i, weight))
        self.longest_keyword = max(len(k.split()) for k in self.keywords)
        #: every keyword's leading words (1 … all of them): a run of words that is none of these starts no keyword
        self.keyword_prefixes = frozenset(" ".join(k.split()[:n]) for k in self.keywords
                                          for n in range(1, len(k.split()) + 1))
        self.longest_office = max(len(k.split()) for k in self.office_phrases)

    @staticmethod
    def _add(index: dict[str, list[_Phrase]], key: str, phrase: _Phrase) -> None:
        if key and phrase not in index[key]:
            index[key].append(phrase)

    def pick(self, phrases: list[_Phrase], on: date) -> Department | None:
        """The department a phrase names on a date: a covering window first, then an open one, then the nearest."""
        if not phrases:
            return None
        def distance(p: _Phrase) -> int:
            if p.covers(on):
                return 0
            if p.start is None and p.end is None:
                return 1
            gap = (p.start - on).days if p.start and on < p.start else (on - p.end).days + 1 if p.end else 0
            return 2 + abs(gap)
        return self.departments[min(phrases, key=distance).dept]


@lru_cache(maxsize=1)
def _registry() -> _Registry:
    return _Registry()


def registry() -> list[Department]:
    """Every department, in table order."""
    return list(_registry().departments)


def by_slug(slug: str) -> Department | None:
    return _registry().by_slug.get(slug)


def name_on(slug: str, on: date) -> str:
    """The department's name on a date (its first name before it existed, its last after)."""
    dept = by_slug(slug)
    if dept is None:
        raise KeyError(slug)
    for name, start, end in dept.names:
        if (start is None or start <= on) and (end is None or on < end):
            return name
    return dept.names[0][0] if dept.start and on < dept.start else dept.names[-1][0]


def _lookup(text: str, on: date) -> Department | None:
    reg = _registry()
    key = normalise(text)
    if not key:
        return None
    found = reg.pick(reg.keys.get(key, []), on)
    if found is None:
        found = reg.pick(reg.keys.get(_stripped(key), []), on)
    return found


def department_for_heading(title: str, on: date) -> Department | None:
    """A Hansard heading that names a department ('HOME DEPARTMENT', 'SOLICITOR-GENERAL'), else None.
    Headings must name the department whole: 'Northern Ireland' does, 'Public Accounts' does not."""
    cleaned = clean_title(title)
    found = _lookup(cleaned, on)
    if found is None:
        parts = title_parts(title)
        if len(parts) > 1:
            found = _lookup(parts[0], on)
    return found


def department_for_post(dept_as_printed: str, on: date) -> Department | None:
    """A ministers.xml ``dept=`` value ('Home Office', 'HM Household', 'Regional Affairs') → entry.
    Committees ('Environmental Audit Committee') and 'No Department' give None."""
    return _lookup(dept_as_printed, on)


def office_matches(office: str, on: date) -> list[Department]:
    """Departments named inside an office text, leftmost first ('The Minister for the Cabinet Office
    and for the Olympics' → Cabinet Office, Olympics). Chair offices name none."""
    reg = _registry()
    words = normalise(office).split()
    found: list[Department] = []
    for i in range(len(words)):
        for n in range(min(reg.longest_office, len(words) - i), 0, -1):   # longest phrase at i first
            phrases = reg.office_phrases.get(" ".join(words[i:i + n]))
            dept = reg.pick([p for p in phrases or [] if p.covers(on)] or
                            [p for p in phrases or [] if p.start is None and p.end is None], on)
            if dept is not None:
                if dept not in found:
                    found.append(dept)
                break
    return found


def department_for_office(office: str, on: date) -> Department | None:
    """A speakeroffice text ('The Parliamentary Under-Secretary of State for the Home Department',
    'The Minister for Policing, Crime and Counter-Terrorism', 'The Chancellor of the Exchequer') → entry."""
    found = office_matches(office, on)
    return found[0] if found else None


# --- subject keywords -----------------------------------------------------------------

def keyword_hits(text: str) -> dict[int, list[tuple[str, float]]]:
    """Department index → (keyword phrase, weight) for each occurrence in the text."""
    reg = _registry()
    words = normalise(text).split()
    hits: dict[int, list[tuple[str, float]]] = defaultdict(list)
    keywords, prefixes, longest = reg.keywords, reg.keyword_prefixes, reg.longest_keyword
    for i, word in enumerate(words):
        if word not in prefixes:            # most words start no keyword: the longer runs are not looked up
            continue
        for n in range(1, min(longest, len(words) - i) + 1):
            phrase = word if n == 1 else " ".join(words[i:i + n])
            if phrase not in prefixes:
                break
            for dept, weight in keywords.get(phrase, ()):
                hits[dept].append((phrase, weight))
    return hits


@dataclass(frozen=True)
class SubjectScore:
    department: Department
    title: float          # from the title and subtitles: decides
    text: float           # from the contributions' text: breaks ties
    keyword: str          # the strongest phrase, for the reason


def subject_scores(heads: list[tuple[str, float]], body: str, on: date,
                   among: list[Department] | None = None) -> list[SubjectScore]:
    """Score departments by subject keywords, best first: by the title score (each heading part
    with its weight; longer phrases weigh more, weak ones half), then by the text score (each
    phrase counted at most three times). Only departments existing on the date compete, or
    only those given in ``among``."""
    reg = _registry()
    allowed = {d.slug for d in among} if among is not None else None
    title: dict[int, float] = defaultdict(float)
    text: dict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, str]] = {}

    def add(into: dict[int, float], source: str, factor: float, cap: int | None) -> None:
        for dept_i, found in keyword_hits(source).items():
            dept = reg.departments[dept_i]
            if allowed is not None and dept.slug not in allowed:
                continue
            if allowed is None and not (dept.active_on(on) and dept.kind in (MINISTERIAL, HOUSE, NON_MINISTERIAL)):
                continue
            counts: dict[tuple[str, float], int] = defaultdict(int)
            for hit in found:
                counts[hit] += 1
            for (phrase, weight), n in counts.items():
                score = weight * factor * (min(n, cap) if cap else n)
                into[dept_i] += score
                if score > best.get(dept_i, (0.0, ""))[0]:
                    best[dept_i] = (score, phrase)

    for head, factor in heads:
        add(title, head, factor, None)
    add(text, body, 1.0, 3)
    ranked = [SubjectScore(reg.departments[i], title.get(i, 0.0), text.get(i, 0.0), best[i][1]) for i in best]
    ranked.sort(key=lambda s: (-s.title, -s.text))
    return ranked


__all__ = ["Department", "registry", "by_slug", "name_on", "department_for_heading", "department_for_office",
           "department_for_post", "office_matches", "normalise", "clean_title", "title_parts",
           "subject_scores", "SubjectScore", "keyword_hits", "HOUSE", "MINISTERIAL", "NON_MINISTERIAL", "REGIONAL", "WHIPS"]
