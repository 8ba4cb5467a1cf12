#!/usr/bin/env bash
#
# The load report: every benchmark that compares pledged with a reference measured
# in the same run, one after the other, written into docs/benchmarks.md.
#
# Usage: bench/load_report.sh [DURATION_SECONDS]     (default 10 per measurement)
#
# Runs everything BENCH_RUNS times (default 3) one after another; the table shows the
# last run, and a second table how much each ratio moved across the runs.
#
#   banner     GET /v1/campaigns/eoy-2026/progress vs nginx serving the same bytes, and
#              vs a bare Pistache endpoint serving them (bench/bare_pistache.cpp); idle RSS
#   webhooks   signed Stripe events/s vs `pgbench -N` TPS alone on the same database,
#              and vs the Node peer (bench/peers) under the same senders
#   pledges    POST /v1/pledges with Stripe answering after 300 ms vs Checkout
#              Sessions created on the stand-in directly (Stripe's ceiling)
#   nginx      the banner through deploy/nginx/pledged.conf's cache vs the same
#              nginx serving the same bytes as a static file
#
# Each row has req/s, p50, p99 and pledged's peak RSS (VmHWM). The section between
# the load-report markers in docs/benchmarks.md is replaced; the rest of the file
# (the analysis) is left alone. Uses the private cluster (scripts/pg) and 127.0.0.1.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${1:-10}
RUNS=${BENCH_RUNS:-3}
DOC="$ROOT/docs/benchmarks.md"
BEGIN_MARK='<!-- load-report:begin (written by bench/load_report.sh; edits here are overwritten) -->'
END_MARK='<!-- load-report:end -->'

export BENCH_RESULTS
RESULTS_DIR=$(mktemp -d /tmp/pledged-load-report.XXXXXX)

# figure KEY [RUN]: a figure of the last run, or of run RUN.
figure() { sed -n "s/^$1=//p" "$RESULTS_DIR/run${2:-$RUNS}" 2>/dev/null | tail -1; }

# across KEY: the figure of every run, "a / b / c", then the spread "(min–max)".
across() {
    local values=() run
    for run in $(seq 1 "$RUNS"); do values+=("$(figure "$1" "$run" | cut -d' ' -f1)"); done
    printf '%s' "${values[0]}"
    printf ' / %s' "${values[@]:1}"
    printf '%s\n' "${values[@]}" | awk 'NF { v = $1 + 0; if (n++ == 0 || v < lo) lo = v; if (n == 1 || v > hi) hi = v }
        END { if (n > 1) printf " (%s–%s)", lo, hi }'
}

# across_field KEY N: like across, for the Nth field of a figure (p99 is the 3rd).
across_field() {
    local values=() run
    for run in $(seq 1 "$RUNS"); do values+=("$(figure "$1" "$run" | cut -d' ' -f"$2")"); done
    printf '%s' "${values[0]}"
    printf ' / %s' "${values[@]:1}"
}

# row SCENARIO KEY REFERENCE_NAME REFERENCE_KEY UNIT TARGET [RATIO_KEY]
row() {
    local p_rate p_p50 p_p99 p_rss r_rate r_p50 r_p99
    read -r p_rate p_p50 p_p99 p_rss <<<"$(figure "$2")"
    read -r r_rate r_p50 r_p99 _ <<<"$(figure "$4")"
    printf '| %s | %s %s | %s | %s | %s MiB | %s: %s %s | %s | %s | **%s** | %s |\n' "$1" "$p_rate" "$5" "$p_p50" "$p_p99" \
        "$p_rss" "$3" "$r_rate" "$5" "$r_p50" "$r_p99" "$(figure "${7:-${2%%.*}.ratio}")" "$6"
}

report() {
    local b_rate b_p50 b_p99
    read -r b_rate b_p50 b_p99 <<<"$(figure pledges.banner)"
    cat <<MD
$BEGIN_MARK
## Load report: $(date -u +%Y-%m-%d), ${DURATION} s per measurement

Machine: $(machine_line); load average before the run: $LOAD_BEFORE. Load generators and servers share
these cores, so a busy machine lowers every figure. Latencies in ms.

| scenario | pledged | p50 | p99 | peak RSS | reference, same run | ref p50 | ref p99 | ratio | target |
| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
$(row "banner (wrk -c32)" banner.pledged "nginx static file" banner.nginx "req/s" "≥ 1.0")
$(row "banner (wrk -c32)" banner.pledged "bare Pistache, same bytes" banner.bare "req/s" "≥ 0.97" banner.bare_ratio)
$(row "webhooks (32 senders)" webhooks.pledged "pgbench -N, 8 clients" webhooks.pgbench "/s" "≥ 0.6")
$(row "webhooks (32 senders)" webhooks.pledged "Node peer (Express 5)" webhooks.peer "/s" "≥ 1.5" webhooks.peer_ratio)
$(row "pledges, Stripe 300 ms (wrk -c64)" pledges.pledged "stand-in sessions" pledges.stripe "req/s" "≥ 0.9")
$(row "banner via deploy/nginx cache (wrk -c32)" nginx_cache.pledged "nginx static file" nginx_cache.static "req/s" "report")

- Banner on one connection while the pledges ran: ${b_rate} req/s, p50 ${b_p50} ms, p99 ${b_p99} ms (target < 5 ms).
- pledged's idle RSS (after start-up, before any load): $(figure idle_rss) MiB (target < 64).
- Webhook totals exact (pgbench, the peer and pledged each; ledger sum = banner): $(figure webhooks.exact).
- How much it moves, run by run ($RUNS runs, one after another; the table above is the last):
  banner / nginx $(across banner.ratio); banner / bare Pistache $(across banner.bare_ratio); webhooks / pgbench $(across webhooks.ratio);
  webhooks / peer $(across webhooks.peer_ratio); pledges / stand-in $(across pledges.ratio);
  nginx cache / static $(across nginx_cache.ratio); webhooks p99 ms $(across_field webhooks.pledged 3);
  banner p99 during the pledges, ms $(across_field pledges.banner 3).
- The nginx row's RSS is nginx's (master and workers), not pledged's: the cache answers almost every request.
- Reproduce: \`bench/load_report.sh ${DURATION}\`; each row alone: \`bench/progress_vs_nginx.sh\`,
  \`bench/webhooks_vs_pgbench.sh\`, \`bench/pledges_under_load.sh\`, \`bench/nginx_cache_vs_static.sh\`.
$END_MARK
MD
}

main() {
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    local run
    for run in $(seq 1 "$RUNS"); do
        log "run $run of $RUNS"
        BENCH_RESULTS="$RESULTS_DIR/run$run"
        : >"$BENCH_RESULTS"
        # A script that misses its target or finds inexact totals still reports its figures.
        "$ROOT/bench/progress_vs_nginx.sh" "$DURATION" || log "progress_vs_nginx.sh failed (run $run)"
        "$ROOT/bench/webhooks_vs_pgbench.sh" "$DURATION" || log "webhooks_vs_pgbench.sh failed (run $run)"
        "$ROOT/bench/pledges_under_load.sh" "$DURATION" || log "pledges_under_load.sh failed (run $run)"
        "$ROOT/bench/nginx_cache_vs_static.sh" "$DURATION" || log "nginx_cache_vs_static.sh failed (run $run)"
    done

    local section
    section=$(report)
    if grep -qF "$END_MARK" "$DOC"; then
        # Replace the previous report, keep everything around it.
        SECTION=$section END_MARK=$END_MARK awk -v begin="<!-- load-report:begin" '
            index($0, begin) == 1 { print ENVIRON["SECTION"]; skip = 1; next }
            skip && index($0, ENVIRON["END_MARK"]) == 1 { skip = 0; next }
            !skip { print }' "$DOC" >"$DOC.new"
        mv "$DOC.new" "$DOC"
    else
        printf '\n%s\n' "$section" >>"$DOC"
    fi
    printf '\n%s\n' "$section"
    log "written to $DOC"
}

main "$@"
