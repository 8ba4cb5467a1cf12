#!/usr/bin/env bash
#
# The log audit: after the suite, every log the service wrote during the tests
# (PLEDGED_TEST_LOG_DIR) must hold no secret, no Authorization header, no card
# number and no email address. Prints each hit and fails if there is any.

set -euo pipefail
dir=${PLEDGED_TEST_LOG_DIR:?run through scripts/test}
shopt -s nullglob
logs=("$dir"/*.log)
((${#logs[@]} > 0)) || { echo "log audit: no service logs in $dir: nothing was audited"; exit 1; }

patterns=(
    'sk_(live|test)_[0-9A-Za-z]+'            # Stripe secret keys
    'rk_(live|test)_[0-9A-Za-z]+'            # Stripe restricted keys
    'whsec_[0-9A-Za-z_]+'                    # webhook signing secrets
    '[Aa]uthorization'                       # bearer tokens travel in this header
    'Bearer [0-9A-Za-z_.-]+'
    'pst_[0-9A-Za-z]{20,}'                   # staff tokens
    '(^|[^0-9])(4[0-9]{12}([0-9]{3})?|5[1-5][0-9]{14}|3[47][0-9]{13})([^0-9]|$)'  # card numbers
    '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'                              # email addresses
)
hits=0
for pattern in "${patterns[@]}"; do
    if grep -HnE -- "$pattern" "${logs[@]}" | head -5; then
        hits=1
    fi
done
lines=$(cat "${logs[@]}" | wc -l)
if ((hits)); then
    echo "log audit: FAILED (see the lines above)"
    exit 1
fi
echo "log audit: ${#logs[@]} logs, $lines lines, 0 hits"
