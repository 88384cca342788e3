"""Sending mail over SMTP (``DESPATCHBOX_SMTP_URL``) with smtplib: a real SMTP conversation.

``smtp://host:port`` (plain; ``smtp+starttls://`` or ``?starttls=1`` to upgrade with STARTTLS),
``smtps://user:pass@host:465`` (TLS from the start). A user and password, when given, are
used to log in. :meth:`Mailer.send` returns only when the server accepted the message for the
recipient; anything else raises :class:`MailError`, and the caller records nothing as sent.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TRUE = {"1", "true", "yes", "on"}


class MailError(Exception):
    """The message was not accepted. ``stage`` is "config", "connect" (no server to talk to) or
    "send" (the conversation failed or the server refused); ``temporary`` for 4xx and network errors."""

    def __init__(self, message: str, *, stage: str, temporary: bool = True):
        super().__init__(message)
        self.stage = stage
        self.temporary = temporary


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_url(cls, url: str | None) -> "SmtpSettings":
        if not url:
            raise MailError("DESPATCHBOX_SMTP_URL is not set (e.g. smtp://localhost:1025)", stage="config",
                            temporary=False)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise MailError(f"DESPATCHBOX_SMTP_URL must look like smtp://host:port or smtps://user:pass@host:465, "
                            f"not {parts.scheme or '?'}://…", stage="config", temporary=False)
        query = parse_qs(parts.query)
        starttls = scheme == "smtp+starttls" or query.get("starttls", [""])[0].lower() in TRUE
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            raise MailError("DESPATCHBOX_SMTP_URL has a bad port", stage="config", temporary=False) from None
        return cls(scheme=scheme, host=parts.hostname, port=port,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None, starttls=starttls)

    def describe(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class Mailer:
    """One SMTP connection, opened on first use and reused; use as a context manager."""

    def __init__(self, url: str | None, timeout: float = 30.0):
        self.settings = SmtpSettings.from_url(url)
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self.sent = 0

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            smtp.ehlo_or_helo_if_needed()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"{s.describe()} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}",
                            stage="connect", temporary=False) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot talk to the mail server {s.describe()}: {exc}", stage="connect") from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; returns only once the server accepted it for every recipient."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(f"the mail server refused the recipient: {_refusals(exc.recipients)}", stage="send",
                            temporary=all(400 <= c < 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise MailError(f"the mail server refused the message: {exc.smtp_code} {_text(exc.smtp_error)}",
                            stage="send", temporary=400 <= exc.smtp_code < 500) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailError(f"the connection to {self.settings.describe()} failed while sending: "
                            f"{exc or type(exc).__name__}", stage="send") from exc
        if refused:
            raise MailError(f"the mail server refused: {_refusals(refused)}", stage="send")
        self.sent += 1

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            try:
                smtp.close()
            except OSError:
                pass


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in recipients.items())
