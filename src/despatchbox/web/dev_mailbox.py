"""The development mailbox on the web: ``/dev/mailbox`` lists the emails the site would have sent
and ``/dev/mailbox/{name}`` shows one, its links clickable, so that alerts can be tried on a laptop
without a mail server (alerts/mailbox.py). Both answer 404 unless the site keeps its mail there:
on a public site, or with ``DESPATCHBOX_SMTP_URL`` set, there is no such page."""
from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.exceptions import HTTPException
from markupsafe import Markup, escape

from ..alerts.mailbox import MAILBOX, DevMailbox
from .templating import templates

router = APIRouter()

_URL = re.compile(r"https?://[^\s<>\"']+")


def _mailbox(request: Request) -> DevMailbox:
    setup = request.app.state.alert_mail
    if setup.mode != MAILBOX:
        raise HTTPException(404, "There is no page at this address.")
    return setup.mailbox


def linked(text: str) -> Markup:
    """Plain text, escaped, with its web addresses made links."""
    out, last = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:)")
        out += [escape(text[last:m.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        last = m.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _page(request: Request, name: str, context: dict):
    response = templates.TemplateResponse(request, f"alerts/{name}", context)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/dev/mailbox")
def mailbox_index(request: Request):
    box = _mailbox(request)
    return _page(request, "mailbox.html", {"messages": box.messages(), "folder": box.folder})


@router.get("/dev/mailbox/{name}")
def mailbox_message(request: Request, name: str):
    box = _mailbox(request)
    message = box.read(name)
    if message is None:
        raise HTTPException(404, "There is no such email in the development mailbox.")
    part = message.get_body(preferencelist=("plain",)) or message.get_body(preferencelist=("html",))
    text = part.get_content() if part is not None else ""
    return _page(request, "mailbox_message.html", {"message": message, "name": name, "body": linked(text),
                                                   "folder": box.folder})
