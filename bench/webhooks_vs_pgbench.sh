#!/usr/bin/env bash
#
# Stripe webhook throughput against what the database can do, and against the stack
# a team would pick instead, in turns on the same database, in one run.
#
# Usage: bench/webhooks_vs_pgbench.sh [DURATION_SECONDS]     (default 15)
#
# Three measurements, each alone on the machine and the database whenever it runs, in
# BENCH_SLICES (default 3) turns each that take DURATION_SECONDS in all, the order
# rotating (pgbench, peer, pledged; then peer, pledged, pgbench; …). Each one's figures:
# its turns' mean rate, the median turn's p50 and the worst turn's p99.
#   1. `pgbench -N` (8 clients): the database's own ceiling for small write transactions.
#   2. the peer (bench/peers: Express 5, stripe-node constructEvent, a pg pool of 10,
#      one transaction per event), under the same senders as pledged.
#   3. pledged: 32 concurrent senders (keep-alive connections) post correctly signed
#      checkout.session.completed events, one per pre-made pledge, all for one campaign.
# Each phase checks its totals are exact (pgbench: history rows = transactions; the
# peer and pledged: ledger rows = acknowledged events, ledger sum = events x amount,
# and for pledged the banner agrees). Prints events/s, p50/p99 and the ratios
# (targets, issue 15: pledged >= 0.6 x pgbench TPS and >= 1.5 x the peer).
#
# With the cluster started as `PLEDGED_PG_STAT_STATEMENTS=on scripts/pg start`, the pledged
# turns also print their breakdown: statements, commits and WAL flushes per event
# (pg_stat_statements, pg_stat_database, pg_stat_wal) and what its backends waited on
# (pg_stat_activity and ungranted pg_locks, sampled every 0.2 s).
#
# Needs node >= 20 and npm for the peer (`npm ci` in bench/peers at the first run).
# Everything runs on 127.0.0.1 against the private cluster of scripts/pg (set
# PLEDGED_PG_PORT). BENCH_PREBUILT=DIR measures the binaries already built in DIR.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${1:-15}
SLICES=${BENCH_SLICES:-3}                         # turns each (measure_in_turns)
SLICE=$(((DURATION + SLICES - 1) / SLICES))       # seconds per turn
PGBENCH_EXACT=yes PGBENCH_PROCESSED=0 PGBENCH_HISTORY=0
PEER_NEXT=1 PLEDGED_NEXT=1                        # the first pledge each one's next turn uses
SENDERS=32
PGBENCH_CLIENTS=8
PLEDGES=${BENCH_PLEDGES:-60000}
AMOUNT=1000  # each event's amount_total (see bench/webhook_sender.cpp)
PORT=${BENCH_PLEDGED_PORT:-18191}
PROGRESS_URL="http://127.0.0.1:$PORT/v1/campaigns/eoy-2026/progress"
PEER_PORT=${BENCH_PEER_PORT:-18192}
DB=pledged_bench_webhooks
# A published secret: pledged accepts it only with a loopback STRIPE_API_BASE (below).
SECRET=whsec_bench_0123456789abcdefghij
PREFIX=pl_bench
WORK=$(mktemp -d /tmp/pledged-bench-webhooks.XXXXXX)
PG="$ROOT/scripts/pg"
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
PEER_DIR="$ROOT/bench/peers"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

sql() { "$PG" psql -qtA -d "$DB" -c "$1"; }

# The peer's dependencies, at the exact versions of bench/peers/package-lock.json.
install_peer() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then die "the peer needs node (>= 20) and npm"; fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    ((major >= 20)) || die "the peer needs node >= 20 (stripe-node), found $(node --version)"
    if [[ ! -d $PEER_DIR/node_modules || $PEER_DIR/package-lock.json -nt $PEER_DIR/node_modules ]]; then
        (cd "$PEER_DIR" && npm ci --no-audit --no-fund >/dev/null)
    fi
}

wait_for_port() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# p50 and p99 (ms) of the sender's output, and its counts.
sender_field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# Samples what the database's backends are doing while pledged's turn runs, into $1,
# until the file $2 exists: one psql session fed a query every 0.2 s (a psql started for
# each sample would itself take a tenth of a core from the turn it watches).
sample_waits() {
    while [[ ! -e $2 ]]; do
        printf '%s\n' "SELECT 'state ' || state || ' / ' || coalesce(wait_event_type, 'CPU') || ':' ||
                              coalesce(wait_event, '-')
            FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
            UNION ALL
            SELECT 'lock wait ' || locktype || ' ' || mode FROM pg_locks WHERE NOT granted;" '\echo sample'
        sleep 0.2
    done | "$PG" psql -qtA -d "$DB" >>"$1" 2>/dev/null || true
}

stats_available() {
    [[ $(sql "SHOW shared_preload_libraries") == *pg_stat_statements* ]]
}

counters() {
    sql "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) || ' ' ||
                (SELECT wal_sync FROM pg_stat_wal) || ' ' || (SELECT wal_records FROM pg_stat_wal) || ' ' ||
                (SELECT wal_bytes FROM pg_stat_wal) || ' ' || (SELECT wal_fpi FROM pg_stat_wal)"
}

# The CPU side of a phase: the process's context switches (all its threads, voluntary
# and not), its CPU time in clock ticks, and the whole machine's context switches.
cpu_counters() {
    local voluntary=0 involuntary=0 ticks
    read -r voluntary involuntary < <(cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/^voluntary_ctxt_switches/ {v += $2} /^nonvoluntary_ctxt_switches/ {n += $2} END {print v + 0, n + 0}')
    ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
    printf '%s %s %s %s %s %s\n' "$voluntary" "$involuntary" "$ticks" "$(awk '/^ctxt/ {print $2}' /proc/stat)" \
        "$(awk '$1 == "cpu" {print $5 + $6, $2 + $3 + $4 + $7 + $8}' /proc/stat)"
}

# Every process's CPU ticks (pid, command, ticks), for who used the machine in a phase.
cpu_snapshot() {
    local stat
    for stat in /proc/[0-9]*/stat; do cat "$stat" 2>/dev/null; done |
        awk '{ match($0, /\(.*\)/); command = substr($0, RSTART + 1, RLENGTH - 2); rest = substr($0, RSTART + RLENGTH + 1)
               gsub(/ /, "_", command); split(rest, f, " "); print $1, command, f[12] + f[13] }' >"$1"
}

# The CPU ticks each command used between two snapshots ("ticks command" lines).
cpu_used_by_command() {
    awk 'NR == FNR { before[$1 " " $2] = $3; next }
        { key = $1 " " $2; used[$2] += $3 - (key in before ? before[key] : 0) }
        END { for (c in used) if (used[c] > 0) print used[c], c }' "$1" "$2"
}

# The commands that used most CPU in the pledged slices ($1: "ticks command" lines of
# every slice), with the machine's busy ticks ($2) that no listed process accounts for
# shown as the processes that exited meanwhile (autovacuum workers, the senders).
cpu_users() {
    awk -v busy="$2" '{ used[$2] += $1; total += $1 }
        END { for (c in used) print used[c], c; print busy - total, "(processes that exited during the phase)" }' "$1" |
        sort -rn | head -7 | awk -v hz="$(getconf CLK_TCK)" '{ t = $1; $1 = ""; printf "    %6.2f s %s\n", t / hz, $0 }'
}

# Field-by-field differences of two lines of numbers ("after" minus "before").
differences() {
    awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), y[i] - x[i]; print "" }'
}

# Column sums of a file of number lines (the slices' differences, added up).
column_sums() {
    awk '{ for (i = 1; i <= NF; i++) sum[i] += $i; if (NF > n) n = NF }
        END { for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), sum[i]; print "" }' "$1"
}

# The three are measured in turns (SLICES rounds, SLICE seconds each, the order rotating
# every round), so that a slow spell of the shared machine falls on all of them alike
# instead of on whichever ran then: the same pgbench made 2,400 and 4,200 TPS on this
# machine within a few minutes. Each slice appends "rate p50 p99 count" to its file.

pgbench_slice() {
    local n=$1 after processed tps logs="$WORK/pgbench_logs_$1"
    mkdir -p "$logs"
    sql "CHECKPOINT" >/dev/null
    # -l: one line per transaction (its latency in µs is the third field), for p50/p99.
    (cd "$logs" && "$PGBENCH" -N -c "$PGBENCH_CLIENTS" -j 2 -T "$SLICE" -l --log-prefix=pgbench_tx "$DB_URL" \
        >"$WORK/pgbench_$n.txt" 2>&1) || die "pgbench failed: $(tail -3 "$WORK/pgbench_$n.txt")"
    after=$(sql "SELECT count(*) FROM pgbench_history")
    processed=$(awk '/number of transactions actually processed:/ {print $NF}' "$WORK/pgbench_$n.txt")
    tps=$(awk '/^tps = / {printf "%.1f", $3; exit}' "$WORK/pgbench_$n.txt")
    # pgbench empties pgbench_history before it starts (its vacuum step), so a turn's rows
    # are all there is afterwards.
    [[ $after -eq $processed ]] || PGBENCH_EXACT=NO
    PGBENCH_PROCESSED=$((PGBENCH_PROCESSED + processed))
    PGBENCH_HISTORY=$((PGBENCH_HISTORY + after))
    cat "$logs"/pgbench_tx.* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v n="$processed" '{ v[NR] = $1 }
        END { printf "%s %.3f %.3f %d\n", tps, v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000, n }' \
        >>"$WORK/pgbench_slices.txt"
}

# sender_slice PORT NEXT_VARIABLE OUTPUT: one slice of signed events from the pledges
# after the ones earlier slices used.
sender_slice() {
    local port=$1 first=${!2} out=$3 line ok failed
    sql "CHECKPOINT" >/dev/null
    "$BIN/bench/webhook_sender" "$port" "$SECRET" "$PREFIX" "$PLEDGES" "$SENDERS" "$SLICE" "$first" >"$out" \
        || log "some deliveries were not acknowledged (see $out)"
    line=$(cat "$out")
    ok=$(sender_field ok "$line")
    failed=$(sender_field failed "$line")
    [[ -n $ok && -n $failed ]] || die "could not read the results ($out)"
    printf -v "$2" '%s' $((first + ok + failed))
    SENDER_LINE="$(sender_field events_per_second "$line") $(sender_field p50_ms "$line") $(sender_field p99_ms "$line") $ok"
}

peer_slice() {
    sender_slice "$PEER_PORT" PEER_NEXT "$WORK/peer_sender_$1.txt"
    printf '%s\n' "$SENDER_LINE" >>"$WORK/peer_slices.txt"
}

pledged_slice() {
    local n=$1 before after cpu_before cpu_after sampler
    before=$(counters)
    cpu_before=$(cpu_counters "$PLEDGED_PID")
    cpu_snapshot "$WORK/cpu_before_$n.txt"
    sample_waits "$WORK/waits.txt" "$WORK/stop_sampling_$n" &
    sampler=$!
    sender_slice "$PORT" PLEDGED_NEXT "$WORK/sender_$n.txt"
    touch "$WORK/stop_sampling_$n"
    wait "$sampler" 2>/dev/null || true
    after=$(counters)
    cpu_after=$(cpu_counters "$PLEDGED_PID")
    cpu_snapshot "$WORK/cpu_after_$n.txt"
    printf '%s\n' "$SENDER_LINE" >>"$WORK/pledged_slices.txt"
    differences "$before" "$after" >>"$WORK/counter_deltas.txt"
    differences "$cpu_before" "$cpu_after" >>"$WORK/cpu_deltas.txt"
    cpu_used_by_command "$WORK/cpu_before_$n.txt" "$WORK/cpu_after_$n.txt" >>"$WORK/cpu_by_command.txt"
}

start_servers() {
    PEER_PORT=$PEER_PORT DATABASE_URL=$DB_URL STRIPE_WEBHOOK_SECRET=$SECRET node "$PEER_DIR/webhook_peer.js" \
        2>"$WORK/peer.log" &
    PIDS+=($!)
    PEER_PID=$!
    wait_for_port "$PEER_PORT"
    STRIPE_WEBHOOK_SECRET=$SECRET STRIPE_API_BASE=http://127.0.0.1:9 PLEDGED_ACCESS_LOG=off PLEDGED_LISTEN=127.0.0.1:$PORT \
        PLEDGED_METRICS_LISTEN=127.0.0.1:0 "$BIN/pledged" serve 2>"$WORK/pledged.log" &
    PIDS+=($!)
    PLEDGED_PID=$!
    wait_for_url "$PROGRESS_URL"
}

measure_in_turns() {
    local round i phases=(pgbench_slice peer_slice pledged_slice)
    WITH_STATS=no
    if stats_available; then
        WITH_STATS=yes
        sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
        sql "SELECT pg_stat_statements_reset()" >/dev/null
    fi
    for ((round = 0; round < SLICES; round++)); do
        for ((i = 0; i < 3; i++)); do
            "${phases[(i + round) % 3]}" "$round"
        done
    done
}

# The figures of all slices: the mean rate, the median slice's p50, the worst slice's
# p99, and the exact totals over everything.
results() {
    local rows sum events raised
    read -r PGBENCH_TPS PGBENCH_P50 PGBENCH_P99 _ < <(merge_slices <"$WORK/pgbench_slices.txt")
    PGBENCH_TOTALS="$PGBENCH_PROCESSED transactions, $PGBENCH_HISTORY history rows"

    read -r PEER_RATE PEER_P50 PEER_P99 PEER_OK < <(merge_slices <"$WORK/peer_slices.txt")
    PEER_RSS=$(peak_rss_mb "$PEER_PID")
    rows=$(sql "SELECT count(*) FROM peer_ledger_entries")
    sum=$(sql "SELECT coalesce(sum(amount), 0) FROM peer_ledger_entries")
    events=$(sql "SELECT count(*) FROM peer_webhook_events")
    PEER_EXACT=yes
    [[ $rows -eq $PEER_OK && $events -eq $PEER_OK && $sum -eq $((PEER_OK * AMOUNT)) ]] || PEER_EXACT=NO
    PEER_TOTALS="events $events, ledger rows $rows, ledger sum $sum"

    read -r PLEDGED_RATE PLEDGED_P50 PLEDGED_P99 PLEDGED_OK < <(merge_slices <"$WORK/pledged_slices.txt")
    PLEDGED_RSS=$(peak_rss_mb "$PLEDGED_PID")
    [[ $PLEDGED_NEXT -le $PLEDGES ]] || log "all $PLEDGES pledges used before the time was up: raise BENCH_PLEDGES"
    # Exact totals: one ledger row per acknowledged event, and the banner agrees.
    rows=$(sql "SELECT count(*) FROM ledger_entries")
    sum=$(sql "SELECT coalesce(sum(amount), 0) FROM ledger_entries")
    sleep 2.5
    raised=$(curl -fsS "$PROGRESS_URL" | sed -n 's/.*"raised":\([0-9]*\).*/\1/p')
    PLEDGED_EXACT=yes
    [[ $rows -eq $PLEDGED_OK && $sum -eq $((PLEDGED_OK * AMOUNT)) && $raised -eq $sum ]] || PLEDGED_EXACT=NO
    PLEDGED_TOTALS="ledger rows $rows, ledger sum $sum, banner raised $raised"

    local counted cpu
    counted=$(column_sums "$WORK/counter_deltas.txt")
    cpu=$(column_sums "$WORK/cpu_deltas.txt")
    breakdown "$WITH_STATS" "0 0 0 0 0" "$counted" >"$WORK/breakdown.txt"
    cpu_breakdown "0 0 0 0 0 0" "$cpu" >>"$WORK/breakdown.txt"
    printf '  CPU used during the pledged slices, by command:\n' >>"$WORK/breakdown.txt"
    cpu_users "$WORK/cpu_by_command.txt" "$(cut -d' ' -f6 <<<"$cpu")" >>"$WORK/breakdown.txt"
}

# Per acknowledged event: statements (each one client round trip), commits, WAL flushes;
# then what the backends were doing when sampled.
breakdown() {
    local with_stats=$1 c0 s0 r0 b0 f0 c1 s1 r1 b1 f1 samples
    read -r c0 s0 r0 b0 f0 <<<"$2"
    read -r c1 s1 r1 b1 f1 <<<"$3"
    awk -v ok="$PLEDGED_OK" -v c="$((c1 - c0))" -v s="$((s1 - s0))" -v r="$((r1 - r0))" -v b="$((b1 - b0))" \
        -v f="$((f1 - f0))" 'BEGIN {
        printf "  per event: %.2f commits, %.2f WAL flushes (fdatasync), %.1f WAL records, %.0f WAL bytes (%.2f full-page images)\n",
            c / ok, s / ok, r / ok, b / ok, f / ok }'
    if [[ $with_stats == yes ]]; then
        printf '  per event, from pg_stat_statements (calls / acknowledged events, mean ms in the server):\n'
        # Top-level statements are the client's round trips; nested ones (foreign-key
        # checks, trigger bodies) run inside them.
        sql "SELECT to_char(sum(calls) FILTER (WHERE toplevel)::numeric / $PLEDGED_OK, 'FM990.00') || ' top-level (round trips), ' ||
                    to_char(sum(calls) FILTER (WHERE NOT toplevel)::numeric / $PLEDGED_OK, 'FM990.00') || ' nested'
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())" |
            sed 's/^/    statements: /'
        sql "SELECT to_char(calls::numeric / $PLEDGED_OK, 'FM990.000') || '  ' || to_char(mean_exec_time, 'FM990.000') ||
                    ' ms  ' || left(regexp_replace(query, '\s+', ' ', 'g'), 90)
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND toplevel ORDER BY calls DESC LIMIT 12" | sed 's/^/    /'
    else
        printf '  (start the cluster with PLEDGED_PG_STAT_STATEMENTS=on for statements per event)\n'
    fi
    samples=$(grep -c '^sample$' "$WORK/waits.txt" || true)
    printf '  backends of the bench database, mean per sample (%s samples):\n' "$samples"
    grep -v '^sample$' "$WORK/waits.txt" | sort | uniq -c | sort -rn | head -8 |
        awk -v n="$samples" '{ c = $1; $1 = ""; printf "    %5.2f %s\n", c / (n ? n : 1), $0 }'
}

# Per acknowledged event: pledged's context switches and CPU time, and the machine's
# context switches (the senders and the database included).
cpu_breakdown() {
    local v0 n0 t0 m0 i0 b0 v1 n1 t1 m1 i1 b1
    read -r v0 n0 t0 m0 i0 b0 <<<"$1"
    read -r v1 n1 t1 m1 i1 b1 <<<"$2"
    awk -v ok="$PLEDGED_OK" -v v="$((v1 - v0))" -v n="$((n1 - n0))" -v t="$((t1 - t0))" -v m="$((m1 - m0))" \
        -v idle="$((i1 - i0))" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" -v secs="$((SLICE * SLICES))" 'BEGIN {
        printf "  per event, CPU: pledged %.3f ms CPU, %.2f context switches (%.2f voluntary, %.2f preempted); machine %.2f context switches\n",
            1000 * t / hz / ok, (v + n) / ok, v / ok, n / ok, m / ok
        printf "  machine idle (and I/O wait) during the phase: %.0f%% of %d cores\n", 100 * idle / hz / secs / cores, cores }'
}

main() {
    ensure_packages "${PLEDGED_PACKAGES[@]}"
    install_peer
    bench_build pledged webhook_sender
    BIN="$BENCH_BUILD"
    bench_database "$DB"
    DB_URL=$PLEDGED_DATABASE_URL
    # Pledges as POST /v1/pledges leaves them: pending, checkout started.
    sql "INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, checkout_session_id)
        SELECT '$PREFIX' || lpad(i::text, 16, '0'), c.id, $AMOUNT, 'usd', 'once', 'pending',
               'donor' || i || '@example.org', 'cs_bench_' || i
        FROM campaigns c, generate_series(1, $PLEDGES) AS i WHERE c.slug = 'eoy-2026'"
    # The peer's tables: what its one transaction per event writes.
    sql "CREATE TABLE peer_webhook_events (id text PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL,
                                           received_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE peer_ledger_entries (id bigserial PRIMARY KEY, pledge_id text NOT NULL, amount bigint NOT NULL,
                                           currency text NOT NULL, stripe_object_id text NOT NULL UNIQUE,
                                           stripe_event_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
    "$PGBENCH" -i -s 1 -q "$DB_URL" >/dev/null 2>&1
    sql "VACUUM ANALYZE" >/dev/null

    start_servers
    measure_in_turns
    results

    local vs_pgbench vs_peer peer_vs_pgbench
    vs_pgbench=$(awk -v a="$PLEDGED_RATE" -v b="$PGBENCH_TPS" 'BEGIN { printf "%.2f", a / b }')
    vs_peer=$(awk -v a="$PLEDGED_RATE" -v b="$PEER_RATE" 'BEGIN { printf "%.2f", a / b }')
    peer_vs_pgbench=$(awk -v a="$PEER_RATE" -v b="$PGBENCH_TPS" 'BEGIN { printf "%.2f", a / b }')
    printf '\nStripe webhooks vs pgbench -N and the Node peer, in turns on the same database (%s turns of %s s each)\n' \
        "$SLICES" "$SLICE"
    printf '  machine: %s; load average before: %s\n' "$(machine_line)" "$LOAD_BEFORE"
    printf '  pgbench -N: %s clients, %s TPS, p50 %s ms, p99 %s ms; exact: %s (%s)\n' "$PGBENCH_CLIENTS" \
        "$PGBENCH_TPS" "$PGBENCH_P50" "$PGBENCH_P99" "$PGBENCH_EXACT" "$PGBENCH_TOTALS"
    printf '  peer (Express 5 + stripe-node + pg pool 10): %s events/s, p50 %s ms, p99 %s ms, peak RSS %s MiB; exact: %s (%s acknowledged; %s)\n' \
        "$PEER_RATE" "$PEER_P50" "$PEER_P99" "$PEER_RSS" "$PEER_EXACT" "$PEER_OK" "$PEER_TOTALS"
    printf '  pledged: %s events/s, p50 %s ms, p99 %s ms, peak RSS %s MiB; exact: %s (%s acknowledged; %s)\n' \
        "$PLEDGED_RATE" "$PLEDGED_P50" "$PLEDGED_P99" "$PLEDGED_RSS" "$PLEDGED_EXACT" "$PLEDGED_OK" "$PLEDGED_TOTALS"
    printf '  ratio pledged / pgbench: %s (target >= 0.6); pledged / peer: %s (target >= 1.5); peer / pgbench: %s\n' \
        "$vs_pgbench" "$vs_peer" "$peer_vs_pgbench"
    printf 'pledged breakdown (%s senders):\n' "$SENDERS"
    cat "$WORK/breakdown.txt"
    printf '  raw output: %s\n' "$WORK"
    bench_record webhooks.pledged "$PLEDGED_RATE $PLEDGED_P50 $PLEDGED_P99 $PLEDGED_RSS"
    bench_record webhooks.pgbench "$PGBENCH_TPS $PGBENCH_P50 $PGBENCH_P99"
    bench_record webhooks.peer "$PEER_RATE $PEER_P50 $PEER_P99 $PEER_RSS"
    bench_record webhooks.ratio "$vs_pgbench"
    bench_record webhooks.peer_ratio "$vs_peer"
    bench_record webhooks.exact "$([[ $PLEDGED_EXACT == yes && $PEER_EXACT == yes && $PGBENCH_EXACT == yes ]] && echo yes || echo NO)"
    [[ $PLEDGED_EXACT == yes && $PEER_EXACT == yes && $PGBENCH_EXACT == yes ]]
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
main "$@"
