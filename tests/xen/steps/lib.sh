# shellcheck shell=sh
# Sourced (POSIX sh: dom0 runs it with dash) by run-in-dom0.sh before the step files: the one
# result helper (pass / fail / skip) and the one wait helper (wait_for) every step uses, and the
# state reads the steps share. Sourced by tests/scripts/run.sh too, to test wait_for.

P=${P:-/payload}
G=${G:-$P/guest}
OUT=${OUT:-$P/out}

passed=0 failed=0 skipped=0
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Results: one line each, read back by evaluate-results.sh. A step that cannot run is a SKIP
# with its reason; whether that SKIP is acceptable is the evaluation's business, not the step's.
pass() { echo "PASS $1 ($2 s)"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
# skip_all REASON STEP...: the same SKIP for each step.
skip_all() {
    _why=$1; shift
    for _s in "$@"; do skip "$_s" "$_why"; done
}
# verdict STEP T WHY: PASS when WHY is empty, else FAIL with WHY ("a; b;" -> "a; b").
verdict() {
    if [ -z "$3" ]; then pass "$1" "$(since "$2")"
    else fail "$1" "$(echo "$3" | sed "s/^ *//; s/;$//")"; fi
}
info() { echo "  $*"; }
# indent FILE [LINES]: the last lines of a file, indented, for a failure's context.
indent() { [ -f "$1" ] && tail -n "${2:-20}" "$1" | sed 's/^/  | /'; }

# wait_for DEADLINE_S DESCRIPTION COMMAND [ARG...]: runs COMMAND every half second until it
# succeeds (returns 0) or DEADLINE_S seconds have passed (says so, returns 1). Every wait of the
# steps goes through here: none is a fixed sleep, none is without a deadline. COMMAND may end the
# wait early by its own test (e.g. "done, or the process is gone"); the caller then reads the
# state again to judge.
wait_for() { wait_every 0.5 "$@"; }
# wait_every INTERVAL_S DEADLINE_S DESCRIPTION COMMAND [ARG...]: the same, polling every INTERVAL_S.
wait_every() {
    _we_interval=$1 _we_deadline=$2 _we_what=$3
    shift 3
    _we_t0=$(now)
    while :; do
        "$@" && return 0
        if awk -v a="$_we_t0" -v b="$(now)" -v d="$_we_deadline" 'BEGIN { exit !(b - a >= d) }'; then
            info "waited $(since "$_we_t0") s for $_we_what: deadline of $_we_deadline s passed"
            return 1
        fi
        sleep "$_we_interval"
    done
}
# alive PID: the process is still there.
alive() { kill -0 "$1" 2>/dev/null; }
# not COMMAND...: inverts (for wait_for).
not() { ! "$@"; }
# has_line FILE REGEX: the file has a line matching the extended REGEX.
has_line() { grep -qE "$2" "$1" 2>/dev/null; }

# in_xl_list NAME [UUID]: the domain is in xl list (by name, or by UUID when given).
in_xl_list() {
    xl list -v 2>/dev/null | awk -v n="$1" -v u="${2:-none}" 'NR > 1 && ($1 == n || $7 == u) { f = 1 } END { exit !f }'
}
# wait_gone NAME UUID SECONDS: wait until the domain has left xl list.
wait_gone() { wait_for "$3" "$1 to leave xl list" not in_xl_list "$1" "$2"; }

# drv PCI-ADDRESS: the driver the kernel has bound to the function (sysfs), or nothing.
drv() { _d=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null); echo "${_d##*/}"; }
# fb_users [PID]: the processes (or only PID) that hold a framebuffer device open or mapped,
# from /proc/*/fd and /proc/*/maps (a device gone since shows as "/dev/fb0 (deleted)").
fb_users() {
    for _p in ${1:-/proc/[0-9]*}; do
        case "$_p" in /proc/*) ;; *) _p=/proc/$_p ;; esac
        if ls -l "$_p/fd" 2>/dev/null | grep -q ' -> /dev/fb[0-9]' \
                || grep -q ' /dev/fb[0-9]' "$_p/maps" 2>/dev/null; then
            echo "${_p#/proc/}"
        fi
    done
}
# holds_fb PID: that process holds a framebuffer open or mapped.
holds_fb() { [ -n "$(fb_users "$1")" ]; }
# nobody_holds_fb: no process holds a framebuffer open or mapped.
nobody_holds_fb() { [ -z "$(fb_users)" ]; }
# gntdev_pages PID: how many pages that process has mapped from /dev/xen/gntdev (grant mappings,
# from its /proc/PID/maps: the kernel's view of what it mapped).
gntdev_pages() {
    # (mawk: no strtonum; addresses fit a double's 53 bits)
    awk 'function hex(s,  i, n) { n = 0; s = tolower(s)
                                  for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                                  return n }
         $0 ~ /\/dev\/xen\/gntdev/ { split($1, r, "-"); n += (hex(r[2]) - hex(r[1])) / 4096 }
         END { printf "%d\n", n }' "/proc/$1/maps" 2>/dev/null || echo 0
}
# gntdev_ge PID N: at least N pages mapped.
gntdev_ge() { [ "$(gntdev_pages "$1")" -ge "$2" ]; }

# polyctl with a bound on its time; state NAME: the VM's state in polyctl vm list --json.
pc() { timeout 300 polyctl "$@"; }
state() { pc vm list --json 2>/dev/null | jq -r --arg n "$1" '.[] | select(.definition.name == $n) | .state'; }
# has_event TYPE NAME: polyctl events (followed into $OUT/events.jsonl since step c) holds it.
has_event() { jq -e --arg t "$1" --arg n "$2" 'select(.type == $t and .name == $n)' "$OUT/events.jsonl" > /dev/null 2>&1; }
wait_event() { wait_for "$3" "a '$1' event of $2" has_event "$1" "$2"; }
# connected_to_polydeskd PID: the process has a connection to polydeskd's socket (ss -x: the
# server end's peer inode is one of that process's sockets).
connected_to_polydeskd() {
    ss -xp 2>/dev/null | awk -v pid="pid=$1," '
        $5 ~ /polydeskd\.sock$/ { server[$8] = 1 }
        index($0, pid) { client[$6] = 1 }
        END { for (i in client) if (i in server) f = 1; exit !f }'
}
# follow_serial VM LOG: appends the VM's serial console (its domain's pty) to LOG, attaching again
# when the domain changed (a triple fault under nested SVM in TCG makes it again); call it from a
# wait. stop_serial VM: ends that. The state is in $OUT/.serial-VM.{pid,domid}.
follow_serial() {
    _d=$(xl domid "$1" 2>/dev/null)
    _st=$OUT/.serial-$1
    if [ -n "$_d" ] && [ "$_d" != "$(cat "$_st.domid" 2>/dev/null)" ]; then
        _pty=$(xenstore-read "/local/domain/$_d/serial/0/tty" 2>/dev/null)
        if [ -n "$_pty" ] && [ -c "$_pty" ]; then
            stop_serial "$1"
            echo "$_d" > "$_st.domid"
            stty -F "$_pty" raw -echo 2>/dev/null
            cat "$_pty" >> "$2" 2>/dev/null &
            echo $! > "$_st.pid"
            info "$1 serial: $_pty (domain $_d)"
        fi
    fi
}
stop_serial() {
    [ -f "$OUT/.serial-$1.pid" ] && kill "$(cat "$OUT/.serial-$1.pid")" 2>/dev/null
    rm -f "$OUT/.serial-$1.pid"
}
