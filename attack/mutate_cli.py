# Seeded mutants of a real extract through the CLI, on 1 and 2 threads:
# no panic (exit 101 / "panicked"), the same output either way.
import random, struct, subprocess, sys, os
H = os.environ.get("H", "/work/wt/review/target/release/hubsel")
src = sys.argv[1]; n = int(sys.argv[2])
orig = open(src, "rb").read()
blobs = []; i = 0
while i < len(orig):
    hl = struct.unpack(">I", orig[i:i + 4])[0]; h = orig[i + 4:i + 4 + hl]
    j = h.index(b"\x18") + 1; v = 0; s = 0
    while True:
        c = h[j]; j += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: break
    blobs.append(orig[i:i + 4 + hl + v]); i += 4 + hl + v
rng = random.Random(7)
stats = {}
for m in range(n):
    k = m % 6; b = bytearray(orig)
    if k == 0:
        for _ in range(rng.randint(1, 3)):
            p = rng.randrange(len(b)); b[p] ^= 1 << rng.randrange(8)
    elif k == 1:
        b[rng.randrange(len(b))] = rng.choice([0, 0xff, 0x80, 0x7f])
    elif k == 2:
        b = b[:rng.randrange(len(b))]
    else:
        p = list(blobs); x, y = rng.randrange(len(p)), rng.randrange(len(p))
        if k == 3: p[x], p[y] = p[y], p[x]
        elif k == 4: p.insert(x, blobs[y])
        else: del p[x]
        b = b"".join(p)
    f = "/tmp/rv_mut.osm.pbf"; open(f, "wb").write(b)
    outs = []
    for t in ("1", "2"):
        r = subprocess.run([H, "validate", "--pbf", f, "--admin-level", "8", "--out", "/tmp/rv_mut_o", "--force"],
                           env=dict(os.environ, RAYON_NUM_THREADS=t), capture_output=True, text=True)
        outs.append((r.returncode, r.stdout, r.stderr))
    bad = any(o[0] == 101 or "panicked" in o[2] for o in outs)
    same = outs[0] == outs[1]
    key = ("PANIC " if bad else "") + ("" if same else "DIFF ") + ("ok" if outs[0][0] == 0 else "err")
    stats[key] = stats.get(key, 0) + 1
    if bad or not same:
        open(f"/work/wt/review/attack/mutant_{m}.osm.pbf", "wb").write(b)
        print(m, key, outs[0][2][-300:], outs[1][2][-300:])
print(stats)
