#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into fixtures/fuzz/<target>/ from the
project's own fixtures (never from ../shared), including a tiny hand-built
OpenStreetMap PBF (two roads, a school node, no compression) so the PBF
fuzzer starts from a valid file. Run from the repository root."""
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "fixtures")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def packed(values):
    return b"".join(varint(v) for v in values)


def blob(kind, data):
    body = field(1, 2, data) + field(2, 0, len(data))
    header = field(1, 2, kind.encode()) + field(3, 0, len(body))
    return struct.pack(">I", len(header)) + header + body


def tiny_pbf():
    strings = [b"", b"highway", b"primary", b"amenity", b"school", b"name", b"Seed school", b"track"]
    table = b"".join(field(1, 2, s) for s in strings)
    # Nodes on a line at lat 15.0, lon 100.00 .. 100.03 (nanodegree units / 100).
    nodes = b""
    for i, lon in enumerate([100.00, 100.01, 100.02, 100.03], start=1):
        node = field(1, 0, zigzag(i)) + field(8, 0, zigzag(int(15.0 * 1e7))) + field(9, 0, zigzag(int(lon * 1e7)))
        nodes += field(1, 2, node)
    school = field(1, 0, zigzag(10)) + field(2, 2, packed([3, 5])) + field(3, 2, packed([4, 6]))
    school += field(8, 0, zigzag(int(15.0005 * 1e7))) + field(9, 0, zigzag(int(100.015 * 1e7)))
    nodes += field(1, 2, school)
    ways = b""
    for wid, refs, cls in [(100, [1, 2, 3], 2), (101, [3, 4], 7)]:
        deltas, prev = [], 0
        for r in refs:
            deltas.append(zigzag(r - prev))
            prev = r
        way = field(1, 0, wid) + field(2, 2, packed([1])) + field(3, 2, packed([cls])) + field(8, 2, packed(deltas))
        ways += field(3, 2, way)
    block = field(1, 2, table) + field(2, 2, nodes) + field(2, 2, ways)
    header = field(4, 2, b"OsmSchema-V0.6")
    return blob("OSMHeader", header) + blob("OSMData", block)


def copy_seeds(target, names):
    out = os.path.join(FIX, "fuzz", target)
    os.makedirs(out, exist_ok=True)
    for src in names:
        shutil.copy(src, os.path.join(out, os.path.basename(src)))


def main():
    bad = os.path.join(FIX, "bad")
    files = sorted(os.listdir(bad))
    copy_seeds("csv_schools", [os.path.join(bad, f) for f in files if f.endswith(".csv")])
    copy_seeds("geojson_layers", [os.path.join(bad, f) for f in files if f.endswith(".geojson")])
    copy_seeds("scenario_toml", [os.path.join(bad, f) for f in files if f.endswith(".toml")] + [os.path.join(FIX, "scenario-default.toml")])
    pbf = os.path.join(FIX, "fuzz", "osm_pbf")
    os.makedirs(pbf, exist_ok=True)
    with open(os.path.join(pbf, "tiny.osm.pbf"), "wb") as f:
        f.write(tiny_pbf())
    for target in ["shapefile_layers", "whole_run"]:
        os.makedirs(os.path.join(FIX, "fuzz", target), exist_ok=True)


if __name__ == "__main__":
    main()
