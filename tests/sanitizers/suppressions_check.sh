#!/usr/bin/env bash
#
# The sanitizers' suppression files stay narrow: every suppression names a function
# (never a whole library, a source file or a wildcard), and the comment right above it
# gives the reason. A library-wide entry such as `race:libpistache.so.0` once hid races
# in our own route handlers: TSan matches a suppression against every frame of every
# stack in a report (both accesses, the threads' creation stacks, the heap block's
# allocation), and our routes run on threads and under frames of that library.
# Usage: tests/sanitizers/suppressions_check.sh [FILE...] (default: the files beside it).
# It also checks itself: planted broad entries must be refused.

set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")

# check FILE: prints each defect; exit status 1 when there is any.
check() {
    local file=$1 number=0 previous="" line defects=0
    while IFS= read -r line || [[ -n $line ]]; do
        number=$((number + 1))
        if [[ -z ${line//[[:space:]]/} || $line == \#* ]]; then
            previous=$line
            continue
        fi
        local type=${line%%:*} pattern=${line#*:}
        if [[ $line != *:* || -z $pattern ]]; then
            echo "$file:$number: '$line' is not TYPE:FUNCTION"
            defects=$((defects + 1))
        elif [[ $pattern =~ \.so($|\.)|\.(c|cc|cpp|h|hpp)$|^\*+$|^lib ]]; then
            echo "$file:$number: '$line' names a library, a file or everything, not a function"
            defects=$((defects + 1))
        elif [[ $type == called_from_lib ]]; then
            echo "$file:$number: '$line' ignores a whole library's calls"
            defects=$((defects + 1))
        fi
        if [[ $previous != \#* ]]; then
            echo "$file:$number: '$line' has no reason (a comment on the line above)"
            defects=$((defects + 1))
        fi
        previous=$line
    done <"$file"
    ((defects == 0))
}

# The check refuses what it must refuse (its own test).
work=$(mktemp -d /tmp/pledged-supp-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '# reason\nrace:libpistache.so.0\n' >"$work/module.supp"
printf '# reason\nrace:*\n' >"$work/wildcard.supp"
printf '# reason\nrace:exchange.cpp\n' >"$work/file.supp"
printf '# reason\ncalled_from_lib:libpistache.so.0\n' >"$work/called.supp"
printf '# reason\nrace:Pistache::Tcp::Transport::removePeer\nrace:Pistache::Async::Promise<long>::~Promise\n' \
    >"$work/no-reason.supp"
for planted in module wildcard file called no-reason; do
    if check "$work/$planted.supp" >/dev/null; then
        echo "suppressions_check: the check accepted a planted $planted entry"
        exit 1
    fi
done
printf '# reason\nrace:Pistache::Tcp::Transport::removePeer\n\n# reason\nleak:PQmakeEmptyPGresult\n' >"$work/good.supp"
check "$work/good.supp" || { echo "suppressions_check: the check refused a good file"; exit 1; }

files=("$@")
((${#files[@]} > 0)) || files=("$here/tsan.supp" "$here/lsan.supp")
status=0
for file in "${files[@]}"; do
    check "$file" || status=1
done
((status == 0)) && echo "suppressions_check: ${#files[@]} files, every suppression names a function and gives its reason"
exit "$status"
