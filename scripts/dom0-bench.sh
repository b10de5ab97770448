#!/bin/bash
# What dom0's Polydesk services hold, and how fast polyctl answers (issue 21's goals):
#   - polydeskd, the input server and the display server, started by the same launchers as the
#     appliance's units (*/src/deb/bin) with two running VMs (the test guest) and the control UI,
#     while the focus moves UI -> VM 1 -> VM 2 every 2 s: each one's resident memory (VmRSS) now
#     and at its peak, the three together against 150 MiB, the UI's JVM against 120 MiB;
#   - polyctl vm list through /usr/bin/polyctl's launcher, with the class-data-sharing archive that
#     polyctl-cds makes on the appliance, p50/p90 of 20 calls against 300 ms, and against a bare
#     `java -version` measured in the same run (the ratio).
# No Xen needed (QEMU backend). The display server writes to a PNG sink (no /dev/fb0 here) with
# snapshots far apart, so it composes every frame as on the framebuffer but encodes no PNG.
# RSS counts the pages the JVMs share (libjvm, the JDK's class archive) once in each; PSS splits
# them among their sharers, so the PSS column adds up to what the services hold together.
# As on the appliance, the four JVMs map dom0's shared class archive (toolstack's class-archive),
# made from the classes they load in a first, shorter run of the same set-up (the appliance's
# first boot); the second run is the one measured.
#   sudo bash scripts/dom0-bench.sh [--no-build] [--seconds N] [--hold] [--no-archive]
#   --hold: keep everything running afterwards (for jcmd, smaps) until interrupted.
#   --no-archive: no shared class archive (each JVM with the JDK's own), and no first run.
# POLYDESK_JAVA_OPTS_POLYDESKD, _INPUT, _DISPLAY add JVM options to one service (experiments).
set -euo pipefail
cd "$(dirname "$0")/.."
build=1 seconds=30 hold= archive=1
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build= ; shift ;;
        --hold) hold=1; shift ;;
        --seconds) seconds=$2; shift 2 ;;
        --no-archive) archive= ; shift ;;
        *) echo "dom0-bench: unknown option $1" >&2; exit 2 ;;
    esac
done
. scripts/need-packages.sh
need_packages qemu-system-x86 tigervnc-standalone-server libgtk-3-0 > /dev/null
[ -n "$build" ] && mvn -B -ntp -q package -DskipTests -pl toolstack,input-server,display-server,ui-vm -am
guest=$(bash tests/guest/build-guest.sh | tail -n 1)
jar() { ls "$1"/target/"$1"-*.jar | grep -v -e tests -e sources | head -n 1; }
toolstack=$(jar toolstack)

d=$(mktemp -d /tmp/polydesk-dom0-bench.XXXXXX)
size=1920x1080 xdisplay=:71
mkdir -p "$d/logs"
run=$d/run
polyctl() { POLYDESK_JAR=$toolstack POLYDESK_POLYCTL_CDS=$d/polyctl.jsa toolstack/src/deb/bin/polyctl --socket "$run/polydeskd.sock" "$@"; }
pids=()
take_down() {
    for vm in "Bench one" "Bench two"; do polyctl vm destroy "$vm" > /dev/null 2>&1 || true; done
    kill "${pids[@]}" 2> /dev/null || true
    wait 2> /dev/null || true
    pids=()
}
finish() {
    trap - EXIT INT TERM
    take_down
    rm -rf "$d"
}
trap finish EXIT INT TERM
await() { # SECONDS WHAT TEST...
    local limit=$1 what=$2 n=0; shift 2
    until "$@"; do
        [ $n -ge $((limit * 10)) ] && { echo "dom0-bench: $what not there after $limit s; logs in $d/logs" >&2; tail -n 20 "$d"/logs/* >&2; exit 1; }
        sleep 0.1; n=$((n + 1))
    done
}
export POLYDESK_CLASS_ARCHIVE=$PWD/toolstack/src/deb/libexec/class-archive POLYDESK_CLASS_ARCHIVE_DIR=$d/class-archive
[ -n "$archive" ] || POLYDESK_CLASS_ARCHIVE=/nonexistent
class_archive() { "$POLYDESK_CLASS_ARCHIVE" make "$toolstack" "$(jar input-server)" "$(jar display-server)" "$(jar ui-vm)"; }

# bring_up RUN: polydeskd with two running VMs, the UI, the input server and the display server,
# their sockets in $d/RUN.
bring_up() {
    run=$d/$1
    mkdir -p "$run/ui" "$run/state"
    POLYDESK_JAVA_OPTS=${POLYDESK_JAVA_OPTS_POLYDESKD:-} POLYDESK_JAR=$toolstack toolstack/src/deb/bin/polydeskd --state-dir "$run/state" --run-dir "$run" > "$d/logs/polydeskd.log" 2>&1 &
    pids+=($!); polydeskd_pid=$!
    await 60 polydeskd test -S "$run/polydeskd.sock"
    for vm in "Bench one:1:C03030" "Bench two:2:3050C0"; do
        IFS=: read -r name slot colour <<< "$vm"
        polyctl vm create --name "$name" --slot "$slot" --colour "#$colour" --memory 256 --kernel "$guest/vmlinuz" \
            --ramdisk "$guest/initrd.img" --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=$colour" > /dev/null
        polyctl vm start "$name" > /dev/null
    done
    ui_log=$d/logs/ui.log
    ui-vm/polydesk-ui-xvnc.sh --vnc-socket "$run/ui/vnc.sock" --geometry "$size" --display "$xdisplay" \
        -- --socket "$run/polydeskd.sock" > "$ui_log" 2>&1 &
    pids+=($!)
    events=$run/events
    mkfifo "$events"
    exec 9<> "$events"
    POLYDESK_JAVA_OPTS=${POLYDESK_JAVA_OPTS_INPUT:-} POLYDESK_JAR=$(jar input-server) input-server/src/deb/bin/polydesk-input --no-devices --events "$events" \
        --socket "$run/input.sock" --daemon-socket "$run/polydeskd.sock" --ui-vnc "$run/ui/vnc.sock" > "$d/logs/input.log" 2>&1 &
    pids+=($!); input_pid=$!
    await 60 "the input server" test -S "$run/input.sock"
    POLYDESK_JAVA_OPTS=${POLYDESK_JAVA_OPTS_DISPLAY:-} POLYDESK_JAR=$(jar display-server) display-server/src/deb/bin/polydesk-display --size "$size" --sink "png:$run/screen.png" \
        --snapshot-interval-ms 3600000 --toolstack-socket "$run/polydeskd.sock" --focus-socket "$run/input.sock" \
        --ui-vnc "$run/ui/vnc.sock" > "$d/logs/display.log" 2>&1 &
    pids+=($!); display_pid=$!
    running() { [ "$(polyctl vm list --json | grep -c '"state" : "running"')" -eq 2 ]; }
    await 120 "two running VMs" running
    ui_pid() { pgrep -n -f -- "ui-vm[^ ]*\.jar( org.polydesk.ui.app.Main)? --socket $run/polydeskd.sock"; }
    await 120 "the control UI's JVM" eval "ui_pid > /dev/null"
    ui=$(ui_pid)
    await 60 "the display server's first frame" test -s "$run/screen.png"
}

if [ -n "$archive" ]; then
    # The appliance's first boot: no archive yet, the JVMs record the classes they load.
    class_archive > /dev/null
    bring_up learn
    for target in ui "Bench one" "Bench two"; do polyctl focus "$target" > /dev/null 2>&1 || true; sleep 2; done
    take_down
    class_archive
fi
bring_up run

rss() { awk '/^Rss:/ { print int($2 / 1024) }' "/proc/$1/smaps_rollup"; }
pss() { awk '/^Pss:/ { print int($2 / 1024) }' "/proc/$1/smaps_rollup"; }
declare -A peak=() peak_pss=()
names=(polydeskd polydesk-input polydesk-display polydesk-ui)
pid_of() { case $1 in polydeskd) echo "$polydeskd_pid" ;; polydesk-input) echo "$input_pid" ;; polydesk-display) echo "$display_pid" ;; polydesk-ui) echo "$ui" ;; esac; }
# The launchers exec java: each pid above is the JVM itself.
targets=(ui "Bench one" "Bench two")
for ((t = 0; t < seconds; t++)); do
    [ $((t % 2)) -eq 0 ] && polyctl focus "${targets[$(((t / 2) % 3))]}" > /dev/null 2>&1 || true
    for n in "${names[@]}"; do
        v=$(rss "$(pid_of "$n")") && p=$(pss "$(pid_of "$n")") || { echo "dom0-bench: $n has ended; logs in $d/logs" >&2; exit 1; }
        [ "$v" -gt "${peak[$n]:-0}" ] && peak[$n]=$v
        [ "$p" -gt "${peak_pss[$n]:-0}" ] && peak_pss[$n]=$p
    done
    sleep 1
done

echo "dom0-bench: two running VMs, screen $size, control UI up, the focus moved every 2 s for $seconds s"
printf '%-22s %8s %9s %8s %9s\n' "MiB" "RSS now" "RSS peak" "PSS now" "PSS peak"
total=0 total_peak=0 ptotal=0 ptotal_peak=0
for n in polydeskd polydesk-input polydesk-display; do
    now=$(rss "$(pid_of "$n")") pnow=$(pss "$(pid_of "$n")")
    printf '%-22s %8d %9d %8d %9d\n' "$n" "$now" "${peak[$n]}" "$pnow" "${peak_pss[$n]}"
    total=$((total + now)) total_peak=$((total_peak + peak[$n])) ptotal=$((ptotal + pnow)) ptotal_peak=$((ptotal_peak + peak_pss[$n]))
done
verdict() { [ "$1" -le "$2" ] && echo "within the goal of $2 MiB" || echo "OVER the goal of $2 MiB"; }
printf '%-22s %8d %9d %8d %9d   PSS peak %s, RSS peak %s\n' "the three services" "$total" "$total_peak" "$ptotal" "$ptotal_peak" \
    "$(verdict "$ptotal_peak" 150)" "$(verdict "$total_peak" 150)"
printf '%-22s %8d %9d %8d %9d   PSS peak %s, RSS peak %s\n' "polydesk-ui (JVM)" "$(rss "$ui")" "${peak[polydesk-ui]}" "$(pss "$ui")" \
    "${peak_pss[polydesk-ui]}" "$(verdict "${peak_pss[polydesk-ui]}" 120)" "$(verdict "${peak[polydesk-ui]}" 120)"
if [ -n "$hold" ]; then
    echo "dom0-bench: holding (pids: polydeskd $polydeskd_pid, input $input_pid, display $display_pid, ui $ui); Ctrl+C ends"
    sleep infinity &
    pids+=($!) # finish ends it too: its wait would hang on it
    wait $!
fi

# polyctl: the archive as the appliance makes it, then 20 calls each, interleaved with the baseline.
POLYDESK_JAR=$toolstack POLYDESK_POLYCTL=toolstack/src/deb/bin/polyctl POLYDESK_POLYCTL_CDS=$d/polyctl.jsa toolstack/src/deb/libexec/polyctl-cds "$run/polydeskd.sock"
ms() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
call=() base=()
for _ in $(seq 20); do
    call+=("$(ms polyctl vm list)")
    base+=("$(ms java -version)")
done
pct() { printf '%s\n' "${@:2}" | sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.5); if (i < 1) i = 1; print a[i] }'; }
c50=$(pct 50 "${call[@]}") c90=$(pct 90 "${call[@]}") b50=$(pct 50 "${base[@]}")
printf 'polyctl vm list: p50 %d ms, p90 %d ms; java -version p50 %d ms (%s x); %s\n' "$c50" "$c90" "$b50" \
    "$(awk -v a="$c50" -v b="$b50" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')" \
    "$([ "$c50" -le 300 ] && echo "within the goal of 300 ms" || echo "OVER the goal of 300 ms")"
