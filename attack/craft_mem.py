# Memory amplification: way blocks of 7.5 M node refs each (1 byte a ref,
# packed), made just compressible enough to pass the 200x ratio check.
import os, random, sys
from pbf import *
random.seed(1)
blocks = int(sys.argv[1]); pad = int(sys.argv[2]); out = sys.argv[3]
R = 7_500_000
parts = [header_blob()]
st = Strings(); parts.append(blob("OSMData", block(st, [dense(st, [(1, 1, 1, {})])])))
for k in range(blocks):
    st = Strings()
    refs = b"\x02" * R  # delta +1 each
    first = varint(zz(k * R + 10))
    w = fnum(1, 10 + k) + flen(2, varint(st("highway"))) + flen(3, varint(st("residential"))) + flen(8, first + refs[1:])
    junk = random.randbytes(R // 180)
    data = block(st, [flen(3, w)], extra=flen(99, junk))
    parts.append(blob("OSMData", data))
if pad:
    parts.append(blob("Padding", random.randbytes(pad), compress=False))
open(out, "wb").write(b"".join(parts))
print(out, sum(map(len, parts)))
