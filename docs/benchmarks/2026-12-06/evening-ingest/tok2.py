import pickle, time, importlib.util, random
from despatchbox.quotes import normalise as N
spec = importlib.util.spec_from_file_location("base_norm", "/work/wt/ingest3-base/src/despatchbox/quotes/normalise.py")
B = importlib.util.module_from_spec(spec); spec.loader.exec_module(B)
texts = pickle.load(open("/work/wt-bench/ingest3/prof/texts.pkl", "rb"))
rnd = random.Random(1)
extra = ["".join(rnd.choice("ab1,.2 3’é£ø ß—-½ﬁ\u0301x9'\"") for _ in range(rnd.randint(0, 40))) for _ in range(20000)]
bad = [t for t in texts + extra if N.tokens(t) != B.tokens(t)]
print("differ", len(bad), bad[:3])
for f in (B.tokens, N.tokens) * 5:
    t = time.process_time(); [f(x) for x in texts]; print(f.__module__, round(time.process_time() - t, 3))
