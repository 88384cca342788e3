"""One ingest of a corpus into a fresh SQLite database, with parts of the ingest turned off, to
time as a whole process (user + sys CPU of it and its preparing worker):

    PYTHONPATH=src python ingest_once.py VARIANT CORPUS [SCRATCH_DIR]

VARIANT: ``normal``; ``nofeed`` (the search index outside the database is not fed); ``nofp`` (no
who-said fingerprints: no FILE_WRITERS); ``nofeed-nofp``; ``pace1000`` (allocator.PACE_EVERY 1000).
A measurement script (it patches module attributes), not part of the product."""
import sys, tempfile, shutil
from pathlib import Path
v = sys.argv[1]
import despatchbox.pipeline.run as run
import despatchbox.pipeline.prepare as prep
if "nofeed" in v:
    run._feed_search_index = lambda engine, large=False: None
if "nofp" in v:
    prep.FILE_WRITERS = ()
    run.FILE_WRITERS = ()
if "pace1000" in v:
    import despatchbox.allocator as al
    al.PACE_EVERY = 1000
from despatchbox.store.database import engine_for
d = tempfile.mkdtemp(dir=sys.argv[3] if len(sys.argv) > 3 else None)
try:
    run.ingest(engine_for(f"sqlite:///{d}/x.db"), [Path(sys.argv[2])])
finally:
    shutil.rmtree(d)
