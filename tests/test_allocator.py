"""The C allocator's helpers (despatchbox.allocator): what it holds, handing back what it holds
free, and pacing a producer by it. glibc only; elsewhere they do nothing (and these tests skip)."""
import threading
import time
from types import SimpleNamespace

import pytest

from despatchbox import allocator


pytestmark = pytest.mark.skipif(allocator.in_use() is None, reason="not glibc: the helpers do nothing here")


def _anon_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    pytest.skip("no RssAnon in /proc/self/status")


def test_in_use_counts_what_is_allocated():
    before = allocator.in_use()
    held = [bytes(4096) for _ in range(4096)]       # 16 MiB, each past pymalloc: the C allocator's
    assert allocator.in_use() - before >= 15 * 1024 * 1024
    del held


def test_release_free_hands_back_the_holes_between_chunks():
    """Freed chunks between chunks still in use stay resident until handed back."""
    chunks = [bytes(2048) for _ in range(40_000)]    # ~80 MiB
    kept = chunks[::16]                              # every 16th stays: glibc cannot trim the top
    del chunks
    resident = _anon_kb()
    allocator.release_free()
    assert resident - _anon_kb() > 30 * 1024
    del kept


def test_paced_waits_for_memory_to_come_back(monkeypatch):
    monkeypatch.setattr(allocator, "STALL", 30.0)    # only the freeing thread ends the wait
    paced = allocator.Paced(allowance=2 * 1024 * 1024)
    held = [bytes(8192) for _ in range(2048)]        # 16 MiB: 14 over the limit
    waiting = threading.Event()

    def nap(seconds: float) -> None:                 # the pacer's wait: the worker frees only once it began
        waiting.set()
        time.sleep(seconds)

    monkeypatch.setattr(allocator, "time", SimpleNamespace(perf_counter=time.perf_counter, sleep=nap))

    def free_once_waited_for():
        waiting.wait(timeout=10)                     # (a pacer that never waited fails below)
        held.clear()

    worker = threading.Thread(target=free_once_waited_for)
    worker.start()
    for _ in range(allocator.PACE_EVERY - 1):
        paced.step()                                 # not a step that looks
    assert not waiting.is_set()
    paced.step()                                     # over the limit: waits until the worker freed it
    emptied = not held
    worker.join()
    assert emptied and paced.waited > 0


def test_paced_goes_on_when_nothing_comes_back(monkeypatch):
    monkeypatch.setattr(allocator, "STALL", 0.01)
    paced = allocator.Paced(allowance=0)
    held = [bytes(8192) for _ in range(1024)]        # over the limit, and kept
    for _ in range(3 * allocator.PACE_EVERY):
        paced.step()
    assert paced.count == 3 * allocator.PACE_EVERY and paced.waited > 0
    del held


def test_releasing_runs_a_thread_only_while_open():
    with allocator.Releasing(every=0.01) as releasing:
        assert releasing._thread is not None and releasing._thread.is_alive()
    assert releasing._thread is None
    assert not any(t.name == "despatchbox-release-free" for t in threading.enumerate())
