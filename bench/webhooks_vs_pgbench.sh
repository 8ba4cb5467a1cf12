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
# A published secret: pledged accepts it only with a loopback STRIPE_API_BASE (below).
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
    bench_build pledged webhook_sender
    local bin="$BENCH_BUILD" db_url
    bench_database pledged_bench_webhooks
    db_url=$PLEDGED_DATABASE_URL
    # Pledges as POST /v1/pledges leaves them: pending, checkout started.
    "$PG" psql -q -d pledged_bench_webhooks -c "
        INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, checkout_session_id)
        SELECT '$PREFIX' || lpad(i::text, 16, '0'), c.id, $AMOUNT, 'usd', 'once', 'pending',
               'donor' || i || '@example.org', 'cs_bench_' || i
        FROM campaigns c, generate_series(1, $PLEDGES) AS i WHERE c.slug = 'eoy-2026'"
    "$PGBENCH" -i -s 1 -q "$db_url" >/dev/null 2>&1

    STRIPE_WEBHOOK_SECRET=$SECRET STRIPE_API_BASE=http://127.0.0.1:9 PLEDGED_ACCESS_LOG=off PLEDGED_LISTEN=127.0.0.1:$PORT PLEDGED_METRICS_LISTEN=127.0.0.1:0 \
        "$bin/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    local pledged_pid=$!
    local progress_url="http://127.0.0.1:$PORT/v1/campaigns/eoy-2026/progress"
    wait_for_url "$progress_url"

    # -l: one line per transaction (its latency in µs is the third field), for p50/p99.
    (cd "$WORK" && "$PGBENCH" -N -c "$PGBENCH_CLIENTS" -j 2 -T "$DURATION" -l --log-prefix=pgbench_tx "$db_url" \
        >"$WORK/pgbench.txt" 2>&1) &
    local pgbench_pid=$!
    "$bin/bench/webhook_sender" "$PORT" "$SECRET" "$PREFIX" "$PLEDGES" "$SENDERS" "$DURATION" >"$WORK/sender.txt" \
        || log "some deliveries were not acknowledged (see $WORK/sender.txt)"
    wait "$pgbench_pid" || die "pgbench failed: $(tail -3 "$WORK/pgbench.txt")"

    local sender ok events_per_second tps sender_p50 sender_p99 pgbench_p50 pgbench_p99 pledged_rss
    pledged_rss=$(peak_rss_mb "$pledged_pid")
    sender=$(cat "$WORK/sender.txt")
    sender_p50=$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<<"$sender")
    sender_p99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$sender")
    read -r pgbench_p50 pgbench_p99 < <(cat "$WORK"/pgbench_tx.* | awk '{print $3}' | sort -n |
        awk '{ v[NR] = $1 } END { printf "%.3f %.3f\n", v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$sender")
    events_per_second=$(sed -n 's/.*events_per_second=\([0-9.]*\).*/\1/p' <<<"$sender")
    tps=$(awk '/^tps = / {printf "%.1f", $3; exit}' "$WORK/pgbench.txt")
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
    printf '  machine: %s\n' "$(machine_line)"
    printf '  webhooks: %s senders, %s events acknowledged, %s events/s, p50 %s ms, p99 %s ms, peak RSS %s MiB\n' \
        "$SENDERS" "$ok" "$events_per_second" "$sender_p50" "$sender_p99" "$pledged_rss"
    printf '  pgbench -N: %s clients, %s TPS, p50 %s ms, p99 %s ms\n' "$PGBENCH_CLIENTS" "$tps" "$pgbench_p50" "$pgbench_p99"
    printf '  ratio events/s / TPS: %s (target >= 0.6)\n' "$ratio"
    printf '  totals exact: %s (ledger rows %s, ledger sum %s, banner raised %s)\n' "$exact" "$rows" "$sum" "$raised"
    printf '  raw output: %s\n' "$WORK"
    bench_record webhooks.pledged "$events_per_second $sender_p50 $sender_p99 $pledged_rss"
    bench_record webhooks.pgbench "$tps $pgbench_p50 $pgbench_p99"
    bench_record webhooks.ratio "$ratio"
    bench_record webhooks.exact "$exact"
    [[ $exact == yes ]]
}

main "$@"
