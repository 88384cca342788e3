"""Which items an alert has already been sent, across new versions of the same sitting's file.

ParlParse publishes a sitting day in versions (``debates2009-10-27a.xml`` … ``27d``); the
newer one replaces the older one's records, under new gids (``2009-10-27a.225.1`` becomes
``2009-10-27d.225.1``), often with small corrections ("conception" → "concept"). The older
file carries ``gidredirect``s to the *next* version only, so a chain is complete only when
every version in between was ingested. So neither the gid, nor its redirect chain, nor an
exact text hash is alone a stable identity. An item is recognised in three steps:

1. **Exact key** (:func:`speech_key`, :func:`division_key`): the record kind, the gid with
   its version letter removed (``…/debate/2009-10-27.225.1``) and a hash of the speaker and
   the normalised text. Same text at the same place in a newer version → the same key, and
   UNIQUE (alert_id, item_key) holds it once. A division is keyed by house, date and number.
2. **Redirect chain**: a speech sent earlier whose record is no longer held (an *orphan*:
   its file version was superseded) and whose gid reaches the candidate's gid through its
   redirects (``gid_redirects`` and ``gid_redirect_sets``: store/queries/redirects.py) is the same speech.
3. **Near duplicate**: otherwise an orphan of the same record kind, date and speaker whose
   text is nearly the same (Jaccard similarity of word and word-pair sets, estimated from a
   stored bottom-k :func:`sketch`, at least :data:`SAME_TEXT`; :data:`SAME_PLACE_TEXT` when
   the version-free gids agree) is the same speech, matched one to one, best first.

Only orphans may be matched in steps 2 and 3, so a new speech is never taken for an older
one that is still held (two near-identical written answers on one day stay two items).
A recognised revision is recorded with ``via="revision"`` and not sent again; a speech
whose text changed beyond recognition *and* whose redirect chain is broken is sent again,
which is the safe side (an alert never skips).
"""
from __future__ import annotations

import base64
import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Mapping

_WORD = re.compile(r"[^\W_]+")
_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2})[a-z]{1,3}\.")
_PREFIX = "uk.org.publicwhip/"

#: bottom-k sketch size: exact for texts of up to about k/2 words, an estimate above
SKETCH_SIZE = 64
#: similarity at or above which an orphan and a candidate by the same speaker are one speech
SAME_TEXT = 0.6
#: …when their version-free gids are also equal (same place in the sitting)
SAME_PLACE_TEXT = 0.35


def words(text: str | None) -> list[str]:
    """Lower-cased words and numbers, punctuation and markup whitespace dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def stable_gid(gid: str) -> str:
    """The gid without its file version letter and common prefix: the place in the sitting."""
    gid = gid[len(_PREFIX):] if gid.startswith(_PREFIX) else gid
    return _VERSION.sub(r"\1.", gid, count=1)


def speaker_key(person_id: int | None, speaker_name: str | None) -> str:
    if person_id:
        return f"p{person_id}"
    return "n:" + " ".join(words(speaker_name))[:190]


def _digest(*parts: str, size: int = 10) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=size).hexdigest()


def speech_key(row: Mapping) -> str:
    text_hash = _digest(speaker_key(row["person_id"], row["speaker_name"]), " ".join(words(row["text"])))
    return f"s:{row['kind']}:{stable_gid(row['id'])}:{text_hash}"[:200]


def division_key(row: Mapping) -> str:
    if row.get("number") is not None and row["kind"] != "standing":
        return f"d:{row['kind']}:{row['date'].isoformat()}:{row['number']}"
    return f"d:{row['kind']}:{stable_gid(row['id'])}"[:200]


def _features(ws: list[str]) -> set[str]:
    return set(ws) | {a + " " + b for a, b in zip(ws, ws[1:])}


def sketch(text: str | None) -> str:
    """The :data:`SKETCH_SIZE` smallest 32-bit hashes of the text's words and word pairs."""
    hashes = sorted({int.from_bytes(hashlib.blake2b(f.encode("utf-8"), digest_size=4).digest(), "big")
                     for f in _features(words(text))})[:SKETCH_SIZE]
    return base64.b64encode(struct.pack(f">{len(hashes)}I", *hashes)).decode("ascii")


def _unpack(value: str | None) -> list[int]:
    if not value:
        return []
    raw = base64.b64decode(value)
    return list(struct.unpack(f">{len(raw) // 4}I", raw))


def similarity(a: str | None, b: str | None) -> float:
    """Estimated Jaccard similarity of two texts from their sketches (exact for short texts)."""
    sa, sb = set(_unpack(a)), set(_unpack(b))
    if not sa or not sb:
        return 1.0 if sa == sb else 0.0
    union = sorted(sa | sb)[:SKETCH_SIZE]
    if not union:
        return 0.0
    both = sum(1 for h in union if h in sa and h in sb)
    return both / len(union)


@dataclass
class Candidate:
    """An item an alert would be sent: a speech or a division row and its identity."""
    key: str
    item_type: str                 # speech | division
    record_kind: str
    item_date: date
    gid: str
    speaker_key: str | None
    sketch: str | None
    row: Mapping


def speech_candidate(row: Mapping) -> Candidate:
    return Candidate(key=speech_key(row), item_type="speech", record_kind=row["kind"], item_date=row["date"],
                     gid=row["id"], speaker_key=speaker_key(row["person_id"], row["speaker_name"]),
                     sketch=sketch(row["text"]), row=row)


def division_candidate(row: Mapping) -> Candidate:
    return Candidate(key=division_key(row), item_type="division", record_kind=row["kind"], item_date=row["date"],
                     gid=row["id"], speaker_key=None, sketch=None, row=row)


def follow_redirects(start: Iterable[str], targets: Callable[[Iterable[str]], dict[str, str]],
                     max_hops: int = 50) -> dict[str, set[str]]:
    """For each start gid, every gid its redirect chain reaches (``targets`` looks up one hop)."""
    reach: dict[str, set[str]] = {gid: set() for gid in start}
    frontier = {gid: gid for gid in reach}            # current id → start id
    for _ in range(max_hops):
        if not frontier:
            break
        hops = targets(list(frontier))
        nxt: dict[str, str] = {}
        for current, origin in frontier.items():
            new = hops.get(current)
            if new and new != current and new not in reach[origin]:
                reach[origin].add(new)
                nxt[new] = origin
        frontier = nxt
    return reach


def match_revisions(candidates: list[Candidate], orphans: list[Mapping],
                    reach: dict[str, set[str]]) -> dict[str, Mapping]:
    """Candidate key → the orphaned delivery it is a revision of (one to one).

    ``orphans`` are delivery rows (gid, record_kind, item_date, speaker_key, sketch) of speeches
    sent earlier whose records are gone; ``reach`` maps each orphan gid to the gids its redirect
    chain reaches (:func:`follow_redirects`)."""
    matched: dict[str, Mapping] = {}
    used: set[int] = set()
    by_gid = {c.gid: c for c in candidates}
    # 2. redirect chains
    for orphan in orphans:
        for gid in reach.get(orphan["gid"], ()):
            c = by_gid.get(gid)
            if c is not None and c.key not in matched:
                matched[c.key] = orphan
                used.add(orphan["id"])
                break
    # 3. near duplicates: same kind, day and speaker; best pairs first
    pairs: list[tuple[float, int, str, Mapping]] = []
    for i, orphan in enumerate(orphans):
        if orphan["id"] in used:
            continue
        place = stable_gid(orphan["gid"])
        for c in candidates:
            if c.key in matched or c.item_type != "speech":
                continue
            if (c.record_kind, c.item_date, c.speaker_key) != (orphan["record_kind"], orphan["item_date"],
                                                              orphan["speaker_key"]):
                continue
            same_place = stable_gid(c.gid) == place
            score = similarity(c.sketch, orphan["sketch"])
            if score >= (SAME_PLACE_TEXT if same_place else SAME_TEXT):
                pairs.append((score + (0.5 if same_place else 0.0), -i, c.key, orphan))
    pairs.sort(key=lambda p: (p[0], p[1]), reverse=True)
    for _score, _i, key, orphan in pairs:
        if key in matched or orphan["id"] in used:
            continue
        matched[key] = orphan
        used.add(orphan["id"])
    return matched
