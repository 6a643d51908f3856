import pbf, struct, zlib, random
from pbf import *
B = square_extract()
H, N1, N2, W1, W2, R = B
out = {}
def put(name, bs): out[name] = b"".join(bs) if isinstance(bs, list) else bs

put("base", B)
# ordering / duplication
put("node_blob_twice", [H, N1, N2, N2, W1, W2, R])
put("way_blob_twice", [H, N1, N2, W1, W2, W2, R])
put("rel_blob_twice", [H, N1, N2, W1, W2, R, R])
put("rel_first", [H, R, N1, N2, W1, W2])
put("way_before_nodes", [H, W1, N1, N2, W2, R])
put("node_after_rel", [H, N1, W1, W2, R, N2])
put("no_header", [N1, N2, W1, W2, R])
put("header_after_data", [N1, H, N2, W1, W2, R])
put("two_headers", [H, N1, N2, W1, W2, H, R])
put("header_only", [H])
put("no_ways", [H, N1, N2, R])
put("truncated_last_blob", b"".join(B)[:-7])
put("trailing_3_bytes", b"".join(B) + b"\0\0\0")
put("trailing_zero_header", b"".join(B) + b"\0\0\0\0")
# blob header lies
def relabel(b, kind=None, datasize=None):
    hl = struct.unpack(">I", b[:4])[0]
    body = b[4 + hl:]
    hdr = flen(1, (kind or "OSMData").encode()) + fnum(3, len(body) if datasize is None else datasize)
    return struct.pack(">I", len(hdr)) + hdr + body
put("rel_blob_type_other", [H, N1, N2, W1, W2, relabel(R, "Foo")])
put("way_blob_typed_header", [H, N1, N2, relabel(W1, "OSMHeader"), W2, R])
put("header_typed_data", [relabel(H, "OSMData"), N1, N2, W1, W2, R])
put("size_too_big", [H, N1, N2, W1, W2, relabel(R, datasize=10_000)])
put("size_too_small", [H, N1, relabel(N2, datasize=5), W1, W2, R])
put("size_negative", [H, N1, N2, W1, W2, relabel(R, datasize=-1)])
put("size_zero_blob", [H, N1, N2, W1, struct.pack(">I", 13) + flen(1, b"OSMData") + fnum(3, 0) + b"\x00\x00", W2, R])
zero = flen(1, b"OSMData") + fnum(3, 0)
put("zero_len_blob", [H, N1, N2, W1, struct.pack(">I", len(zero)) + zero, W2, R])
# Blob raw_size lies
def reblob(b, raw_size):
    hl = struct.unpack(">I", b[:4])[0]
    body = b[4 + hl:]
    # decode: field 2 varint raw_size, field 3 zlib
    import io
    # simple parse
    i = 0; fields = {}
    while i < len(body):
        k = body[i]; i += 1
        n, w = k >> 3, k & 7
        v = 0; s = 0
        while True:
            c = body[i]; i += 1; v |= (c & 0x7f) << s; s += 7
            if c < 0x80: break
        if w == 2:
            fields[n] = body[i:i + v]; i += v
        else:
            fields[n] = v
    data = zlib.decompress(fields[3])
    return blob("OSMData", data, raw_size=raw_size)
put("raw_size_small", [H, N1, N2, W1, W2, reblob(R, 3)])
put("raw_size_big", [H, N1, N2, W1, reblob(W2, 1 << 24), R])
put("raw_size_neg", [H, N1, N2, W1, reblob(W2, -5), R])
# way in a node blob, node in a way blob, mixed blocks sorted-looking
st = Strings()
mixed = blob("OSMData", block(st, [dense(st, [(999001, 471000000, 95000000, {})]), way(st, 999100, [999001, 1, 2], {"highway": "service"})]))
put("mixed_nodeway_block_last_node_stage", [H, N1, mixed, N2, W1, W2, R])
put("mixed_nodeway_block_between", [H, N1, N2, mixed, W1, W2, R])
st = Strings()
mixed_wr = blob("OSMData", block(st, [way(st, 999200, [1, 2, 3], {"highway": "service"}), relation(st, 999300, [(1, 999200, "outer")], {"boundary": "administrative", "admin_level": "6"})]))
put("mixed_wayrel_block", [H, N1, N2, W1, W2, mixed_wr, R])
# same node id in two blobs with different positions
st = Strings()
dupnode = blob("OSMData", block(st, [dense(st, [(5, 1, 1, {})])]))
put("same_node_two_blobs", [H, N1, dupnode, N2, W1, W2, R])
st = Strings()
dupschool = blob("OSMData", block(st, [dense(st, [(401, 471005555, 95005555, {"amenity": "school"})])]))
put("same_school_two_blobs", [H, N1, N2, dupschool, W1, W2, R])
# dense mismatched arrays / huge varints / overflow deltas
def rawdense(fields, st=None):
    st = st or Strings()
    return blob("OSMData", block(st, [flen(2, fields)]))
put("dense_mismatch", [H, N1, N2, rawdense(flen(1, packed([1, 1, 1], True)) + flen(8, packed([1], True)) + flen(9, packed([1, 1], True))), W1, W2, R])
put("dense_id_overflow", [H, N1, N2, rawdense(flen(1, packed([(1 << 63) - 1, 5], True)) + flen(8, packed([1, 1], True)) + flen(9, packed([1, 1], True))), W1, W2, R])
put("dense_huge_varint", [H, N1, N2, rawdense(flen(1, b"\xff" * 9 + b"\x7f") + flen(8, packed([1], True)) + flen(9, packed([1], True))), W1, W2, R])
put("dense_11byte_varint", [H, N1, N2, rawdense(flen(1, b"\xff" * 10 + b"\x01") + flen(8, packed([1], True)) + flen(9, packed([1], True))), W1, W2, R])
put("dense_kv_out_of_range", [H, N1, N2, rawdense(flen(1, packed([777777], True)) + flen(8, packed([1], True)) + flen(9, packed([1], True)) + flen(10, packed([99999, 88888, 0]))), W1, W2, R])
put("dense_kv_negative", [H, N1, N2, rawdense(flen(1, packed([777777], True)) + flen(8, packed([1], True)) + flen(9, packed([1], True)) + flen(10, varint(-5 & ((1<<64)-1)) + varint(3) + varint(0))), W1, W2, R])
def gran_block(g, latoff, lonoff):
    st = Strings()
    extra = fnum(17, g & ((1 << 64) - 1)) + fnum(19, latoff & ((1 << 64) - 1)) + fnum(20, lonoff & ((1 << 64) - 1))
    return blob("OSMData", block(st, [dense(st, [(1, 2**40, 2**40, {}), (2, -2**40, 2**40, {})])], extra))
put("granularity_extreme", [H, gran_block(2**31 - 1, 2**63 - 1, -2**63), N2, W1, W2, R])
put("granularity_negative", [H, gran_block(-2**31, 0, 0), N2, W1, W2, R])
put("granularity_zero", [H, gran_block(0, 0, 0), N2, W1, W2, R])
# way refs overflow / huge
st = Strings()
put("way_refs_overflow", [H, N1, N2, blob("OSMData", block(st, [way(st, 77, [2**62, -2**62, 2**62], {"highway": "primary"})])), W2, R])
st = Strings()
wb = fnum(1, 78) + flen(2, packed([st("highway")])) + flen(3, packed([st("primary")])) + flen(8, packed([(1 << 63) - 1, (1 << 63) - 1], True))
put("way_refs_wrap", [H, N1, N2, blob("OSMData", block(st, [flen(3, wb)])), W2, R])
st = Strings()
wb = fnum(1, 79) + flen(2, packed([4000000000])) + flen(3, packed([1])) + flen(8, packed([1, 1], True))
put("way_key_out_of_range", [H, N1, N2, blob("OSMData", block(st, [flen(3, wb)])), W2, R])
# relation with bad member type
st = Strings()
put("rel_member_type_7", [H, N1, N2, W1, W2, blob("OSMData", block(st, [relation(st, 60, [(7, 1000, "outer")], {"boundary": "administrative", "admin_level": "6"})]))])
st = Strings()
put("rel_member_type_neg", [H, N1, N2, W1, W2, blob("OSMData", block(st, [relation(st, 60, [(-1, 1000, "outer")], {"boundary": "administrative", "admin_level": "6"})]))])
st = Strings()
rb = fnum(1, 61) + flen(2, packed([st("boundary"), st("admin_level")])) + flen(3, packed([st("administrative"), st("6")])) + flen(8, packed([-3 & 0xffffffffffffffff])) + flen(9, packed([1000], True)) + flen(10, packed([1]))
put("rel_role_negative", [H, N1, N2, W1, W2, blob("OSMData", block(st, [flen(4, rb)]))])
# raw (uncompressed) blobs
def rawify(b):
    hl = struct.unpack(">I", b[:4])[0]
    body = b[4 + hl:]
    return body
# string table index out of range in way tags
# stringtable twice
st = Strings()
put("stringtable_twice", [H, N1, N2, blob("OSMData", flen(1, st.table()) + block(st, [way(st, 80, [1, 2], {"highway": "primary"})])), W2, R])
# non utf-8 strings
st = Strings()
st.s.append(b"\xff\xfe"); 
put("non_utf8_string", [H, N1, N2, blob("OSMData", block(st, [way(st, 81, [1, 2], {"highway": "primary"}) + flen(3, fnum(1, 82) + flen(2, packed([len(st.s)-1])) + flen(3, packed([1])))])), W2, R])
# zero-length data block
put("empty_block", [H, N1, N2, blob("OSMData", b""), W1, W2, R])
put("empty_group", [H, N1, N2, blob("OSMData", flen(1, b"") + flen(2, b"")), W1, W2, R])
# lzma blob
lz = flen(1, b"OSMData")
body = fnum(2, 10) + flen(4, b"xxxx")
lz += fnum(3, len(body))
put("lzma_blob", [H, N1, N2, W1, W2, struct.pack(">I", len(lz)) + lz + body])
# header len >= 64k
put("huge_header_len", [H, N1, struct.pack(">I", 70000) + b"\0" * 10])
for name, bs in out.items():
    open(f"{name}.osm.pbf", "wb").write(bs)
print(len(out))
