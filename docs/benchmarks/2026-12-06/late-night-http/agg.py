import sys, collections, re
f = sys.argv[1]; top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
threads = collections.Counter(); incl = collections.defaultdict(collections.Counter); self_ = collections.defaultdict(collections.Counter)
for line in open(f):
    stack, n = line.rstrip().rsplit(" ", 1); n = int(n)
    frames = stack.split(";")
    th = frames[0]; threads[th] += n
    names = [re.sub(r" \(/[^)]*/(site-packages|src|lib/python3.11)/", " (", fr) for fr in frames[1:]]
    for nm in set(names): incl[th][nm] += n
    if names: self_[th][names[-1]] += n
for th, tot in threads.most_common(3):
    print("=== thread", th, tot)
    print("-- inclusive"); [print(f"{c/tot*100:5.1f}% {nm[:150]}") for nm, c in incl[th].most_common(top)]
    print("-- self"); [print(f"{c/tot*100:5.1f}% {nm[:150]}") for nm, c in self_[th].most_common(top)]
