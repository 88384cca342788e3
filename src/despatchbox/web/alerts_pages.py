"""Email alert pages: sign up without an account (double opt-in), confirm, manage an address's
alerts, one-click unsubscribe, and sample digests. Every form works without JavaScript.

    GET  /alerts                              sign-up form; "email me my manage link"
    POST /alerts/signup                       → a confirmation email with a signed link
    GET  /alerts/confirm/{token}              the alert and a Confirm button
    POST /alerts/confirm/{token}              confirms it
    POST /alerts/manage-link                  → an email with a signed manage link
    GET  /alerts/manage/{token}               the address's alerts: change how often, delete
    POST /alerts/manage/{token}/{id}          change its frequency
    POST /alerts/manage/{token}/{id}/delete   delete it
    GET  /alerts/unsubscribe/{token}          an Unsubscribe button
    POST /alerts/unsubscribe/{token}          unsubscribes (also RFC 8058 List-Unsubscribe-Post)
    GET  /alerts/sample/department/{slug}     what a digest would hold for the last week held
    GET  /alerts/sample/person/{slug}
    GET  /alerts/sample/search?q=…&person=…   (the saved search's filters)

Bad input answers 400 with a message, too many requests from one email or client address 429, a
link that was tampered with or has expired 400, a mail server that cannot be reached 503. On a
laptop without ``DESPATCHBOX_SMTP_URL`` the emails go to the development mailbox (``/dev/mailbox``,
web/dev_mailbox.py); on a public site without it the pages say alerts are not configured.
Manage-link emails are sent off the request path (alerts/outbox.py), so the answer takes the same
time whether or not the address has alerts.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse

from ..alerts import subscriptions as subs
from ..alerts.digest import full_date
from ..alerts.emails import Emails
from ..alerts.links import Links
from ..alerts.mailbox import MAILBOX, NOT_CONFIGURED_WARNING, mail_setup
from ..alerts.mailer import MailError
from ..alerts.model import DEPARTMENT, FREQUENCIES, FREQUENCY_LABELS, PERSON, QUERY, QUERY_FILTERS, Alert
from ..alerts.outbox import Outbox
from ..alerts.samples import sample_digest
from ..alerts.selection import SelectionError
from ..alerts.signing import CONFIRM, UNSUBSCRIBE, BadLink, Signer
from ..store.search import budget as search_budget
from . import dev_mailbox
from .app import engine_of
from .templating import register_filter, register_global, templates
from ..store.database import reading

log = logging.getLogger("despatchbox.alerts")
router = APIRouter()
router.include_router(dev_mailbox.router)


def install_alert_mail(app: FastAPI) -> None:
    """Decide once how this site's alert emails leave (SMTP, the development mailbox, or not at all),
    say so in the log, and start the outbox that sends manage links off the request path."""
    setup = mail_setup(app.state.settings, app.state.engine.url)
    app.state.alert_mail = setup
    app.state.outbox = Outbox(setup, timeout=20)       # closed at shutdown by the app's lifespan
    if setup.configured:
        log.info("%s", setup.describe())
    else:
        log.warning(NOT_CONFIGURED_WARNING.format(base_url=app.state.settings.base_url))

KIND_LABELS = {QUERY: "a saved search", PERSON: "a member", DEPARTMENT: "a department"}


def _settings(request: Request):
    return request.app.state.settings


def _emails(request: Request) -> Emails:
    s = _settings(request)
    return Emails(links=Links(s.base_url), signer=Signer(s.secret_key), mail_from=s.mail_from)


def _signer(request: Request) -> Signer:
    return Signer(_settings(request).secret_key)


def _page(request: Request, name: str, context: dict | None = None, status_code: int = 200, headers=None):
    ctx = {"frequencies": FREQUENCIES, "frequency_labels": FREQUENCY_LABELS, "kind_labels": KIND_LABELS}
    ctx.update(context or {})
    response = templates.TemplateResponse(request, f"alerts/{name}", ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"      # keep signed tokens out of Referer headers
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _message(request: Request, status: int, title: str, message: str, headers: dict | None = None, **extra):
    return _page(request, "message.html", {"title": title, "message": message, "status": status, **extra},
                 status_code=status, headers=headers)


def _bad_link(request: Request, exc: BadLink):
    return _message(request, 400, "This link does not work", str(exc), show_manage_form=True)


def _send(request: Request, message) -> str | None:
    """Send one email now; the error message when it could not be sent."""
    try:
        with request.app.state.alert_mail.transport(timeout=20) as transport:
            transport.send(message)
    except MailError as exc:
        log.warning("a confirmation email could not be sent: %s", exc)
        return str(exc)
    return None


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _not_configured(request: Request):
    """Alerts on a public site without DESPATCHBOX_SMTP_URL: say so (nothing is saved)."""
    return _message(request, 200, "Email alerts are not configured",
                    "This site cannot send email yet, so email alerts are switched off and nothing was saved. "
                    "(For the site's operator: set DESPATCHBOX_SMTP_URL.) The Atom feeds on each page work "
                    "without email.")


def _title(request: Request, alert) -> str:
    with reading(engine_of(request)) as conn:
        return subs.describe(conn, alert)


def sample_url(kind: str, target) -> str | None:
    """The sample digest page for an alert on ``target`` (a slug, a query, or a mapping with "q")."""
    if not target:
        return None
    if kind == DEPARTMENT:
        return f"/alerts/sample/department/{quote(str(target), safe='')}"
    if kind == PERSON:
        return f"/alerts/sample/person/{quote(str(target), safe='')}"
    params = dict(target) if isinstance(target, Mapping) else {"q": str(target)}
    params = {k: v for k, v in params.items() if v and (k == "q" or k in QUERY_FILTERS)}
    return "/alerts/sample/search?" + urlencode(params) if params.get("q") else None


def _sample_url(alert) -> str | None:
    return sample_url(alert.kind, {"q": alert.target, **alert.filters} if alert.kind == QUERY else alert.target)


register_global("alert_sample_url")(sample_url)
register_filter("alert_date")(full_date)


# --- sign-up ----------------------------------------------------------------------------------

@router.get("/alerts")
def alerts_home(request: Request, kind: str = QUERY, target: str = ""):
    return _page(request, "index.html", {"kind": kind if kind in KIND_LABELS else QUERY, "target": target,
                                         "not_configured": not request.app.state.alert_mail.configured})


@router.post("/alerts/signup")
def signup(request: Request, email: str = Form(""), kind: str = Form(""), target: str = Form(""),
           frequency: str = Form("immediate"), filter_person: str = Form(""), filter_party: str = Form(""),
           filter_department: str = Form(""), filter_kind: str = Form(""), filter_date_from: str = Form(""),
           filter_date_to: str = Form("")):
    filters = {k: v for k, v in (("person", filter_person), ("party", filter_party),
                                 ("department", filter_department), ("kind", filter_kind),
                                 ("date_from", filter_date_from), ("date_to", filter_date_to)) if v.strip()}
    form = {"email": email, "kind": kind, "target": target, "frequency": frequency, "filters": filters}
    if not request.app.state.alert_mail.configured:
        return _not_configured(request)
    engine = engine_of(request)
    try:
        address = subs.normalise_email(email)
        with reading(engine) as conn:
            subs.check_target(conn, kind, target, filters)
        subs.check_frequency(frequency)
    except subs.InvalidAlert as exc:
        shown = {"q": target, **filters} if kind == QUERY and target.strip() and filters else target
        return _page(request, "index.html", {"error": str(exc), "form": form, "kind": kind if kind in KIND_LABELS
                                             else QUERY, "target": shown if kind in KIND_LABELS else ""},
                     status_code=400)
    try:
        subs.check_rate(engine, address, purpose=subs.SIGNUP, remote_addr=_client(request))
    except subs.RateLimited as exc:
        return _message(request, 429, "Too many requests", str(exc), headers={"Retry-After": str(exc.retry_after)})
    alert, _created = subs.add_alert(engine, email=address, kind=kind, target=target, filters=filters,
                                     frequency=frequency, confirmed=False)
    title = _title(request, alert)
    error = _send(request, _emails(request).confirmation(alert, title))
    if error:
        return _message(request, 503, "We could not send the email",
                        "Your alert is saved but we could not send the confirmation email just now. "
                        "Please try again in a few minutes.")
    return _page(request, "signup_done.html", {"alert": alert, "title": title,
                                               "dev_mailbox": request.app.state.alert_mail.mode == MAILBOX})


# --- confirm ----------------------------------------------------------------------------------

def _alert_from_token(request: Request, purpose: str, token: str) -> tuple[Alert | None, str]:
    alert_id, email = _signer(request).read_alert_token(purpose, token)
    alert = subs.get_alert(engine_of(request), alert_id)
    if alert is None or alert.email != email:
        return None, email
    return alert, email


@router.get("/alerts/confirm/{token}")
def confirm_page(request: Request, token: str):
    try:
        alert, _email = _alert_from_token(request, CONFIRM, token)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is None:
        return _message(request, 404, "No such alert", "This alert has been deleted. You can sign up again.")
    return _page(request, "confirm.html", {"alert": alert, "title": _title(request, alert), "token": token})


@router.post("/alerts/confirm/{token}")
def confirm_submit(request: Request, token: str):
    try:
        alert, _email = _alert_from_token(request, CONFIRM, token)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is None:
        return _message(request, 404, "No such alert", "This alert has been deleted. You can sign up again.")
    newly = subs.confirm(engine_of(request), alert.id)
    manage_url = "/alerts/manage/" + _signer(request).manage_token(alert.email)
    return _page(request, "confirmed.html", {"alert": alert, "title": _title(request, alert), "newly": newly,
                                             "manage_url": manage_url, "sample_url": _sample_url(alert)})


# --- manage -----------------------------------------------------------------------------------

@router.post("/alerts/manage-link")
def manage_link(request: Request, email: str = Form("")):
    try:
        address = subs.normalise_email(email)
    except subs.InvalidAlert as exc:
        return _page(request, "index.html", {"manage_error": str(exc), "kind": QUERY, "target": "",
                                             "manage_email": email}, status_code=400)
    if not request.app.state.alert_mail.configured:
        return _not_configured(request)
    engine = engine_of(request)
    try:
        send = subs.check_rate(engine, address, purpose=subs.MANAGE_LINK, remote_addr=_client(request))
    except subs.RateLimited as exc:
        return _message(request, 429, "Too many requests", str(exc), headers={"Retry-After": str(exc.retry_after)})
    if send:                        # whether the address has alerts is looked up off the request path
        emails = _emails(request)
        request.app.state.outbox.put(lambda: emails.manage_link(address) if subs.alerts_of(engine, address)
                                     else None)
    # the same answer, in the same time, whether or not the address has alerts
    return _message(request, 200, "Check your email",
                    f"If {address} has alerts here, we have sent it a link to manage them (at most "
                    f"{subs.RATE_LIMITS[subs.MANAGE_LINK].per_email} an hour).",
                    dev_mailbox=request.app.state.alert_mail.mode == MAILBOX)


def _manage_context(request: Request, token: str, email: str, notice: str | None = None) -> dict:
    engine = engine_of(request)
    signer = _signer(request)
    rows = []
    with reading(engine) as conn:
        for alert in subs.alerts_of(engine, email):
            rows.append({"alert": alert, "title": subs.describe(conn, alert), "sample_url": _sample_url(alert),
                         "unsubscribe_url": "/alerts/unsubscribe/" + signer.unsubscribe_token(alert.id, email)})
    return {"email": email, "token": token, "rows": rows, "notice": notice}


def _manage_email(request: Request, token: str) -> str:
    return _signer(request).read_manage_token(token)


@router.get("/alerts/manage/{token}")
def manage_page(request: Request, token: str, done: str = ""):
    try:
        email = _manage_email(request, token)
    except BadLink as exc:
        return _bad_link(request, exc)
    notice = {"saved": "Saved.", "deleted": "The alert is deleted."}.get(done)
    return _page(request, "manage.html", _manage_context(request, token, email, notice))


def _owned(request: Request, token: str, alert_id: int) -> tuple[str, Alert | None]:
    email = _manage_email(request, token)
    alert = subs.get_alert(engine_of(request), alert_id)
    return email, (alert if alert is not None and alert.email == email else None)


@router.post("/alerts/manage/{token}/{alert_id}")
def manage_change(request: Request, token: str, alert_id: int, frequency: str = Form("")):
    try:
        email, alert = _owned(request, token, alert_id)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is None:
        return _message(request, 404, "No such alert", "That alert is not one of this address's alerts.")
    try:
        subs.change_frequency(engine_of(request), alert.id, frequency)
    except subs.InvalidAlert as exc:
        return _page(request, "manage.html", {**_manage_context(request, token, email), "error": str(exc)},
                     status_code=400)
    return RedirectResponse(f"/alerts/manage/{token}?done=saved", status_code=303)


@router.post("/alerts/manage/{token}/{alert_id}/delete")
def manage_delete(request: Request, token: str, alert_id: int):
    try:
        _email, alert = _owned(request, token, alert_id)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is not None:
        subs.delete(engine_of(request), alert.id)
    return RedirectResponse(f"/alerts/manage/{token}?done=deleted", status_code=303)


# --- unsubscribe ------------------------------------------------------------------------------

@router.get("/alerts/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str):
    try:
        alert, email = _alert_from_token(request, UNSUBSCRIBE, token)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is None:
        return _message(request, 200, "Unsubscribed", f"{email} gets no more emails from this alert.")
    return _page(request, "unsubscribe.html", {"alert": alert, "title": _title(request, alert), "token": token})


@router.post("/alerts/unsubscribe/{token}")
def unsubscribe_submit(request: Request, token: str):
    """The Unsubscribe button, and mail clients' one-click POST (body ``List-Unsubscribe=One-Click``)."""
    try:
        alert, email = _alert_from_token(request, UNSUBSCRIBE, token)
    except BadLink as exc:
        return _bad_link(request, exc)
    if alert is None:              # gone already: an old link leads to nothing more (no manage link)
        return _message(request, 200, "Unsubscribed", f"{email} gets no more emails from this alert.")
    title = _title(request, alert)
    subs.delete(engine_of(request), alert.id)
    manage_url = "/alerts/manage/" + _signer(request).manage_token(email)
    return _page(request, "unsubscribed.html", {"email": email, "title": title, "manage_url": manage_url})


# --- samples ----------------------------------------------------------------------------------

def _sample(request: Request, kind: str, target: str, filters: dict | None = None):
    # a sample runs a search per hundred hits: they share one search's time budget
    with search_budget.deadline(), reading(engine_of(request)) as conn:
        try:
            checked = subs.check_target(conn, kind, target, filters)
        except subs.InvalidAlert as exc:
            status = 400 if kind == QUERY else 404
            return _message(request, status, "No sample for this", str(exc))
        try:
            sample = sample_digest(conn, checked, _emails(request).links)
        except SelectionError as exc:
            return _message(request, 400, "No sample for this", str(exc))
    return _page(request, "sample.html", {"sample": sample, "digest": sample.digest, "kind": checked.kind,
                                          "target": checked.target if checked.kind != QUERY else
                                          {"q": checked.target, **checked.filters}})


@router.get("/alerts/sample/department/{slug}")
def sample_department(request: Request, slug: str):
    return _sample(request, DEPARTMENT, slug)


@router.get("/alerts/sample/person/{slug}")
def sample_person(request: Request, slug: str):
    return _sample(request, PERSON, slug)


@router.get("/alerts/sample/search")
def sample_search(request: Request, q: str = "", person: str = "", party: str = "", department: str = "",
                  kind: str = "", date_from: str = "", date_to: str = ""):
    filters = {k: v for k, v in zip(QUERY_FILTERS, (person, party, department, kind, date_from, date_to)) if v}
    return _sample(request, QUERY, q, filters)

