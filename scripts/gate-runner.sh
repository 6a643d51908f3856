# The runner of the test gate (sourced by scripts/test-all.sh, and by
# scripts/check-runner.sh, its self-test). Every step and check:
#   - prints a line when it starts, one every minute while it runs
#     (GATE_HEARTBEAT seconds) and one with its time when it ends, so no
#     long stretch is silent;
#   - runs whatever the ones before it did (a failure is counted, not fatal);
# lanes run lists of checks side by side (one lane per core), each line of a
# lane's checks prefixed with the check's short name; gate_table prints the
# time of each, the count of passed and failed, names the failures, and
# returns non-zero when any failed.
#
#   gate_init                        once, before anything else
#   gate_step NAME TITLE CMD...      a step in the foreground
#   gate_lane CHECK...               a lane, in the background, with
#                                    CHECK = "NAME|TITLE|CMD ARGS..." (CMD
#                                    ARGS split on spaces, so no space in
#                                    an argument); then
#   gate_wait                        waits for the lanes
#   gate_failed                      true when something failed so far
#   gate_table                       the table; its status is the gate's

gate_init() {
    GATE_RESULTS=$(mktemp -d)
    GATE_SEQ=0
    GATE_START=$SECONDS
}

# NAME TITLE CMD...: runs CMD, records NAME's status and time.
gate_step() {
    local name=$1 title=$2
    shift 2
    GATE_SEQ=$((GATE_SEQ + 1))
    _gate_run "$(printf '%03d' "$GATE_SEQ")" "$name" "$title" "$@"
}

_gate_run() { # seq name title cmd...
    local seq=$1 name=$2 title=$3
    shift 3
    local start=$SECONDS status=passed
    echo "== $name: $title (started $(date -u +%H:%M:%S))"
    # No silent stretch: a line every GATE_HEARTBEAT seconds while it runs.
    # (The sleep in the background and `wait`: a TERM then ends the loop at
    # once, not after the sleep.)
    (
        nap=
        trap 'kill $nap 2>/dev/null; exit 0' TERM
        while :; do
            sleep "${GATE_HEARTBEAT:-60}" &
            nap=$!
            wait "$nap"
            echo "   … $name still running ($(_gate_time $((SECONDS - start))))"
        done
    ) &
    local beat=$!
    if ! "$@"; then
        status=FAILED
    fi
    kill "$beat" 2>/dev/null || true
    wait "$beat" 2>/dev/null || true
    local took=$((SECONDS - start))
    printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$took" "$title" >"$GATE_RESULTS/$seq"
    if [ "$status" = passed ]; then
        echo "-- $name passed in $(_gate_time "$took")"
    else
        echo "-- $name FAILED after $(_gate_time "$took")" >&2
    fi
    return 0
}

# CHECK...: starts a lane in the background: the checks one after the
# other, each line of their output prefixed with "[name] ".
gate_lane() {
    GATE_SEQ=$((GATE_SEQ + 1))
    local base=$GATE_SEQ
    (
        local i=0 spec name title
        local -a cmd
        for spec in "$@"; do
            i=$((i + 1))
            name=${spec%%|*}
            title=${spec#*|}
            title=${title%%|*}
            read -r -a cmd <<<"${spec#*|*|}"
            _gate_run "$(printf '%03d-%02d' "$base" "$i")" "$name" "$title" "${cmd[@]}" 2>&1 |
                sed -u "s/^/[$name] /"
        done
    ) &
}

# Waits for every lane started so far.
gate_wait() {
    wait
}

# True when a step or check has failed so far.
gate_failed() {
    grep -qs "$(printf '\tFAILED\t')" "$GATE_RESULTS"/*
}

_gate_time() { # seconds -> "N s" or "M min S s"
    if [ "$1" -ge 60 ]; then echo "$(($1 / 60)) min $(($1 % 60)) s"; else echo "$1 s"; fi
}

# The table of every step and check, then the count; status 1 when any
# failed.
gate_table() {
    local passed=0 failed=() name status took title f
    echo
    echo "== the gate, check by check (wall time; checks in lanes ran side by side)"
    printf '%-16s %-7s %9s  %s\n' check result time what
    for f in "$GATE_RESULTS"/*; do
        [ -f "$f" ] || continue
        IFS=$'\t' read -r name status took title <"$f"
        printf '%-16s %-7s %9s  %s\n' "$name" "$status" "$(_gate_time "$took")" "$title"
        if [ "$status" = passed ]; then
            passed=$((passed + 1))
        else
            failed+=("$name")
        fi
    done
    local total=$((SECONDS - GATE_START))
    echo "gate: $passed passed, ${#failed[@]} failed, in $(_gate_time "$total") wall"
    rm -rf "$GATE_RESULTS"
    if [ ${#failed[@]} -gt 0 ]; then
        echo "  failed: ${failed[*]}" >&2
        return 1
    fi
}
