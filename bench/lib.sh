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

# wrk's "Requests/sec", 50% and 99% latency (in ms) from its --latency output.
wrk_figures() {
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$1")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$1")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$1")
    printf '%s %s %s\n' "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")"
}

# merge_slices < lines "RATE P50 P99 [COUNT]" of turns measured one after another:
# "RATE P50 P99 COUNT", the turns' mean rate, the median turn's p50, the worst turn's p99
# and the counts added up.
merge_slices() {
    awk '{ n++; rate += $1; p50[n] = $2 + 0; if ($3 + 0 > p99 + 0) p99 = $3; count += $4 }
        END { for (a = 2; a <= n; a++) for (b = a; b > 1 && p50[b - 1] > p50[b]; b--) {
                  t = p50[b]; p50[b] = p50[b - 1]; p50[b - 1] = t }
              printf "%.1f %.3f %.3f %d\n", rate / n, p50[int((n + 1) / 2)], p99, count }'
}

# The benchmarks' own Release build (no tests), so no script measures a debug,
# warnings-as-errors or sanitizer build by accident. BENCH_PREBUILT=DIR uses the
# binaries already built in DIR instead (a dev build, when a Release build would
# take too long on a busy machine; say so next to the figures).
BENCH_BUILD="${BENCH_PREBUILT:-$ROOT/build-bench}"
bench_build() {
    [[ -z ${BENCH_PREBUILT:-} ]] || return 0
    cmake -S "$ROOT" -B "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release -DPLEDGED_BUILD_TESTS=OFF >/dev/null
    cmake --build "$BENCH_BUILD" -j"$(nproc)" --target "$@" >/dev/null
}

# bench_database NAME: a fresh database NAME on the private cluster (scripts/pg),
# migrated, with the demo campaign; exports PLEDGED_DATABASE_URL.
bench_database() {
    local pg="$ROOT/scripts/pg" admin
    "$pg" start >/dev/null
    admin=$("$pg" admin-url)
    "$pg" psql -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    export PLEDGED_DATABASE_URL=${admin%/*}/$1
    "$BENCH_BUILD/pledged" migrate >/dev/null
    "$BENCH_BUILD/pledged" campaign create --slug eoy-2026 --title "Urgent End Of Year Fundraising Campaign" \
        --goal 50000.00 --currency usd --starts 2026-11-15 --ends 2026-12-31 >/dev/null
}

# peak_rss_mb PID...: the processes' peak resident set (VmHWM) added up, in MiB.
# Read before the processes are stopped.
peak_rss_mb() {
    local kb=0 pid value
    for pid in "$@"; do
        value=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        kb=$((kb + ${value:-0}))
    done
    awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# nginx's master and its workers, from the pid file.
nginx_pids() {
    local master
    master=$(cat "$1")
    echo "$master" $(pgrep -P "$master" || true)
}

# bench_record KEY VALUE: one figure for bench/load_report.sh, when it runs the script.
bench_record() {
    if [[ -n ${BENCH_RESULTS:-} ]]; then printf '%s=%s\n' "$1" "$2" >>"$BENCH_RESULTS"; fi
}

# The machine, for the reports.
machine_line() {
    printf '%s cores, %s' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
}
