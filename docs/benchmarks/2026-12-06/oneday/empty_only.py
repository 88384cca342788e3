import sys, os, tempfile, json
from pathlib import Path
tree = Path(sys.argv[1]); sys.path.insert(0, str(tree / "bench"))
from one_day import day_files, SAMPLE
from ingest import run_ingest
with tempfile.TemporaryDirectory(dir="/work/wt-data/oneday-you") as tmp:
    db = Path(tmp) / "e.db"
    run_ingest(sorted((SAMPLE / "members").glob("*.xml")), f"sqlite:///{db}")
    r = run_ingest(day_files(), f"sqlite:///{db}")
    print(tree.name, round(r["seconds"], 2), round(r["cpu_s"], 2))
