"""The quote-check page: ``GET /quote-check`` shows the form; with ``?q=…`` (and optionally
``speaker``, ``from``, ``to``) it shows the verdicts. The form submits by GET, so every result has a
shareable address and no JavaScript is needed. Bad dates are answered 400, an over-long quote 413,
each with the form and a message saying why.
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from .quote_check import MAX_QUOTE_CHARS, QuoteTooLarge, quote_check
from .templating import templates
from ..store.database import reading

router = APIRouter()

_LABELS = {"verbatim": "Verbatim", "abridged": "Abridged", "altered": "Altered",
           "said_by_someone_else": "Said by someone else", "widely_said": "Widely said", "not_found": "Not found"}


def _day(value: str, name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"The '{name}' date must be YYYY-MM-DD, not {value[:20]!r}.") from None


@router.get("/quote-check", response_class=HTMLResponse)
async def quote_check_page(request: Request, q: str = "", speaker: str = "", date_from: str = "",
                           date_to: str = ""):
    params = request.query_params
    date_from = date_from or params.get("from", "")
    date_to = date_to or params.get("to", "")
    context = {"q": q, "speaker": speaker, "date_from": date_from, "date_to": date_to, "result": None,
               "error": None, "labels": _LABELS, "max_chars": MAX_QUOTE_CHARS}
    status = 200
    if q.strip():
        engine = request.app.state.engine
        try:
            since, until = _day(date_from, "from"), _day(date_to, "to")

            def run() -> dict:
                with reading(engine) as conn:
                    return quote_check(conn, q, speaker=speaker, since=since, until=until)

            context["result"] = await run_in_threadpool(run)
        except QuoteTooLarge as exc:
            context["error"], status = str(exc), 413
        except ValueError as exc:
            context["error"], status = str(exc), 400
    return templates.TemplateResponse(request, "quote_check.html", context, status_code=status)
