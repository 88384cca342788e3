import sys, time, pickle, os
from collections import deque
from itertools import repeat
from hashlib import blake2b
from despatchbox.quotes.normalise import tokens
P = "/work/wt-bench/ingest3/prof/texts.pkl"
if not os.path.exists(P):
    from despatchbox.store.database import engine_for
    from despatchbox.store.packing import unpack_text
    from sqlalchemy import text
    e = engine_for("sqlite:///" + sys.argv[1])
    with e.connect() as c:
        texts = [unpack_text(b) for (b,) in c.execute(text("select html from speeches order by rowid"))]
    pickle.dump(texts, open(P, "wb"))
texts = pickle.load(open(P, "rb"))
toks_all = [tokens(t) for t in texts]
print(len(texts), sum(map(len, toks_all)))
_B = blake2b(digest_size=8)
_encode, _join = str.encode, " ".join
def cur():
    copy = _B.copy; out = []; add = out.append
    for toks in toks_all:
        for shingle in map(_encode, map(_join, zip(toks, toks[1:], toks[2:], toks[3:]))):
            h = copy(); h.update(shingle); add(h.digest())
    return b"".join(out)
_copy, _update, _digest = type(_B).copy, type(_B).update, type(_B).digest
def mapped():
    parts = []
    for toks in toks_all:
        shingles = list(map(_encode, map(_join, zip(toks, toks[1:], toks[2:], toks[3:]))))
        hs = list(map(_copy, repeat(_B, len(shingles))))
        deque(map(_update, hs, shingles), maxlen=0)
        parts.append(b"".join(map(_digest, hs)))
    return b"".join(parts)
a = cur(); b = mapped(); assert a == b, "differ"
for f in (cur, mapped, cur, mapped):
    t = time.process_time(); f(); print(f.__name__, round(time.process_time() - t, 3))
btoks_all = [_encode(" ".join(t)).split(b" ") if t else [] for t in toks_all]
_bjoin = b" ".join
def mapped_bytes():
    parts = []
    for toks in btoks_all:
        shingles = list(map(_bjoin, zip(toks, toks[1:], toks[2:], toks[3:])))
        hs = list(map(_copy, repeat(_B, len(shingles))))
        deque(map(_update, hs, shingles), maxlen=0)
        parts.append(b"".join(map(_digest, hs)))
    return b"".join(parts)
def mapped_gen():
    parts = []
    for toks in toks_all:
        n = len(toks) - 3
        if n <= 0: continue
        hs = list(map(_copy, repeat(_B, n)))
        deque(map(_update, hs, map(_encode, map(_join, zip(toks, toks[1:], toks[2:], toks[3:])))), maxlen=0)
        parts.append(b"".join(map(_digest, hs)))
    return b"".join(parts)
assert mapped_bytes() == a and mapped_gen() == a
t = time.process_time(); [_encode(" ".join(t)).split(b" ") for t in toks_all]; print("btoks", round(time.process_time() - t, 3))
for f in (cur, mapped, mapped_gen, mapped_bytes, cur, mapped, mapped_gen, mapped_bytes):
    t = time.process_time(); f(); print(f.__name__, round(time.process_time() - t, 3))
