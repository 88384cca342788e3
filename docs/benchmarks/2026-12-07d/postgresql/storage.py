import sys, json
sys.path[:0] = [sys.argv[1] + "/src", sys.argv[1] + "/bench"]
import os
os.environ.setdefault("DESPATCHBOX_SEARCH_DIR", "/work/pgb/w1m/search")
import run
print(json.dumps(run._storage_postgresql(f"postgresql+psycopg://postgres@127.0.0.1:55490/{sys.argv[2]}"), indent=1))
