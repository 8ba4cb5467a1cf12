#!/usr/bin/env bash
#
# The banner route against nginx serving the same JSON bytes as a static file, and
# against a bare Pistache endpoint serving them with the same headers (bench/bare_pistache.cpp: the library
# pledged is built on, with nothing of pledged's), measured with wrk in the same run.
# Also pledged's idle RSS (VmRSS after start-up and one request, before any load).
#
# Usage: bench/progress_vs_nginx.sh [DURATION_SECONDS]     (default 10)
#
# wrk sends no Connection header (like browsers, CDNs and load balancers), with
# 32 connections on 2 threads. Prints req/s and p99 for both and the ratio
# pledged / nginx. Targets (issue 2): ratio >= 1.0 and pledged p99 < 2 ms.
# Every request goes to 127.0.0.1 only; each run is bounded by DURATION.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${1:-10}
SLICES=${BENCH_SLICES:-5}  # turns per server (measure_in_turns)
CONNECTIONS=32
THREADS=2
PLEDGED_PORT=${BENCH_PLEDGED_PORT:-18181}
NGINX_PORT=${BENCH_NGINX_PORT:-18182}
BARE_PORT=${BENCH_BARE_PORT:-18183}
WORK=$(mktemp -d /tmp/pledged-bench.XXXXXX)
PG="$ROOT/scripts/pg"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f $WORK/nginx.pid ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

# rps, p50 and p99 (ms) of one wrk run of SECONDS; any non-2xx answer fails the benchmark.
run_wrk() {
    local url=$1 seconds=$2 out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency "$url")
    printf '%s\n' "$out" >>"$WORK/wrk.txt"
    if grep -q 'Non-2xx' <<<"$out"; then die "non-2xx responses from $url"; fi
    wrk_figures "$out"
}

# The three servers measured in turns: DURATION split into SLICES slices each, the order
# rotating every round, so that a slow spell of the shared machine (seen: the same
# server 25 % apart from one minute to the next) falls on all of them alike rather than
# on whichever ran then. Each server's figures: the mean req/s of its slices, the median
# slice's p50 and the worst slice's p99. Prints one line per URL, in the order given.
measure_in_turns() {
    local seconds=$((DURATION / SLICES)) round i url
    ((seconds >= 1)) || seconds=1
    : >"$WORK/slices.txt"
    for ((round = 0; round < SLICES; round++)); do
        for ((i = 0; i < $#; i++)); do
            local index=$(((i + round) % $#))
            url=${*:index+1:1}
            printf '%s %s\n' "$index" "$(run_wrk "$url" "$seconds")" >>"$WORK/slices.txt"
        done
    done
    for ((i = 0; i < $#; i++)); do
        awk -v want="$i" '$1 == want { print $2, $3, $4 }' "$WORK/slices.txt" | merge_slices | cut -d' ' -f1-3
    done
}

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}" wrk nginx-light
    bench_build pledged bare_pistache
    bench_database pledged_bench

    PLEDGED_LISTEN=127.0.0.1:$PLEDGED_PORT PLEDGED_METRICS_LISTEN=127.0.0.1:0 "$BENCH_BUILD/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    local pledged_pid=$!
    local progress_url="http://127.0.0.1:$PLEDGED_PORT/v1/campaigns/eoy-2026/progress"
    wait_for_url "$progress_url"
    local idle_rss
    idle_rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pledged_pid/status")

    # nginx serves the very bytes the route returns, with its stock settings
    # (worker per core, access log on, as pledged logs every request too).
    mkdir -p "$WORK/www/v1/campaigns/eoy-2026"
    curl -fsS "$progress_url" >"$WORK/www/v1/campaigns/eoy-2026/progress"
    chmod -R a+rX "$WORK"  # nginx workers run as www-data
    cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log $WORK/nginx-access.log;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location / { default_type application/json; add_header Cache-Control "public, max-age=5"; }
    }
}
NGINX
    nginx -c "$WORK/nginx.conf" -p "$WORK"
    local nginx_url="http://127.0.0.1:$NGINX_PORT/v1/campaigns/eoy-2026/progress"
    wait_for_url "$nginx_url"
    # The bare server sends the headers pledged's answer carries beyond the ones it
    # writes itself (Content-Type, Content-Length, Connection): the same bytes.
    curl -fsS -D - -o /dev/null "$progress_url" | tr -d '\r' |
        grep -iE '^(etag|cache-control|vary|x-request-id|x-content-type-options): ' >"$WORK/pledged-headers.txt"
    "$BENCH_BUILD/bench/bare_pistache" "$BARE_PORT" "$WORK/www/v1/campaigns/eoy-2026/progress" 2 \
        "$WORK/pledged-headers.txt" &
    PIDS+=($!)
    local bare_pid=$!
    local bare_url="http://127.0.0.1:$BARE_PORT/v1/campaigns/eoy-2026/progress"
    wait_for_url "$bare_url"

    # Warm them up, then measure them in turns.
    wrk -t1 -c4 -d1s "$nginx_url" >/dev/null
    wrk -t1 -c4 -d1s "$progress_url" >/dev/null
    wrk -t1 -c4 -d1s "$bare_url" >/dev/null
    local nginx_result pledged_result bare_result
    {
        read -r nginx_result
        read -r bare_result
        read -r pledged_result
    } < <(measure_in_turns "$nginx_url" "$bare_url" "$progress_url")

    local nginx_rps nginx_p50 nginx_p99 pledged_rps pledged_p50 pledged_p99 nginx_rss pledged_rss ratio
    read -r nginx_rps nginx_p50 nginx_p99 <<<"$nginx_result"
    read -r pledged_rps pledged_p50 pledged_p99 <<<"$pledged_result"
    local bare_rps bare_p50 bare_p99 bare_rss bare_ratio
    read -r bare_rps bare_p50 bare_p99 <<<"$bare_result"
    bare_rss=$(peak_rss_mb "$bare_pid")
    bare_ratio=$(awk -v a="$pledged_rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
    # shellcheck disable=SC2046
    nginx_rss=$(peak_rss_mb $(nginx_pids "$WORK/nginx.pid"))
    pledged_rss=$(peak_rss_mb "$pledged_pid")
    ratio=$(awk -v a="$pledged_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')

    printf '\nbanner progress route vs nginx static file (wrk -t%s -c%s, %s s each in %s turns, no Connection header)\n' \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$SLICES"
    printf '  machine: %s\n' "$(machine_line)"
    printf '  %-8s %12s req/s   p50 %8s ms   p99 %8s ms   peak RSS %6s MiB\n' nginx "$nginx_rps" "$nginx_p50" \
        "$nginx_p99" "$nginx_rss"
    printf '  %-8s %12s req/s   p50 %8s ms   p99 %8s ms   peak RSS %6s MiB\n' pledged "$pledged_rps" "$pledged_p50" \
        "$pledged_p99" "$pledged_rss"
    printf '  %-8s %12s req/s   p50 %8s ms   p99 %8s ms   peak RSS %6s MiB\n' "bare" "$bare_rps" "$bare_p50" \
        "$bare_p99" "$bare_rss"
    printf '  ratio pledged/nginx: %s (target >= 1.0; p99 target < 2 ms)\n' "$ratio"
    printf '  ratio pledged/bare Pistache: %s (target >= 0.97, access log on)\n' "$bare_ratio"
    printf '  pledged idle RSS: %s MiB (target < 64)\n' "$idle_rss"
    printf '  raw wrk output: %s\n' "$WORK/wrk.txt"
    bench_record banner.pledged "$pledged_rps $pledged_p50 $pledged_p99 $pledged_rss"
    bench_record banner.nginx "$nginx_rps $nginx_p50 $nginx_p99 $nginx_rss"
    bench_record banner.ratio "$ratio"
    bench_record banner.bare "$bare_rps $bare_p50 $bare_p99 $bare_rss"
    bench_record banner.bare_ratio "$bare_ratio"
    bench_record idle_rss "$idle_rss"
}

main "$@"
