import pickle, sys
from sqlalchemy import select
from despatchbox.store.database import engine_for
from despatchbox.store.schema import speeches
e = engine_for("sqlite:////tmp/ingestcpu-prof.db")
with e.connect() as c:
    rows = [(i, t, f) for i, t, f in c.execute(select(speeches.c.id, speeches.c.text, speeches.c.file_id).order_by(speeches.c.file_id, speeches.c.position))]
pickle.dump(rows, open("/tmp/ingestcpu-texts.pkl", "wb"))
print(len(rows), sum(len(t or "") for _, t, _ in rows))
