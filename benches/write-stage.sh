#!/usr/bin/env bash
# The "write outputs" stage of two hubsel builds on the same data sets, in
# ONE run of this script (so both see the same machine load): the national
# OpenStreetMap-sized extract and the per-district national preset, each
# run ROUNDS times, the two builds taking turns.
#
#   BASELINE=/path/to/old/hubsel benches/write-stage.sh [DIR] [ROUNDS]
#
# DIR (default out/write-stage) holds the data sets, generated when absent
# (`hubsel synth --preset thailand-osm --seed 1`, 180 MB, and `--preset
# thailand --seed 1`, 85 MB). HUBSEL=path times an already built binary
# instead of this tree's. Prints, per run, the load average, the write
# stage, the whole run's wall and CPU (user + system) seconds, then the
# median write stage of each build, and whether the two builds' folders
# are byte-identical file by file. RAYON_NUM_THREADS=1 runs of the new
# build are compared with its default runs too (the outputs must not
# depend on the thread count).
#
# Needs about 4 GB of memory (one run at a time) and 2 GB of disk; some
# ten minutes on two cores with the default 3 rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/write-stage}
rounds=${2:-3}
[ -n "${BASELINE:-}" ] || {
    echo "BASELINE=/path/to/an/older/hubsel is needed" >&2
    exit 2
}
if [ -n "${HUBSEL:-}" ]; then
    bin=$HUBSEL
else
    cargo build --release --quiet -p hubsel-cli
    bin=${CARGO_TARGET_DIR:-$PWD/target}/release/hubsel
fi
mkdir -p "$work"
pbf=$work/th-osm/thailand-osm.osm.pbf
[ -f "$pbf" ] || "$bin" synth --preset thailand-osm --seed 1 --out "$work/th-osm" --force >/dev/null
[ -f "$work/th/schools.csv" ] || "$bin" synth --preset thailand --seed 1 --out "$work/th" --force >/dev/null

# One run under /usr/bin/time -v: data set, build label, binary, output folder.
run() {
    local data=$1 label=$2 exe=$3 out=$4 log=$work/$1-$2.log
    local load
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    case $data in
    osm) /usr/bin/time -v "$exe" run --pbf "$pbf" --out "$out" --force >"$log" 2>&1 ;;
    national) /usr/bin/time -v "$exe" run --schools "$work/th/schools.csv" \
        --roads "$work/th/roads.geojson" --districts "$work/th/districts.geojson" \
        --out "$out" --force >"$log" 2>&1 ;;
    esac
    awk -v data="$data" -v label="$label" -v load="$load" -F': ' '
        /^stages:/ { n = split($0, p, " "); write = p[n - 4] } # "... write outputs (geojson) 1426 ms; total 22.05 s"
        /User time|System time/ { cpu += $2 }
        /Elapsed \(wall clock\)/ { k = split($2, t, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + t[i] }
        END { printf "%-8s %-12s load %s  write %6d ms  run %6.2f s wall %6.1f s CPU\n", data, label, load, write, s, cpu }
    ' "$log" | tee -a "$work/runs.txt"
}

: >"$work/runs.txt"
for data in osm national; do
    for round in $(seq "$rounds"); do
        run "$data" baseline "$BASELINE" "$work/run-$data-baseline"
        run "$data" new "$bin" "$work/run-$data-new"
    done
    RAYON_NUM_THREADS=1 run "$data" new-1-thread "$bin" "$work/run-$data-1-thread"
done
echo
for data in osm national; do
    for label in baseline new; do
        grep -E "^$data +$label " "$work/runs.txt" | awk '{ print $8 }' | sort -n |
            awk -v data="$data" -v label="$label" '{ v[NR] = $1 }
                END { printf "%-8s %-12s median write %d ms of %d runs\n", data, label, v[int((NR + 1) / 2)], NR }'
    done
    same=yes
    for f in "$work/run-$data-baseline"/*; do
        name=$(basename "$f")
        cmp -s "$f" "$work/run-$data-new/$name" || { echo "DIFFERENT $name ($data, baseline / new)"; same=no; }
        cmp -s "$f" "$work/run-$data-1-thread/$name" || { echo "DIFFERENT $name ($data, 1 thread)"; same=no; }
    done
    echo "$data: the $(ls "$work/run-$data-new" | wc -l) files identical across builds and thread counts: $same"
done
