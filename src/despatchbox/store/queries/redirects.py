"""gid redirects, written and followed wherever they are held: a row of ``gid_redirects`` each, or
(most of them, migration 0032) in a set of ``gid_redirect_sets`` (store/redirect_sets.py).

An old id is held in one place only: a row, or its prefix's set. Readers look at the rows first
(an explicit row wins), then at the set of the id's prefix, which redirects exactly the suffixes it
lists. Ids are given and returned whole.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, Row, bindparam, select, update

from ..bulk import insert_rows
from ..redirect_ids import PERFECT_MATCH, target_of, target_stored
from ..redirect_sets import holds, pack, packed_holds, set_entry, split, target, unpack
from ..schema import gid_redirect_sets, gid_redirects

#: ids (or prefixes) per ``IN`` of a lookup
CHUNK = 500
#: sets read per round when every redirect is listed
SETS_PER_ROUND = 100


def _rows_held(conn: Connection, old_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """old id → (whole new id, match type) of the rows held for these ids."""
    out: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(old_ids), CHUNK):
        for old, stored, match in conn.execute(
                select(gid_redirects.c.old_id, gid_redirects.c.new_id, gid_redirects.c.match_type)
                .where(gid_redirects.c.old_id.in_(old_ids[start:start + CHUNK]))).tuples():
            out[old] = (target_of(old, stored), match)
    return out


def _sets_of(conn: Connection, prefixes: Iterable[str], for_update: bool = False) -> dict[str, tuple[str, list[str]]]:
    """prefix → (letter, sorted suffixes) of the sets held for these prefixes."""
    wanted = sorted(set(prefixes))
    out: dict[str, tuple[str, list[str]]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (select(gid_redirect_sets.c.prefix, gid_redirect_sets.c.letter, gid_redirect_sets.c.suffixes)
                 .where(gid_redirect_sets.c.prefix.in_(wanted[start:start + CHUNK])))
        if for_update:
            query = query.with_for_update()          # PostgreSQL: the sets grown below are this writer's
        for prefix, letter, packed in conn.execute(query).tuples():
            out[prefix] = (letter, unpack(packed))
    return out


def _in_sets(gids: Iterable[str], sets: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """old id → whole new id, for the ids these sets hold."""
    out = {}
    for gid in gids:
        parts = split(gid)
        held = sets.get(parts[0]) if parts else None
        if parts and held and holds(held[1], parts[1]):
            out[gid] = target(parts[0], held[0], parts[1])
    return out


def insert_redirects(conn: Connection, redirects: list[dict]) -> None:
    """Add redirects (``old_id``, ``new_id``, ``match_type``; the last one given for an old id wins);
    an old id already redirected, by a row or a set, keeps its redirect. A perfectmatch to the same id
    under another letter joins its prefix's set (made if there is none; a set going to another letter
    leaves it a row); every other redirect is a row."""
    if not redirects:
        return
    given = {r["old_id"]: r for r in redirects}
    rows_held = _rows_held(conn, list(given))
    sets = _sets_of(conn, (p[0] for p in map(split, given) if p), for_update=True)
    in_sets = _in_sets(given, sets)
    rows: list[dict] = []
    joining: dict[str, list[tuple[str, str, dict]]] = {}       # prefix → (letter, suffix, redirect)
    for old, r in given.items():
        if old in rows_held or old in in_sets:
            continue
        entry = set_entry(old, r["new_id"], r.get("match_type"))
        if entry is None:
            rows.append(r)
        else:
            joining.setdefault(entry[0], []).append((entry[1], entry[2], r))
    made, grown = [], []
    for prefix, group in joining.items():
        held = sets.get(prefix)
        letter = held[0] if held else Counter(lt for lt, _s, _r in group).most_common(1)[0][0]
        suffixes = [s for lt, s, _r in group if lt == letter]
        rows += [r for lt, _s, r in group if lt != letter]
        if held:
            grown.append({"key": prefix, "packed": pack(held[1] + suffixes)})
        else:
            made.append({"prefix": prefix, "letter": letter, "suffixes": pack(suffixes)})
    if made:
        insert_rows(conn, gid_redirect_sets, made)
    if grown:
        conn.execute(update(gid_redirect_sets).where(gid_redirect_sets.c.prefix == bindparam("key"))
                     .values(suffixes=bindparam("packed")), grown)
    if rows:
        insert_rows(conn, gid_redirects, rows,
                    values={"new_id": [target_stored(r["old_id"], r["new_id"]) for r in rows]})


def next_id(conn: Connection, gid: str) -> str | None:
    """The id one redirect takes ``gid`` to (None if it is not redirected)."""
    stored = conn.execute(select(gid_redirects.c.new_id).where(gid_redirects.c.old_id == gid)).scalar()
    if stored is not None:
        return target_of(gid, stored)
    parts = split(gid)
    if parts is None:
        return None
    held = conn.execute(select(gid_redirect_sets.c.letter, gid_redirect_sets.c.suffixes)
                        .where(gid_redirect_sets.c.prefix == parts[0])).first()
    if held is None or not packed_holds(held[1], parts[1]):
        return None
    return target(parts[0], held[0], parts[1])


def resolve_redirect(conn: Connection, gid: str, max_hops: int = 50) -> str | None:
    """Follow redirects from an old id to the id that replaced it (None if never redirected)."""
    current, hops = gid, 0
    while hops < max_hops:
        nxt = next_id(conn, current)
        if nxt is None or nxt == current:
            break
        current, hops = nxt, hops + 1
    return current if hops else None


def redirect_targets(conn: Connection, old_ids: Iterable[str]) -> dict[str, str]:
    """old gid → the gid that replaced it, for the given ids (``removed`` redirects, which point at
    a nearby heading rather than the same item, are left out; sets hold perfect matches only)."""
    wanted = list(set(old_ids))
    rows = _rows_held(conn, wanted)
    out = {old: new for old, (new, match) in rows.items() if match != "removed"}
    rest = [gid for gid in wanted if gid not in rows]
    out.update(_in_sets(rest, _sets_of(conn, (p[0] for p in map(split, rest) if p))))
    return out


def _pages(conn: Connection, columns: list, key, size: int) -> Iterator[Sequence[Row]]:
    """The rows of ``columns`` in ``key`` order, ``size`` at a time (keyset paging)."""
    last = None
    while True:
        query = select(*columns)
        if last is not None:
            query = query.where(key > last)
        page = conn.execute(query.order_by(key).limit(size)).all()
        if not page:
            return
        yield page
        last = page[-1][0]


def every_redirect(conn: Connection) -> Iterator[tuple[str, str, str | None]]:
    """(old id, new id, match type) of every redirect held, whole: the rows, then the sets' entries
    (a page at a time: never all in memory)."""
    rows = gid_redirects.c
    for page in _pages(conn, [rows.old_id, rows.new_id, rows.match_type], rows.old_id, 5000):
        for old, stored, match in page:
            yield old, target_of(old, stored), match
    sets = gid_redirect_sets.c
    for page in _pages(conn, [sets.prefix, sets.letter, sets.suffixes], sets.prefix, SETS_PER_ROUND):
        for prefix, letter, packed in page:
            for suffix in unpack(packed):
                yield prefix + suffix, target(prefix, letter, suffix), PERFECT_MATCH
