import sys, time
sys.path[:0] = ["/work/main/src"]
from despatchbox.store.database import engine_for, reading
from despatchbox.store.queries import debates as dq
from despatchbox.web.app import create_app
from despatchbox.web.pages.naming import label_speeches
from despatchbox.web.pages import debates as dp
gid = "uk.org.publicwhip/debate/2009-10-22d.141.6"
es = [engine_for("sqlite:///" + d) for d in sys.argv[1:3]]
for d in sys.argv[1:3]: create_app("sqlite:///" + d)
acc = [[], []]
for rnd in range(15):
    for i, e in enumerate(es):
        c0 = time.process_time()
        for _ in range(50):
            with reading(e) as conn:
                rows = label_speeches(conn, dq.speeches_of(conn, gid, with_speakers=False))
            dp.runs_of_markup([("speech", s) for s in rows])
        acc[i].append((time.process_time() - c0) * 1000 / 50)
a, b = sorted(acc[0]), sorted(acc[1])
print("read+label+markup ms: A %.3f B %.3f B/A %.3f" % (a[7], b[7], b[7] / a[7]))
