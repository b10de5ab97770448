#!/bin/bash
# Sets up a fresh Debian 12 machine, builds Polydesk and starts the whole desktop without Xen:
#   - polydeskd with the QEMU backend and two example VMs (the test guest, one red, one blue);
#   - the control UI on an Xvnc, shown as slot 0;
#   - the display server: a window on your desktop when $DISPLAY is set, otherwise a PNG snapshot
#     of the screen every second (its path is printed);
#   - the input server, fed by that window's keyboard and mouse (your own devices are not grabbed).
# Switch with Ctrl+Alt+F1/F2 (the VMs), Ctrl+Alt+F12 (the UI), Ctrl+Alt+Left/Right; manage VMs in the
# UI. Ctrl+C stops the services; the VMs go on running (as on a real host) and the next run takes
# them back; stop them in the UI or with polyctl.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
mvn -B -ntp -q install -DskipTests
guest=$(bash tests/guest/build-guest.sh | tail -n 1)

state=${POLYDESK_STATE:-/var/lib/polydesk/vms}
run=${POLYDESK_RUN:-/run/polydesk}
size=${POLYDESK_SIZE:-1280x800}
xdisplay=${POLYDESK_UI_DISPLAY:-:57}
logs=$run/logs
mkdir -p "$run/ui" "$logs"
jar() { ls "$1"/target/"$1"-*.jar | grep -v -e tests -e sources | head -n 1; }
toolstack=$(jar toolstack)
# Each service through the launcher its .deb installs (*/src/deb/bin), so it runs with dom0's JVM options.
# The build's jars, each with its own lib/: not with an installed dom0's shared class archive.
export POLYDESK_CLASS_ARCHIVE=/nonexistent
polyctl() { POLYDESK_JAR=$toolstack toolstack/src/deb/bin/polyctl --socket "$run/polydeskd.sock" "$@"; }

pids=()
stop() {
    trap - INT TERM EXIT
    echo "stopping the Polydesk services (the VMs keep running)"
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT
await_socket() { # PATH WHAT
    for _ in $(seq 300); do [ -S "$1" ] && return 0; sleep 0.1; done
    echo "error: $2 did not open $1; see $logs" >&2
    exit 1
}

POLYDESK_JAR=$toolstack toolstack/src/deb/bin/polydeskd --state-dir "$state" --run-dir "$run" > "$logs/polydeskd.log" 2>&1 &
pids+=($!)
await_socket "$run/polydeskd.sock" polydeskd
example() { # NAME SLOT COLOUR FILL
    polyctl vm show "$1" >/dev/null 2>&1 || polyctl vm create --name "$1" --slot "$2" --colour "#$3" --memory 256 \
        --kernel "$guest/vmlinuz" --ramdisk "$guest/initrd.img" \
        --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=$4"
    [ "$(polyctl vm show "$1" --json | grep -o '"state" : "[a-z]*"')" = '"state" : "running"' ] || polyctl vm start "$1"
}
example "Example red" 1 e0a000 C03030
example "Example blue" 2 20c0c0 3050C0

# The control UI on its own X server, whose screen the display server shows as slot 0.
rm -f "$run/ui/vnc.sock" "/tmp/.X11-unix/X${xdisplay#:}" "/tmp/.X${xdisplay#:}-lock"
Xvnc "$xdisplay" -geometry "$size" -depth 24 -SecurityTypes None -rfbunixpath "$run/ui/vnc.sock" \
    -rfbport -1 -nolisten tcp > "$logs/xvnc.log" 2>&1 &
pids+=($!)
await_socket "$run/ui/vnc.sock" Xvnc
DISPLAY=$xdisplay bash ui-vm/polydesk-ui.sh --socket "$run/polydeskd.sock" > "$logs/ui.log" 2>&1 &
pids+=($!)

# The window's keys and mouse reach the input server through a pipe of evdev records.
events=$run/window-events
[ -p "$events" ] || { rm -f "$events"; mkfifo "$events"; }
POLYDESK_JAR=$(jar input-server) input-server/src/deb/bin/polydesk-input --no-devices --events "$events" --socket "$run/input.sock" \
    --daemon-socket "$run/polydeskd.sock" --ui-vnc "$run/ui/vnc.sock" > "$logs/input.log" 2>&1 &
pids+=($!)
await_socket "$run/input.sock" polydesk-input

display=(env POLYDESK_JAR="$(jar display-server)" display-server/src/deb/bin/polydesk-display --size "$size" --toolstack-socket "$run/polydeskd.sock"
         --focus-socket "$run/input.sock" --ui-vnc "$run/ui/vnc.sock")
if [ -n "${DISPLAY:-}" ]; then
    "${display[@]}" --sink window --window-events "$events" > "$logs/display.log" 2>&1 &
    where="in the Polydesk window"
else
    "${display[@]}" --sink png:"$run/screen.png" --snapshot-interval-ms 1000 > "$logs/display.log" 2>&1 &
    where="(no \$DISPLAY: the screen is written to $run/screen.png every second)"
    # Without a window nothing types into the input server; keep its pipe open for polyctl focus.
    exec 9<>"$events"
fi
pids+=($!)

polyctl vm list
echo "Polydesk runs $where. Ctrl+Alt+F1/F2: the VMs, Ctrl+Alt+F12: the control UI."
echo "Logs: $logs. polyctl: POLYDESK_JAR=$toolstack $PWD/toolstack/src/deb/bin/polyctl --socket $run/polydeskd.sock --help"
if [ -z "${DISPLAY:-}" ]; then
    while sleep 1; do
        [ -f "$run/screen.png" ] && printf '\rlatest screen: %s (%s)' "$run/screen.png" "$(date -r "$run/screen.png" +%T)"
    done
fi
wait "${pids[0]}"
