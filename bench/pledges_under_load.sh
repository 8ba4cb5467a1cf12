#!/usr/bin/env bash
#
# POST /v1/pledges with a slow Stripe while the banner route keeps answering: proof
# that waiting on Stripe never blocks Pistache's reactor threads (issue 3).
#
# Usage: bench/pledges_under_load.sh [DURATION_SECONDS]     (default 15)
#
# The local Stripe stand-in answers every API call after 300 ms. The reference,
# measured first in the same run: wrk creating Checkout Sessions on the stand-in
# directly with the same 64 connections (what Stripe's latency allows at most).
# Then wrk runs 64 connections creating pledges through pledged (each a new pledge
# and a Checkout Session) and, at the same time, one connection reading
# GET /v1/campaigns/eoy-2026/progress. Targets: pledges/s >= 0.9 x the reference,
# and progress p99 < 5 ms meanwhile. pledged runs with 96 checkout workers
# (PLEDGED_CHECKOUT_WORKERS: 64 concurrent Stripe calls need 64 threads; the default
# 16 caps pledges at 16 / 0.3 s = 53/s) and no rate limit. Everything stays on 127.0.0.1.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${1:-15}
CLIENTS=64
STRIPE_LATENCY_MS=300
PLEDGED_PORT=${BENCH_PLEDGED_PORT:-18191}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18192}
WORK=$(mktemp -d /tmp/pledged-bench.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# post_load NAME URL LUA_BODY_AND_HEADERS: wrk with CLIENTS connections posting for
# DURATION; its output goes to $WORK/NAME.txt.
post_load() {
    printf 'wrk.method = "POST"\n%s\n' "$3" >"$WORK/$1.lua"
    wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/$1.lua" "$2" >"$WORK/$1.txt"
    if grep -q 'Non-2xx' "$WORK/$1.txt"; then
        log "$1: some requests were refused: $(grep 'Non-2xx' "$WORK/$1.txt") (see $WORK)"
    fi
}

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}" wrk
    bench_build pledged stripe-standin
    local db=pledged_bench_pledges
    bench_database "$db"

    STANDIN_LISTEN=127.0.0.1:$STANDIN_PORT STANDIN_API_KEY=sk_test_bench STANDIN_LATENCY_MS=$STRIPE_LATENCY_MS \
        "$BENCH_BUILD/stripe-standin" 2>"$WORK/standin.log" &
    PIDS+=($!)
    PLEDGED_LISTEN=127.0.0.1:$PLEDGED_PORT PLEDGED_METRICS_LISTEN=127.0.0.1:0 STRIPE_SECRET_KEY=sk_test_bench \
        STRIPE_API_BASE=http://127.0.0.1:$STANDIN_PORT PLEDGED_PLEDGE_RATE=0 PLEDGED_CHECKOUT_WORKERS=96 \
        PLEDGED_ACCESS_LOG=off "$BENCH_BUILD/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    local pledged_pid=$!
    wait_for_url "http://127.0.0.1:$STANDIN_PORT/healthz"
    wait_for_url "http://127.0.0.1:$PLEDGED_PORT/v1/campaigns/eoy-2026/progress"

    # The reference: the same Checkout Session pledged asks for, straight to the stand-in.
    post_load stripe "http://127.0.0.1:$STANDIN_PORT/v1/checkout/sessions" '
wrk.headers["Authorization"] = "Bearer sk_test_bench"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "mode=payment&success_url=http%3A%2F%2F127.0.0.1%2Fthanks&cancel_url=http%3A%2F%2F127.0.0.1%2Fdonate&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=2500&line_items[0][price_data][product_data][name]=Gift"'

    post_load pledges "http://127.0.0.1:$PLEDGED_PORT/v1/pledges" '
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"campaign":"eoy-2026","amount":2500,"currency":"usd","frequency":"once","email":"bench@example.org"}]]' &
    local pledges_pid=$!
    wrk -t1 -c1 -d"${DURATION}s" --latency "http://127.0.0.1:$PLEDGED_PORT/v1/campaigns/eoy-2026/progress" \
        >"$WORK/progress.txt"
    wait "$pledges_pid"

    local stripe_rps stripe_p50 stripe_p99 pledges_rps pledges_p50 pledges_p99 progress_rps progress_p50 progress_p99
    read -r stripe_rps stripe_p50 stripe_p99 < <(wrk_figures "$(cat "$WORK/stripe.txt")")
    read -r pledges_rps pledges_p50 pledges_p99 < <(wrk_figures "$(cat "$WORK/pledges.txt")")
    read -r progress_rps progress_p50 progress_p99 < <(wrk_figures "$(cat "$WORK/progress.txt")")
    local pledged_rss stored ratio
    pledged_rss=$(peak_rss_mb "$pledged_pid")
    stored=$(psql "$PLEDGED_DATABASE_URL" -tAc "SELECT count(*) FROM pledges WHERE checkout_session_id IS NOT NULL")
    ratio=$(awk -v a="$pledges_rps" -v b="$stripe_rps" 'BEGIN { printf "%.2f", a / b }')
    cleanup
    PIDS=()

    printf '\npledges with Stripe answering after %s ms (%s connections, %s s, same run)\n' \
        "$STRIPE_LATENCY_MS" "$CLIENTS" "$DURATION"
    printf '  machine: %s\n' "$(machine_line)"
    printf '  stand-in sessions (reference): %s req/s, p50 %s ms, p99 %s ms\n' "$stripe_rps" "$stripe_p50" "$stripe_p99"
    printf '  pledges through pledged:       %s req/s, p50 %s ms, p99 %s ms, peak RSS %s MiB; %s stored with a session\n' \
        "$pledges_rps" "$pledges_p50" "$pledges_p99" "$pledged_rss" "$stored"
    printf '  ratio pledges / reference: %s (target >= 0.9)\n' "$ratio"
    printf '  banner meanwhile (1 connection): %s req/s, p50 %s ms, p99 %s ms (target < 5 ms)\n' \
        "$progress_rps" "$progress_p50" "$progress_p99"
    printf '  raw wrk output: %s\n' "$WORK"
    bench_record pledges.pledged "$pledges_rps $pledges_p50 $pledges_p99 $pledged_rss"
    bench_record pledges.stripe "$stripe_rps $stripe_p50 $stripe_p99"
    bench_record pledges.ratio "$ratio"
    bench_record pledges.banner "$progress_rps $progress_p50 $progress_p99"
}

main "$@"
