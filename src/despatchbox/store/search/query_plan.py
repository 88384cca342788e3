"""A parsed query planned for the engines: which index (stemmed words, or exact phrases and prefixes)
answers which part, and what relevance and highlighting look for.

``prosecute "organised crime" -fraud`` → AllOf(Match(stemmed, prosecute -fraud), Match(exact, "organised crime")):
tantivy answers each Match with one query on its field (``stem`` or ``exact``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .query_language import And, Leaf, Node, Not, Or, indexes_of, positive_leaves

@dataclass(frozen=True)
class Match:
    """One index's part of the query, answered by one query on one field of the index."""
    index: str
    node: Node


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Plan", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Plan", ...]


@dataclass(frozen=True)
class NoneOf:
    part: "Plan"


Plan = Match | AllOf | AnyOf | NoneOf


def plan(node: Node) -> Plan:
    """Split a query into parts each answered by one index, merging what one index can answer together.

    ``prosecute "organised crime" -fraud`` → AllOf(Match(stemmed, prosecute -fraud), Match(exact, "organised crime")).
    """
    found = indexes_of(node)
    if len(found) == 1 and not isinstance(node, Not):
        return Match(found.pop(), node)
    if isinstance(node, Not):
        return NoneOf(plan(node.item))
    assert isinstance(node, (And, Or)), "a word or a phrase is read from one index"
    by_index: dict[str, list[Node]] = {}
    mixed: list[Node] = []
    for item in node.items:
        target = item.item if isinstance(item, Not) else item
        idx = indexes_of(target)
        if len(idx) == 1:
            by_index.setdefault(next(iter(idx)), []).append(item)
        else:
            mixed.append(item)
    parts: list[Plan] = []
    if isinstance(node, And):
        for index, items in by_index.items():
            if any(not isinstance(i, Not) for i in items):
                parts.append(Match(index, items[0] if len(items) == 1 else And(tuple(items))))
            else:
                inner = [i.item for i in items if isinstance(i, Not)]      # all of them
                parts.append(NoneOf(Match(index, inner[0] if len(inner) == 1 else Or(tuple(inner)))))
        parts.extend(plan(item) for item in mixed)
        parts.sort(key=lambda p: isinstance(p, NoneOf))      # positives first: they drive the query
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))
    for index, items in by_index.items():
        parts.append(Match(index, items[0] if len(items) == 1 else Or(tuple(items))))
    parts.extend(plan(item) for item in mixed)
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def rank_nodes(node: Node) -> dict[str, Node]:
    """Per index, the OR of the query's positive leaves there: what relevance and highlighting look for."""
    out: dict[str, list[Leaf]] = {}
    for leaf in positive_leaves(node):
        bucket = out.setdefault(leaf.index, [])
        if leaf not in bucket:
            bucket.append(leaf)
    return {index: (items[0] if len(items) == 1 else Or(tuple(items))) for index, items in out.items()}


