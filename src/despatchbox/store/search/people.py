"""People search: "hanson", "Lord Bach", "david hanson", "delyn" find the member.

Every word of the query must be a whole word of the person's name (people.name) or of one of
their memberships (title, first and last name, peerage name and place, constituency), ignoring
case, accents, apostrophes, dots and hyphens. When no one has every word, people whose surname
is the query's last word are offered instead (``full_match`` False): "caroline lucas" — not a
member in 2009 — offers Ian Lucas and Lord Lucas. People with the words in their own name come
before those matched by constituency, then members holding a seat, then those with most items.

The names (some 13,000 people, 4,000 memberships for the whole of ParlParse's history) are read
into memory once per process and read again when the members data changes. A hit carries the
person's latest membership as a fact; surfaces name it (``record.naming.member_label``).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from ..queries.debates import record_state
from ...ingest.records import Membership
from ..schema import memberships, people
from . import tantivy_index, tantivy_search
from .model import PersonHit

_WORD = re.compile(r"[^\W_]+")
#: a query with more words than this is no name
MAX_NAME_WORDS = 5
#: words that say what kind of member, not which one: never enough on their own
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "baron", "earl",
              "viscount", "rt", "hon", "the", "of", "mp", "bishop", "duke", "marquess", "countess"}


def normalise_name(value: str | None) -> str:
    """'O’Brien-Smith, Dr.' → 'obrien smith dr' (lower case, no accents, apostrophes or dots)."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = value.replace("'", "").replace("’", "").replace(".", "").lower()
    return " ".join(_WORD.findall(value))


def name_words(query: str) -> list[str]:
    return normalise_name(query).split()


@dataclass
class _Person:
    id: int
    name: str
    slug: str
    house: str | None
    own: str                     # " david hanson " — the person's name, padded
    everything: str              # own name and every membership's names and seat, padded
    surnames: str                # " hanson " — last names and peerage names, padded
    current: bool
    latest: Membership | None


class _NameIndex:
    def __init__(self, conn: Connection):
        by_person: dict[int, list[Membership]] = {}
        for r in conn.execute(select(memberships).where(memberships.c.person_id.is_not(None))
                              .order_by(memberships.c.person_id, memberships.c.from_date)).mappings():
            by_person.setdefault(r["person_id"], []).append(Membership(
                id=r["id"], house=r["house"], title=r["title"], first_name=r["first_name"],
                last_name=r["last_name"], constituency=r["constituency"], party=r["party"],
                from_date=r["from_date"], to_date=r["to_date"], lord_name=r["lord_name"],
                lord_of_name=r["lord_of_name"], peerage_type=r["peerage_type"]))
        self.people: list[_Person] = []
        for r in conn.execute(select(people.c.id, people.c.name, people.c.slug, people.c.house)).mappings():
            held = by_person.get(r["id"], [])
            parts = [" ".join(p for p in (m.title, m.first_name, m.last_name, m.lord_name, m.lord_of_name,
                                          m.constituency) if p) for m in held]
            own = normalise_name(r["name"])
            self.people.append(_Person(
                id=r["id"], name=r["name"], slug=r["slug"], house=r["house"], own=f" {own} ",
                everything=f" {own} {normalise_name(' '.join(parts))} ",
                surnames=f" {normalise_name(' '.join(p for m in held for p in (m.last_name, m.lord_name) if p))} ",
                current=any(m.to_date is None for m in held), latest=_latest(held)))
        # word → positions in self.people, for every word of any name, and for surnames alone
        self.by_word: dict[str, set[int]] = {}
        self.by_surname: dict[str, set[int]] = {}
        for n, person in enumerate(self.people):
            for word in person.everything.split():
                self.by_word.setdefault(word, set()).add(n)
            for word in person.surnames.split():
                self.by_surname.setdefault(word, set()).add(n)

    def having_all(self, words: list[str]) -> list[_Person]:
        sets = [self.by_word.get(w, set()) for w in words]
        found = set.intersection(*sets) if sets else set()
        return [self.people[n] for n in sorted(found)]

    def with_surname(self, word: str) -> list[_Person]:
        return [self.people[n] for n in sorted(self.by_surname.get(word, ()))]


def _latest(held: list[Membership]) -> Membership | None:
    if not held:
        return None
    open_ended = [m for m in held if m.to_date is None]
    if open_ended:
        return max(open_ended, key=lambda m: (m.from_date is not None, m.from_date))
    return max(held, key=lambda m: m.to_date or date.min)     # all have ended: none is None


_cache: dict[str, tuple[tuple, _NameIndex]] = {}
_cache_lock = threading.Lock()


def _fingerprint(conn: Connection) -> tuple:
    """The store's generation (``queries.debates.record_state``, which the HTTP layer's caches use
    too): it changes whenever an ingest runs, members data included."""
    return record_state(conn)


def _index(conn: Connection) -> _NameIndex:
    key = conn.engine.url.render_as_string(hide_password=True)
    stamp = _fingerprint(conn)
    with _cache_lock:
        held = _cache.get(key)
        if held and held[0] == stamp:
            return held[1]
    index = _NameIndex(conn)
    with _cache_lock:
        _cache[key] = (stamp, index)
    return index


def _item_counts(conn: Connection, person_ids: list[int]) -> dict[int, int]:
    """Each person's items, counted in the search index (their postings of ``person``): counting them
    in the database read every speech's row on PostgreSQL (0031: the item id is in it), 17 ms for
    the busiest member at 1M contributions."""
    if not person_ids:
        return {}
    searcher = tantivy_index.current(conn).searcher()
    counts = {p: tantivy_search.documents_with(searcher, "person", p) for p in set(person_ids)}
    return {p: n for p, n in counts.items() if n}


def search_people(conn: Connection, query: str, limit: int = 8) -> list[PersonHit]:
    """People whose names hold every word of ``query`` (or, failing that, whose surname is its last word)."""
    words = name_words(query)
    if not words or len(words) > MAX_NAME_WORDS or all(w in HONORIFICS for w in words):
        return []
    index = _index(conn)
    padded = [f" {w} " for w in words]
    full = True
    found = index.having_all(words)
    if not found:
        last = words[-1]
        if len(words) < 2 or last in HONORIFICS or len(last) < 3:
            return []
        full = False
        found = index.with_surname(last)
    counts = _item_counts(conn, [p.id for p in found])

    def rank(p: _Person):
        in_own_name = sum(w in p.own for w in padded)
        return (-in_own_name, not p.current, -counts.get(p.id, 0), p.name, p.id)

    out = []
    for p in sorted(found, key=rank)[:limit]:
        out.append(PersonHit(id=p.id, name=p.name, slug=p.slug, house=p.house, latest=p.latest, current=p.current,
                             speeches=counts.get(p.id, 0), full_match=full))
    return out


def person_by_slug(conn: Connection, slug: str) -> dict | None:
    row = conn.execute(select(people.c.id, people.c.name, people.c.slug).where(people.c.slug == slug)).mappings().first()
    return dict(row) if row else None


def person_by_id(conn: Connection, person_id: int) -> dict | None:
    row = conn.execute(select(people.c.id, people.c.name, people.c.slug).where(people.c.id == person_id)
                       ).mappings().first()
    return dict(row) if row else None


__all__ = ["search_people", "person_by_slug", "person_by_id", "normalise_name", "name_words"]
