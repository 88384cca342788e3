"""What the C allocator holds, and handing back what it holds free: glibc only (``mallinfo2``,
``malloc_trim``); elsewhere every call here does nothing.

tantivy's writer indexes on a thread of its own, fed through a queue that holds up to 10,000
documents (each with the item's text twice). Python fills it much faster than the writer empties
it, so while the search index is fed the queued documents sat beside the writer's own budget, and
what they freed once indexed stayed resident in glibc's arenas, between the writer's pages
(feeding 25,000 items into a copy of the 3M index: heap +125 MB). :class:`Paced` keeps the queue
short and hands the freed memory back as it goes (the same feed: +63 MB, no more CPU).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import time
from typing import Callable

from .periodic import Periodic


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def libc_call(name: str, restype, argtypes: list | None = None) -> Callable | None:
    """The C library's function ``name`` (its errno kept for ``ctypes.get_errno``), or None where
    there is none: not glibc, or a glibc before 2.33 for ``mallinfo2``."""
    try:
        call = getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True), name)
    except (OSError, AttributeError):
        return None
    call.restype = restype
    if argtypes is not None:
        call.argtypes = argtypes
    return call


_MALLINFO2 = libc_call("mallinfo2", _MallInfo2)
_MALLOC_TRIM = libc_call("malloc_trim", ctypes.c_int)


def in_use() -> int | None:
    """Bytes the C allocator has handed out and not had back (arenas and its own mappings); None
    where that cannot be asked."""
    if _MALLINFO2 is None:
        return None
    info = _MALLINFO2()
    return int(info.uordblks + info.hblkhd)


def release_free() -> None:
    """Hand back to the system the pages the C allocator holds free (``malloc_trim(0)``: those at the
    top of each arena and those between chunks still in use)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


#: documents added between two looks at the allocator
PACE_EVERY = 100
#: documents added between two hand-backs of freed memory
RELEASE_EVERY = 1000
#: how long a wait for the writer may go on without memory coming back (seconds): the writer is
#: then not taking documents off its queue (it is writing a segment out), and the feed goes on
STALL = 0.02
#: one nap of a waiting feed (seconds)
NAP = 0.002


class Paced:
    """Paces a producer that hands work to threads of a C library which free it once done (tantivy's
    writer): before every :data:`PACE_EVERY`-th item, :meth:`step` waits while the allocator holds
    more than ``allowance`` bytes above what it held when the pacing began, for as long as memory
    keeps coming back (at most :data:`STALL` seconds without any), and every
    :data:`RELEASE_EVERY`-th item it hands back what has been freed. Does nothing where the
    allocator cannot be asked."""

    def __init__(self, allowance: int):
        start = in_use()
        self.limit = None if start is None else start + allowance
        self.count = 0
        self.waited = 0.0

    def step(self) -> None:
        self.count += 1
        if self.limit is None:
            return
        if self.count % RELEASE_EVERY == 0:
            release_free()
        if self.count % PACE_EVERY:
            return
        held = in_use() or 0
        if held <= self.limit:
            return
        started = last_fall = time.perf_counter()
        while held > self.limit:
            time.sleep(NAP)
            now, held_now = time.perf_counter(), in_use() or 0
            if held_now < held:
                last_fall = now
            elif now - last_fall > STALL:
                break
            held = held_now
        self.waited += time.perf_counter() - started


#: while a feed of the search index runs, what the C allocator holds free is handed back this often
#: (seconds): see :class:`Releasing`
RELEASE_EVERY_S = 0.2


class Releasing(Periodic):
    """While open, a thread hands back to the system every :data:`RELEASE_EVERY_S` seconds what the C
    allocator holds free (:func:`release_free`), and once more as it closes. tantivy's writer and
    merges allocate and free on threads of their own while the caller waits (a commit, its merges):
    freed, their memory would stay resident until the call returns (a merge of eight ~180k-document
    segments of the 3M index, after 25,000 items were fed: 74 MB resident at its end, 54 with this).
    Each pass costs about 0.5 ms. Nothing where the allocator cannot be asked."""

    thread_name = "despatchbox-release-free"

    def __init__(self, every: float | None = None):
        super().__init__(RELEASE_EVERY_S if every is None else every)

    def available(self) -> bool:
        return _MALLOC_TRIM is not None

    def tick(self) -> bool:
        release_free()
        return True
