"""What a request that found the database busy is told: 503 with Retry-After, never a 500 — nothing
is wrong, a writer (an ingest, a sign-up) held the database longer than the busy timeout. The pages
answer it as an error page, the API as its JSON error (code ``busy``)."""
from __future__ import annotations

BUSY_MESSAGE = ("The site is saving new records from Parliament and could not answer in time. "
                "Try again in a few seconds.")
#: seconds, in the Retry-After header
BUSY_RETRY_AFTER = 5
