#!/usr/bin/env python3
"""depcycles.py - which object files depend on each other in a circle (by their symbols).

usage: depcycles.py OBJ...   (the objects of one program). A depends on B when A uses a symbol
that B defines (nm). Prints each cycle with the symbols on its edges; exit 1 if there is one."""
import subprocess, sys
def syms(o):
    out = subprocess.run(["nm", "--defined-only", "-g", o], capture_output=True, text=True).stdout
    d = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
    out = subprocess.run(["nm", "-u", o], capture_output=True, text=True).stdout
    u = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return d, u
objs = sys.argv[1:]
D = {}; U = {}
for o in objs: D[o], U[o] = syms(o)
owner = {}
for o in objs:
    for s in D[o]: owner[s] = o
g = {o: sorted({owner[s] for s in U[o] if s in owner and owner[s] != o}) for o in objs}
# Tarjan
idx = {}; low = {}; st = []; on = set(); sccs = []; c = [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in g[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in objs:
    if v not in idx: sc(v)
for comp in sccs:
    print("cycle:", " ".join(sorted(x.split('/')[-1] for x in comp)))
    for a in comp:
        for b in g[a]:
            if b in comp:
                why = sorted(s for s in U[a] if owner.get(s) == b)[:4]
                print("   ", a.split('/')[-1], "->", b.split('/')[-1], why)
sys.exit(1 if sccs else 0)
