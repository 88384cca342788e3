"""A context manager that, while open, has a daemon thread do one pass of some work every few
seconds, and one last pass as it closes: how memory is handed back while a long call (a search
index's feed, its merges) runs on threads Python does not see (:class:`despatchbox.allocator.Releasing`,
:class:`despatchbox.pipeline.upkeep.PagedOut`)."""
from __future__ import annotations

import threading


class Periodic:
    """While open, a daemon thread calls :meth:`tick` every ``every`` seconds until it returns False;
    on close the thread is stopped and joined, then :meth:`last` runs once. Nothing runs where
    :meth:`available` says the work cannot be done here."""

    thread_name = "despatchbox-periodic"

    def __init__(self, every: float):
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def available(self) -> bool:
        return True

    def tick(self) -> bool:
        """One pass; False stops the thread (the work is not supported here after all)."""
        raise NotImplementedError

    def last(self) -> None:
        """The pass made as it closes."""
        self.tick()

    def __enter__(self):
        if self.available():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            self.last()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if not self.tick():
                return
