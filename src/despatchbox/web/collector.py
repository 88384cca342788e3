"""Python's garbage collector as a long-running server wants it, for the app's lifespan.

Python collects reference cycles in three generations. A full collection (the oldest) walks every
object the collector tracks: a served app holds ~200,000 once started (modules, FastAPI's routes,
SQLAlchemy's and Jinja's machinery), and each page leaves a few thousand more
promoted for a while (a page's rows are alive while a young collection runs). Serving the 20k
bench database in one process under load, the four bench pages and seven search pages cycled
(docs/benchmarks.md, 7 December 2026, fifth round): a full collection every ~3–4 s, each 87–212 ms
(a request waits that long), 0.45–0.52 s of collecting per 1,000 requests; tuned as below (start-up's
collection then a full one), the one at start-up and one more in 20 s, and 0.12–0.16 s per 1,000
requests, start-up's included. (The four
pages alone leave little for the collector: 0.02–0.04 s per 1,000 requests untuned, 0.04–0.06
tuned with start-up's collection counted; the search pages are what filled the oldest generation.)

:func:`tuned_for_serving`, for as long as the app serves:

* collects the two young generations, then **freezes** what the app holds after start-up
  (``gc.freeze``: moved to a permanent generation that no collection walks again; an object of it is
  still freed when nothing refers to it, only a reference cycle among them waits until the app
  stops). A full collection then walks only what was made since. Start-up's garbage is young: in a
  process that had just made the app on the 20k bench database and served a page, collecting the
  young generations freed 180 objects in 0.7 ms, and a full collection after it 20 more in 79 ms.
  Where an app starts often in a process that holds much more than the app — a test session — each
  start's full collection cost 0.1–0.3 s (113 s of the 154 s the page, API and web tests took: 434
  starts; docs/benchmarks.md, 8 December 2026);
* makes the **youngest generation** hold :data:`YOUNG_THRESHOLD` container allocations (Python's
  default 700) before it is collected: fewer young collections, and fewer of a page's objects
  promoted only because they were alive when one ran.

On leaving, both are undone (the threshold restored, the frozen objects given back to the oldest
generation), so a process that runs an app for a while — a test — is left as it was. Apps serving
at once in one process share the setting: the first to start sets it, the last to stop undoes it.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: allocations of container objects (less deallocations) between two collections of the youngest
#: generation while serving (Python's default is 700; 3.13's 2,000)
YOUNG_THRESHOLD = 7000
#: the generations collected before the freeze (0 and 1: ``gc.collect(1)``), not the oldest
YOUNG_GENERATIONS = 1

_lock = threading.Lock()
#: apps serving now in this process, and the thresholds the first found
_serving = 0
_before: tuple[int, ...] = ()


@contextmanager
def tuned_for_serving() -> Iterator[None]:
    """The collector set for serving (see the module's note) until the block ends."""
    global _serving, _before
    with _lock:
        if _serving == 0:
            _before = gc.get_threshold()
            gc.collect(YOUNG_GENERATIONS)   # start-up's garbage is freed, not frozen
            gc.freeze()
            gc.set_threshold(max(YOUNG_THRESHOLD, _before[0]), *_before[1:])
        _serving += 1
    try:
        yield
    finally:
        with _lock:
            _serving -= 1
            if _serving == 0:
                gc.set_threshold(*_before)
                gc.unfreeze()
