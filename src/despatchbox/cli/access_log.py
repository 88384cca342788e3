"""The access line of ``despatchbox serve``, written by uvicorn's access logger through a formatter
that does less per request than uvicorn's own: the same line, byte for byte.

uvicorn's ``AccessFormatter`` copies each log record twice (its own ``formatMessage`` and its parent's),
looks the status up in ``http.HTTPStatus`` and formats the time from scratch for every request.
:class:`AccessFormatter` fills the same fields into one dict, takes the status phrase from a table made
once, and formats the date and time once a second (the milliseconds every time). With colours on (a
terminal) it is uvicorn's own formatter.
"""
from __future__ import annotations

import http
import logging
import time

from uvicorn.logging import AccessFormatter as UvicornAccessFormatter

#: "200 OK" for every status Python knows (others: the number and a space, as uvicorn writes them)
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in http.HTTPStatus}


class AccessFormatter(UvicornAccessFormatter):
    """uvicorn's access formatter with a shorter way for plain (uncoloured) %-style lines."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._plain = not self.use_colors and isinstance(self._style, logging.PercentStyle)
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt or self.default_msec_format is None:
            return super().formatTime(record, datefmt)
        second, stamp = self._second
        if int(record.created) != second:       # logging's own formatting, once a second
            second = int(record.created)
            stamp = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, stamp)
        return self.default_msec_format % (stamp, record.msecs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        args = record.args
        if not self._plain or not isinstance(args, tuple) or len(args) != 5:
            return super().formatMessage(record)
        client_addr, method, full_path, http_version, status_code = args
        code = int(status_code)  # type: ignore[call-overload]
        values = dict(record.__dict__)
        values["client_addr"] = client_addr
        values["request_line"] = f"{method} {full_path} HTTP/{http_version}"
        values["status_code"] = STATUS_LINES.get(code) or f"{code} "
        values["levelprefix"] = record.levelname + ":" + " " * (8 - len(record.levelname))
        return self._style._fmt % values      # what logging.PercentStyle.format does with the record's dict
