#!/usr/bin/env bash
# The self-test of the gate's runner (scripts/gate-runner.sh), new-user
# point 5 of issue 22: a failing check is counted and named, the checks after
# it still run (in a step and in a lane), the table lists each, and the gate's
# status is non-zero; with every check passing, it is zero. A few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
expect() { # what, then the test
    local what=$1
    shift
    if "$@"; then echo "  ok: $what"; else echo "check-runner: NOT $what" >&2; fail=1; fi
}

# A gate with a failing step, a failing check in a lane and a check after it.
cat >"$work/gate.sh" <<EOF
set -euo pipefail
source scripts/gate-runner.sh
gate_init
gate_step one "a passing step" true
gate_failed && touch "$work/failed-too-early"
gate_step two "a failing step" false
gate_failed && touch "$work/failed-seen"
gate_step three "a step after the failure" touch "$work/three-ran"
gate_lane "four|a failing check|false" "five|a check after it in its lane|touch $work/five-ran"
gate_lane "six|a check in the other lane|sleep 3"
gate_wait
gate_table
EOF
status=0
GATE_HEARTBEAT=1 bash "$work/gate.sh" >"$work/out" 2>&1 || status=$?
sed 's/^/  | /' "$work/out"
expect "the gate's status is non-zero" [ "$status" -ne 0 ]
expect "gate_failed is false before a failure" [ ! -f "$work/failed-too-early" ]
expect "gate_failed is true after one" [ -f "$work/failed-seen" ]
expect "a step after a failing one runs" [ -f "$work/three-ran" ]
expect "a check after a failing one in its lane runs" [ -f "$work/five-ran" ]
expect "it counts 4 passed and 2 failed" grep -q '^gate: 4 passed, 2 failed' "$work/out"
expect "it names the failures" grep -q '^  failed: two four$' "$work/out"
for name in one two three four five six; do
    expect "the table has a row for $name with its time" grep -Eq "^$name +(passed|FAILED) +[0-9]+ s " "$work/out"
done
expect "each check says when it starts" grep -q '^\[six\] == six: a check in the other lane (started ' "$work/out"
expect "a long check says it is still running" grep -q '^\[six\]    … six still running (' "$work/out"
expect "each check's lines carry its name" grep -q '^\[five\] -- five passed in ' "$work/out"

# All passing: status 0.
cat >"$work/ok.sh" <<'EOF'
set -euo pipefail
source scripts/gate-runner.sh
gate_init
gate_step one "a passing step" true
gate_lane "two|a passing check|true"
gate_wait
gate_table
EOF
status=0
bash "$work/ok.sh" >"$work/ok" 2>&1 || status=$?
expect "a gate where all pass exits 0" [ "$status" -eq 0 ]
expect "and says 2 passed, 0 failed" grep -q '^gate: 2 passed, 0 failed' "$work/ok"
[ "$fail" -eq 0 ] || exit 1
echo "check-runner: the runner counts failures, runs every check and exits non-zero"
