#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into fixtures/fuzz/<target>/ from the
project's own fixtures (never from ../shared), including a tiny hand-built
OpenStreetMap PBF (two roads, a school node, no compression) so the PBF
fuzzer starts from a valid file, and a tiny GeoPackage (a school, a road,
a district) for the GeoPackage fuzzer. Run from the repository root."""
import os
import shutil
import struct
import zlib

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


def zblob(kind, data, raw_size=None):
    """A blob compressed with zlib, declaring `raw_size` (its true size by default)."""
    body = field(2, 0, len(data) if raw_size is None else raw_size) + field(3, 2, zlib.compress(data, 9))
    header = field(1, 2, kind.encode()) + field(3, 0, len(body))
    return struct.pack(">I", len(header)) + header + body


OSM_HEADER = blob("OSMHeader", field(4, 2, b"OsmSchema-V0.6") + field(4, 2, b"DenseNodes"))


def bad_pbfs():
    """Crafted PBF files for fixtures/bad/ (deterministic, small on disk):
    compression bombs, an empty file, files cut short, data twice."""
    mib = 1 << 20
    out = {}
    # Four blobs, each inflating to ~32 MiB of one-byte string-table
    # entries (issue 21, item 5: 1.2 GB for a 131 KB file).
    n = (32 * mib - 64) // 3
    strings = field(1, 2, b"\x0a\x01a" * n)
    out["pbf-bomb-strings.pbf"] = OSM_HEADER + zblob("OSMData", strings) * 4
    # One blob of millions of tiny ways (a struct each once parsed).
    ways = field(2, 2, b"\x1a\x02\x08\x01" * (6 * mib))
    out["pbf-bomb-ways.pbf"] = OSM_HEADER + zblob("OSMData", field(1, 2, b"") + ways)
    # Dense nodes whose id array holds 30 million one-byte deltas.
    dense = field(1, 2, b"\x02" * (30 * mib))
    out["pbf-bomb-dense.pbf"] = OSM_HEADER + zblob("OSMData", field(1, 2, b"") + field(2, 2, field(2, 2, dense)))
    # A blob that inflates to more than the raw_size it declares.
    out["pbf-raw-size-lie.pbf"] = OSM_HEADER + zblob("OSMData", strings[: 2 * mib], raw_size=1000)
    tiny = tiny_pbf()
    out["pbf-empty.pbf"] = b""
    out["pbf-header-only.pbf"] = tiny[: len(OSM_HEADER_TINY)]
    out["pbf-cut-mid-blob.pbf"] = tiny[:-7]
    out["pbf-twice.pbf"] = tiny + tiny
    out["pbf-data-repeated.pbf"] = tiny + tiny[len(OSM_HEADER_TINY):]
    return out


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
    return OSM_HEADER_TINY + blob("OSMData", block)


OSM_HEADER_TINY = blob("OSMHeader", field(4, 2, b"OsmSchema-V0.6"))


def gp_point(x, y):
    """A GeoPackage geometry blob: GP header (little-endian, no envelope) + WKB Point."""
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, x, y)


def gp_line(coords):
    """GP header with an xy envelope + WKB LineString."""
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    env = struct.pack("<dddd", min(xs), max(xs), min(ys), max(ys))
    wkb = struct.pack("<BII", 1, 2, len(coords)) + b"".join(struct.pack("<dd", *c) for c in coords)
    return b"GP\x00\x03" + struct.pack("<i", 4326) + env + wkb


def gp_polygon(ring):
    xs, ys = [c[0] for c in ring], [c[1] for c in ring]
    env = struct.pack("<dddd", min(xs), max(xs), min(ys), max(ys))
    wkb = struct.pack("<BIII", 1, 3, 1, len(ring)) + b"".join(struct.pack("<dd", *c) for c in ring)
    return b"GP\x00\x03" + struct.pack("<i", 4326) + env + wkb


def tiny_gpkg(path):
    """A GeoPackage with one school, one road and one district (small pages)."""
    import sqlite3

    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA page_size = 512;
        PRAGMA application_id = 1196444487;
        PRAGMA user_version = 10300;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'undefined', NULL);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT, last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);
        CREATE TABLE schools (fid INTEGER PRIMARY KEY, geom POINT, id TEXT, name TEXT, level TEXT, students INTEGER);
        CREATE TABLE roads (fid INTEGER PRIMARY KEY, geom LINESTRING, class TEXT, oneway BOOLEAN, maxspeed INTEGER);
        CREATE TABLE districts (fid INTEGER PRIMARY KEY, geom POLYGON, code TEXT, name TEXT);
        """
    )
    for table, kind in [("schools", "POINT"), ("roads", "LINESTRING"), ("districts", "POLYGON")]:
        db.execute("INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', '1970-01-01T00:00:00.000Z', NULL, NULL, NULL, NULL, 4326)", (table, table))
        db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)", (table, kind))
    db.execute("INSERT INTO schools VALUES (1, ?, 'S1', 'school', 'primary', 120)", (gp_point(100.01, 15.0005),))
    db.execute("INSERT INTO roads VALUES (1, ?, 'primary', 0, 60)", (gp_line([(100.0, 15.0), (100.02, 15.001)]),))
    ring = [(99.99, 14.99), (100.03, 14.99), (100.03, 15.01), (99.99, 15.01), (99.99, 14.99)]
    db.execute("INSERT INTO districts VALUES (1, ?, 'D1', 'district')", (gp_polygon(ring),))
    db.commit()
    db.execute("VACUUM")
    db.close()


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
    for name, data in bad_pbfs().items():
        with open(os.path.join(bad, name), "wb") as f:
            f.write(data)
    gpkg = os.path.join(FIX, "fuzz", "gpkg_layers")
    os.makedirs(gpkg, exist_ok=True)
    tiny_gpkg(os.path.join(gpkg, "tiny.gpkg"))
    for target in ["shapefile_layers", "whole_run"]:
        os.makedirs(os.path.join(FIX, "fuzz", target), exist_ok=True)


if __name__ == "__main__":
    main()
