#!/usr/bin/env bash
# The figures of docs/scale.md (scale and benchmarks) for the OpenStreetMap-sized
# extract and the ten-country preset: generates each data set under
# out/national-scale (git-ignored, never committed), runs hubsel on it
# under /usr/bin/time -v and records, per run, the stage line, the hubs
# line, CPU and wall time and peak memory in out/national-scale/figures.txt.
#
#   benches/national-scale.sh            thailand-osm (PBF and its GeoJSON
#                                        twin, hubs compared), thailand and
#                                        thailand-x10
#   benches/national-scale.sh osm        only the extract
#   benches/national-scale.sh region     only the region-wide p-median over
#                                        the whole national preset
#                                        (fixtures/scenario-national-region.toml)
#                                        through hubsel bench: stages, peak
#                                        memory and the certified gap
#   benches/national-scale.sh growth     only the per-district runs on
#                                        thailand and thailand-x10 (how
#                                        each stage grows for 10x the
#                                        schools)
#
# Needs about 8 GB of memory and 3 GB of disk; 10–20 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
cargo build --release --quiet -p hubsel-cli
bin=$PWD/target/release/hubsel
work=out/national-scale
mkdir -p "$work"
figures=$work/figures.txt
: >"$figures"
timed() { # name command...
    local name=$1
    shift
    /usr/bin/time -v "$@" >"$work/$name.log" 2>&1
    {
        echo "== $name: $*"
        grep -E '^(hubs|stages|wrote|nodes|road |ways|relations|non-road|schools|built)' "$work/$name.log" || true
        grep -E 'User time|System time|Elapsed|Maximum resident' "$work/$name.log"
    } >>"$figures"
}
region() {
    [ -f "$work/thailand/schools.csv" ] ||
        timed synth-thailand "$bin" synth --preset thailand --seed 1 --out "$work/thailand" --force
    timed bench-region "$bin" bench --schools "$work/thailand/schools.csv" \
        --roads "$work/thailand/roads.geojson" --districts "$work/thailand/districts.geojson" \
        --scenario fixtures/scenario-national-region.toml --strategies p-median \
        --out "$work/bench-region" --quiet
    sed -n '/^input:/,/^wrote/p' "$work/bench-region.log" >>"$figures"
}
presets() {
    for preset in thailand thailand-x10; do
        [ -f "$work/$preset/schools.csv" ] ||
            timed "synth-$preset" "$bin" synth --preset "$preset" --seed 1 --out "$work/$preset" --force
        timed "run-$preset" "$bin" run --schools "$work/$preset/schools.csv" \
            --roads "$work/$preset/roads.geojson" --districts "$work/$preset/districts.geojson" \
            --out "$work/run-$preset" --force
    done
}
if [ "$what" = region ]; then
    region
    cat "$figures"
    exit 0
fi
if [ "$what" = growth ]; then
    presets
    cat "$figures"
    exit 0
fi
timed synth-osm "$bin" synth --preset thailand-osm --seed 1 --geojson --out "$work/th-osm" --force
timed run-osm-pbf "$bin" run --pbf "$work/th-osm/thailand-osm.osm.pbf" --out "$work/run-osm-pbf" --force
if [ "$what" = all ]; then
    timed run-osm-geojson "$bin" run --schools "$work/th-osm/schools.geojson" \
        --roads "$work/th-osm/roads.geojson" --districts "$work/th-osm/districts.geojson" \
        --out "$work/run-osm-geojson" --force
    for f in hubs.geojson schools.geojson routes.geojson summary.csv; do
        if cmp -s "$work/run-osm-pbf/$f" "$work/run-osm-geojson/$f"; then
            echo "same $f through both readers" >>"$figures"
        else
            echo "DIFFERENT $f through the two readers" >>"$figures"
        fi
    done
    for preset in thailand thailand-x10; do
        timed "synth-$preset" "$bin" synth --preset "$preset" --seed 1 --out "$work/$preset" --force
    done
    presets
    region
fi
cat "$figures"
