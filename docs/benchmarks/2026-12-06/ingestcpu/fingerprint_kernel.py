import pickle, time
from collections import defaultdict
from despatchbox.pipeline.quotes_index import speech_fingerprints, file_fingerprint_rows
from despatchbox.store.queries.quotes import FingerprintRows
rows = pickle.load(open("/tmp/ingestcpu-texts.pkl", "rb"))
byfile = defaultdict(list)
for i, t, f in rows:
    if t: byfile[f].append((i, t))
# edge cases
extra = [[("a", "one"), ("b", "one two three four"), ("c", "—"), ("d", "one two three four five"), ("e", " ".join(map(str, range(12)))), ("f", " ".join("w%d" % i for i in range(13)))],
         [("x", "…")], [("y", "a b")], [("z", " ".join("w%d" % i for i in range(40)))]]
groups = list(byfile.values()) + extra
def T(name, fn):
    t0 = time.process_time(); r = fn(); print(f"{name:20s} {time.process_time()-t0:.3f}s"); return r
for _ in range(2):
    a = T("old", lambda: [FingerprintRows((i, speech_fingerprints(t)) for i, t in v) for v in groups])
    b = T("new", lambda: [file_fingerprint_rows(v) for v in groups])
for x, y in zip(a, b):
    assert x.speech_ids == y.speech_ids and x.counts == y.counts and x.hashes == y.hashes and x.positions == y.positions, (x.speech_ids[:3])
print("identical", len(groups))
