import pickle, time, itertools
from collections import defaultdict
from despatchbox.pipeline.quotes_index import speech_fingerprints, fingerprint_file, _BLAKE2B_64, _encode, _join
from despatchbox.quotes.normalise import tokens
from despatchbox.quotes.fingerprint import winnow, narrow
from despatchbox.store.queries.quotes import FingerprintRows
from struct import unpack
rows = pickle.load(open("/tmp/ingestcpu-texts.pkl", "rb"))
texts = [t for _, t, _ in rows if t]
byfile = defaultdict(list)
for i, t, f in rows:
    if t: byfile[f].append((i, t))
def T(name, fn, reps=3):
    best = 1e9
    for _ in range(reps):
        t0 = time.process_time(); fn(); best = min(best, time.process_time() - t0)
    print(f"{name:40s} {best:.3f}s")
    return best
T("tokens", lambda: [tokens(t) for t in texts])
toks = [tokens(t) for t in texts]
print("tokens total", sum(map(len, toks)))
T("shingle bytes", lambda: [list(map(_encode, map(_join, zip(k, k[1:], k[2:], k[3:])))) for k in toks])
def hashes():
    copy = _BLAKE2B_64.copy
    out = []
    for k in toks:
        digests = []; add = digests.append
        for s in map(_encode, map(_join, zip(k, k[1:], k[2:], k[3:]))):
            h = copy(); h.update(s); add(h.digest())
        out.append(unpack(f">{len(digests)}q", b"".join(digests)))
    return out
T("shingles+hash+unpack", hashes)
hs = hashes()
T("winnow", lambda: [winnow(h) for h in hs])
ws = [winnow(h) for h in hs]
T("narrow", lambda: [narrow(w) for w in ws])
T("speech_fingerprints", lambda: [speech_fingerprints(t) for t in texts])
fps = {f: [(i, speech_fingerprints(t)) for i, t in items] for f, items in byfile.items()}
T("FingerprintRows", lambda: [FingerprintRows(v) for v in fps.values()])
T("fingerprint_file all", lambda: [FingerprintRows((i, speech_fingerprints(t)) for i, t in v) for v in byfile.values()])
