#!/usr/bin/env bash
#
# Donor-email send throughput on loopback: pledged's sender loop (claim under a lease,
# compose, SMTP through libcurl, mark sent) against the SMTP server it sends to,
# accepting alone from a small client, in the same run.
#
# Usage: bench/email_throughput.sh [EMAILS]     (default 2000)
#
# Two phases, one after the other, against one tools/smtp-capture server on 127.0.0.1:
#   1. the reference: a Python smtplib client sends EMAILS messages of a receipt's size,
#      one SMTP session per message, as pledged's sender does (what the server takes alone).
#   2. pledged: EMAILS receipts are queued in the outbox in one transaction while
#      `pledged serve` runs with PLEDGED_SMTP_URL set; the time from that commit until
#      every row is `sent`. Checks the server received exactly EMAILS messages.
# Prints emails/s for both and the ratio. Everything runs against the private cluster of
# scripts/pg (set PLEDGED_PG_PORT). BENCH_PREBUILT=DIR measures the binaries in DIR.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EMAILS=${1:-2000}
PORT=${BENCH_PLEDGED_PORT:-18193}
DB=pledged_bench_emails
WORK=$(mktemp -d /tmp/pledged-bench-emails.XXXXXX)
PG="$ROOT/scripts/pg"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

sql() { "$PG" psql -qtA -d "$DB" -c "$1"; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }

# start_capture DIR: a capture server keeping its mail in DIR; sets CAPTURE_PORT.
start_capture() {
    python3 "$ROOT/tools/smtp-capture/smtp_capture.py" --dir "$1" >"$1.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        CAPTURE_PORT=$(sed -n 's/^listening //p' "$1.out")
        [[ -n $CAPTURE_PORT ]] && return 0
        sleep 0.1
    done
    die "the SMTP capture did not start"
}

bench_build pledged
bench_database "$DB"

# 1. The server alone, from a small client.
start_capture "$WORK/reference"
REFERENCE=$(python3 - "$CAPTURE_PORT" "$EMAILS" <<'PY'
import smtplib, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
body = "From: giving@ledger.example\r\nTo: <donor@example.org>\r\nSubject: Your receipt\r\n\r\n" + "x" * 1500 + "\r\n"
started = time.monotonic()
for i in range(count):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.localhost") as smtp:
        smtp.sendmail("giving@ledger.example", [f"donor{i}@example.org"], body)
print(f"{count / (time.monotonic() - started):.1f}")
PY
)
received=$(find "$WORK/reference" -name '*.json' | wc -l)
[[ $received -eq $EMAILS ]] || die "the reference sent $EMAILS, the server kept $received"

# 2. pledged's sender.
start_capture "$WORK/pledged"
PLEDGED_LISTEN=127.0.0.1:$PORT PLEDGED_METRICS_LISTEN=127.0.0.1:0 PLEDGED_ACCESS_LOG=off \
    PLEDGED_SMTP_URL=smtp://127.0.0.1:$CAPTURE_PORT "$BENCH_BUILD/pledged" serve 2>"$WORK/pledged.log" &
PIDS+=($!)
wait_for_url "http://127.0.0.1:$PORT/readyz"
sql "INSERT INTO email_outbox (kind, movement, recipient, donor_name, campaign_title, amount, currency, occurred_at)
     SELECT 'receipt', 'bench:' || i, 'donor' || i || '@example.org', 'Donor ' || i,
            'Urgent End Of Year Fundraising Campaign', 2500, 'usd', now()
     FROM generate_series(1, $EMAILS) i" >/dev/null
started=$(now)
while [[ $(sql "SELECT count(*) FROM email_outbox WHERE status = 'queued'") -gt 0 ]]; do sleep 0.05; done
ended=$(now)
PLEDGED_RATE=$(rate "$EMAILS" "$started" "$ended")
failed=$(sql "SELECT count(*) FROM email_outbox WHERE status <> 'sent'")
received=$(find "$WORK/pledged" -name '*.json' | wc -l)
[[ $failed -eq 0 && $received -eq $EMAILS ]] || die "pledged: $failed not sent, the server kept $received of $EMAILS"

RATIO=$(awk -v p="$PLEDGED_RATE" -v r="$REFERENCE" 'BEGIN { printf "%.2f", p / r }')
bench_record email_pledged_per_s "$PLEDGED_RATE"
bench_record email_reference_per_s "$REFERENCE"
printf 'emails on loopback (%s each, %s)\n' "$EMAILS" "$(machine_line)"
printf '  smtp-capture alone, smtplib client: %s emails/s\n' "$REFERENCE"
printf '  pledged sender loop:                %s emails/s (%.2f x the server alone; all %s sent, once each)\n' \
    "$PLEDGED_RATE" "$RATIO" "$EMAILS"
