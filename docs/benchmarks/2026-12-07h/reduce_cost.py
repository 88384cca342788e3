"""What reducing speech markup costs at ingest, and what it saves in storage: every speech body of
the 20k bench database as it was stored before (format 2, the source's markup), reduced by
record/markup.sanitise, and packed both ways.  Run: .venv/bin/python reduce_cost.py /work/b20k/despatchbox.db"""
import sqlite3
import sys
import time

sys.path.insert(0, "src")
from despatchbox.record.markup import _PLAIN_PARAGRAPHS, sanitise  # noqa: E402
from despatchbox.store.packing import pack_body, unpack_body  # noqa: E402

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
bodies = [unpack_body(r[0]) for r in db.execute("SELECT html FROM speeches") if r[0]]
plain = [h for h, _ in bodies if _PLAIN_PARAGRAPHS.fullmatch(h)]
other = [h for h, _ in bodies if not _PLAIN_PARAGRAPHS.fullmatch(h)]
for name, group in (("plain form", plain), ("through nh3", other)):
    started = time.process_time()
    for h in group:
        sanitise(h)
    print(f"{name}: {len(group)} speeches, {time.process_time() - started:.3f} s CPU")
raw = sum(len(pack_body(h, t)) for h, t in bodies)
reduced = sum(len(pack_body(sanitise(h), t)) for h, t in bodies)
print(f"packed bodies: {raw:,} bytes as the source's markup, {reduced:,} reduced "
      f"({(raw - reduced) / len(bodies):.1f} bytes a speech less)")
