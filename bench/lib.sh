# shellcheck shell=bash
#
# Helpers shared by the benchmark scripts (sourced after scripts/lib/common.sh).

# Poll URL until it answers 2xx (10 s at most).
wait_for_url() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$1 did not answer"
}

# wrk's latency ("850.00us", "1.20ms", "2.00s") in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else print v }'
}
