"""Where alert emails go: an SMTP server, the development mailbox, or nowhere.

* ``DESPATCHBOX_SMTP_URL`` set: SMTP (:class:`~.mailer.Mailer`).
* Not set, and the base URL is loopback (a laptop): the **development mailbox**, a folder of
  ``.eml`` files beside the database (``despatchbox-mailbox/`` next to ``despatchbox.db``, or
  ``DESPATCHBOX_MAILBOX_DIR``), which the site shows at ``/dev/mailbox`` so that a newcomer can
  follow a confirmation link without a mail server.
* Not set on a public site: alerts are not configured; the site says so, and a warning is logged
  at start-up.
"""
from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import Settings
from .mailer import Mailer, MailError

SMTP, MAILBOX, OFF = "smtp", "mailbox", "off"
#: messages kept in the development mailbox (the oldest are removed beyond this)
MAILBOX_KEEP = 200
_NAME = re.compile(r"^\d{8}T\d{6}-\d{6}-[0-9a-f]{8}\.eml$")


def mailbox_folder(settings: Settings, database_url: str | None = None) -> Path:
    """The development mailbox: ``DESPATCHBOX_MAILBOX_DIR``, else beside a SQLite file, else ./despatchbox-mailbox."""
    if settings.mailbox_dir:
        return Path(settings.mailbox_dir)
    url = make_url(database_url or settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(f"{db.stem}-mailbox")
    return Path("despatchbox-mailbox")


@dataclass(frozen=True)
class StoredMail:
    name: str
    subject: str
    to: str
    date: str


class DevMailbox:
    """Writes each message as one ``.eml`` file (written whole, then renamed into place); the same
    ``send``/``close`` as :class:`~.mailer.Mailer`, so a sender does not care which it has."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.sent = 0

    def __enter__(self) -> "DevMailbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            now = time.time()
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"-{int(now % 1 * 1e6):06d}"
            name = f"{stamp}-{secrets.token_hex(4)}.eml"
            partial = self.folder / f".{name}.part"
            partial.write_bytes(message.as_bytes(policy=email.policy.SMTP))
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise MailError(f"cannot write to the development mailbox {self.folder}: {exc}", stage="send") from exc
        self.sent += 1
        self._prune()

    def _names(self) -> list[str]:
        try:
            return sorted((n for n in os.listdir(self.folder) if _NAME.match(n)), reverse=True)
        except FileNotFoundError:
            return []

    def _prune(self) -> None:
        for name in self._names()[MAILBOX_KEEP:]:
            try:
                (self.folder / name).unlink()
            except OSError:
                pass

    def messages(self) -> list[StoredMail]:
        """The messages, newest first."""
        out = []
        for name in self._names():
            message = self.read(name)
            if message is not None:
                out.append(StoredMail(name, str(message["Subject"] or ""), str(message["To"] or ""),
                                      str(message["Date"] or "")))
        return out

    def read(self, name: str) -> EmailMessage | None:
        """One message by its file name; None for a name that is not one of the mailbox's."""
        if not _NAME.match(name):
            return None
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        return email.message_from_bytes(data, policy=email.policy.default)


@dataclass(frozen=True)
class MailSetup:
    """How this site's alert emails leave; :meth:`transport` opens one way to send them."""

    mode: str
    smtp_url: str | None = None
    mailbox: DevMailbox | None = None

    @property
    def configured(self) -> bool:
        return self.mode != OFF

    def transport(self, timeout: float = 30.0) -> Mailer | DevMailbox:
        if self.mode == MAILBOX:
            if self.mailbox is None:
                raise MailError("the development mailbox has no folder", stage="config")
            return self.mailbox
        return Mailer(self.smtp_url, timeout=timeout)   # raises MailError(stage="config") when unset

    def describe(self) -> str:
        if self.mode == SMTP:
            try:
                return f"alert emails are sent through {Mailer(self.smtp_url).settings.describe()}"
            except MailError as exc:
                return f"alert emails cannot be sent: {exc}"
        if self.mode == MAILBOX and self.mailbox is not None:
            return (f"alert emails go to the development mailbox {self.mailbox.folder} "
                    "(shown at /dev/mailbox; set DESPATCHBOX_SMTP_URL to send them)")
        return "alert emails are not configured: set DESPATCHBOX_SMTP_URL (e.g. smtp://localhost:25)"


NOT_CONFIGURED_WARNING = ("DESPATCHBOX_SMTP_URL is not set and the site is public at {base_url}: email alerts are "
                          "switched off (the sign-up page says so). Set DESPATCHBOX_SMTP_URL, e.g. "
                          "smtp://localhost:25 or smtps://user:password@mail.example.org:465, to send them.")


def mail_setup(settings: Settings, database_url: str | None = None) -> MailSetup:
    if settings.smtp_url:
        return MailSetup(SMTP, smtp_url=settings.smtp_url)
    if not settings.public:
        return MailSetup(MAILBOX, mailbox=DevMailbox(mailbox_folder(settings, database_url)))
    return MailSetup(OFF)


__all__ = ["DevMailbox", "MailSetup", "MAILBOX", "NOT_CONFIGURED_WARNING", "OFF", "SMTP", "StoredMail",
           "mail_setup", "mailbox_folder"]
