#!/usr/bin/env bash
# Outputs stay byte-identical through refactoring: every strategy, in every
# format, on the province fixture, the national preset (synth thailand,
# seed 1) and the real Liechtenstein extract (fixtures/real, ODbL), hashed
# file by file and compared with fixtures/goldens.sha256; and cross-district
# allocation, with and without capacities, on each.
#
#   scripts/check-goldens.sh            compare (exit 1 on any difference)
#   scripts/check-goldens.sh --update   rewrite the goldens (after a change
#                                       that is meant to change the outputs;
#                                       say so in the commit)
#
# A run that stops (largest without student counts) is recorded by its exit
# status and message. Needs sha256sum; about two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# report.html follows the system locale (`--lang` absent): the goldens are
# the English report, whatever the machine's locale.
export LC_ALL=C
update=false
[ "${1:-}" = "--update" ] && update=true
pbf=fixtures/real/liechtenstein-2015.osm.pbf
# HUBSEL_BIN: the binary to check (default: this checkout's, built here);
# goldens for new runs are made with a build from before the change.
if [ -n "${HUBSEL_BIN:-}" ]; then
    bin=$HUBSEL_BIN
else
    # (scripts/test-all.sh has built it: HUBSEL_PREBUILT=1)
    [ -n "${HUBSEL_PREBUILT:-}" ] || cargo build --release --quiet -p hubsel-cli
    bin=$PWD/target/release/hubsel
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --preset thailand --seed 1 --out "$work/th" >/dev/null
strategies="score p-median p-center max-cover largest central random"
hashes=$work/hashes
: >"$hashes"
run() { # dataset folder strategy args...
    local name=$1 dir=$2 strategy=$3
    shift 3
    local out=$work/$name-$strategy
    # Input paths appear in rejects.csv and the report: the national files
    # are named relative to the scratch folder, so they read the same each time.
    if (cd "$dir" && "$bin" run --quiet --format geojson,shp,fgb --strategy "$strategy" --out "$out" "$@") \
        >"$work/stdout" 2>"$work/stderr"; then
        (cd "$out" && find . -type f ! -name .hubsel | LC_ALL=C sort | xargs sha256sum) \
            | sed "s|  \./|  $name/$strategy/|" >>"$hashes"
        rm -rf "$out"
    else
        echo "exit $?: $(head -c 300 "$work/stderr" | tr '\n' ' ' | sha256sum | cut -c1-64)  $name/$strategy/(stopped)" >>"$hashes"
    fi
}
# Cross-district allocation (with capacities on the province, which has
# classroom counts) takes its own path through routing and allocation.
# The scenarios and the extract are named relative to the scratch folder,
# so that their paths read the same in every clone.
printf 'strategy = "p-median"\nmax_travel_minutes = 30\n\n[allocation]\ncross_district = true\n' >"$work/cross.toml"
printf 'strategy = "p-median"\nmax_travel_minutes = 30\n\n[allocation]\ncross_district = true\nclass_size = 40\n' >"$work/cross-capacity.toml"
ln -s "$(cd "$(dirname "$pbf")" && pwd)" "$work/real"
run province-cross "$work" p-median --scenario cross.toml
run province-cross-capacity "$work" p-median --scenario cross-capacity.toml
run liechtenstein-cross "$work" p-median --scenario cross.toml --pbf real/liechtenstein-2015.osm.pbf --admin-level 8
run thailand-cross "$work" p-median --scenario cross.toml --schools th/schools.csv \
    --roads th/roads.geojson --districts th/districts.geojson
# The extract's path appears in the outputs: the goldens name it as it was
# before the repository carried it (../shared/data/real/), so it is read
# from a scratch folder where that path leads to fixtures/real/.
mkdir -p "$work/li/here" "$work/li/shared/data"
ln -s "$(cd "$(dirname "$pbf")" && pwd)" "$work/li/shared/data/real"
for s in $strategies; do
    run province . "$s"
    run liechtenstein "$work/li/here" "$s" --pbf ../shared/data/real/liechtenstein-2015.osm.pbf --admin-level 8
    run thailand "$work" "$s" --schools th/schools.csv --roads th/roads.geojson \
        --districts th/districts.geojson
done
if $update; then
    cp "$hashes" fixtures/goldens.sha256
    echo "check-goldens: wrote fixtures/goldens.sha256 ($(wc -l <"$hashes") files)"
    exit 0
fi
if diff -u fixtures/goldens.sha256 "$hashes" >"$work/diff"; then
    echo "check-goldens: $(wc -l <"$hashes") output files of 25 runs byte-identical to the goldens"
else
    echo "check-goldens: outputs differ from fixtures/goldens.sha256:" >&2
    grep '^[-+][^-+]' "$work/diff" | head -40 >&2
    exit 1
fi
