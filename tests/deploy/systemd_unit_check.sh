#!/usr/bin/env bash
#
# deploy/systemd/pledged.service passes `systemd-analyze verify` with no
# warning, scores "OK" on `systemd-analyze security`, and carries the settings
# the service's shutdown and secrets rely on.
# Usage: tests/deploy/systemd_unit_check.sh PROJECT_ROOT PLEDGED_BINARY
#
# verify checks that the commands exist, so the copy under test points at the
# freshly built binary instead of /usr/local/bin/pledged. Nothing is installed
# and no systemd manager is contacted (both commands run offline).

set -euo pipefail

ROOT=${1:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
BINARY=${2:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
UNIT="$ROOT/deploy/systemd/pledged.service"
WORK=$(mktemp -d /tmp/pledged-systemd-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() {
    printf 'systemd_unit_check: %s\n' "$*" >&2
    exit 1
}

# Keys first (cheap, and each failure names its key), read as systemd reads them: the
# last assignment wins. A key that is absent is not a key set to "": a unit without
# CapabilityBoundingSet= keeps every capability, one with an empty assignment has none.
# tests/deploy/systemd_unit_check_test.sh runs this check on altered units.
value_of() {
    awk -F= -v key="$1" '$1 == key { found = 1; value = substr($0, length(key) + 2) }
                         END { print value; exit !found }' "$UNIT"
}
require() {
    local key=$1 expected=$2 actual
    actual=$(value_of "$key") || fail "$key= is missing, expected $key=$expected"
    [[ $actual == "$expected" ]] || fail "$key is '$actual', expected '$expected'"
}
require DynamicUser yes
require NoNewPrivileges yes
require ProtectSystem strict
require ProtectHome yes
require PrivateTmp yes
require CapabilityBoundingSet ""
require RestrictAddressFamilies "AF_INET AF_INET6 AF_UNIX"
require EnvironmentFile /etc/pledged/pledged.env
require ExecStartPre "/usr/local/bin/pledged migrate"
require ExecStart "/usr/local/bin/pledged serve"
require Restart on-failure
require KillSignal SIGTERM
grep -q '^SystemCallFilter=@system-service$' "$UNIT" || fail "SystemCallFilter=@system-service missing"

sed "s#/usr/local/bin/pledged#$BINARY#g" "$UNIT" >"$WORK/pledged.service"
cd "$WORK"
if ! messages=$(systemd-analyze verify ./pledged.service 2>&1); then
    printf '%s\n' "$messages" >&2
    fail "systemd-analyze verify failed"
fi
# verify exits 0 on unknown keys and bad values; any message is a defect here.
[[ -z $messages ]] || { printf '%s\n' "$messages" >&2; fail "systemd-analyze verify printed warnings"; }

# Exposure on systemd's 0-10 scale, 10 = unrestricted; 2.0 and below is "OK".
security=$(systemd-analyze security --offline=yes --threshold=20 ./pledged.service 2>&1) || {
    printf '%s\n' "$security" >&2
    fail "exposure above 2.0"
}
grep 'Overall exposure level' <<<"$security"

# systemd must wait longer than the service's own grace before SIGKILL.
grace=25  # PLEDGED_SHUTDOWN_GRACE's default (the config table, src/config/config.cpp)
stop=$(value_of TimeoutStopSec) || fail "TimeoutStopSec= is missing"
[[ $stop =~ ^([0-9]+)s?$ ]] || fail "TimeoutStopSec '$stop' is not a number of seconds"
((BASH_REMATCH[1] > grace)) || fail "TimeoutStopSec $stop is not above the shutdown grace (${grace}s)"
grep -qF "{\"PLEDGED_SHUTDOWN_GRACE\", \"$grace\"" "$ROOT/src/config/config.cpp" ||
    fail "the service's default grace is no longer ${grace}s; update this check and the unit"
echo "systemd_unit_check: ok"
