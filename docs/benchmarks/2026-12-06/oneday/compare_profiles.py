import pstats, sys
a = pstats.Stats(sys.argv[1]).stats; b = pstats.Stats(sys.argv[2]).stats
def key(k): return f"{k[0].split('/src/')[-1].split('site-packages/')[-1]}:{k[1]}({k[2]})"
rows = []
for k in set(a) | set(b):
    ca = a.get(k, (0,0,0,0))[3]; cb = b.get(k, (0,0,0,0))[3]
    ta = a.get(k, (0,0,0,0))[2]; tb = b.get(k, (0,0,0,0))[2]
    rows.append((cb - ca, tb - ta, ca, cb, key(k)))
print("by cumulative diff")
for r in sorted(rows, reverse=True)[:int(sys.argv[3]) if len(sys.argv)>3 else 45]:
    print(f"{r[0]:+.3f} own{r[1]:+.3f}  {r[2]:.3f}->{r[3]:.3f}  {r[4]}")
