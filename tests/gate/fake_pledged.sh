#!/bin/sh
# A stand-in for the pledged binary that misbehaves on purpose, so that the test support's
# own checks can be shown to fail (tests/gate/gate_test.cpp). PLEDGED_FAKE picks the fault:
#   serve-clean   `serve` logs "listening" and exits 0 on SIGTERM (the control: no failure)
#   serve-hang    `serve` logs "listening" and ignores SIGTERM: a hang at shutdown
#   serve-exit3   `serve` logs "listening" and exits 3 on SIGTERM: an unclean stop
#   serve-asan    `serve` exits 0 on SIGTERM after writing an ASan report to its log
#   cli-asan      any command writes an ASan report and exits 1, as an ASan abort does
#   cli-refuse    any command writes a refusal and exits 1 (the control)
listening() { echo '{"level":"info","msg":"listening","port":9}' >&2; }
asan_report() {
    echo "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010" >&2
    echo "    #0 0x55d0 in planted_fault fake_pledged.sh" >&2
    echo "SUMMARY: AddressSanitizer: heap-use-after-free fake_pledged.sh in planted_fault" >&2
}
case "$PLEDGED_FAKE" in
    serve-clean) trap 'exit 0' TERM ;;
    serve-hang) trap '' TERM ;;
    serve-exit3) trap 'exit 3' TERM ;;
    serve-asan) trap 'asan_report; exit 0' TERM ;;
    cli-asan) asan_report; exit 1 ;;
    cli-refuse) echo "pledged: refused" >&2; exit 1 ;;
    *) echo "fake_pledged.sh: unknown PLEDGED_FAKE '$PLEDGED_FAKE'" >&2; exit 2 ;;
esac
listening
# A short sleep in a loop, so a trapped SIGTERM is acted on within a fifth of a second.
while :; do sleep 0.2; done
