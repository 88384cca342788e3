"""The garbage collector while the app serves (web/collector.py): what start-up left is frozen and the
youngest generation collected less often, for the app's lifespan only; afterwards the process is as
it was. No time is asserted (docs/benchmarks.md holds the figures)."""
from __future__ import annotations

import gc
import weakref

from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.collector import YOUNG_THRESHOLD, tuned_for_serving


def test_serving_freezes_start_up_and_restores_the_collector(fresh_url):
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    app = create_app(fresh_url)
    with TestClient(app) as client:                 # the lifespan runs: the app serves
        assert gc.get_freeze_count() > frozen       # the app's objects from start-up are frozen
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, threshold[0]), *threshold[1:])
        assert client.get("/").status_code == 200
        gc.collect()                                # a full collection: the frozen stay out of it
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen == 0


def test_garbage_at_start_is_collected_not_frozen():
    class Cycle:
        pass

    found = Cycle()
    found.me = found  # type: ignore[attr-defined]  # a reference cycle, garbage once dropped
    collected: list[bool] = []
    weakref.finalize(found, collected.append, True)
    del found
    with tuned_for_serving():
        assert collected == [True]                  # freed by the collection before the freeze
    assert gc.get_freeze_count() == 0


def test_apps_serving_at_once_share_the_setting_until_the_last_stops():
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with tuned_for_serving():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with tuned_for_serving():                   # a second app starts: nothing more is done
            assert gc.get_freeze_count() == frozen
            assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, threshold[0])
        # the second stops: the first still serves, tuned
        assert gc.get_freeze_count() == frozen
        assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, threshold[0])
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


def test_an_apps_start_does_not_walk_the_oldest_generation():
    """Start-up's garbage is young (web/collector.py): only the young generations are collected before
    the freeze. A full collection walks every object the process holds — in a test session, far more
    than an app: 0.1–0.3 s for each app started (docs/benchmarks.md, 8 December 2026)."""
    seen: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(callback)
    try:
        with tuned_for_serving():
            pass
    finally:
        gc.callbacks.remove(callback)
    assert seen and max(seen) < 2, seen
