import sys, time
from alembic import command
from sqlalchemy import create_engine
from despatchbox.store import database
e = create_engine(sys.argv[1])
cfg = database.alembic_config(e)
t = time.perf_counter(); command.upgrade(cfg, sys.argv[2]); print("upgrade to", sys.argv[2], round(time.perf_counter() - t, 1), "s")
