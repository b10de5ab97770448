# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables qemu_follow sets are its callers'
# Sourced (bash) by the system tests that boot one QEMU machine and follow its serial console
# (tests/xen/run-xen-system-test.sh, tests/wifi/run-wifi-test.sh); uses the caller's log().
#
# qemu_follow SERIAL TIMEOUT WHO CMD...
#   Runs CMD (QEMU, its own output to qemu.out beside SERIAL), prints SERIAL as it comes and waits
#   until QEMU exits, or TIMEOUT seconds pass (then timed_out=1), or 60 s after the machine printed
#   POLYDESK-DOM0 DONE or ERROR without powering off (WHO names it in that log line). Sets
#   qemu_start ($SECONDS at the start), ready_at, done_at, error_at (seconds after the start of
#   READY, DONE, ERROR; empty when never printed) and total. QEMU and the follower end with the
#   script, on Ctrl+C too.

_qf_qemu='' _qf_tail=''

# _qf_stop PID: TERM, then KILL if it is still there after 5 s (waiting on its exit, not a sleep).
_qf_stop() {
    local pid=$1 n=0
    kill "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    kill -9 "$pid" 2>/dev/null || true
}

_qf_cleanup() {
    [ -n "$_qf_qemu" ] && _qf_stop "$_qf_qemu"
    [ -n "$_qf_tail" ] && kill "$_qf_tail" 2>/dev/null
    return 0
}

qemu_follow() {
    local serial=$1 timeout_s=$2 who=$3 elapsed end n
    shift 3
    trap _qf_cleanup EXIT
    trap 'exit 130' INT TERM
    : > "$serial"
    qemu_start=$SECONDS
    "$@" > "$(dirname "$serial")/qemu.out" 2>&1 &
    _qf_qemu=$!
    # The console as it comes; tail ends by itself once QEMU has (--pid), after the last lines.
    tail -n +1 --pid="$_qf_qemu" -f "$serial" &
    _qf_tail=$!
    ready_at='' done_at='' error_at='' timed_out=''
    while kill -0 "$_qf_qemu" 2>/dev/null; do
        elapsed=$((SECONDS - qemu_start))
        [ -z "$ready_at" ] && grep -q 'POLYDESK-DOM0 READY' "$serial" && ready_at=$elapsed
        [ -z "$done_at" ] && grep -q 'POLYDESK-DOM0 DONE' "$serial" && done_at=$elapsed
        [ -z "$error_at" ] && grep -q 'POLYDESK-DOM0 ERROR' "$serial" && error_at=$elapsed
        end=${done_at:-$error_at}
        if [ -n "$end" ] && [ $((elapsed - end)) -gt 60 ]; then
            log "$who finished but QEMU did not exit within 60 s; killing it"
            break
        fi
        if [ "$elapsed" -ge "$timeout_s" ]; then
            timed_out=1
            break
        fi
        sleep 1
    done
    total=$((SECONDS - qemu_start))
    # The machine may power off within the last second's sleep: look at the markers once more.
    [ -z "$done_at" ] && grep -q 'POLYDESK-DOM0 DONE' "$serial" && done_at=$total
    [ -z "$error_at" ] && grep -q 'POLYDESK-DOM0 ERROR' "$serial" && error_at=$total
    _qf_stop "$_qf_qemu"
    wait "$_qf_qemu" 2>/dev/null || true
    _qf_qemu=
    # tail has the rest of the log to print and then ends (it polls QEMU's pid each second).
    n=0
    while kill -0 "$_qf_tail" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    kill "$_qf_tail" 2>/dev/null || true
    _qf_tail=
    [ -s "$(dirname "$serial")/qemu.out" ] && sed 's/^/qemu: /' "$(dirname "$serial")/qemu.out" >&2
    return 0
}
