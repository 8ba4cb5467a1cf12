#!/usr/bin/env bash
#
# deploy/nginx/pledged.conf in front of two real pledged instances on one
# database: TLS, the banner cache and its revalidation with the service's ETag,
# body limits, request ids, /metrics hidden, failover when an instance stops,
# non-canonical paths refused (no cache poisoning), and
# the client's address reaching the service's rate limit through X-Forwarded-For.
# Usage: tests/deploy/nginx_proxy_check.sh PROJECT_ROOT PLEDGED_BINARY
# Needs PLEDGED_TEST_DATABASE_URL (the admin URL scripts/test exports).
# nginx runs from a temporary prefix on free loopback ports; everything it and
# the instances started is stopped, and the database dropped, on exit. The
# instances' and nginx's logs are kept in PLEDGED_TEST_LOG_DIR (when set) for the
# log audit, and each instance must exit 0 on SIGTERM.

set -euo pipefail

ROOT=${1:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
BINARY=${2:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
ADMIN_URL=${PLEDGED_TEST_DATABASE_URL:?PLEDGED_TEST_DATABASE_URL must point at the test cluster (scripts/test sets it)}
WORK=$(mktemp -d /tmp/pledged-nginx-proxy.XXXXXX)
DB=pledged_nginx_$(openssl rand -hex 6)
DB_URL=${ADMIN_URL%/*}/$DB
PIDS=()

# shellcheck source=nginx_test_prefix.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx_test_prefix.sh"

fail() {
    printf 'nginx_proxy_check: %s\n' "$*" >&2
    for log in "$WORK"/pledged-*.log "$WORK"/log/*.log; do
        [[ -f $log ]] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}

# Keeps the instances' and nginx's logs for the log audit (scripts/test's log folder).
keep_logs() {
    [[ -n ${PLEDGED_TEST_LOG_DIR:-} && -d $PLEDGED_TEST_LOG_DIR ]] || return 0
    local kept
    kept=$(mktemp -d "$PLEDGED_TEST_LOG_DIR/nginx-proxy-check.XXXXXX")
    cp "$WORK"/pledged-*.log "$kept"/ 2>/dev/null || true
    mkdir -p "$kept/nginx" && cp "$WORK"/log/*.log "$kept/nginx"/ 2>/dev/null || true
}

cleanup() {
    [[ -f $WORK/nginx.pid ]] && nginx_prefix_run "$WORK" -s stop 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    keep_logs
    rm -rf "$WORK"
}
trap cleanup EXIT

# start_instance NAME: pledged serve on a free port; sets PORT_<NAME> and PID_<NAME>.
start_instance() {
    local name=$1 log="$WORK/pledged-$1.log" port=""
    PLEDGED_DATABASE_URL=$DB_URL PLEDGED_LISTEN=127.0.0.1:0 PLEDGED_METRICS_LISTEN=127.0.0.1:0 PLEDGED_SHUTDOWN_GRACE=5 \
        PLEDGED_TRUSTED_PROXIES=127.0.0.1 PLEDGED_PLEDGE_RATE=1 "$BINARY" serve </dev/null >/dev/null 2>"$log" &
    PIDS+=($!)
    printf -v "PID_$name" '%s' "$!"
    for _ in $(seq 1 200); do
        port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log")
        [[ -n $port ]] && break
        sleep 0.05
    done
    [[ -n $port ]] || fail "instance $name did not start"
    printf -v "PORT_$name" '%s' "$port"
}

# stop_instance NAME: SIGTERM, then exit 0 within the instance's grace (5 s) plus a
# margin for the rest of its shutdown; a hang or another exit fails the check.
stop_instance() {
    local name=$1 pid_var="PID_$1" status=0
    local pid=${!pid_var}
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        fail "instance $name did not exit within 30 s of SIGTERM (grace 5 s): killed with SIGKILL"
    fi
    wait "$pid" || status=$?
    ((status == 0)) || fail "instance $name exited $status after SIGTERM, expected 0"
    echo "ok: instance $name exited 0 after SIGTERM"
}

psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
PLEDGED_DATABASE_URL=$DB_URL "$BINARY" migrate >/dev/null
PLEDGED_DATABASE_URL=$DB_URL "$BINARY" campaign create --slug eoy-2026 --title "Urgent End Of Year Fundraising Campaign" \
    --goal 50000.00 --currency usd --starts 2026-11-15 --ends 2026-12-31 >/dev/null
start_instance A
start_instance B

HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
nginx_prefix_render "$ROOT" "$WORK" "127.0.0.1:$PORT_A" "127.0.0.1:$PORT_B" "$HTTP_PORT" "$HTTPS_PORT"
nginx_prefix_paths_contained "$WORK" || fail "the rendered configuration escapes the test prefix"
nginx_prefix_run "$WORK" || fail "nginx did not start"

BASE="https://donate.example.org:$HTTPS_PORT"
# Prints "STATUS CACHE-STATUS REQUEST-ID" for a request through nginx (TLS).
through_nginx() {
    curl -sk --resolve "donate.example.org:$HTTPS_PORT:127.0.0.1" -o "$WORK/body" -D "$WORK/headers" "$@" \
        -w '%{http_code}' >"$WORK/status" || true
    printf '%s %s %s\n' "$(cat "$WORK/status")" \
        "$(awk -F': ' 'tolower($1) == "x-cache-status" { sub(/\r/, "", $2); print $2 }' "$WORK/headers")" \
        "$(awk -F': ' 'tolower($1) == "x-request-id" { sub(/\r/, "", $2); print $2 }' "$WORK/headers")"
}
expect() {
    local what=$1 got=$2 pattern=$3
    [[ $got =~ $pattern ]] || fail "$what: got '$got', expected /$pattern/"
    echo "ok: $what ($got)"
}
# expect_from_service WHAT PATTERN CURL_ARGS...: like expect, for a request that must
# reach an instance: the answer is not one nginx makes up when no instance answers
# (502, 504), and the request's own id shows up in an instance's log.
expect_from_service() {
    local what=$1 pattern=$2 id
    shift 2
    id=check-$(openssl rand -hex 8)
    local got
    got=$(through_nginx -H "X-Request-Id: $id" "$@")
    [[ $got =~ ^50[24]\  ]] && fail "$what: got '$got': nginx's own gateway error, the request did not reach an instance"
    expect "$what" "$got" "$pattern"
    for _ in $(seq 1 40); do
        grep -qsF "\"request_id\":\"$id\"" "$WORK"/pledged-*.log && return 0
        sleep 0.05
    done
    fail "$what: request $id answered $got, but no instance logged it: the answer did not come from the service"
}

for _ in $(seq 1 50); do
    curl -sk -o /dev/null --resolve "donate.example.org:$HTTPS_PORT:127.0.0.1" "$BASE/healthz" && break
    sleep 0.1
done

# Plain HTTP only redirects to TLS.
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/v1/campaigns/eoy-2026/progress")
expect "port 80 redirects to https" "$redirect" '^301 https://'

# Request ids: nginx's own when the client sends none, the client's otherwise.
expect "an X-Request-Id from nginx" "$(through_nginx "$BASE/healthz")" '^200  [0-9a-f]{32}$'
expect "the client's X-Request-Id" "$(through_nginx -H 'X-Request-Id: donor-abc-123' "$BASE/healthz")" '^200  donor-abc-123$'

# Body limits equal the service's: nginx answers 413 before an instance sees the body.
head -c 17000 /dev/zero | tr '\0' 'a' >"$WORK/17k"
head -c 1000 /dev/zero | tr '\0' 'a' >"$WORK/1k"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$WORK/1100k"
head -c 900000 /dev/zero | tr '\0' 'a' >"$WORK/900k"
json=(-H 'Content-Type: application/json')
expect "a 17 KB pledge is refused" "$(through_nginx "${json[@]}" --data-binary @"$WORK/17k" "$BASE/v1/pledges")" '^413 '
expect_from_service "a 1 KB pledge reaches the service" '^(4[0-9][0-9]|5[0-9][0-9]) ' \
    "${json[@]}" --data-binary @"$WORK/1k" "$BASE/v1/pledges"
[[ $(cat "$WORK/status") != 413 ]] || fail "a 1 KB pledge got 413"
expect "a 1.1 MB webhook is refused" "$(through_nginx "${json[@]}" --data-binary @"$WORK/1100k" "$BASE/v1/webhooks/stripe")" '^413 '
expect_from_service "a 900 KB webhook reaches the service" '^[245][0-9][0-9] ' \
    "${json[@]}" --data-binary @"$WORK/900k" "$BASE/v1/webhooks/stripe"
[[ $(cat "$WORK/status") != 413 ]] || fail "a 900 KB webhook got 413"

expect "/metrics is not public" "$(through_nginx "$BASE/metrics")" '^404 '

# An instance stops: every request still succeeds through the other one.
stop_instance B
for i in $(seq 1 20); do
    expect "request $i with B stopped" "$(through_nginx "$BASE/healthz")" '^200 '
done >/dev/null
echo "ok: 20 requests answered with instance B stopped"

# The client's address crosses nginx: it sets X-Forwarded-For to the TCP peer, and
# A believes it because nginx connects from 127.0.0.1 (PLEDGED_TRUSTED_PROXIES).
# Clients come from other loopback addresses; one pledge a minute each (an empty
# one: the rate limit comes before validation). One instance left, one bucket table.
pledge_from() {
    local source=$1
    shift
    through_nginx --interface "$source" "${json[@]}" --data-binary '{}' "$@" "$BASE/v1/pledges"
}
expect "a first pledge from 127.0.0.2" "$(pledge_from 127.0.0.2)" '^4(00|22) '
expect "a second pledge from 127.0.0.2 is limited" "$(pledge_from 127.0.0.2)" '^429 '
expect "a forged X-Forwarded-For does not escape the limit" \
    "$(pledge_from 127.0.0.2 -H 'X-Forwarded-For: 198.51.100.9')" '^429 '
expect "another client has its own bucket" "$(pledge_from 127.0.0.3)" '^4(00|22) '

# The banner cache: one instance left, so every fill and revalidation goes to A.
PROGRESS="$BASE/v1/campaigns/eoy-2026/progress"
expect "first banner request" "$(through_nginx "$PROGRESS")" '^200 MISS '
grep -q '"campaign":"eoy-2026"' "$WORK/body" || fail "unexpected banner body: $(cat "$WORK/body")"
expect "second banner request" "$(through_nginx "$PROGRESS")" '^200 HIT '
expect "a query string does not bust the cache" "$(through_nginx "$PROGRESS?cachebust=1")" '^200 HIT '
grep -qi '^cache-control: public, max-age=[0-5]' "$WORK/headers" || fail "the service's Cache-Control did not pass through"
# After the service's max-age, nginx revalidates with If-None-Match: the service answers 304.
max_age=$(sed -n 's/^[Cc]ache-[Cc]ontrol: public, max-age=\([0-9]*\).*/\1/p' "$WORK/headers")
sleep "$((max_age + 1))"
expect "banner after max-age" "$(through_nginx "$PROGRESS")" '^200 (REVALIDATED|STALE|UPDATING|EXPIRED) '
sleep 0.5
grep -q '"route":"/v1/campaigns/:slug/progress","status":304' "$WORK/pledged-A.log" ||
    fail "nginx did not revalidate the banner with the service's ETag (no 304 in A's log)"
echo "ok: nginx revalidated the cached banner (304 from the service)"
expect "banner after revalidation" "$(through_nginx "$PROGRESS")" '^200 HIT '
# Cache poisoning (issue 14, finding 2): other spellings of the banner's path shared
# its cache key (nginx keys on the decoded $uri) while the service answered them 404,
# which nginx then served to every donor. Under a steady stream of them, across a
# cache expiry, the canonical banner must stay 200; they themselves are 404, no-store.
expect "a percent-encoded slug is refused" \
    "$(through_nginx --path-as-is "$BASE/v1/campaigns/eoy%2D2026/progress")" '^404 '
grep -qi '^cache-control: no-store' "$WORK/headers" || fail "the refusal of a non-canonical path is cacheable"
expect "a dot segment is refused" "$(through_nginx --path-as-is "$BASE/v1/campaigns/x/../eoy-2026/progress")" '^404 '
expect "an empty segment is refused" "$(through_nginx --path-as-is "$BASE/v1//campaigns/eoy-2026/progress")" '^404 '
expect "an unknown campaign is 404" "$(through_nginx "$BASE/v1/campaigns/no-such-campaign/progress")" '^404 '
grep -qi '^cache-control: no-store' "$WORK/headers" || fail "the service's 404 is cacheable"
expect "its 404 is not cached" "$(through_nginx "$BASE/v1/campaigns/no-such-campaign/progress")" '^404 (MISS|EXPIRED|) '
expect "the same 404 straight from the service" \
    "$(curl -s -o /dev/null -D - --path-as-is "http://127.0.0.1:$PORT_A/v1/campaigns/eoy%2D2026/progress" |
        tr -d '\r' | awk 'NR == 1 { status = $2 } tolower($1) == "cache-control:" { cc = $2 } END { print status, cc }')" \
    '^404 no-store$'
attack() {
    local -a spellings=("eoy%2D2026/progress" "eoy-2026/%70rogress" "x/../eoy-2026/progress" "eoy-2026/./progress")
    while :; do
        for spelling in "${spellings[@]}"; do
            curl -sk --path-as-is -o /dev/null --resolve "donate.example.org:$HTTPS_PORT:127.0.0.1" \
                "$BASE/v1/campaigns/$spelling" || true
            curl -sk -o /dev/null --resolve "donate.example.org:$HTTPS_PORT:127.0.0.1" \
                "https://donate.example.org:$HTTPS_PORT/v1//campaigns/eoy-2026/progress" || true
        done
    done
}
attack &
ATTACK_PID=$!
PIDS+=("$ATTACK_PID")
poisoned=0
samples=$(((max_age + 2) * 10))
for _ in $(seq 1 "$samples"); do
    got=$(through_nginx "$PROGRESS")
    [[ $got =~ ^200\  ]] || poisoned=$((poisoned + 1))
    sleep 0.1
done
kill "$ATTACK_PID" 2>/dev/null || true
wait "$ATTACK_PID" 2>/dev/null || true
((poisoned == 0)) || fail "$poisoned of $samples banner requests were not 200 while other spellings of its path were sent"
echo "ok: $samples banner requests all 200 across a cache expiry under a stream of non-canonical spellings"
if grep -q '/var/lib/nginx' "$WORK"/log/*.log; then fail "nginx wrote outside the test prefix"; fi
stop_instance A
echo "nginx_proxy_check: ok"
