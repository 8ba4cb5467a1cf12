#!/usr/bin/env bash
#
# The banner through deploy/nginx/pledged.conf (nginx's proxy cache in front of
# two pledged instances) against the same nginx serving the same JSON bytes as a
# static file, measured with wrk in the same run on the same machine.
#
# Usage: bench/nginx_cache_vs_static.sh [DURATION_SECONDS]     (default 10)
#
# Plain HTTP on loopback for both (TLS would cost both the same); the cached
# route is served by the configuration's own server block on an extra port.
# wrk: 32 connections on 2 threads, no Connection header. Prints req/s and p99
# of both and the ratio cached / static. Uses the private cluster (scripts/pg)
# and the benchmarks' Release build; every request goes to 127.0.0.1 only.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/tests/deploy/nginx_test_prefix.sh"

DURATION=${1:-10}
CONNECTIONS=32
THREADS=2
WORK=$(mktemp -d /tmp/pledged-nginx-bench.XXXXXX)
BINARY=${BENCH_BINARY:-$BENCH_BUILD/pledged}
PIDS=()

cleanup() {
    [[ -f $WORK/nginx.pid ]] && nginx_prefix_run "$WORK" -s stop 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# start_instance NAME: pledged serve on a free port; sets PORT_<NAME>. Not in a
# command substitution: the instance would hold its pipe open.
start_instance() {
    local log="$WORK/pledged-$1.log" port=""
    PLEDGED_LISTEN=127.0.0.1:0 PLEDGED_METRICS_LISTEN=127.0.0.1:0 PLEDGED_ACCESS_LOG=off "$BINARY" serve </dev/null >/dev/null 2>"$log" &
    PIDS+=($!)
    for _ in $(seq 1 200); do
        port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log")
        [[ -n $port ]] && { printf -v "PORT_$1" '%s' "$port"; return 0; }
        sleep 0.05
    done
    die "instance $1 did not start"
}

# "req/s p50_ms p99_ms" from one wrk run.
run_wrk() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")
    printf '%s\n' "$out" >>"$WORK/wrk.txt"
    if grep -q 'Non-2xx' <<<"$out"; then die "non-2xx responses from $1"; fi
    wrk_figures "$out"
}

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}" wrk
    [[ -n ${BENCH_BINARY:-} ]] || bench_build pledged
    bench_database pledged_nginx_bench

    local plain static
    start_instance A
    start_instance B
    local port_a=$PORT_A port_b=$PORT_B
    plain=$(free_port)
    static=$(free_port)
    nginx_prefix_render "$ROOT" "$WORK" "127.0.0.1:$port_a" "127.0.0.1:$port_b" "$(free_port)" "$(free_port)"
    # The configuration's TLS server also listens in clear on $plain, for the bench only.
    sed -i "0,/listen 127.0.0.1:[0-9]* ssl http2;/s//&\n    listen 127.0.0.1:$plain;/" "$WORK/etc/pledged.conf"
    local progress="/v1/campaigns/eoy-2026/progress"
    mkdir -p "$WORK/www/v1/campaigns/eoy-2026"
    curl -fsS "http://127.0.0.1:$port_a$progress" >"$WORK/www$progress"
    chmod -R a+rX "$WORK/www"
    # The reference: the same bytes as a file, with an access log as the cached route has.
    cat >>"$WORK/etc/pledged.conf" <<NGINX
server {
    listen 127.0.0.1:$static;
    access_log $WORK/log/static.access.log pledged_proxy;
    root $WORK/www;
    location / { default_type application/json; add_header Cache-Control "public, max-age=5"; }
}
NGINX
    nginx_prefix_run "$WORK" -t -q
    nginx_prefix_run "$WORK"
    local cached_url="http://127.0.0.1:$plain$progress" static_url="http://127.0.0.1:$static$progress"
    for _ in $(seq 1 50); do curl -fsS -o /dev/null "$cached_url" 2>/dev/null && break; sleep 0.1; done

    wrk -t1 -c4 -d1s "$static_url" >/dev/null
    wrk -t1 -c4 -d1s "$cached_url" >/dev/null
    local static_result cached_result
    static_result=$(run_wrk "$static_url")
    cached_result=$(run_wrk "$cached_url")
    local static_rps static_p50 static_p99 cached_rps cached_p50 cached_p99 nginx_rss ratio
    read -r static_rps static_p50 static_p99 <<<"$static_result"
    read -r cached_rps cached_p50 cached_p99 <<<"$cached_result"
    # shellcheck disable=SC2046
    nginx_rss=$(peak_rss_mb $(nginx_pids "$WORK/nginx.pid"))
    ratio=$(awk -v a="$cached_rps" -v b="$static_rps" 'BEGIN { printf "%.2f", a / b }')
    local hits upstream
    hits=$(grep -c 'cache=HIT' "$WORK/log/pledged.access.log" || true)
    upstream=$(grep -vc 'cache=HIT' "$WORK/log/pledged.access.log" || true)

    printf '\nbanner through nginx cache (deploy/nginx/pledged.conf) vs nginx static file\n'
    printf '  wrk -t%s -c%s -d%ss, plain HTTP on loopback, no Connection header\n' "$THREADS" "$CONNECTIONS" "$DURATION"
    printf '  machine: %s\n' "$(machine_line)"
    printf '  %-14s %12s req/s   p50 %8s ms   p99 %8s ms\n' "nginx static" "$static_rps" "$static_p50" "$static_p99"
    printf '  %-14s %12s req/s   p50 %8s ms   p99 %8s ms   (nginx peak RSS %s MiB)\n' "nginx cache" "$cached_rps" \
        "$cached_p50" "$cached_p99" "$nginx_rss"
    printf '  ratio cache/static: %s\n' "$ratio"
    printf '  cached-route requests: %s cache hits, %s other (MISS/STALE/REVALIDATED/UPDATING)\n' "$hits" "$upstream"
    printf '  raw wrk output: %s\n' "$WORK/wrk.txt"
    bench_record nginx_cache.pledged "$cached_rps $cached_p50 $cached_p99 $nginx_rss"
    bench_record nginx_cache.static "$static_rps $static_p50 $static_p99"
    bench_record nginx_cache.ratio "$ratio"
}

main "$@"
