#!/usr/bin/env bash
#
# The log audit's own test: leaks planted in a temporary log folder must fail
# tests/log_audit.sh (3 of them, and 2,000, the size that once slipped through when
# grep died of SIGPIPE under pipefail), and so must a folder where nothing was
# audited; a clean service log, and the one output allowed to carry a staff token,
# must pass. Usage: tests/log_audit_test.sh [AUDIT_SCRIPT] (default: the one beside it).

set -euo pipefail
AUDIT=${1:-"$(dirname "${BASH_SOURCE[0]}")/log_audit.sh"}
WORK=$(mktemp -d /tmp/pledged-log-audit-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0
cases=0
case_number=0

# A log the way the service writes it: start-up, request lines, shutdown.
clean_service_log() {
    printf '%s\n' '{"level":"info","msg":"listening","host":"127.0.0.1","port":40123}'
    for i in $(seq 1 200); do
        printf '{"level":"info","msg":"request","request_id":"req-%04d","route":"/v1/campaigns/:slug/progress","method":"GET","status":200,"ms":1.2}\n' "$i"
    done
    printf '%s\n' '{"level":"info","msg":"stopped"}'
}

# new_case NAME: a fresh, empty log folder for one case; prints its path.
new_case() {
    case_number=$((case_number + 1))
    local folder="$WORK/$case_number-$1"
    mkdir -p "$folder"
    printf '%s\n' "$folder"
}

# expect STATUS NAME FOLDER [TEXT]: runs the audit on FOLDER; its exit status must be
# STATUS (0 or "fail" for any non-zero) and its output must contain TEXT.
expect() {
    local wanted=$1 name=$2 folder=$3 text=${4:-} status=0 output
    output=$(PLEDGED_TEST_LOG_DIR=$folder "$AUDIT" 2>&1) || status=$?
    local ok=1
    cases=$((cases + 1))
    if [[ $wanted == 0 ]]; then ((status == 0)) || ok=0; else ((status != 0)) || ok=0; fi
    [[ -z $text || $output == *"$text"* ]] || ok=0
    if ((ok)); then
        echo "ok: $name (exit $status)"
    else
        failures=$((failures + 1))
        echo "FAILED: $name: exit $status, expected ${wanted/fail/non-zero}${text:+ and output containing '$text'}"
        printf '%s\n' "$output" | sed -n '1,20p' | sed 's/^/    | /'
    fi
}

# plant_emails FILE COUNT: COUNT request lines that leak a donor's email.
plant_emails() {
    local file=$1 count=$2
    for i in $(seq 1 "$count"); do
        printf '{"level":"info","msg":"pledge saved","donor":"donor%d@example.org"}\n' "$i"
    done >>"$file"
}

folder=$(new_case clean)
clean_service_log >"$folder/pledged-serve-aaaa.log"
expect 0 "a clean service log passes" "$folder" "0 hits"

folder=$(new_case three-emails)
clean_service_log >"$folder/pledged-serve-aaaa.log"
plant_emails "$folder/pledged-serve-aaaa.log" 3
expect fail "3 leaked emails fail the audit" "$folder" "FAILED: 3 hits"

folder=$(new_case two-thousand-emails)
clean_service_log >"$folder/pledged-serve-aaaa.log"
plant_emails "$folder/pledged-serve-aaaa.log" 2000
expect fail "2,000 leaked emails fail the audit, every one counted" "$folder" "FAILED: 2000 hits"

folder=$(new_case two-thousand-keys)
clean_service_log >"$folder/pledged-serve-aaaa.log"
for i in $(seq 1 2000); do printf '{"msg":"stripe call","key":"sk_test_%08d"}\n' "$i"; done >>"$folder/pledged-serve-aaaa.log"
expect fail "2,000 leaked Stripe keys fail the audit" "$folder" "FAILED: 2000 hits"

folder=$(new_case empty-folder)
expect fail "an empty log folder fails (nothing audited)" "$folder" "nothing was audited"

expect fail "a missing log folder fails (nothing audited)" "$WORK/no-such-folder" "nothing was audited"

folder=$(new_case empty-log)
: >"$folder/pledged-serve-aaaa.log"
expect fail "a single empty log fails (nothing audited)" "$folder" "nothing was audited"

folder=$(new_case no-service)
printf 'applied 0001_initial_schema.sql\n' >"$folder/pledged-cmd-migrate-aaaa.out"
expect fail "logs where no service ever started fail (nothing audited)" "$folder" "nothing was audited"

folder=$(new_case cli-stderr)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf 'pledged: reconcile: Stripe refused key sk_live_abcdefghijklmnop\n' >"$folder/pledged-cmd-reconcile-aaaa.err"
expect fail "a key in the CLI's stderr fails" "$folder" "pledged-cmd-reconcile-aaaa.err"

folder=$(new_case cli-stdout)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf 'seen 3, applied 1: ana@example.org\n' >"$folder/pledged-cmd-reconcile-aaaa.out"
expect fail "an email in the CLI's stdout fails" "$folder" "pledged-cmd-reconcile-aaaa.out"

folder=$(new_case nginx-instance-log)
clean_service_log >"$folder/pledged-serve-aaaa.log"
mkdir -p "$folder/nginx-proxy-check-aaaa/log"
clean_service_log >"$folder/nginx-proxy-check-aaaa/pledged-A.log"
printf '127.0.0.2 - - "POST /v1/pledges HTTP/1.1" 400 "Authorization: Bearer pst_abc"\n' \
    >"$folder/nginx-proxy-check-aaaa/log/access.log"
expect fail "a header in the nginx check's logs (a subfolder) fails" "$folder" "access.log"

folder=$(new_case token-create-output)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf 'pst_%s\n' "$(printf 'a%.0s' $(seq 1 40))" >"$folder/pledged-cmd-token-create-aaaa.out"
printf 'created admin token ana-admin\n' >"$folder/pledged-cmd-token-create-aaaa.err"
expect 0 "the token that token create prints on its stdout is allowed" "$folder" "0 hits"

folder=$(new_case token-create-output-with-email)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf 'pst_%s\nana@example.org\n' "$(printf 'a%.0s' $(seq 1 40))" >"$folder/pledged-cmd-token-create-aaaa.out"
expect fail "only the token is allowed there: an email still fails" "$folder" "FAILED: 1 hits"

folder=$(new_case token-in-service-log)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf '{"msg":"staff","token":"pst_%s"}\n' "$(printf 'a%.0s' $(seq 1 40))" >>"$folder/pledged-serve-aaaa.log"
expect fail "a staff token in a service log fails" "$folder" "FAILED: 1 hits"

folder=$(new_case card-numbers)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf '{"msg":"checkout","card":"4242424242424242"}\n{"msg":"checkout","card":"5555 5555"}\n' \
    >>"$folder/pledged-serve-aaaa.log"
printf 'card 378282246310005 declined\n' >>"$folder/pledged-serve-aaaa.log"
expect fail "card numbers (Visa, Amex) in a service log fail" "$folder" "FAILED: 2 hits"

# The false alarm that once failed CI: a hex request id whose digits look like a Visa
# number, in the service log and in the nginx access log; and a Luhn-invalid number.
folder=$(new_case hex-ids-are-not-cards)
clean_service_log >"$folder/pledged-serve-aaaa.log"
printf '{"msg":"request","request_id":"4f4977207584086847b624878842cc9a","status":304}\n' \
    >>"$folder/pledged-serve-aaaa.log"
printf '{"msg":"request","request_id":"req-4977207584086847","amount":4242424242424241}\n' \
    >>"$folder/pledged-serve-aaaa.log"
expect 0 "digits inside a hex id, and a Luhn-invalid number, are not card numbers" "$folder" "0 hits"

if ((failures > 0)); then
    echo "log_audit_test: $failures of $cases cases FAILED"
    exit 1
fi
echo "log_audit_test: ok ($cases cases)"
