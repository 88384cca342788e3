"""The targets every benchmark figure is held to (issue 18), in one place: ``bench/run.py`` prints
each figure beside its target and whether it is met, ``bench/plot.py`` draws and tabulates them.

Targets hold at :data:`TARGET_N` contributions on 2 cores.
"""
from __future__ import annotations

TARGET_N = 1_000_000
#: (section, figure, comparison, target, unit)
TARGETS = [
    ("ingest", "ratio", ">=", 0.5, ""),
    ("ingest", "cpu_ratio", ">=", 0.08, ""),
    ("ingest", "bulk_ratio", ">=", 0.8, ""),
    ("ingest", "peak_rss_mb", "<=", 300, " MB"),
    ("storage", "kb_per_contribution", "<=", 2.5, " KB"),
    ("search", "p95_ms", "<=", 25, " ms"),
    ("search", "ratio", "<=", 2, ""),
    ("search", "common_vs_rare_ratio", "<=", 3, ""),
    ("pages", "p95_ms", "<=", 10, " ms"),
    ("http", "rps", ">=", 400, " req/s"),
    ("http", "ratio", ">=", 0.10, ""),
    ("quote_check", "p95_ms", "<=", 200, " ms"),
    ("one_day", "ratio", "<=", 1.25, ""),
]


def target_of(section: str, key: str) -> tuple[str, float] | None:
    """``(comparison, value)`` of a figure's target, or None if it has none."""
    for sec, k, op, value, _unit in TARGETS:
        if (sec, k) == (section, key):
            return op, value
    return None
