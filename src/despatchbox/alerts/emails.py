"""The emails alerts send: digests, confirmation requests and manage links, each with a
plain-text and an HTML part. Digests carry ``List-Unsubscribe`` (the signed one-click link)
and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), and the same link in
both parts."""
from __future__ import annotations

import hashlib
import textwrap
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .digest import Digest, full_date, plural
from .links import Links
from .model import FREQUENCY_LABELS, Alert
from .signing import Signer

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_env.filters["full_date"] = full_date
_env.filters["wrap"] = lambda text, indent=0: textwrap.fill(
    text or "", width=76, subsequent_indent=" " * indent, break_long_words=False, break_on_hyphens=False)


def render(name: str, **context) -> str:
    return _env.get_template(name).render(**context)


def mail_domain(mail_from: str, base_url: str) -> str:
    address = parseaddr(mail_from)[1]
    if "@" in address:
        return address.rsplit("@", 1)[1]
    return urlsplit(base_url).hostname or "localhost"


def list_id(base_url: str) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    return f"despatchbox alerts <alerts.{host}>"


def message_id(alert_id: int, item_keys: list[str], domain: str) -> str:
    """The same alert and items give the same Message-ID: should a digest ever be sent twice (the
    server accepted it but the process died before recording it), mail clients see one message."""
    digest = hashlib.sha256("\n".join(sorted(item_keys)).encode()).hexdigest()[:24]
    return f"<alert-{alert_id}.{digest}@{domain}>"


def _message(*, mail_from: str, to: str, subject: str, text: str, html: str, msgid: str | None = None,
             domain: str = "localhost") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = Address(addr_spec=to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = msgid or make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


class Emails:
    """Makes the messages, with links signed by ``signer`` and made absolute by ``links``."""

    def __init__(self, *, links: Links, signer: Signer, mail_from: str):
        self.links = links
        self.signer = signer
        self.mail_from = mail_from
        self.domain = mail_domain(mail_from, links.base)

    # the links every message carries
    def unsubscribe_url(self, alert: Alert) -> str:
        return self.links.alerts("/unsubscribe/" + self.signer.unsubscribe_token(alert.id, alert.email))

    def manage_url(self, email: str) -> str:
        return self.links.alerts("/manage/" + self.signer.manage_token(email))

    def confirm_url(self, alert: Alert) -> str:
        return self.links.alerts("/confirm/" + self.signer.confirm_token(alert.id, alert.email))

    def digest(self, alert: Alert, digest: Digest, *, item_keys: list[str], truncated: bool = False,
               more_url: str | None = None) -> EmailMessage:
        n = digest.items
        intro = f"{plural(n, 'new item')} since your last alert."
        context = dict(digest=digest, intro=intro, alert_email=alert.email, base_url=self.links.base,
                       frequency=FREQUENCY_LABELS.get(alert.frequency, alert.frequency),
                       manage_url=self.manage_url(alert.email), unsubscribe_url=self.unsubscribe_url(alert),
                       truncated=truncated, more_url=more_url)
        msg = _message(mail_from=self.mail_from, to=alert.email,
                       subject=f"{digest.title}: {plural(n, 'new item')} · despatchbox",
                       text=render("digest.txt", **context), html=render("digest.html", **context),
                       msgid=message_id(alert.id, item_keys, self.domain), domain=self.domain)
        msg["List-Id"] = list_id(self.links.base)
        msg["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Precedence"] = "bulk"
        msg["X-Despatchbox-Alert"] = str(alert.id)
        return msg

    def confirmation(self, alert: Alert, title: str) -> EmailMessage:
        context = dict(title=title, email=alert.email, confirm_url=self.confirm_url(alert), base_url=self.links.base,
                       frequency=FREQUENCY_LABELS.get(alert.frequency, alert.frequency))
        return _message(mail_from=self.mail_from, to=alert.email, subject=f"Confirm your alert: {title} · despatchbox",
                        text=render("confirm.txt", **context), html=render("confirm.html", **context),
                        domain=self.domain)

    def manage_link(self, email: str) -> EmailMessage:
        context = dict(email=email, manage_url=self.manage_url(email), base_url=self.links.base)
        return _message(mail_from=self.mail_from, to=email, subject="Your despatchbox alerts",
                        text=render("manage_link.txt", **context), html=render("manage_link.html", **context),
                        domain=self.domain)
