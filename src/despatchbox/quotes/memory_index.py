"""A :class:`~despatchbox.quotes.matcher.SpeechIndex` held in memory.

Used by the tests and the benchmark, and good enough for small data. It is
also the reference for what the store must answer:

* ``candidates``: for each fingerprint, its posting list (speech ids); each
  speech scores the number of query fingerprints it shares; the ``limit``
  best are returned (ties: first indexed first). Fingerprints whose posting
  list is longer than ``max_postings`` are skipped, like stop words — a
  shingle shared by thousands of speeches is no evidence of where a line came
  from and would make the query slow. In SQL::

      SELECT speech_id, count(*) AS n FROM fingerprint
      WHERE hash IN (:fps) AND hash NOT IN (SELECT hash FROM fingerprint_stop)
      GROUP BY speech_id ORDER BY n DESC LIMIT :limit

* ``texts``: plain text of each speech, paragraphs separated by ``"\\n"``.
* ``neighbours``: the speeches around one, in record order (the optional hint
  :func:`~despatchbox.quotes.matcher.attribute_text` uses for context). Here:
  ``window`` speeches either side in insertion order, within the same
  ``group`` (e.g. a sitting) when groups are given.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from .fingerprint import fingerprints

__all__ = ["InMemorySpeechIndex"]


class InMemorySpeechIndex:
    def __init__(
        self,
        speeches: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        *,
        groups: Mapping[str, str] | None = None,
        max_postings: int = 2000,
        window: int = 12,
    ) -> None:
        self.max_postings = max_postings
        self.window = window
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._group: list[str | None] = []
        self._postings: dict[int, list[int]] = {}
        self._groups = dict(groups or {})
        items = speeches.items() if isinstance(speeches, Mapping) else speeches
        for speech_id, text in items:
            self.add(speech_id, text)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, speech_id: str, text: str, fps: Iterable[int] | None = None,
            group: str | None = None) -> None:
        """Index one speech (``fps``: precomputed fingerprints, if at hand)."""
        if speech_id in self._pos:
            raise ValueError(f"speech {speech_id!r} already indexed")
        n = len(self._ids)
        self._ids.append(speech_id)
        self._pos[speech_id] = n
        self._texts[speech_id] = text
        self._group.append(group if group is not None else self._groups.get(speech_id))
        postings = self._postings
        for h in (fingerprints(text) if fps is None else fps):
            lst = postings.get(h)
            if lst is None:
                postings[h] = [n]
            else:
                lst.append(n)

    @property
    def rows(self) -> int:
        """Number of (hash, speech) rows a fingerprint table would hold."""
        return sum(len(v) for v in self._postings.values())

    # --- SpeechIndex protocol -------------------------------------------------

    def candidates(self, fingerprints: Sequence[int], limit: int) -> dict[str, int]:
        counts: Counter[int] = Counter()
        for h in set(fingerprints):
            lst = self._postings.get(h)
            if lst is not None and len(lst) <= self.max_postings:
                counts.update(lst)
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return {self._ids[i]: n for i, n in best}

    def texts(self, speech_ids: Sequence[str]) -> dict[str, str]:
        return {s: self._texts[s] for s in speech_ids if s in self._texts}

    # --- optional context hint ----------------------------------------------------

    def neighbours(self, speech_id: str) -> list[str]:
        """Speeches around ``speech_id`` in record order (itself included)."""
        p = self._pos.get(speech_id)
        if p is None:
            return []
        g = self._group[p]
        lo, hi = max(0, p - self.window), min(len(self._ids), p + self.window + 1)
        return [self._ids[i] for i in range(lo, hi) if self._group[i] == g]
