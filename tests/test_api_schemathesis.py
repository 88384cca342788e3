"""Property-based tests of the JSON API against its own OpenAPI schema (Schemathesis 3), over
every operation, on the real sample, in process (ASGI, no network).

For each operation Schemathesis generates up to MAX_EXAMPLES requests from the schema (plus
the schema's own examples) and checks each response: no server error, a documented status
code, a documented content type and headers, and a body that conforms to the response schema.
The number of generated cases is reported at the end of the module (and written to
``test-artifacts/schemathesis-cases.json``).
"""
from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import experimental

from despatchbox.web.app import create_app
from despatchbox.web.http_caching import install_http_middleware

#: generated requests per operation (bounded so the module runs in well under 3 minutes on 2 cores)
MAX_EXAMPLES = 30

experimental.OPEN_API_3_1.enable()      # FastAPI publishes OpenAPI 3.1 (`type: null` for optional fields)


def _adapt_hypothesis_jsonschema() -> None:
    """hypothesis-jsonschema (≤ 0.23, which Schemathesis 3 uses) drives Hypothesis' private ``many`` as
    ``while elements.more(): …``; Hypothesis 6.170.x replaced that with ``with many(…) as e: for _ in e``.
    When the old method is missing, give hypothesis-jsonschema an adapter with it."""
    from hypothesis.internal.conjecture import utils as cu
    if hasattr(cu.many, "more"):
        return
    import hypothesis_jsonschema._from_schema as hjs

    class LegacyMany:
        def __init__(self, data, min_size, max_size, average_size):
            self._many = cu.many(data, min_size=min_size, max_size=max_size, average_size=average_size)
            self._many.__enter__()
            self._elements = iter(self._many)

        def more(self) -> bool:
            try:
                next(self._elements)
                return True
            except StopIteration:
                self._many.__exit__(None, None, None)
                return False

        def reject(self, why=None) -> None:
            self._many.reject(why)

    class Utils:
        many = LegacyMany

        def __getattr__(self, name):
            return getattr(cu, name)

    hjs.cu = Utils()


_adapt_hypothesis_jsonschema()

CASES: Counter = Counter()
STATUSES: Counter = Counter()


@pytest.fixture(scope="module")
def api_schema(sample_url):
    app = create_app(sample_url)
    install_http_middleware(app)
    return schemathesis.from_asgi("/api/v1/openapi.json", app, base_url="/api/v1")


@pytest.fixture(scope="module", autouse=True)
def report_cases(request, artifacts_dir):
    yield
    total = sum(CASES.values())
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(STATUSES.items()))
    line = f"schemathesis: {total} generated cases over {len(CASES)} API operations ({statuses})"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)
    (artifacts_dir / "schemathesis-cases.json").write_text(
        json.dumps({"total": total, "statuses": dict(sorted(STATUSES.items())),
                    "operations": dict(sorted(CASES.items()))}, indent=2) + "\n")


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    CASES[f"{case.method} {case.path}"] += 1
    response = case.call_and_validate()
    STATUSES[str(response.status_code)] += 1
