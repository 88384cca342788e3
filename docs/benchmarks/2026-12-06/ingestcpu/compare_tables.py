import sqlite3, hashlib, sys
def tables(path):
    c = sqlite3.connect(path)
    out = {}
    for (name,) in c.execute("select name from sqlite_master where type='table' and name not like 'sqlite_%' order by name"):
        cols = [r[1] for r in c.execute(f'pragma table_info("{name}")')]
        h = hashlib.sha256(); n = 0
        for row in c.execute(f'select * from "{name}" order by ' + ", ".join(f'"{x}"' for x in cols)):
            h.update(repr(row).encode()); n += 1
        out[name] = (n, h.hexdigest()[:16])
    return out
a, b = tables(sys.argv[1]), tables(sys.argv[2])
for k in sorted(set(a) | set(b)):
    print(("same " if a.get(k) == b.get(k) else "DIFF ") + k, a.get(k), b.get(k))
