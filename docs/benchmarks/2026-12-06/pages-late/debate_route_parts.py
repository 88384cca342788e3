# Run with PYTHONPATH=<tree>/src: in-process CPU of the full debate page's speeches read, named and
# made markup (store + web/pages/naming + runs_of_markup, no template, no client), 5 x 200 renders.
import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.queries import debates as dq
from despatchbox.web.pages import naming
from despatchbox.web.pages.debates import runs_of_markup
url, did = sys.argv[1], sys.argv[2]          # e.g. uk.org.publicwhip/debate/2009-10-22d.141.6
with engine_for(url).connect() as conn:
    def once():
        rows = naming.label_speeches(conn, dq.speeches_of(conn, did, with_speakers=False))
        return runs_of_markup([("speech", r) for r in rows])
    once()
    runs = []
    for _ in range(5):
        t = time.process_time()
        for _ in range(200):
            once()
        runs.append((time.process_time() - t) / 200 * 1000)
print(f"read+label+markup ms CPU: min {min(runs):.3f} median {sorted(runs)[2]:.3f}")
