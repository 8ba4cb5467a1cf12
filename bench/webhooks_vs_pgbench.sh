#!/usr/bin/env bash
#
# Stripe webhook throughput against pgbench on the same database, in the same run.
#
# Usage: bench/webhooks_vs_pgbench.sh [DURATION_SECONDS]     (default 15)
#
# 32 concurrent senders (keep-alive connections) post correctly signed
# checkout.session.completed events, one per pre-made pledge, all for one
# campaign, while `pgbench -N` (8 clients) runs against the same database.
# Prints events/s, pgbench TPS and their ratio (target: events/s >= 0.6 x TPS),
# and checks the totals are exact: ledger rows == acknowledged events, ledger sum
# == raised on the progress route. Everything runs on 127.0.0.1 against the
# private cluster of scripts/pg (set PLEDGED_PG_PORT).

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${1:-15}
SENDERS=32
PGBENCH_CLIENTS=8
PLEDGES=${BENCH_PLEDGES:-60000}
AMOUNT=1000  # each event's amount_total (see bench/webhook_sender.cpp)
PORT=${BENCH_PLEDGED_PORT:-18191}
SECRET=whsec_bench_0123456789abcdefghij
PREFIX=pl_bench
WORK=$(mktemp -d /tmp/pledged-bench-webhooks.XXXXXX)
PG="$ROOT/scripts/pg"
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}"
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DPLEDGED_BUILD_TESTS=OFF >/dev/null
    cmake --build "$ROOT/build-bench" -j2 --target pledged webhook_sender >/dev/null
    local bin="$ROOT/build-bench"

    "$PG" start
    local admin db_url
    admin=$("$PG" admin-url)
    "$PG" psql -q -d postgres -c "DROP DATABASE IF EXISTS pledged_bench_webhooks WITH (FORCE)" \
        -c "CREATE DATABASE pledged_bench_webhooks"
    db_url=${admin%/postgres}/pledged_bench_webhooks
    export PLEDGED_DATABASE_URL=$db_url
    "$bin/pledged" migrate >/dev/null
    "$bin/pledged" campaign create --slug eoy-2026 --title "Urgent End Of Year Fundraising Campaign" \
        --goal 50000.00 --currency usd --starts 2026-11-15 --ends 2026-12-31 >/dev/null
    # Pledges as POST /v1/pledges leaves them: pending, checkout started.
    "$PG" psql -q -d pledged_bench_webhooks -c "
        INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, checkout_session_id)
        SELECT '$PREFIX' || lpad(i::text, 16, '0'), c.id, $AMOUNT, 'usd', 'once', 'pending',
               'donor' || i || '@example.org', 'cs_bench_' || i
        FROM campaigns c, generate_series(1, $PLEDGES) AS i WHERE c.slug = 'eoy-2026'"
    "$PGBENCH" -i -s 1 -q "$db_url" >/dev/null 2>&1

    STRIPE_WEBHOOK_SECRET=$SECRET PLEDGED_ACCESS_LOG=off PLEDGED_LISTEN=127.0.0.1:$PORT \
        "$bin/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    local progress_url="http://127.0.0.1:$PORT/v1/campaigns/eoy-2026/progress"
    wait_for_url "$progress_url"

    "$PGBENCH" -N -c "$PGBENCH_CLIENTS" -j 2 -T "$DURATION" "$db_url" >"$WORK/pgbench.txt" 2>&1 &
    local pgbench_pid=$!
    "$bin/bench/webhook_sender" "$PORT" "$SECRET" "$PREFIX" "$PLEDGES" "$SENDERS" "$DURATION" >"$WORK/sender.txt" \
        || log "some deliveries were not acknowledged (see $WORK/sender.txt)"
    wait "$pgbench_pid" || die "pgbench failed: $(tail -3 "$WORK/pgbench.txt")"

    local sender ok events_per_second tps
    sender=$(cat "$WORK/sender.txt")
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$sender")
    events_per_second=$(sed -n 's/.*events_per_second=\([0-9.]*\).*/\1/p' <<<"$sender")
    tps=$(awk '/^tps = / {print $3; exit}' "$WORK/pgbench.txt")
    [[ -n $ok && -n $tps ]] || die "could not read the results ($WORK)"
    [[ $ok -lt $PLEDGES ]] || log "all $PLEDGES pledges used before the time was up: raise BENCH_PLEDGES"

    # Exact totals: one ledger row per acknowledged event, and the banner agrees.
    local rows sum raised
    rows=$("$PG" psql -qtA -d pledged_bench_webhooks -c "SELECT count(*) FROM ledger_entries")
    sum=$("$PG" psql -qtA -d pledged_bench_webhooks -c "SELECT coalesce(sum(amount), 0) FROM ledger_entries")
    sleep 2.5
    raised=$(curl -fsS "$progress_url" | sed -n 's/.*"raised":\([0-9]*\).*/\1/p')
    local exact=yes
    [[ $rows -eq $ok && $sum -eq $((ok * AMOUNT)) && $raised -eq $sum ]] || exact=NO

    local ratio
    ratio=$(awk -v a="$events_per_second" -v b="$tps" 'BEGIN { printf "%.2f", a / b }')
    printf '\nStripe webhooks vs pgbench -N on the same database (%s s, same run)\n' "$DURATION"
    printf '  machine: %s cores, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    printf '  webhooks: %s senders, %s events acknowledged, %s events/s\n' "$SENDERS" "$ok" "$events_per_second"
    printf '  pgbench -N: %s clients, %s TPS\n' "$PGBENCH_CLIENTS" "$tps"
    printf '  ratio events/s / TPS: %s (target >= 0.6)\n' "$ratio"
    printf '  totals exact: %s (ledger rows %s, ledger sum %s, banner raised %s)\n' "$exact" "$rows" "$sum" "$raised"
    printf '  raw output: %s\n' "$WORK"
    [[ $exact == yes ]]
}

main "$@"
