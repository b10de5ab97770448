# shellcheck shell=bash
# Sourced (bash) by iso/boot-test.sh and by tests/scripts/run.sh: the ISO boot test's evaluation,
# apart from QEMU, so that it can be run on canned serial logs and results.
#
#   boot_report_results PHASE MODE SERIAL_LOG    result lines of one boot's report
#   screen_verdict PPM [ARG...]                  the screen checker's verdict; status 0 ok,
#                                                1 not (yet) the UI, 2 the checker broke
#   required_steps PHASES                        PHASE/STEP keys the phases must report
#   evaluate_boot_test RESULTS PHASES ALLOWED    the verdict on a file of keyed result lines
# Result lines are "PASS|FAIL|SKIP PHASE/STEP DETAIL".

_boot_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_boot_lib_dir/../tests/lib/results.sh"
REQUIRED_CHECKS_FILE=${POLYDESK_REQUIRED_CHECKS:-$_boot_lib_dir/required-checks}
# The screen checker; tests put a fake here.
SCREEN_CHECKER=${POLYDESK_SCREEN_CHECKER:-$_boot_lib_dir/screen-check.py}

required_checks() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REQUIRED_CHECKS_FILE" | grep -v '^$'; }

# clean_serial FILE: the serial log without CRs and without the kernel's "[ time] unit[pid]: "
# prefix that systemd puts on a service's console output.
clean_serial() { tr -d '\r' < "$1" | sed -E 's/^.*\[ *[0-9]+\.[0-9]+\] [A-Za-z0-9_.-]+\[[0-9]+\]: //'; }

# boot_report_results PHASE MODE SERIAL_LOG: one line per POLYDESK-CHECK of the boot report
# (PASS when "ok"), a FAIL for each required check (iso/required-checks) the report lacks, and
# boot-mode: the report's POLYDESK-BOOT DONE must say mode=MODE.
boot_report_results() {
    local phase=$1 mode=$2 log=$3 name state detail
    local -A seen=()
    while read -r _ name state detail; do
        [ -n "$name" ] || continue
        seen[$name]=1
        if [ "$state" = ok ]; then echo "PASS $phase/$name $detail"
        else echo "FAIL $phase/$name $state $detail"; fi
    done < <(clean_serial "$log" | grep -aE '^POLYDESK-CHECK ')
    while read -r name; do
        [ -n "${seen[$name]:-}" ] || echo "FAIL $phase/$name the boot report has no POLYDESK-CHECK $name (required: iso/required-checks)"
    done < <(required_checks)
    if tr -d '\r' < "$log" | grep -aq "POLYDESK-BOOT DONE mode=$mode"; then
        echo "PASS $phase/boot-mode $mode"
    else
        echo "FAIL $phase/boot-mode expected mode=$mode: $(tr -d '\r' < "$log" | grep -aom1 'POLYDESK-BOOT DONE.*')"
    fi
}

# screen_verdict PPM: prints the checker's lines; returns 0 when it exited 0 with every line
# "ok ...", 1 when it exited 1 (the screen is not the UI, or not yet), 2 when it broke: any other
# exit, a Python traceback, or no verdict line at all. A broken checker is never a PASS.
screen_verdict() {
    local out rc
    out=$(python3 "$SCREEN_CHECKER" "$@" 2>&1)
    rc=$?
    echo "$out"
    if [ $rc -ne 0 ] && [ $rc -ne 1 ] || grep -q '^Traceback ' <<< "$out" \
            || ! grep -qE '^(ok|fail) ' <<< "$out"; then
        return 2
    fi
    [ $rc -eq 0 ] && ! grep -q '^fail ' <<< "$out" && return 0
    return 1
}

# required_steps PHASES: the PHASE/STEP keys the comma-separated phases must report.
required_steps() {
    local p c
    local -a phases
    IFS=, read -ra phases <<< "$1"
    for p in "${phases[@]}"; do
        case "$p" in
            bios-live|uefi-live|bios-disk|uefi-disk|update|updated|fallback)
                printf '%s/%s\n' "$p" xen-started "$p" dom0-kernel "$p" dom0-userspace
                while read -r c; do echo "$p/$c"; done < <(required_checks)
                printf '%s/%s\n' "$p" boot-mode "$p" screen-shows-ui ;;&
            bios-live)
                printf '%s/%s\n' "$p" console-login "$p" guest-lease ;;
            bios-disk|uefi-disk)
                printf '%s/%s\n' "$p" disk-unlock "$p" vm-store "$p" console-login "$p" admin-groups "$p" admin-polyctl \
                    "$p" admin-sudo "$p" admin-time-zone "$p" admin-keyboard "$p" admin-ssh "$p" admin-console "$p" console-back "$p" host-shutdown ;;
            install)
                printf '%s/%s\n' install console-login install refuses-boot-disk install polyctl-install install refuses-partitioned ;;
            update|updated|fallback)
                printf '%s/%s\n' "$p" disk-unlock "$p" vm-store "$p" console-login ;;&
            update)
                printf '%s/%s\n' update vm-made update refuses-not-iso update refuses-truncated update polyctl-update update next-boot ;;
            updated)
                printf '%s/%s\n' updated new-release updated vm-intact updated unhealthy-update ;;
            fallback-try)
                printf '%s/%s\n' fallback-try disk-unlock fallback-try restarts ;;
            fallback)
                printf '%s/%s\n' fallback back-to-kept fallback vm-intact ;;
        esac
    done
}

# evaluate_boot_test RESULTS PHASES ALLOWED: evaluate_results against the phases' required steps.
evaluate_boot_test() {
    local req rc
    req=$(mktemp)
    required_steps "$2" > "$req"
    evaluate_results "$1" "$req" "$3"
    rc=$?
    rm -f "$req"
    return $rc
}
