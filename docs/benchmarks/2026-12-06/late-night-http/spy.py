# py-spy of `despatchbox serve --workers 1` under the bench's four pages. usage: spy.py TREE DB SECS OUT
import os, sys, subprocess, threading
tree, db, secs, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import loadgen, pages
url = f"sqlite:///{db}"
paths = list(pages.page_sets(url, 1)[0].values())
with loadgen.Server(url, 1) as server:
    loadgen.load(server.base, paths, 2, 8)
    kids = [int(p) for p in os.listdir("/proc") if p.isdigit() and open(f"/proc/{p}/stat").read().rsplit(")",1)[1].split()[1] == str(server.proc.pid)]
    pid = kids[0] if kids else server.proc.pid
    spy = subprocess.Popen(["/work/wt/trial/.venv/bin/py-spy", "record", "-p", str(pid), "-d", str(int(secs)), "-r", "200",
                            "--threads", "--nonblocking", "--gil", "-f", "raw", "-o", out] + (["--native"] if os.environ.get("NATIVE") else []))
    loadgen.load(server.base, paths, secs + 1, 8)
    spy.wait()
