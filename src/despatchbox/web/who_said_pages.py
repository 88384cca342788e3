"""The "Who said this?" page: paste text copied from a page of the record, get it back with the
speaker of every paragraph named and linked (to the speech in its debate, and to the member).

``GET /who-said`` shows the paste box; the form POSTs to ``/who-said`` (a plain HTML form: no
JavaScript needed). Text over the limits is answered 413, an empty box 400, each with the form
and a message saying why.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from .templating import templates
from .who_said import MAX_CHARS, MAX_PARAGRAPHS, TextTooLarge, who_said
from ..store.database import reading

router = APIRouter()

#: request bodies over this many bytes are refused before they are read whole (a form-encoded
#: character can take up to 9 bytes: "%E2%80%99")
MAX_BODY_BYTES = MAX_CHARS * 9 + 1024

_EXAMPLE = ("Commons Chamber\n"
            "The hon. Gentleman will know that Tasers have been used 4,818 times up to March 2009, and in "
            "none of those instances were serious injuries or deaths reported…")


def _page(request: Request, *, text: str = "", result: dict | None = None, error: str | None = None,
          status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, "who_said.html", {
        "text": text, "result": result, "error": error, "max_chars": MAX_CHARS,
        "max_paragraphs": MAX_PARAGRAPHS, "example": _EXAMPLE}, status_code=status)


def _too_large(request: Request) -> HTMLResponse:
    return _page(request, error=f"The text is too long: at most {MAX_CHARS:,} characters "
                                f"({MAX_PARAGRAPHS:,} paragraphs) can be attributed at once. "
                                "Paste a shorter extract.", status=413)


async def _read_body(request: Request) -> bytes | None:
    """The request body, or None once it is over :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


@router.get("/who-said", response_class=HTMLResponse)
def who_said_form(request: Request):
    return _page(request)


@router.post("/who-said", response_class=HTMLResponse)
async def who_said_page(request: Request):
    body = await _read_body(request)
    if body is None:
        return _too_large(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        request._body = body                    # let Starlette parse the form from what was read
        value = (await request.form()).get("text")
        text = value if isinstance(value, str) else ""
    else:
        text = (parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).get("text") or [""])[0]
    if not text.strip():
        return _page(request, error="Paste some text to attribute: one paragraph per line.", status=400)
    engine = request.app.state.engine

    def run() -> dict:
        with reading(engine) as conn:
            return who_said(conn, text)

    try:
        result = await run_in_threadpool(run)
    except TextTooLarge as exc:
        return _page(request, text=text[:MAX_CHARS], error=str(exc), status=413)
    return _page(request, text=text, result=result)
