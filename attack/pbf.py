"""Hand-written OSM PBF encoder for crafting attack files (no protobuf module)."""
import struct, zlib

def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def zz(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v - 1) << 1) | 1

def key(n, w):
    return varint((n << 3) | w)

def fnum(n, v):
    return key(n, 0) + varint(v)

def flen(n, body):
    return key(n, 2) + varint(len(body)) + body

def packed(vals, signed=False):
    return b"".join(varint(zz(v) if signed else v) for v in vals)

def delta(vals):
    out, last = [], 0
    for v in vals:
        out.append(v - last)
        last = v
    return out

class Strings:
    def __init__(self):
        self.s = [b""]
        self.ix = {b"": 0}
    def __call__(self, s):
        if isinstance(s, str):
            s = s.encode()
        if s not in self.ix:
            self.ix[s] = len(self.s)
            self.s.append(s)
        return self.ix[s]
    def table(self):
        return b"".join(flen(1, s) for s in self.s)

def dense(st, nodes, raw_override=None):
    """nodes: [(id, lat_units, lon_units, {tags})] in 1e-7 deg (granularity 100)."""
    ids = delta([n[0] for n in nodes])
    lats = delta([n[1] for n in nodes])
    lons = delta([n[2] for n in nodes])
    kv = []
    for n in nodes:
        for k, v in n[3].items():
            kv += [st(k), st(v)]
        kv.append(0)
    body = flen(1, packed(ids, True)) + flen(8, packed(lats, True)) + flen(9, packed(lons, True))
    if any(n[3] for n in nodes):
        body += flen(10, packed(kv))
    return flen(2, body)

def way(st, wid, refs, tags):
    body = fnum(1, wid)
    if tags:
        body += flen(2, packed([st(k) for k in tags])) + flen(3, packed([st(v) for v in tags.values()]))
    body += flen(8, packed(delta(refs), True))
    return flen(3, body)

def relation(st, rid, members, tags):
    """members: [(type 0/1/2, id, role)]"""
    body = fnum(1, rid)
    if tags:
        body += flen(2, packed([st(k) for k in tags])) + flen(3, packed([st(v) for v in tags.values()]))
    body += flen(8, packed([st(m[2]) for m in members]))
    body += flen(9, packed(delta([m[1] for m in members]), True))
    body += flen(10, packed([m[0] for m in members]))
    return flen(4, body)

def block(st, groups, extra=b""):
    return flen(1, st.table()) + b"".join(flen(2, g) for g in groups) + extra

def blob(kind, data, compress=True, raw_size=None, datasize=None):
    if compress:
        b = fnum(2, len(data) if raw_size is None else raw_size) + flen(3, zlib.compress(data))
    else:
        b = flen(1, data)
    hdr = flen(1, kind.encode()) + fnum(3, len(b) if datasize is None else datasize)
    return struct.pack(">I", len(hdr)) + hdr + b

def header_blob():
    hb = flen(4, b"OsmSchema-V0.6") + flen(4, b"DenseNodes") + flen(16, b"attack")
    return blob("OSMHeader", hb)

def square_extract(n=20, offset=0):
    """A sorted extract: a grid of roads, a school node, a school way, a boundary relation.
    Returns list of blobs (header first)."""
    blobs = [header_blob()]
    nodes = []
    nid = 1 + offset
    grid = {}
    base_lat, base_lon = 471000000, 95000000
    for i in range(n):
        for j in range(n):
            grid[(i, j)] = nid
            nodes.append((nid, base_lat + i * 10000, base_lon + j * 10000, {}))
            nid += 1
    school_node = nid
    nodes.append((nid, base_lat + 5555, base_lon + 5555, {"amenity": "school", "name": "S1", "isced:level": "1"}))
    nid += 1
    # two node blocks
    half = len(nodes) // 2
    st = Strings(); blobs.append(blob("OSMData", block(st, [dense(st, nodes[:half])])))
    st = Strings(); blobs.append(blob("OSMData", block(st, [dense(st, nodes[half:])])))
    ways = []
    wid = 1000 + offset
    for i in range(n):
        ways.append((wid, [grid[(i, j)] for j in range(n)], {"highway": "residential"})); wid += 1
    for j in range(n):
        ways.append((wid, [grid[(i, j)] for i in range(n)], {"highway": "primary", "maxspeed": "50"})); wid += 1
    # boundary ways: the outer square in 4 pieces
    c = [grid[(0, 0)], grid[(0, n - 1)], grid[(n - 1, n - 1)], grid[(n - 1, 0)]]
    bw = []
    bw.append((wid, [grid[(0, j)] for j in range(n)], {})); wid += 1
    bw.append((wid, [grid[(i, n - 1)] for i in range(n)], {})); wid += 1
    bw.append((wid, [grid[(n - 1, j)] for j in reversed(range(n))], {})); wid += 1
    bw.append((wid, [grid[(i, 0)] for i in reversed(range(n))], {})); wid += 1
    school_way = (wid, [grid[(2, 2)], grid[(2, 3)], grid[(3, 3)], grid[(2, 2)]], {"amenity": "school", "name": "SW"}); wid += 1
    allways = ways + bw + [school_way]
    half = len(allways) // 2
    st = Strings(); blobs.append(blob("OSMData", block(st, [b"".join(way(st, *w) for w in allways[:half])])))
    st = Strings(); blobs.append(blob("OSMData", block(st, [b"".join(way(st, *w) for w in allways[half:])])))
    rel = (50 + offset, [(1, w[0], "outer") for w in bw], {"boundary": "administrative", "admin_level": "6", "name": "D1", "ref": "D1", "type": "boundary"})
    st = Strings(); blobs.append(blob("OSMData", block(st, [relation(st, *rel)])))
    return blobs
