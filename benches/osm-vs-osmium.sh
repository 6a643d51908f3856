#!/usr/bin/env bash
# hubsel's national OpenStreetMap run against decoding the same file with
# osmium, in ONE run of this script (so both see the same machine load):
#
#   benches/osm-vs-osmium.sh [DIR]     (DIR: where the extract is, or is
#                                       generated; default out/osm-vs-osmium)
#
# 1. generates DIR/th-osm/thailand-osm.osm.pbf (`hubsel synth --preset
#    thailand-osm --seed 1`, 180 MB) when absent;
# 2. times `osmium fileinfo -e` on it (the whole file inflated and decoded
#    once), then `hubsel run --pbf` on it, both under /usr/bin/time -v;
# 3. prints the load, both wall times, their ratio (target: ≤ 2), hubsel's
#    peak memory (target: ≤ 2 GB) and hubsel's stage table.
#
# HUBSEL=/path/to/hubsel times that binary instead of building this tree's;
# BASELINE=/path/to/an/older/hubsel also times that binary on the same file
# in the same run (after the others), to compare two builds under one load.
# ROUNDS=N repeats the whole set N times in turn and adds a table of the
# rounds and the median ratio.
#
# Needs osmium-tool, about 4 GB of memory (one process at a time) and 1 GB
# of disk; a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/osm-vs-osmium}
command -v osmium >/dev/null || {
    echo "needs osmium (osmium-tool)" >&2
    exit 2
}
if [ -n "${HUBSEL:-}" ]; then
    bin=$HUBSEL # a hubsel already built
else
    cargo build --release --quiet -p hubsel-cli
    bin=${CARGO_TARGET_DIR:-$PWD/target}/release/hubsel
fi
mkdir -p "$work"
pbf=$work/th-osm/thailand-osm.osm.pbf
[ -f "$pbf" ] || "$bin" synth --preset thailand-osm --seed 1 --out "$work/th-osm" --force >"$work/synth.log"

# seconds of wall time, and peak kB, from a /usr/bin/time -v log
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
peak() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
# seconds of CPU (user + system): on a machine other work keeps busy, a
# fairer yardstick than wall time
cpu() { awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$1"; }

rounds=${ROUNDS:-1}
echo "load before: $(uptime | sed 's/.*load average/load average/')"
# The file once through the page cache, so neither program pays the disk.
cat "$pbf" >/dev/null
# ROUNDS=N times the pair N times in turn (the host's speed drifts: the
# ratio of one pair moved from 1.7 to 2.5 within minutes); the details
# below are the first round's, the median ratio is printed at the end.
for r in $(seq 1 "$rounds"); do
    /usr/bin/time -v osmium fileinfo -e "$pbf" >"$work/osmium-$r.log" 2>&1
    # Each run into an empty place (the last run's 590 MB removed untimed):
    # with --force a run removes what it replaces once its own output is
    # complete, work osmium is not asked to do.
    rm -rf "$work/run" "$work/run-baseline"
    /usr/bin/time -v "$bin" run --pbf "$pbf" --out "$work/run" --force >"$work/hubsel-$r.log" 2>&1
    if [ -n "${BASELINE:-}" ]; then
        /usr/bin/time -v "$BASELINE" run --pbf "$pbf" --out "$work/run-baseline" --force >"$work/baseline-$r.log" 2>&1
    fi
done
for log in osmium hubsel baseline; do
    [ -f "$work/$log-1.log" ] && cp "$work/$log-1.log" "$work/$log.log"
done
echo "load after:  $(uptime | sed 's/.*load average/load average/')"

o=$(wall "$work/osmium.log")
h=$(wall "$work/hubsel.log")
printf 'osmium fileinfo -e: %6.2f s wall, peak %s kB\n' "$o" "$(peak "$work/osmium.log")"
printf 'hubsel run --pbf:   %6.2f s wall, peak %s kB (%.2f GB)\n' "$h" \
    "$(peak "$work/hubsel.log")" "$(peak "$work/hubsel.log" | awk '{ print $1 / 1e6 }')"
awk -v h="$h" -v o="$o" 'BEGIN { printf "ratio hubsel / osmium: %.2f (target <= 2)\n", h / o }'
awk -v h="$(cpu "$work/hubsel.log")" -v o="$(cpu "$work/osmium.log")" \
    'BEGIN { printf "CPU seconds: hubsel %.1f, osmium %.1f, ratio %.2f\n", h, o, h / o }'
grep -E 'User time|System time' "$work/hubsel.log" | sed 's/^\s*/hubsel /'
if [ -n "${BASELINE:-}" ]; then
    b=$(wall "$work/baseline.log")
    printf 'baseline %s: %6.2f s wall, peak %s kB\n' "$BASELINE" "$b" "$(peak "$work/baseline.log")"
    awk -v b="$b" -v o="$o" 'BEGIN { printf "ratio baseline / osmium: %.2f\n", b / o }'
    awk -v b="$(cpu "$work/baseline.log")" -v o="$(cpu "$work/osmium.log")" \
        'BEGIN { printf "CPU seconds: baseline %.1f, ratio to osmium %.2f\n", b, b / o }'
    grep -E '^stages:' "$work/baseline.log" | sed 's/^/baseline /'
    for f in hubs.geojson schools.geojson routes.geojson summary.csv rejects.csv; do
        if cmp -s "$work/run/$f" "$work/run-baseline/$f"; then
            echo "same $f as the baseline"
        else
            echo "DIFFERENT $f from the baseline"
        fi
    done
fi
echo
# The stage table from hubsel's "stages:" line.
line=$(grep -E '^stages:' "$work/hubsel.log" || true)
if [ -z "$line" ]; then
    echo "hubsel printed no stage line; its log:" >&2
    cat "$work/hubsel.log" >&2
    exit 1
fi
echo "$line" | sed -e 's/^stages: //' -e 's/; total.*//' | tr ',' '\n' |
    sed -E 's/^ *(.*) ([0-9]+) ms$/\1\t\2/' |
    awk -F'\t' 'BEGIN { print "| stage | ms |"; print "|---|---:|" } { print "| " $1 " | " $2 " |" }'
echo "$line" | sed -E 's/.*; total (.*)/total (as hubsel times it): \1/'
if [ "$rounds" -gt 1 ]; then
    echo
    echo "| round | osmium s | hubsel s | ratio |$([ -n "${BASELINE:-}" ] && echo ' baseline s | its ratio |')"
    echo "|---:|---:|---:|---:|$([ -n "${BASELINE:-}" ] && echo '---:|---:|')"
    for r in $(seq 1 "$rounds"); do
        o=$(wall "$work/osmium-$r.log")
        h=$(wall "$work/hubsel-$r.log")
        b=
        [ -n "${BASELINE:-}" ] && b=$(wall "$work/baseline-$r.log")
        awk -v r="$r" -v o="$o" -v h="$h" -v b="$b" 'BEGIN {
            printf "| %d | %.2f | %.2f | %.2f |", r, o, h, h / o
            if (b != "") printf " %.2f | %.2f |", b, b / o
            printf "\n" }'
    done
    for r in $(seq 1 "$rounds"); do
        awk -v o="$(wall "$work/osmium-$r.log")" -v h="$(wall "$work/hubsel-$r.log")" 'BEGIN { print h / o }'
    done | sort -g | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "median ratio hubsel / osmium over %d rounds: %.2f (target <= 2)\n", NR, m }'
fi
