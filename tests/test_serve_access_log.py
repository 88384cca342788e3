"""`despatchbox serve`'s access line (cli/access_log.py): byte for byte what uvicorn's own access
formatter writes, for every status, method, path, client and time, with colours on and off."""
from __future__ import annotations

import io
import logging
import logging.config
import random

import pytest
from uvicorn.logging import AccessFormatter as UvicornAccessFormatter

from despatchbox.cli.access_log import AccessFormatter
from despatchbox.cli.serve import log_config

FMT = log_config()["formatters"]["access"]["fmt"]
STATUSES = [200, 201, 204, 301, 304, 400, 404, 405, 406, 413, 418, 422, 500, 503, 299, 599]


def _record(rng: random.Random, moment: float) -> logging.LogRecord:
    args = (rng.choice(["127.0.0.1:50412", "[::1]:8000", "203.0.113.9:0"]), rng.choice(["GET", "HEAD", "POST"]),
            rng.choice(["/", "/mp/a%20b?page=2", "/dept/transport", "/api/v1/members?limit=5"]),
            rng.choice(["1.1", "1.0", "2"]), rng.choice(STATUSES))
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    record.created = moment
    record.msecs = (moment - int(moment)) * 1000
    return record


@pytest.mark.parametrize("colours", [False, True])
def test_the_same_line_as_uvicorns_formatter(colours):
    rng = random.Random(18)
    ours, theirs = AccessFormatter(fmt=FMT, use_colors=colours), UvicornAccessFormatter(fmt=FMT, use_colors=colours)
    moment = 1_765_000_000.0
    for _ in range(3000):
        moment += rng.choice([0.0004, 0.013, 0.37, 1.0, 61.5])     # same second, next second, minutes apart
        record = _record(rng, moment)
        assert ours.format(record) == theirs.format(record)
    assert "access  " in ours.format(record) and "HTTP/" in ours.format(record)


def test_serve_logs_through_it():
    config = log_config()
    assert config["formatters"]["access"]["()"] == "despatchbox.cli.access_log.AccessFormatter"
    # the formatter as logging.config builds it from serve's configuration (without reconfiguring logging)
    formatter = logging.config.DictConfigurator(config).configure_formatter(dict(config["formatters"]["access"]))
    assert isinstance(formatter, AccessFormatter)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("despatchbox.tests.access")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/mp/someone", "1.1", 404)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().endswith(' access  127.0.0.1:5000 "GET /mp/someone HTTP/1.1" 404 Not Found\n')
