#!/bin/bash
# Measures the control UI's resident memory when idle: the UI, started by polydesk-ui.sh with the
# appliance's JVM options, shows the VM list of a polydeskd with three VMs under Xvfb; after the
# settle time its VmRSS is read from /proc. Exits 1 when it is over the goal.
# Usage: ui-vm/measure-memory.sh [SETTLE_SECONDS]   (needs mvn -pl ui-vm -am package -DskipTests)
set -euo pipefail
settle=${1:-30}
goal_mib=160
. "$(dirname "$0")/dev-env.sh"
trap dev_env_stop EXIT
dev_env_start 1280 800
dev_env_examples
"$repo/ui-vm/polydesk-ui.sh" --socket "$dev_socket" >"$dev_dir/ui.log" 2>&1 &
ui=$!
dev_pids+=($ui)
sleep "$settle"
kill -0 "$ui" 2>/dev/null || { echo "the UI exited:"; cat "$dev_dir/ui.log"; exit 1; }
# CPU time while idle, over 10 s (fields 14 and 15 of /proc/PID/stat, in clock ticks).
ticks() { awk '{print $14 + $15}' "/proc/$ui/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
cpu_ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$ui/status")
hwm_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$ui/status")
rss_mib=$(( (rss_kib + 1023) / 1024 ))
echo "polydesk-ui idle after ${settle} s: RSS ${rss_mib} MiB (peak $(( (hwm_kib + 1023) / 1024 )) MiB); goal <= ${goal_mib} MiB; CPU ${cpu_ms} ms in 10 s idle"
[ "$rss_mib" -le "$goal_mib" ]
