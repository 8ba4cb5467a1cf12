#!/usr/bin/env bash
#
# deploy/nginx/pledged.conf passes `nginx -t` and carries the settings the
# service relies on. Usage: tests/deploy/nginx_config_check.sh PROJECT_ROOT
#
# Everything nginx touches lives in a temporary prefix (nginx_test_prefix.sh):
# a throwaway self-signed certificate, the cache and log folders; the upstream
# host names of compose.yaml become loopback addresses (nginx -t resolves them).

set -euo pipefail

ROOT=${1:?usage: $0 PROJECT_ROOT}
CONF="$ROOT/deploy/nginx/pledged.conf"
WORK=$(mktemp -d /tmp/pledged-nginx-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() {
    printf 'nginx_config_check: %s\n' "$*" >&2
    exit 1
}

# shellcheck source=nginx_test_prefix.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx_test_prefix.sh"
nginx_prefix_render "$ROOT" "$WORK" 127.0.0.1:18081 127.0.0.1:18082
# The check never writes to a root-owned location.
nginx_prefix_paths_contained "$WORK" || fail "the rendered configuration escapes the test prefix"

output=$(nginx_prefix_run "$WORK" -t 2>&1) || {
    printf '%s\n' "$output" >&2
    fail "nginx -t failed"
}
printf '%s\n' "$output"
if grep -qE '\[(warn|emerg|alert|crit)\]' <<<"$output"; then fail "nginx -t printed warnings"; fi
grep -q 'test is successful' <<<"$output" || fail "nginx -t did not report success"

# The settings the service and the deployment depend on.
require() {
    grep -qE "$1" "$CONF" || fail "missing: $2"
}
require '^\s*keepalive [0-9]+;' "upstream keep-alive"
require '^\s*proxy_http_version 1\.1;' "HTTP/1.1 to the upstream (keep-alive)"
require '^\s*proxy_set_header Connection "";' "an empty Connection header upstream"
require '^\s*proxy_cache_revalidate on;' "cache revalidation with the service's ETag"
require '^\s*proxy_cache_lock on;' "one request upstream per cache expiry"
require '^\s*location ~ \^/v1/campaigns/\[\^/\]\+/progress\$' "a cached location for the progress route"
require '^\s*proxy_set_header X-Forwarded-For \$remote_addr;' "X-Forwarded-For set from the TCP peer"
require '^\s*proxy_set_header X-Real-IP \$remote_addr;' "X-Real-IP"
require '^\s*proxy_next_upstream error timeout' "retry on the other instance"
require '^\s*ssl_certificate ' "TLS termination"

# Body limits equal to the service's: 1 MiB for webhooks, 16 KiB for pledges.
limit_in_location() {
    awk -v loc="$1" '
        index($0, "location " loc " {") { inside = 1; next }
        inside && /^[ \t]*}/ { inside = 0 }
        inside && $1 == "client_max_body_size" { gsub(";", "", $2); print $2 }' "$CONF"
}
[[ $(limit_in_location "= /v1/webhooks/stripe") == 1m ]] || fail "webhook body limit is not 1m"
[[ $(limit_in_location "= /v1/pledges") == 16k ]] || fail "pledge body limit is not 16k"
# Caching must follow the service's Cache-Control, never override it.
if grep -qE '^\s*proxy_ignore_headers' "$CONF"; then fail "proxy_ignore_headers would override the service's Cache-Control"; fi
echo "nginx_config_check: ok"
