#!/usr/bin/env bash
#
# POST /v1/pledges under load while the banner route keeps answering: proof that
# waiting on Stripe never blocks Pistache's reactor threads (issue 3).
#
# Usage: bench/pledges_under_load.sh [DURATION_SECONDS]     (default 15)
#
# The local Stripe stand-in answers every API call after 300 ms. wrk runs 64
# connections creating pledges (each a new pledge and a Checkout Session) and,
# at the same time, one connection hitting GET /v1/campaigns/eoy-2026/progress.
# Targets: pledges/s >= 0.9 x 64 / 0.3 s = 192, and progress p99 < 5 ms.
# pledged runs with 96 workers (64 concurrent Stripe calls need 64 threads) and
# no rate limit. Everything stays on 127.0.0.1; each run is bounded by DURATION.

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
PG="$ROOT/scripts/pg"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}" wrk
    # Reuses the existing build configuration (scripts/test builds with warnings as errors).
    BUILD_TARGET="pledged stripe-standin" build_project >/dev/null
    "$PG" start >/dev/null
    local admin db url
    admin=$("$PG" admin-url)
    db=pledged_bench_$$
    psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
    url=${admin%/*}/$db
    export PLEDGED_DATABASE_URL=$url
    "$ROOT/build/pledged" migrate >/dev/null
    "$ROOT/build/pledged" campaign create --slug eoy-2026 --title "Urgent End Of Year Fundraising Campaign" \
        --goal 50000.00 --currency usd --starts 2026-11-15 --ends 2026-12-31 >/dev/null

    STANDIN_LISTEN=127.0.0.1:$STANDIN_PORT STANDIN_API_KEY=sk_test_bench STANDIN_LATENCY_MS=$STRIPE_LATENCY_MS \
        "$ROOT/build/stripe-standin" 2>"$WORK/standin.log" &
    PIDS+=($!)
    PLEDGED_LISTEN=127.0.0.1:$PLEDGED_PORT STRIPE_SECRET_KEY=sk_test_bench \
        STRIPE_API_BASE=http://127.0.0.1:$STANDIN_PORT PLEDGED_PLEDGE_RATE=0 PLEDGED_WORKERS=96 \
        PLEDGED_ACCESS_LOG=off "$ROOT/build/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    wait_for_url "http://127.0.0.1:$STANDIN_PORT/healthz"
    wait_for_url "http://127.0.0.1:$PLEDGED_PORT/v1/campaigns/eoy-2026/progress"

    cat >"$WORK/pledge.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"campaign":"eoy-2026","amount":2500,"currency":"usd","frequency":"once","email":"bench@example.org"}'
LUA
    wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout 10s -s "$WORK/pledge.lua" \
        "http://127.0.0.1:$PLEDGED_PORT/v1/pledges" >"$WORK/pledges.txt" &
    local pledges_pid=$!
    wrk -t1 -c1 -d"${DURATION}s" --latency "http://127.0.0.1:$PLEDGED_PORT/v1/campaigns/eoy-2026/progress" \
        >"$WORK/progress.txt"
    wait "$pledges_pid"

    local pledges_rps progress_rps progress_p99 stored sessions
    pledges_rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/pledges.txt")
    progress_rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/progress.txt")
    progress_p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/progress.txt")")
    stored=$(psql "$url" -tAc "SELECT count(*) FROM pledges WHERE checkout_session_id IS NOT NULL")
    sessions=$(curl -fsS "http://127.0.0.1:$STANDIN_PORT/_standin/requests" | grep -o '"path": *"/v1/checkout/sessions"' | wc -l)
    if grep -q 'Non-2xx' "$WORK/pledges.txt"; then
        grep 'Non-2xx' "$WORK/pledges.txt"
        log "some pledges were refused (see $WORK)"
    fi
    cleanup
    PIDS=()
    psql "$admin" -qc "DROP DATABASE $db" >/dev/null || true

    echo "pledges:  ${pledges_rps} req/s with $CLIENTS clients, Stripe answering after ${STRIPE_LATENCY_MS} ms"
    echo "          (target >= $(awk -v c="$CLIENTS" -v l="$STRIPE_LATENCY_MS" 'BEGIN {printf "%.0f", 0.9 * c / (l / 1000)}') req/s); pledges with a session: $stored; session calls Stripe got: $sessions"
    echo "progress: ${progress_rps} req/s on one connection meanwhile, p99 ${progress_p99} ms (target < 5 ms)"
    echo "raw wrk output: $WORK"
}

main "$@"
