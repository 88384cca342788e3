"""A pytest plugin timing the garbage collections web/collector.py makes (docs/benchmarks.md, 8 December 2026):

    PYTHONPATH=docs/benchmarks/2026-12-08:src python -m pytest -p gcplug tests/test_pages*.py …

prints how many collections the app's starts made and the seconds they took, once the session ends.
"""
from __future__ import annotations

import gc
import time

stats = {"collections": 0, "seconds": 0.0}


class _TimedCollector:
    """The ``gc`` module as web/collector.py sees it, with ``collect`` timed."""

    def __getattr__(self, name):
        return getattr(gc, name)

    def collect(self, *args):
        started = time.perf_counter()
        try:
            return gc.collect(*args)
        finally:
            stats["seconds"] += time.perf_counter() - started
            stats["collections"] += 1


def pytest_configure(config):
    import despatchbox.web.collector as collector
    collector.gc = _TimedCollector()


def pytest_unconfigure(config):
    print(f"\ncollector: {stats['collections']} collections, {stats['seconds']:.1f} s")
