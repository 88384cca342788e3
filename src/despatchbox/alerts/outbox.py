"""Mail sent off the request path: one worker thread takes jobs from a queue and sends what they
make. A page that queues a job answers at once and in the same time whatever the job finds
(``/alerts/manage-link`` must not reveal, by how long it takes, whether an address has alerts).

A job is a function returning the message to send, or None to send nothing; it runs in the worker,
so a lookup it makes (does this address have alerts?) is off the request path too.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from email.message import EmailMessage

from .mailbox import MailSetup
from .mailer import MailError

log = logging.getLogger("despatchbox.alerts")

Job = Callable[[], EmailMessage | None]


class Outbox:
    def __init__(self, setup: MailSetup, *, timeout: float = 30.0):
        self.setup = setup
        self.timeout = timeout
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def put(self, job: Job) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="despatchbox-outbox", daemon=True)
                self._thread.start()
        self._queue.put(job)

    def join(self) -> None:
        """Wait until every job queued so far has run (tests; shutdown)."""
        self._queue.join()

    def close(self) -> None:
        """Send what is queued, then stop the worker."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout=self.timeout * 2)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._run(job)
            finally:
                self._queue.task_done()

    def _run(self, job: Job) -> None:
        try:
            message = job()
            if message is None:
                return
            with self.setup.transport(timeout=self.timeout) as transport:
                transport.send(message)
            self.sent += 1
        except MailError as exc:
            self.failed += 1
            log.error("an alert email could not be sent: %s", exc)
        except Exception:  # noqa: BLE001 - the worker must outlive one bad job
            self.failed += 1
            log.exception("an alert email job failed")


__all__ = ["Outbox", "Job"]
