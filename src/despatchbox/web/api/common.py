"""What every endpoint shares: the connection, errors, paging, parameter types."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

import re

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator
from sqlalchemy import Connection

from ...record import kinds
from .models import ErrorResponse
from ...store.database import reading

#: page sizes
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: the furthest a client may page (beyond it, narrow the query)
MAX_OFFSET = 1_000_000
#: the largest integer id accepted (fits every database's integer)
MAX_ID = 2_147_483_647
#: longest text parameter accepted
MAX_TEXT = 300


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


#: the error responses every operation documents
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The request cannot be answered as asked (e.g. `from` after "
                                                  "`to`)."},
    404: {"model": ErrorResponse, "description": "No such record."},
    422: {"model": ErrorResponse, "description": "A parameter is missing or not of its type."},
}


def connection(request: Request) -> Iterator[Connection]:
    with reading(request.app.state.engine) as conn:
        yield conn


Conn = Annotated[Connection, Depends(connection)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")]
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def iso_date(value):
    """Only ``YYYY-MM-DD``: pydantic alone reads ``0`` or ``1e9`` as seconds since 1970."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip())):
        raise ValueError(f"a date is written YYYY-MM-DD (ISO 8601), e.g. 2009-10-26, not {str(value)[:40]!r}")
    return value.strip() if isinstance(value, str) else value


#: a date parameter: ISO 8601 only
IsoDate = Annotated[date, BeforeValidator(iso_date)]
DateFrom = Annotated[IsoDate | None, Query(alias="from", description="On or after this date (ISO 8601).")]
DateTo = Annotated[IsoDate | None, Query(alias="to", description="On or before this date (ISO 8601).")]
OnDate = Annotated[IsoDate | None, Query(alias="date", description="On this date only (ISO 8601).")]
KindParam = Literal[kinds.KEYS]  # type: ignore[valid-type]
DepartmentSlug = Annotated[str | None, Query(max_length=80, description="A department slug, e.g. `home-office`.")]


def example(value, summary: str = "From the sample week") -> dict:
    """An ``openapi_examples`` entry: shown in the docs and tried first by schema-driven tests."""
    return {"sample": {"summary": summary, "value": value}}


def date_range(on: date | None, since: date | None, until: date | None) -> tuple[date | None, date | None]:
    """``date`` or ``from``/``to`` → (since, until); 400 when they contradict."""
    if on is not None:
        if since is not None or until is not None:
            raise bad_request("give either `date` or `from`/`to`, not both")
        return on, on
    if since is not None and until is not None and since > until:
        raise bad_request("`from` is after `to`")
    return since, until


def page(request: Request, items: list, total: int, limit: int, offset: int) -> dict:
    """A page of results with the address of the next one."""
    nxt = None
    if offset + len(items) < total and items:
        nxt = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": nxt}
