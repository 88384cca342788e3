"""A page rendered 10 times to warm up, then 20 times between two markers the server logs
(python page_statements.py URL KIND; the server logging every statement's duration:
log_min_duration_statement = 0). server_time.sh sums what the log says between the markers.
A measurement script, not part of the product."""
import os
import sys

sys.path[:0] = [os.path.join(os.getcwd(), "bench"), os.path.join(os.getcwd(), "src")]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
url, kind = sys.argv[1], sys.argv[2]
os.environ["DESPATCHBOX_DATABASE_URL"] = url
import pages  # noqa: E402
import psycopg  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from despatchbox.web.app import create_app  # noqa: E402

paths = pages.page_paths(url)
client = TestClient(create_app(url))
for _ in range(10):
    client.get(paths[kind])
plain = url.replace("postgresql+psycopg://", "postgresql://")
with psycopg.connect(plain, autocommit=True) as marker:
    marker.execute("select 'MARKER'")
for _ in range(20):
    client.get(paths[kind])
with psycopg.connect(plain, autocommit=True) as marker:
    marker.execute("select 'ENDMARK'")
