#!/bin/bash
# The Xen system test's verdict, from dom0's serial console log alone (run-xen-system-test.sh
# calls it after QEMU exits; tests/scripts/run.sh feeds it canned logs):
#
#   evaluate-results.sh [--allow-skip STEP[,STEP]]... [--fail TEXT]... SERIAL_LOG
#
# Reads the "PASS|FAIL|SKIP <step>" lines run-in-dom0.sh printed and dom0-init's markers
# (POLYDESK-DOM0 DONE / ERROR). Every step in tests/xen/required-steps must PASS: a SKIP of one
# that --allow-skip does not name (comma-separated; shell patterns such as 'j-*' work), or one
# that never reported, is a FAIL. So is a log without any result, a dom0 that never said DONE,
# dom0-init's ERROR, and each --fail TEXT (the runner's own findings, e.g. a timeout). The
# allowed skips also come from POLYDESK_XEN_ALLOW_SKIP. Prints the result lines, the failures it
# adds, which steps were skipped as allowed, and last "N passed, N failed, N skipped".
# Exit 0 when nothing failed, 1 otherwise, 2 on a usage error.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/results.sh"

allowed=${POLYDESK_XEN_ALLOW_SKIP:-}
required=${POLYDESK_XEN_REQUIRED:-$here/required-steps}
fails=()
log=
while [ $# -gt 0 ]; do
    case "$1" in
        --allow-skip) allowed=${allowed:+$allowed,}${2:?--allow-skip needs STEP[,STEP]}; shift 2 ;;
        --allow-skip=*) allowed=${allowed:+$allowed,}${1#*=}; shift ;;
        --fail) fails+=("${2:?--fail needs a text}"); shift 2 ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "evaluate-results.sh: unknown option $1" >&2; exit 2 ;;
        *) log=$1; shift ;;
    esac
done
[ -n "$log" ] && [ -f "$log" ] || { echo "evaluate-results.sh: no serial log '${log}'" >&2; exit 2; }

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
clean=$(tr -d '\r' < "$log")
grep -aE '^(PASS|FAIL|SKIP) ' <<< "$clean" > "$lines" || true
if grep -aq 'POLYDESK-DOM0 ERROR' <<< "$clean"; then
    echo "FAIL run: dom0 setup: $(grep -a -m1 -o 'POLYDESK-DOM0 ERROR:.*' <<< "$clean")" >> "$lines"
elif ! grep -aq 'POLYDESK-DOM0 DONE' <<< "$clean"; then
    echo "FAIL run: dom0 never finished (no POLYDESK-DOM0 DONE on its console)" >> "$lines"
fi
for f in "${fails[@]}"; do echo "FAIL run: $f" >> "$lines"; done
evaluate_results "$lines" "$required" "$allowed"
