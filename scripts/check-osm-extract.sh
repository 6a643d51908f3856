#!/usr/bin/env bash
# The synthetic OpenStreetMap extract is a PBF file other tools read as
# hubsel-synth says it wrote it:
#  1. `hubsel synth --preset province-osm` writes province-osm.osm.pbf;
#     osmium (Debian's osmium-tool, installed with apt-get when missing)
#     reads it, `osmium fileinfo -e` counts as many nodes, ways and
#     relations as synth reported, objects sorted by type then id, ids
#     1..n; `osmium check-refs` finds every way's nodes and every
#     relation's ways in the file;
#  2. the osmpbf crate reads it back tag by tag (road nodes, drivable ways,
#     schools, isced:level, admin_level=6 relations, shared border ways),
#     and the same seed writes the same bytes whatever the thread count
#     (hubsel-synth's osm_tests).
# About a minute on two cores, most of it building.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v osmium >/dev/null; then
    echo "check-osm-extract: installing osmium-tool" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq osmium-tool >/dev/null
fi
# (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
[ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
bin=$PWD/target/release/hubsel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --preset province-osm --seed 3 --out "$work/d" >"$work/report"
pbf=$work/d/province-osm.osm.pbf
said() { sed -n "s/^$1: //p" "$work/report"; }
osmium fileinfo -e "$pbf" >"$work/info"
seen() { sed -n "s/^ *$1: //p" "$work/info"; }
fail=0
check() { # what expected got
    if [ "$2" = "$3" ]; then echo "  $1: $3"; else echo "check-osm-extract: $1: synth said $2, osmium read $3" >&2; fail=1; fi
}
echo "province-osm.osm.pbf ($(wc -c <"$pbf") bytes), synth and osmium fileinfo -e:"
check nodes "$(said nodes)" "$(seen 'Number of nodes')"
check ways "$(said ways)" "$(seen 'Number of ways')"
check relations "$(said relations)" "$(seen 'Number of relations')"
check "largest node id" "$(said nodes)" "$(seen 'Largest node ID')"
check "largest way id" "$(said ways)" "$(seen 'Largest way ID')"
check "sorted by type and id" yes "$(seen 'Objects ordered (by type and id)')"
check "dense nodes" true "$(sed -n 's/^ *pbf_dense_nodes=//p' "$work/info")"
if ! osmium check-refs -r "$pbf" >"$work/refs" 2>&1; then
    echo "check-osm-extract: osmium check-refs found missing references:" >&2
    cat "$work/refs" >&2
    fail=1
fi
[ "$fail" -eq 0 ] || exit 1
echo "osmium check-refs -r: every referenced node and way is in the file"
# The workspace's test build (the one cargo test --workspace made), not a
# build of hubsel-synth alone, whose features would differ.
if [ -n "${HUBSEL_PREBUILT:-}" ]; then
    # The gate's cargo-test step has run them, with every other test.
    echo "osmpbf read-back (hubsel-synth osm_tests): run by the gate's cargo test --workspace"
else
    if ! cargo test --workspace --release --quiet --lib osm_tests >"$work/test" 2>&1; then
        cat "$work/test" >&2
        exit 1
    fi
    # (the other crates' lib tests have no osm_tests: they run none)
    ran=$(grep -m1 -E 'test result: ok\. [1-9][0-9]* passed' "$work/test" || true)
    [ -n "$ran" ] || { cat "$work/test" >&2; echo "check-osm-extract: no osm_tests ran" >&2; exit 1; }
    echo "osmpbf read-back (hubsel-synth osm_tests): $ran"
fi
echo "check-osm-extract: ok"
