"""mk8.py SRC DST: an index of 8 segments (4 copies each of SRC's 200k and 166k segments), so that one commit merges them (~1.47M docs), as the 3M ingest did"""
import json, shutil, sys, uuid, os
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
m = json.load(open(f"{src}/meta.json"))
pick = [s for s in m["segments"] if s["max_doc"] in (200283, 166637)]
segs = []
for s in pick:
    old = s["segment_id"].replace("-", "")
    for i in range(4):
        new = uuid.uuid4()
        for f in os.listdir(src):
            if f.startswith(old + "."):
                shutil.copyfile(f"{src}/{f}", f"{dst}/{new.hex}{f[len(old):]}")
        segs.append(dict(s, segment_id=str(new)))
m["segments"] = segs
json.dump(m, open(f"{dst}/meta.json", "w"))
print(len(segs), sum(s["max_doc"] for s in segs))
