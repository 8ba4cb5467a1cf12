#!/usr/bin/env bash
#
# systemd_unit_check.sh's own test: the check runs on altered copies of the unit
# (in a throwaway project root) and must fail on each defect, naming the key; the
# unit as it is must pass. Usage: tests/deploy/systemd_unit_check_test.sh PROJECT_ROOT PLEDGED_BINARY

set -euo pipefail
ROOT=${1:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
BINARY=${2:?usage: $0 PROJECT_ROOT PLEDGED_BINARY}
CHECK="$(dirname "${BASH_SOURCE[0]}")/systemd_unit_check.sh"
WORK=$(mktemp -d /tmp/pledged-systemd-check-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0

# run_case NAME WANT TEXT SED_SCRIPT: the unit edited by SED_SCRIPT; the check must exit
# 0 (WANT=pass) or not (WANT=fail), and its output must contain TEXT.
run_case() {
    local name=$1 want=$2 text=$3 edit=$4 root="$WORK/$1" status=0 output
    # What the check reads besides the unit: the service's default grace (src/config/config.cpp).
    mkdir -p "$root/deploy/systemd" "$root/src/config"
    cp "$ROOT/src/config/config.cpp" "$root/src/config/"
    sed -e "$edit" "$ROOT/deploy/systemd/pledged.service" >"$root/deploy/systemd/pledged.service"
    output=$("$CHECK" "$root" "$BINARY" 2>&1) || status=$?
    if { [[ $want == pass ]] && ((status == 0)); } || { [[ $want == fail ]] && ((status != 0)); } &&
        [[ $output == *"$text"* ]]; then
        echo "ok: $name (exit $status)"
    else
        failures=$((failures + 1))
        echo "FAILED: $name: exit $status, expected $want with output containing '$text':"
        printf '%s\n' "$output" | tail -n 5 | sed 's/^/    | /'
    fi
}

run_case unchanged pass "systemd_unit_check: ok" ''
run_case capability-bounding-set-missing fail "CapabilityBoundingSet= is missing" '/^CapabilityBoundingSet=/d'
run_case capability-bounding-set-granted fail "CapabilityBoundingSet is 'CAP_NET_ADMIN'" \
    's/^CapabilityBoundingSet=$/CapabilityBoundingSet=CAP_NET_ADMIN/'
run_case no-new-privileges-missing fail "NoNewPrivileges= is missing" '/^NoNewPrivileges=/d'
run_case timeout-stop-missing fail "TimeoutStopSec= is missing" '/^TimeoutStopSec=/d'

if ((failures > 0)); then
    echo "systemd_unit_check_test: $failures cases FAILED"
    exit 1
fi
echo "systemd_unit_check_test: ok"
