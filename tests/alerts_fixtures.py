"""Helpers for the alert tests: a real SMTP server (aiosmtpd on loopback, a free port), the
sample's files by day, and alert settings pointing at the server."""
from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from despatchbox.config import SAMPLE_DIR, Settings
from despatchbox.pipeline.run import ingest

SAMPLE = SAMPLE_DIR / "parlparse-2009-10"
MEMBERS = SAMPLE / "members"
BASE_URL = "http://despatchbox.test"
SECRET = "test-secret-for-alerts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def day_files(*days: str) -> list[Path]:
    """Every transcript file of these days (all versions), as ingest would find them."""
    out = []
    for path in sorted((SAMPLE / "scrapedxml").glob("*/*.xml")):
        if path.parent.name in ("divisionsonly", "lordsdivisionsonly"):
            continue
        if any(day in path.name for day in days):
            out.append(path)
    return out


def load(engine, *paths: Path) -> None:
    report = ingest(engine, list(paths))
    assert report.ok, report.errors


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    #: recipient → SMTP reply to give at RCPT TO (e.g. "451 4.3.0 try later")
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 2.0.0 Message accepted"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``stop()`` and ``start()`` again keep the port and the mailbox."""

    def __init__(self):
        self.port = free_port()
        self.handler = _Handler()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def take(self) -> list[Received]:
        """The messages received since the last take."""
        with self.handler.lock:
            out, self.handler.received[:] = list(self.handler.received), []
        return out


def alert_settings(database_url: str, smtp_url: str | None, base_url: str = BASE_URL) -> Settings:
    return Settings(database_url=database_url, base_url=base_url, smtp_url=smtp_url, secret_key=SECRET,
                    mail_from="despatchbox <alerts@despatchbox.test>")


LINK = re.compile(r"https?://[^\s\"'<>]+")


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def members_template(database_factory, db_backend=None, tmp_path_factory=None) -> str:
    """(once per session) The URL of a database holding the members data, to clone for each test."""
    from despatchbox.store.database import engine_for
    url = database_factory.new_url()
    load(engine_for(url), MEMBERS)
    return url


def members_database(database_factory, template_url: str) -> tuple[str, object]:
    """A new database holding the members data only (a copy of the template): (url, engine)."""
    from despatchbox.store.database import engine_for
    url = database_factory.clone(template_url)
    return url, engine_for(url)
