#!/usr/bin/env bash
#
# The log audit: after the suite, everything the service and its tools wrote during
# the tests (PLEDGED_TEST_LOG_DIR, subfolders included) must hold no secret, no
# Authorization header, no card number and no email address. That is the service's
# logs, the stand-in's, the CLI's stdout and stderr (the test support keeps them as
# pledged-cmd-*.out/.err) and the nginx check's instance and nginx logs. Prints the
# first hits of each kind, counts them all, and fails if there is any.
#
# One exemption, by design of the product: `pledged token create` prints the new
# staff token once on its stdout (pledged-cmd-token-create-*.out); the staff-token
# pattern does not apply to those files, every other pattern does.
#
# tests/log_audit_test.sh is this audit's own test (planted leaks must fail it).

set -euo pipefail
dir=${PLEDGED_TEST_LOG_DIR:?run through scripts/test}
[[ -d $dir ]] || { echo "log audit: $dir does not exist: nothing was audited"; exit 1; }

files=()
while IFS= read -r -d '' file; do files+=("$file"); done < <(find "$dir" -type f -print0 | sort -z)
((${#files[@]} > 0)) || { echo "log audit: no logs in $dir: nothing was audited"; exit 1; }

# Nothing audited also when the files are empty, or when no service ever ran:
# a run that produced no service log line proves nothing about what the service logs.
bytes=$(cat -- "${files[@]}" | wc -c)
lines=$(cat -- "${files[@]}" | wc -l)
((bytes > 0)) || { echo "log audit: ${#files[@]} files in $dir, all empty: nothing was audited"; exit 1; }
if ! grep -qsF -- '"msg":"listening"' "${files[@]}"; then
    echo "log audit: no log in $dir shows a service that started (no \"listening\" line): nothing was audited"
    exit 1
fi

token_create_outputs=()
other_files=()
for file in "${files[@]}"; do
    case ${file##*/} in
        pledged-cmd-token-create-*.out) token_create_outputs+=("$file") ;;
        *) other_files+=("$file") ;;
    esac
done

staff_token='pst_[0-9A-Za-z]{20,}'
# A card number stands alone: bounded by what cannot be part of an identifier, so the
# digits inside a hex request id ("4f4977207584086847b6…" once failed CI) are not one.
card_number='(^|[^0-9A-Za-z])(4[0-9]{12}([0-9]{3})?|5[1-5][0-9]{14}|3[47][0-9]{13})([^0-9A-Za-z]|$)'

# keep_luhn_valid: keeps the grep lines (file:line:text) in which some card-shaped
# number passes the Luhn check, as every real card number does; a random run of
# digits passes it one time in ten, so the check cuts false alarms, not real leaks.
keep_luhn_valid() {
    # perl-base is part of every Debian system; mawk has no {n} repetitions.
    perl -ne '
        sub luhn { my ($sum, $alt) = (0, 0);
                   for my $d (reverse split //, shift) { $d *= 2 if $alt; $d -= 9 if $d > 9; $sum += $d; $alt = !$alt }
                   return $sum % 10 == 0 }
        while (/(?<![0-9A-Za-z])(4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|3[47][0-9]{13})(?![0-9A-Za-z])/g) {
            if (luhn($1)) { print; last }
        }'
}
patterns=(
    'sk_(live|test)_[0-9A-Za-z]+'            # Stripe secret keys
    'rk_(live|test)_[0-9A-Za-z]+'            # Stripe restricted keys
    'whsec_[0-9A-Za-z_]+'                    # webhook signing secrets
    '[Aa]uthorization'                       # bearer tokens travel in this header
    'Bearer [0-9A-Za-z_.-]+'
    "$staff_token"                           # staff tokens
    "$card_number"                           # card numbers (Luhn-checked below)
    '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'                              # email addresses
)

# Every matching line is counted (grep -c), then the first few are shown. No pipe
# into head: a grep killed by SIGPIPE under pipefail once turned 2,000 hits into 0.
hits=0
matches=$(mktemp)
trap 'rm -f "$matches"' EXIT
for pattern in "${patterns[@]}"; do
    targets=("${other_files[@]}")
    [[ $pattern == "$staff_token" ]] || targets+=("${token_create_outputs[@]}")
    ((${#targets[@]} > 0)) || continue
    status=0
    grep -aHnE -- "$pattern" "${targets[@]}" >"$matches" || status=$?
    if [[ $status == 0 && $pattern == "$card_number" ]]; then
        keep_luhn_valid <"$matches" >"$matches.luhn"
        mv "$matches.luhn" "$matches"
        [[ -s $matches ]] || status=1
    fi
    case $status in
        0)
            count=$(wc -l <"$matches")
            hits=$((hits + count))
            echo "log audit: $count lines match /$pattern/, the first ones:"
            sed -n '1,5p' "$matches"
            ;;
        1) ;;  # no match
        *)
            echo "log audit: grep failed (status $status) on /$pattern/"
            exit 2
            ;;
    esac
done
if ((hits > 0)); then
    echo "log audit: FAILED: $hits hits in ${#files[@]} files (see the lines above)"
    exit 1
fi
echo "log audit: ${#files[@]} files, $lines lines, 0 hits"
