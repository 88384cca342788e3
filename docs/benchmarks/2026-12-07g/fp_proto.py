import sys, time, sqlite3
sys.path[:0] = ["/work/main/src"]
import numpy as np
from hashlib import blake2b
from despatchbox.store.packing import unpack_text
from despatchbox.pipeline.quotes_index import file_fingerprint_rows
from despatchbox.quotes.normalise import tokens
db = sqlite3.connect("/work/b20k/despatchbox.db")
cols = [r[1] for r in db.execute("pragma table_info(speeches)")]
print(cols)
rows = db.execute("select id, html from speeches").fetchall()
texts = [(str(i), unpack_text(b)) for i, b in rows if b]
texts = [(i, t) for i, t in texts if t]
print(len(texts), "speeches")
batches = [texts[i:i+500] for i in range(0, len(texts), 500)]
def cur():
    for b in batches: file_fingerprint_rows(b)
def toks_only():
    for b in batches:
        for _, t in b: tokens(t)
class Cache(dict):
    def __missing__(self, k):
        v = int.from_bytes(blake2b(k.encode(), digest_size=8).digest(), "little")
        self[k] = v; return v
cache = Cache()
M = np.uint64(0x9E3779B97F4A7C15); M2 = np.uint64(0xBF58476D1CE4E5B9); M3=np.uint64(0x94D049BB133111EB)
def rotl(x, r): return (x << np.uint64(r)) | (x >> np.uint64(64 - r))
def proto():
    g = cache.__getitem__
    for b in batches:
        allh = []; lens = []
        for _, t in b:
            tk = tokens(t); lens.append(len(tk)); allh.extend(map(g, tk))
        h = np.array(allh, dtype=np.uint64)
        if len(h) < 4: continue
        x = h[:-3] ^ rotl(h[1:-2], 17) ^ rotl(h[2:-1], 31) ^ rotl(h[3:], 47)
        x ^= x >> np.uint64(30); x *= M2; x ^= x >> np.uint64(27); x *= M3; x ^= x >> np.uint64(31)
for f in (cur, toks_only, proto, cur, toks_only, proto):
    t = time.process_time(); f(); print(f.__name__, round(time.process_time() - t, 3))
print(len(cache), "distinct tokens")
