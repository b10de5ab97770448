#!/bin/sh
# The Xen system test's steps, run as root inside dom0 by dom0-init, from the payload
# disk mounted at /payload:
#   /payload/guest/vmlinuz, initrd.img   the test guest (tests/guest)
#   /payload/debs/*.deb                  polydesk-toolstack (optional)
#   /payload/viewer/                     steps i and j (optional): guest.img (the viewer guest's disk),
#                                        display-server/ and dom0/ (its dom0 side), input-server/
#                                        (j); /dev/vdc is the viewer guest's root
#   /payload/out/                        logs written here (the host copies them out)
# Each step prints "PASS <step> (<seconds> s)", "FAIL <step>: <why>" or
# "SKIP <step>: <why>" at the start of a line; run-xen-system-test.sh reads them back.

P=/payload
G=$P/guest
OUT=$P/out
mkdir -p "$OUT"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

passed=0 failed=0 skipped=0
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
pass() { echo "PASS $1 ($2 s)"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
info() { echo "  $*"; }
# indent FILE [LINES]: the last lines of a file, indented, for a failure's context.
indent() { [ -f "$1" ] && tail -n "${2:-20}" "$1" | sed 's/^/  | /'; }

# in_xl_list NAME [UUID]: the domain is in xl list (by name, or by UUID when given).
in_xl_list() {
    xl list -v 2>/dev/null | awk -v n="$1" -v u="${2:-none}" 'NR > 1 && ($1 == n || $7 == u) { f = 1 } END { exit !f }'
}
# wait_gone NAME [UUID] SECONDS: wait until the domain has left xl list.
wait_gone() {
    n=0
    while in_xl_list "$1" "$2"; do
        n=$((n + 1))
        [ $n -le $(($3 * 2)) ] || return 1
        sleep 0.5
    done
}

echo "run-in-dom0: starting at $(now) s of dom0 uptime"

# --- a. infrastructure: xl talks to Xen and sees dom0 --------------------------------
t=$(now)
if xl info > "$OUT/xl-info.txt" 2>&1 && xl list > "$OUT/xl-list.txt" 2>&1 \
        && grep -q '^Domain-0 ' "$OUT/xl-list.txt"; then
    pass a-xl-info "$(since "$t")"
    grep -E '^(xen_version|xen_caps|virt_caps|total_memory|free_memory|nr_cpus) ' "$OUT/xl-info.txt" | sed 's/^/  /'
else
    fail a-xl-info "xl info / xl list failed or no Domain-0"
    indent "$OUT/xl-info.txt"; indent "$OUT/xl-list.txt"
fi

# --- b. xl baseline: a PVH guest by xl create ----------------------------------------
cat > /tmp/xl-pvh.cfg <<EOF
name = "xl-pvh"
type = "pvh"
kernel = "$G/vmlinuz"
ramdisk = "$G/initrd.img"
cmdline = "console=hvc0 quiet panic=-1 polydesk.colour=C03030"
memory = 256
vcpus = 1
on_reboot = "destroy"
EOF
xl_create_time=
t=$(now)
if timeout 120 xl create /tmp/xl-pvh.cfg > "$OUT/xl-create.txt" 2>&1; then
    xl_create_time=$(since "$t")
    if in_xl_list xl-pvh; then
        pass b-xl-create-pvh "$xl_create_time"
        xl list | sed 's/^/  /'
        xl list -l xl-pvh > "$OUT/xl-config-xl-pvh.json" 2>&1
    else
        fail b-xl-create-pvh "xl create returned 0 in $xl_create_time s but xl-pvh is not in xl list"
    fi
    t=$(now)
    if ! in_xl_list xl-pvh; then
        skip b-xl-destroy "xl-pvh already gone"
    elif timeout 60 xl destroy xl-pvh >> "$OUT/xl-create.txt" 2>&1 && wait_gone xl-pvh "" 10; then
        pass b-xl-destroy "$(since "$t")"
    else
        fail b-xl-destroy "xl destroy failed or xl-pvh still in xl list"
        indent "$OUT/xl-create.txt"
    fi
else
    fail b-xl-create-pvh "xl create failed (rc $?)"
    indent "$OUT/xl-create.txt"
    skip b-xl-destroy "nothing created"
fi

# --- c. polydeskd from our .deb, started as its systemd unit does ---------------------
deb=$(ls -t "$P"/debs/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1)
daemon_up=
if [ -z "$deb" ]; then
    skip c-polydeskd "no polydesk-toolstack .deb in the payload (build it with mvn package)"
else
    info "installing $(basename "$deb")"
    t=$(now)
    if ! dpkg -i "$deb" > "$OUT/dpkg.txt" 2>&1; then
        fail c-polydeskd "dpkg -i $(basename "$deb") failed"
        indent "$OUT/dpkg.txt"
    else
        info "dpkg -i took $(since "$t") s"
        t=$(now)
        mkdir -p /run/polydesk
        /usr/bin/polydeskd --backend libxl > "$OUT/polydeskd.log" 2>&1 &
        daemon_pid=$!
        n=0
        while [ ! -S /run/polydesk/polydeskd.sock ] && kill -0 "$daemon_pid" 2>/dev/null && [ $n -lt 360 ]; do
            n=$((n + 1)); sleep 0.5
        done
        if [ -S /run/polydesk/polydeskd.sock ] && kill -0 "$daemon_pid" 2>/dev/null; then
            daemon_up=1
            pass c-polydeskd "$(since "$t")"
        elif kill -0 "$daemon_pid" 2>/dev/null; then
            fail c-polydeskd "no /run/polydesk/polydeskd.sock after 180 s"
            indent "$OUT/polydeskd.log" 30
        else
            wait "$daemon_pid"
            fail c-polydeskd "polydeskd exited (rc $?) before its socket appeared"
            indent "$OUT/polydeskd.log" 30
        fi
    fi
fi

if [ -z "$daemon_up" ]; then
    why="polydeskd is not running (step c)"
    for s in d-create-start-hvm d-create-start-pvh d-running e-hvm-sockets e-hvm-qmp \
             f-stop-hvm f-pvh-booted f-destroy-pvh g-create-times h-gpu-list h-gpu-reset-refuses-dom0s \
             h-gpu-taken h-gpu-returned j-display-up; do
        skip "$s" "$why"
    done
else
    # polyctl with a bound on its time; output kept for failures.
    pc() { timeout 300 polyctl "$@"; }
    # state NAME: the VM's state in polyctl vm list --json.
    state() { pc vm list --json 2>/dev/null | jq -r --arg n "$1" '.[] | select(.definition.name == $n) | .state'; }
    # has_event TYPE NAME: the event file holds that event.
    has_event() { jq -e --arg t "$1" --arg n "$2" 'select(.type == $t and .name == $n)' "$OUT/events.jsonl" > /dev/null 2>&1; }
    # wait_event TYPE NAME SECONDS
    wait_event() {
        n=0
        until has_event "$1" "$2"; do
            n=$((n + 1)); [ $n -le $(($3 * 2)) ] || return 1; sleep 0.5
        done
    }

    # Follows events for the whole run (no time bound; killed at the end).
    polyctl events --count 1000 --json > "$OUT/events.jsonl" 2> "$OUT/events.err" &
    events_pid=$!

    # The cost of polyctl alone (a JVM start and one RPC), to read the times below by.
    t=$(now)
    pc vm list > /dev/null 2>&1
    polyctl_time=$(since "$t")
    info "one polyctl round trip (vm list): $polyctl_time s"

    # --- d. create + start an HVM and a PVH guest through polyctl ---------------------
    # The HVM guest is the test guest as it is (READY on ttyS0 after a few minutes, ACPI
    # power button -> power-off). As PVH the test guest has no framebuffer, so its init
    # gives up and powers off about 20 s after start; rdinit=/bin/sh instead gives a PVH
    # guest that stays up (a shell on hvc0) and ignores shutdown requests: the guest
    # that f destroys.
    hvm_time=
    t=$(now)
    if pc vm create --name hvm-test --type hvm --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
            --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=3030C0" > "$OUT/d-hvm.txt" 2>&1 \
       && pc vm start hvm-test >> "$OUT/d-hvm.txt" 2>&1; then
        hvm_time=$(since "$t")
        pass d-create-start-hvm "$hvm_time"
    else
        fail d-create-start-hvm "polyctl vm create/start hvm-test failed"
        indent "$OUT/d-hvm.txt"; indent "$OUT/polydeskd.log"
    fi
    # The HVM guest's ttyS0 is QEMU's serial0 on a pty (path in xenstore); xenconsoled
    # logs only PV consoles, so read the pty here to see the guest's READY.
    serial_pid=
    domid=$(xl domid hvm-test 2>/dev/null)
    pty=$([ -n "$domid" ] && xenstore-read "/local/domain/$domid/serial/0/tty" 2>/dev/null)
    if [ -n "$pty" ] && [ -c "$pty" ]; then
        stty -F "$pty" raw -echo 2>/dev/null
        cat "$pty" > "$OUT/hvm-serial.log" 2>/dev/null &
        serial_pid=$!
        info "hvm-test serial: $pty (domain $domid)"
    else
        info "hvm-test serial: no pty found (domain '${domid:-none}')"
    fi
    pvh_time=
    t=$(now)
    if pc vm create --name pvh-test --type pvh --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
            --cmdline "console=hvc0 quiet panic=-1 rdinit=/bin/sh polydesk.colour=30C030" > "$OUT/d-pvh.txt" 2>&1 \
       && pc vm start pvh-test >> "$OUT/d-pvh.txt" 2>&1; then
        pvh_time=$(since "$t")
        pass d-create-start-pvh "$pvh_time"
    else
        fail d-create-start-pvh "polyctl vm create/start pvh-test failed"
        indent "$OUT/d-pvh.txt"; indent "$OUT/polydeskd.log"
    fi
    t=$(now)
    xl list -v > "$OUT/xl-list-d.txt" 2>&1
    pc vm list --json > "$OUT/vm-list.json" 2>&1
    id_of() { jq -r --arg n "$1" '.[] | select(.definition.name == $n) | .definition.id' "$OUT/vm-list.json" 2>/dev/null; }
    hvm_id=$(id_of hvm-test); pvh_id=$(id_of pvh-test)
    why=
    for vm in hvm-test pvh-test; do
        s=$(jq -r --arg n "$vm" '.[] | select(.definition.name == $n) | .state' "$OUT/vm-list.json" 2>/dev/null)
        [ "$s" = running ] || why="$why $vm is '${s:-absent}' in polyctl vm list;"
        # Present, and not shut down (s), crashed (c) or dying (d) in xl's state flags.
        xs=$(awk -v n="$vm" -v u="$(id_of "$vm")" 'NR > 1 && ($1 == n || $7 == u) { print $5; exit }' "$OUT/xl-list-d.txt")
        case "$xs" in
            "") why="$why $vm not in xl list;" ;;
            *[scd]*) why="$why $vm is '$xs' in xl list (shut down/crashed, see xl-dmesg.txt);" ;;
        esac
        xl list -l "$vm" > "$OUT/xl-config-$vm.json" 2>&1
    done
    if [ -z "$why" ]; then
        pass d-running "$(since "$t")"
    else
        fail d-running "$(echo "$why" | sed "s/^ *//; s/;$//")"
    fi
    sed 's/^/  /' "$OUT/xl-list-d.txt"

    # --- e. the HVM guest's VNC and QMP sockets, and a QMP query-status ----------------
    t=$(now)
    pc vm show hvm-test --json > "$OUT/hvm-show.json" 2>&1
    vnc=$(jq -r '.sockets.vnc // empty' "$OUT/hvm-show.json" 2>/dev/null)
    qmp=$(jq -r '.sockets.qmp // empty' "$OUT/hvm-show.json" 2>/dev/null)
    if [ -n "$vnc" ] && [ -S "$vnc" ] && [ -n "$qmp" ] && [ -S "$qmp" ]; then
        pass e-hvm-sockets "$(since "$t")"
        info "vnc: $vnc, qmp: $qmp"
    else
        fail e-hvm-sockets "vm show reports vnc='$vnc' qmp='$qmp' (sockets must exist)"
        indent "$OUT/hvm-show.json"
    fi
    t=$(now)
    if [ -n "$qmp" ] && [ -S "$qmp" ]; then
        printf '{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n' \
            | timeout 30 socat -t 10 - "UNIX-CONNECT:$qmp" > "$OUT/qmp.txt" 2>&1
        if grep -q '"return": *{[^}]*"status"' "$OUT/qmp.txt"; then
            pass e-hvm-qmp "$(since "$t")"
            info "$(grep '"status"' "$OUT/qmp.txt" | head -n1)"
        else
            fail e-hvm-qmp "no query-status answer on $qmp"
            indent "$OUT/qmp.txt"
        fi
    else
        skip e-hvm-qmp "no QMP socket"
    fi

    # --- f. stop the HVM guest, destroy the PVH guest that ignores shutdown -----------
    # The HVM test guest answers the ACPI power button once its init is up (READY on
    # ttyS0); under emulation that takes minutes. Look for READY in the console logs.
    t=$(now)
    ready=
    while [ "$(since "$t" | cut -d. -f1)" -lt 360 ]; do
        for f in "$OUT/hvm-serial.log" "/run/polydesk/vm/$hvm_id/console.log"; do
            [ -f "$f" ] && grep -q 'POLYDESK-GUEST READY' "$f" && ready=$f
        done
        [ -n "$ready" ] && break
        in_xl_list hvm-test "$hvm_id" || break
        sleep 5
    done
    if [ -n "$ready" ]; then
        info "hvm-test READY ($ready) $(since "$t") s after e"
    else
        info "hvm-test: no READY on its serial after $(since "$t") s; state: $(state hvm-test);" \
             "xl: $(xl list hvm-test 2>/dev/null | tail -n +2)"
        indent "$OUT/hvm-serial.log" 5
        # What the guest shows, for the post-mortem (PPM in out/).
        if [ -n "$qmp" ] && [ -S "$qmp" ]; then
            printf '{"execute":"qmp_capabilities"}\n{"execute":"screendump","arguments":{"filename":"%s"}}\n' \
                "$OUT/hvm-screen.ppm" | timeout 30 socat -t 10 - "UNIX-CONNECT:$qmp" > /dev/null 2>&1
            [ -s "$OUT/hvm-screen.ppm" ] && info "screendump: out/hvm-screen.ppm ($(head -c 20 "$OUT/hvm-screen.ppm" | sed -n 2p))"
        fi
    fi

    # stopped_check STEP NAME ID OUTPUT: a 'stopped' event and the domain gone from xl list.
    stopped_check() {
        why=
        wait_event stopped "$2" 30 || why="no 'stopped' event for $2;"
        wait_gone "$2" "$3" 30 || why="$why $2 still in xl list;"
        [ -s "$4" ] && info "polyctl: $(head -n1 "$4")"
        if [ -z "$why" ]; then
            pass "$1" "$(since "$t")"
        else
            fail "$1" "$(echo "$why" | sed "s/^ *//; s/;$//")"
            indent "$4"
        fi
    }

    t=$(now)
    if [ "$(state hvm-test)" = running ]; then
        pc vm stop hvm-test --timeout 120 > "$OUT/f-hvm.txt" 2>&1 || info "polyctl vm stop hvm-test: rc $?"
    fi
    stopped_check f-stop-hvm hvm-test "$hvm_id" "$OUT/f-hvm.txt"

    # pvh-test booted to its shell: the prompt is on hvc0, which xenconsoled logs.
    t=$(now)
    if grep -q 'built-in shell' /var/log/xen/console/guest-pvh-test.log 2>/dev/null; then
        pass f-pvh-booted "$(since "$t")"
    else
        fail f-pvh-booted "no busybox shell banner in /var/log/xen/console/guest-pvh-test.log"
        indent /var/log/xen/console/guest-pvh-test.log 5
    fi

    # pvh-test (a shell as init) ignores shutdown requests: destroy it.
    t=$(now)
    pc vm destroy pvh-test > "$OUT/f-pvh.txt" 2>&1 || info "polyctl vm destroy pvh-test: rc $?"
    stopped_check f-destroy-pvh pvh-test "$pvh_id" "$OUT/f-pvh.txt"

    # --- g. create times side by side ---------------------------------------------------
    info "create times: xl create (PVH) ${xl_create_time:-n/a} s;" \
         "polyctl vm create + vm start: PVH ${pvh_time:-n/a} s, HVM ${hvm_time:-n/a} s" \
         "(one polyctl round trip alone: $polyctl_time s)"
    if [ -n "$xl_create_time" ] && [ -n "$pvh_time" ]; then
        pass g-create-times "0"
    else
        fail g-create-times "a create time is missing"
    fi

    # --- h. GPU passthrough of the outer QEMU's two-function card --------------------------
    # 00:05.0 is a bochs-display (display class, bochs DRM driver), 00:05.1 an intel-hda
    # (snd_hda_intel): a GPU with its HDMI audio. Starting a VM with it takes both functions
    # from dom0 to pciback through polydeskd's sysfs writes (what xl pci-assignable-add does),
    # so xl pci-assignable-list shows them until libxl assigns them to the new domain (the
    # device model starts first: seconds here); then xl pci-list shows them in the domain;
    # its destroy gives them back to their drivers. Without an IOMMU (virt_caps without
    # hvm_directio) libxl refuses the passthrough domain, and the failed start must give the
    # card back just the same.
    card=0000:00:05.0 audio=0000:00:05.1
    drv() { d=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null); echo "${d##*/}"; }
    modprobe -q bochs 2>/dev/null; modprobe -q snd-hda-intel 2>/dev/null
    n=0
    while { [ -z "$(drv $card)" ] || [ -z "$(drv $audio)" ]; } && [ $n -lt 20 ]; do n=$((n + 1)); sleep 0.5; done
    card_drv=$(drv $card) audio_drv=$(drv $audio)
    info "the card: $card driver '${card_drv:-none}', $audio driver '${audio_drv:-none}'"
    t=$(now)
    pc gpu list --json > "$OUT/h-gpu-list.json" 2>&1
    if jq -e --arg c "$card" --arg a "$audio" '.[] | select(.address == $c and .otherFunctions == [$a])' \
            "$OUT/h-gpu-list.json" > /dev/null 2>&1; then
        pass h-gpu-list "$(since "$t")"
        pc gpu list 2>/dev/null | sed 's/^/  /'
    else
        fail h-gpu-list "polyctl gpu list does not show $card with $audio"
        indent "$OUT/h-gpu-list.json"
    fi
    t=$(now)
    polyctl gpu reset $card > "$OUT/h-reset.txt" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -q "not ours (dom0's driver $card_drv holds it)" "$OUT/h-reset.txt"; then
        pass h-gpu-reset-refuses-dom0s "$(since "$t")"
    else
        fail h-gpu-reset-refuses-dom0s "polyctl gpu reset $card while $card_drv holds it: rc $rc (want 2)"
        indent "$OUT/h-reset.txt"
    fi
    # What the kernel shows while the VM starts: pciback's functions and xl's assignable list.
    ( end=$(( $(date +%s) + 240 ))
      while [ "$(date +%s)" -lt "$end" ]; do
          echo "$(now) $(drv $card) $(drv $audio) $(xl pci-assignable-list 2>/dev/null | tr '\n' ' ')"
          sleep 0.1
      done ) > "$OUT/h-watch.txt" 2>&1 &
    watch_pid=$!
    iommu=$(grep -q hvm_directio "$OUT/xl-info.txt" && echo yes)
    # returned STEP: both functions on their dom0 drivers again, nothing of ours left.
    returned() {
        why=
        [ "$(drv $card)" = "$card_drv" ] || why="$why $card is on '$(drv $card)', not '$card_drv';"
        [ "$(drv $audio)" = "$audio_drv" ] || why="$why $audio is on '$(drv $audio)', not '$audio_drv';"
        xl pci-assignable-list 2>/dev/null | grep -q "00:05" && why="$why xl pci-assignable-list still lists the card;"
        [ -z "$(ls /run/polydesk/gpu 2>/dev/null)" ] || why="$why a hand-over record is left in /run/polydesk/gpu;"
        if [ -z "$why" ]; then
            pass "$1" "$(since "$t")"
            info "back with dom0: $card on $(drv $card), $audio on $(drv $audio)"
        else
            fail "$1" "$(echo "$why" | sed "s/^ *//; s/;$//")"
        fi
    }
    # libxl gives the device model a fixed 10 s per PCI hot-add (LIBXL_QMP_CMD_TIMEOUT); the
    # device model of a guest in this TCG-emulated dom0 can take longer.
    # qmp_timeout N: it happened at least N times.
    qmp_timeout() { [ "$(grep -c "libxl__device_pci_add failed for PCI device .*(rc -9)" "$OUT/polydeskd.log")" -ge "$1" ]; }
    pc vm create --name gpu-test --type hvm --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
        --cmdline "console=ttyS0 quiet panic=-1" --gpu 00:05.0 > "$OUT/h-create.txt" 2>&1 \
        || info "polyctl vm create gpu-test: rc $?"
    t=$(now)
    pc vm start gpu-test > "$OUT/h-start.txt" 2>&1
    start_rc=$?
    start_time=$(since "$t")
    if [ -n "$iommu" ] && [ $start_rc -ne 0 ] && qmp_timeout 1; then
        info "first start refused: libxl's 10 s timeout ran out while the device model hot-added the card;" \
             "a failed start must give the card back, then the start is tried once more"
        t=$(now)
        returned h-gpu-returned-after-failed-start
        t=$(now)
        pc vm start gpu-test > "$OUT/h-start.txt" 2>&1
        start_rc=$?
        start_time=$(since "$t")
    fi
    if [ -n "$iommu" ]; then
        listed=$(grep -m1 "0000:00:05.0.*0000:00:05.1\|0000:00:05.1.*0000:00:05.0" "$OUT/h-watch.txt")
        if [ -n "$listed" ]; then
            pass h-gpu-assignable "$start_time"
            info "during the start: $listed  (time, drivers of .0 and .1, xl pci-assignable-list)"
        else
            fail h-gpu-assignable "the 0.1 s watch never saw both functions in xl pci-assignable-list"
            indent "$OUT/h-watch.txt" 5
        fi
        if [ $start_rc -eq 0 ] && [ "$(drv $card)" = pciback ] && [ "$(drv $audio)" = pciback ] \
                && xl pci-list gpu-test 2>/dev/null | grep -q "0000:00:05.1"; then
            pass h-gpu-assigned "$start_time"
            xl pci-list gpu-test | sed 's/^/  /'
            if jq -e 'select(.type == "started" and .name == "gpu-test" and .gpu.functions == ["0000:00:05.0", "0000:00:05.1"])' \
                    "$OUT/events.jsonl" > /dev/null 2>&1; then
                pass h-gpu-started-event 0
            else
                fail h-gpu-started-event "no 'started' event of gpu-test with its gpu"
            fi
            pc vm destroy gpu-test > "$OUT/h-destroy.txt" 2>&1 || info "polyctl vm destroy gpu-test: rc $?"
            wait_event stopped gpu-test 60 || info "no 'stopped' event of gpu-test within 60 s"
        elif [ $start_rc -ne 0 ] && qmp_timeout 2; then
            skip h-gpu-assigned "twice libxl's fixed 10 s QMP timeout ran out while the device model (TCG) hot-added the card"
        else
            fail h-gpu-assigned "vm start rc $start_rc, drivers $(drv $card)/$(drv $audio), xl pci-list: $(xl pci-list gpu-test 2>&1 | tr '\n' ' ')"
            indent "$OUT/h-start.txt"
        fi
    else
        # libxl's own words are in polydeskd's log (its logger writes to polydeskd's stderr).
        if [ $start_rc -ne 0 ] && grep -q "passthrough not supported" "$OUT/h-start.txt" "$OUT/polydeskd.log"; then
            pass h-gpu-start-refused-without-iommu "$start_time"
            info "polyctl: $(head -n1 "$OUT/h-start.txt")"
        else
            fail h-gpu-start-refused-without-iommu "vm start gpu-test without an IOMMU: rc $start_rc"
            indent "$OUT/h-start.txt"
        fi
    fi
    sleep 1
    kill "$watch_pid" 2>/dev/null
    # The take, step by step, as polydeskd logged it (the real kernel's answers).
    t=$(now)
    why=
    for f in $card $audio; do
        grep -q "$f: bind to pciback\|$f: already bound to pciback" "$OUT/polydeskd.log" || why="$why no '$f: bind to pciback' in polydeskd.log;"
    done
    grep -q "$card: unbind from $card_drv" "$OUT/polydeskd.log" || why="$why $card was not unbound from $card_drv;"
    if [ -z "$why" ]; then
        pass h-gpu-taken "$(since "$t")"
        grep -E "0000:00:05\.[01]: |GPU 0000:00:05.0|pci" "$OUT/polydeskd.log" | tail -n 30 | sed 's/^/  /'
    else
        fail h-gpu-taken "$(echo "$why" | sed "s/^ *//; s/;$//")"
        indent "$OUT/polydeskd.log" 30
    fi
    seen=$(awk '$2 == "pciback" && $3 == "pciback"' "$OUT/h-watch.txt" | head -n1)
    info "watched during the start: ${seen:-both functions never seen on pciback by the 0.1 s watch}"
    t=$(now)
    returned h-gpu-returned
    if [ $start_rc -eq 0 ] && ! jq -e 'select(.type == "stopped" and .name == "gpu-test" and .gpu.functions == ["0000:00:05.0", "0000:00:05.1"])' \
            "$OUT/events.jsonl" > /dev/null 2>&1; then
        fail h-gpu-stopped-event "no 'stopped' event of gpu-test with its gpu"
    fi

    # --- j. the product's own path: polydesk-display hands the monitor to the passthrough VM's viewer
    # polydesk-display (its default sink: dom0's framebuffer, which follows polydeskd) and
    # polydesk-input (the focus bus; no devices here) run in dom0 as their packages start them. A VM
    # owning the card boots dom0's kernel as HVM with dom0's root (/dev/vdc) and the viewer's disk;
    # its init runs the switcher viewer (--probe 3, region auto: Xen grants) on ttyS1, the serial
    # port polydeskd gives a GPU VM for its viewer channel (sockets.viewer in dom0). vdevs xvde and
    # xvdf: libxl refuses read-only emulated IDE disks, and a disk numbered 4 or more is PV only.
    # Two focus moves (to the VM: the viewer hides; back to the UI: a frame with the banner, then
    # one without) give the viewer its frames.
    V=$P/viewer
    jsteps="j-display-up j-gpu-vm-started j-console-released j-viewer-hello j-viewer-frames j-console-back"
    if [ ! -f "$V/guest.img" ] || [ ! -f "$V/input-server/input-server.jar" ]; then
        for s in $jsteps; do skip "$s" "no viewer payload (mvn package of switcher-viewer, display-server, input-server)"; done
    elif [ ! -b /dev/vdc ]; then
        for s in $jsteps; do skip "$s" "no /dev/vdc (the guest's root disk)"; done
    elif [ -z "$iommu" ]; then
        for s in $jsteps; do skip "$s" "no IOMMU: no passthrough"; done
    else
        t=$(now)
        n=0
        while { [ "$(drv $card)" != "$card_drv" ] || [ ! -c /dev/fb0 ]; } && [ $n -lt 40 ]; do n=$((n + 1)); sleep 0.5; done
        info "before j: $card on '$(drv $card)', fb: $(ls /sys/bus/pci/devices/$card/graphics 2>/dev/null | tr '\n' ' ')," \
             "boot_vga: $(cat /sys/bus/pci/devices/$card/boot_vga 2>/dev/null || echo none)," \
             "vtcons: $(for v in /sys/class/vtconsole/vtcon*; do echo "$(basename $v)=$(cat $v/bind):$(cat $v/name)"; done | tr '\n' ' ')"
        java -Xss512k -Xmx64m -jar "$V/input-server/input-server.jar" --no-devices --verbose > "$OUT/j-input.log" 2>&1 &
        input_pid=$!
        java -Xss512k -Djava.awt.headless=true -jar "$V/display-server/display-server.jar" \
            --toolstack-socket /run/polydesk/polydeskd.sock > "$OUT/j-display.log" 2>&1 &
        display_pid=$!
        n=0
        while ! grep -q 'polydesk-display on ' "$OUT/j-display.log" && kill -0 $display_pid 2>/dev/null && [ $n -lt 240 ]; do
            n=$((n + 1)); sleep 0.5
        done
        # console.hold reaches polydeskd a moment later; the input server's focus bus too
        n=0
        while [ ! -S /run/polydesk/input.sock ] && kill -0 $input_pid 2>/dev/null && [ $n -lt 240 ]; do n=$((n + 1)); sleep 0.5; done
        sleep 5
        if grep -q 'polydesk-display on framebuffer\|polydesk-display on .*fb0' "$OUT/j-display.log" && kill -0 $display_pid 2>/dev/null \
                && [ -S /run/polydesk/input.sock ]; then
            pass j-display-up "$(since "$t")"
            info "$(grep -m1 'polydesk-display on ' "$OUT/j-display.log")"
        else
            fail j-display-up "polydesk-display not up on dom0's framebuffer, or no focus bus"
            indent "$OUT/j-display.log"; indent "$OUT/j-input.log" 10
        fi
        kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n1)
        # a GPU belongs to one VM's definition: h's gpu-test gives it up
        pc vm delete gpu-test > "$OUT/j-create.txt" 2>&1 || info "polyctl vm delete gpu-test: rc $?"
        pc vm create --name gpu-view --type hvm --memory 1024 --vcpus 1 --slot 9 \
            --kernel "$kernel" --ramdisk "/boot/initrd.img-${kernel#/boot/vmlinuz-}" \
            --cmdline 'root=/dev/xvde ro console=ttyS0 quiet mitigations=off init=/bin/sh -- -c "mount -t ext4 -o ro /dev/xvdf /mnt && exec sh /mnt/viewer-guest-init /dev/ttyS1 probe-only"' \
            --disk /dev/vdc,format=raw,ro,vdev=xvde --disk "$V/guest.img,format=raw,ro,vdev=xvdf" \
            --gpu 00:05.0 >> "$OUT/j-create.txt" 2>&1 || { info "polyctl vm create gpu-view: rc $?"; indent "$OUT/j-create.txt" 5; }
        timeouts_before=$(grep -c "libxl__device_pci_add failed for PCI device .*(rc -9)" "$OUT/polydeskd.log")
        t=$(now)
        pc vm start gpu-view > "$OUT/j-start.txt" 2>&1
        start_rc=$?
        if [ $start_rc -ne 0 ] && qmp_timeout $((timeouts_before + 1)); then
            info "first start of gpu-view refused by libxl's 10 s QMP timeout; trying once more"
            pc vm start gpu-view > "$OUT/j-start.txt" 2>&1
            start_rc=$?
        fi
        j_serial_pid=
        if [ $start_rc -eq 0 ]; then
            pc vm show gpu-view --json > "$OUT/j-show.json" 2>&1
            j_domid=$(jq -r '.domid // empty' "$OUT/j-show.json")
            j_viewer=$(jq -r '.sockets.viewer // empty' "$OUT/j-show.json")
            pty=$(xenstore-read "/local/domain/$j_domid/serial/0/tty" 2>/dev/null)
            if [ -n "$pty" ] && [ -c "$pty" ]; then
                stty -F "$pty" raw -echo 2>/dev/null
                cat "$pty" > "$OUT/j-guest-serial.log" 2>/dev/null &
                j_serial_pid=$!
            fi
            pass j-gpu-vm-started "$(since "$t")"
            info "gpu-view: domain $j_domid (vm show), viewer channel $j_viewer, serial ${pty:-none};" \
                 "xl domid: $(xl domid gpu-view 2>&1)"
        elif qmp_timeout $((timeouts_before + 2)); then
            skip j-gpu-vm-started "twice libxl's fixed 10 s QMP timeout ran out while the device model (TCG) hot-added the card"
        else
            fail j-gpu-vm-started "vm start gpu-view: rc $start_rc"
            indent "$OUT/j-start.txt"; indent "$OUT/polydeskd.log" 30
        fi
        # The card drove dom0's framebuffer: polydeskd asked the display server to let go first.
        t=$(now)
        if grep -q "let go of dom0's screen" "$OUT/j-display.log" \
                && grep -q "0000:00:05.0.*taking dom0's console off it first" "$OUT/polydeskd.log"; then
            pass j-console-released 0
        else
            fail j-console-released "no console hand-over (display: '$(grep -m1 "let go\|did not let go" "$OUT/j-display.log")')"
        fi
        if [ $start_rc -eq 0 ]; then
            # the guest boots (TCG, nested): its viewer says hello once its JVM is up. A guest that
            # crashed is re-created by polydeskd as on a reboot, with another domid: no use waiting.
            same_domain() { [ "$(xl domid gpu-view 2>/dev/null)" = "$j_domid" ]; }
            n=0
            while ! grep -q 'says hello' "$OUT/j-display.log" && same_domain && [ $n -lt 600 ]; do
                n=$((n + 1)); sleep 1
            done
            hello=$(grep -m1 'says hello' "$OUT/j-display.log")
            # A nested HVM guest under TCG (nested SVM) can triple-fault, as the PVH guests of d do
            # now and then: the emulation's limit, not the viewer's; named, not failed.
            triple=$(xl dmesg | grep -m1 "d${j_domid}v[0-9]* Triple fault")
            last=$(tr -d '\r' < "$OUT/j-guest-serial.log" 2>/dev/null | grep '^VIEWER-GUEST' | tail -n1)
            if [ -n "$j_domid" ] && echo "$hello" | grep -q "viewer on $j_viewer says hello: .* granted by domain $j_domid\b"; then
                pass j-viewer-hello "$(since "$t")"
            elif [ -z "$hello" ] && [ -n "$triple" ]; then
                skip j-viewer-hello "the HVM guest triple-faulted under TCG (xl dmesg: '${triple#(XEN) }') before its viewer's hello; its last line: '${last:-none}'"
            else
                fail j-viewer-hello "no hello from gpu-view's viewer with pages granted by domain '$j_domid' (vm show) within $(since "$t") s$(same_domain || echo "; domain $j_domid ended (now: '$(xl domid gpu-view 2>/dev/null)')")"
                xl dmesg | grep "d${j_domid}v[0-9]* Triple fault" | sed 's/^/  /'
            fi
            info "display: ${hello:-no hello}"
            # the user's focus moves: to the VM (the viewer hides), back to the control UI
            t=$(now)
            if [ -n "$hello" ]; then
                sleep 5
                pc focus gpu-view > "$OUT/j-focus.txt" 2>&1 || info "polyctl focus gpu-view: rc $?"
                sleep 5
                pc focus ui >> "$OUT/j-focus.txt" 2>&1 || info "polyctl focus ui: rc $?"
                sed 's/^/  /' "$OUT/j-focus.txt"
            fi
            n=0
            while ! grep -q 'VIEWER-GUEST DONE' "$OUT/j-guest-serial.log" 2>/dev/null && same_domain && [ $n -lt 240 ]; do
                n=$((n + 1)); sleep 1
            done
            tr -d '\r' < "$OUT/j-guest-serial.log" > "$OUT/j-guest.log" 2>/dev/null
            frames=$(grep -cE '^VIEWER-GUEST frame [0-9]+ buffer [0-3] crc32 [0-9a-f]{8}$' "$OUT/j-guest.log")
            if [ "$frames" -ge 3 ] && grep -q '^VIEWER-GUEST DONE rc=0' "$OUT/j-guest.log"; then
                pass j-viewer-frames "$(since "$t")"
            elif [ -z "$hello" ] && [ -n "$triple" ]; then
                skip j-viewer-frames "the HVM guest triple-faulted under TCG before its viewer's hello"
            else
                fail j-viewer-frames "the guest's viewer read $frames of 3 frames; $(grep -m1 'VIEWER-GUEST DONE' "$OUT/j-guest.log")"
                indent "$OUT/j-guest.log" 30
            fi
            grep -E '^VIEWER-GUEST (up|gntalloc|probe|frame|DONE)' "$OUT/j-guest.log" | sed 's/^/  /'
            grep -E 'says hello|owns the monitor|let go|screen is back|showing on|viewer' "$OUT/j-display.log" | head -n 20 | sed 's/^/  display: /'
            t=$(now)
            pc vm destroy gpu-view > "$OUT/j-destroy.txt" 2>&1 || info "polyctl vm destroy gpu-view: rc $?"
            wait_event stopped gpu-view 60 || info "no 'stopped' event of gpu-view within 60 s"
            n=0
            while ! grep -q 'showing on .* again' "$OUT/j-display.log" && [ $n -lt 60 ]; do n=$((n + 1)); sleep 1; done
            if grep -q "dom0's screen is back" "$OUT/j-display.log" && grep -q 'showing on .* again' "$OUT/j-display.log" \
                    && [ "$(drv $card)" = "$card_drv" ]; then
                pass j-console-back "$(since "$t")"
            else
                fail j-console-back "after the destroy: $card on '$(drv $card)', display: '$(grep "screen is back\|again\|not back" "$OUT/j-display.log" | tail -n1)'"
            fi
        else
            for s in j-viewer-hello j-viewer-frames j-console-back; do skip "$s" "gpu-view did not start"; done
        fi
        [ -n "$j_serial_pid" ] && kill "$j_serial_pid" 2>/dev/null
        kill "$display_pid" "$input_pid" 2>/dev/null
        [ "$failed" -gt 0 ] && indent "$OUT/j-display.log" 40
    fi

    [ -n "$serial_pid" ] && kill "$serial_pid" 2>/dev/null
    kill "$events_pid" 2>/dev/null
    kill "$daemon_pid" 2>/dev/null
    if [ "$failed" -gt 0 ]; then
        echo "  polydeskd.log (last lines):"
        indent "$OUT/polydeskd.log" 40
    fi
fi

# --- i. the viewer's frame region as Xen grants: gntalloc in a guest, gntdev in dom0 ---
# A PV guest boots dom0's own kernel and initramfs with dom0's root disk (the outer QEMU's third
# drive, /dev/vdc: the cached image once more, as a snapshot) as its read-only root and the
# viewer's disk (/payload/viewer/guest.img: our switcher-viewer and viewer-guest-init) as xvdb.
# The channel is a Xen PV channel: /dev/hvc1 in the guest, QEMU's UNIX socket here. xl 4.17
# gives its first channel devid 0, which libxl refuses ("Primary console has invalid
# configuration") and skips: so a stand-in comes first and ours is the second, console 1.
V=$P/viewer
if [ ! -f "$V/guest.img" ] || [ ! -f "$V/dom0/ViewerGrantsDom0.class" ]; then
    skip i-viewer-grants "no viewer payload (mvn package of switcher-viewer and display-server)"
elif [ ! -b /dev/vdc ]; then
    skip i-viewer-grants "no /dev/vdc (the guest's root disk)"
else
    kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n1)
    cat > /tmp/viewer-guest.cfg <<EOF
name = "viewer-guest"
type = "pv"
kernel = "$kernel"
ramdisk = "/boot/initrd.img-${kernel#/boot/vmlinuz-}"
cmdline = 'root=/dev/xvda ro console=hvc0 quiet init=/bin/sh -- -c "mount -t ext4 -o ro /dev/xvdb /mnt && exec sh /mnt/viewer-guest-init"'
memory = 1024
vcpus = 2
disk = [ "format=raw,vdev=xvda,access=ro,target=/dev/vdc", "format=raw,vdev=xvdb,access=ro,target=$V/guest.img" ]
channel = [ "connection=pty,name=org.polydesk.xl-devid-0", "connection=socket,path=/run/viewer-guest.sock,name=org.polydesk.viewer" ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
    glog=/var/log/xen/console/guest-viewer-guest.log
    t=$(now)
    if ! timeout 120 xl create /tmp/viewer-guest.cfg > "$OUT/viewer-guest-create.txt" 2>&1; then
        fail i-viewer-guest-created "xl create of the viewer guest failed"
        indent "$OUT/viewer-guest-create.txt"
    else
        domid=$(xl domid viewer-guest)
        pass i-viewer-guest-created "$(since "$t")"
        info "viewer guest is domain $domid"
        java -cp "$V/dom0:$V/display-server/display-server.jar:$V/display-server/lib/*" ViewerGrantsDom0 \
            /run/viewer-guest.sock "$domid" 1024 768 3 > "$OUT/viewer-dom0.txt" 2>&1 &
        dom0_pid=$!
        n=0
        # done, gone, or stuck in its initramfs's shell (no root disk)
        while ! grep -qE 'VIEWER-GUEST DONE|\(initramfs\)' "$glog" 2>/dev/null && in_xl_list viewer-guest \
                && [ $n -lt 900 ]; do
            n=$((n + 1))
            sleep 1
        done
        info "guest finished after $(since "$t") s"
        tr -d '\r' < "$glog" > "$OUT/viewer-guest.log" 2>/dev/null
        if grep -q '^VIEWER-GUEST refused rc=1' "$OUT/viewer-guest.log" \
                && grep -q 'gntalloc refused to grant dom0 2305 pages.*at most 1024 pages.*/etc/modprobe.d/polydesk-viewer.conf' \
                    "$OUT/viewer-guest.log"; then
            pass i-viewer-limit-explained "$(since "$t")"
        else
            fail i-viewer-limit-explained "the viewer did not refuse with gntalloc's default limit, saying what to do"
        fi
        grep -E '^VIEWER-GUEST (\||gntalloc limit|refused)' "$OUT/viewer-guest.log" | sed 's/^/  /'
        # dom0's side ends by itself once its frames are written (or gives up after 15 minutes)
        n=0
        while kill -0 "$dom0_pid" 2>/dev/null && [ $n -lt 60 ]; do
            n=$((n + 1))
            sleep 1
        done
        kill "$dom0_pid" 2>/dev/null
        if grep -q "says hello: 1024x768 in 2305 pages granted by domain $domid " "$OUT/viewer-dom0.txt"; then
            pass i-viewer-grants-mapped "$(since "$t")"
        else
            fail i-viewer-grants-mapped "dom0 did not map the guest's 2305 granted pages"
        fi
        grep -E '^(attached|wrote|closed)|says hello|viewer (broke|channel)' "$OUT/viewer-dom0.txt" | sed 's/^/  dom0: /'
        grep -E '^VIEWER-GUEST (probe|frame|DONE)' "$OUT/viewer-guest.log" | sed 's/^/  /'
        matched=0
        for k in 1 2 3; do
            wrote=$(sed -n "s/^wrote frame $k crc32 \([0-9a-f]*\)$/\1/p" "$OUT/viewer-dom0.txt")
            read=$(sed -n "s/^VIEWER-GUEST frame $k buffer [0-3] crc32 \([0-9a-f]*\)$/\1/p" "$OUT/viewer-guest.log")
            [ -n "$wrote" ] && [ "$wrote" = "$read" ] && matched=$((matched + 1))
        done
        if [ $matched -eq 3 ] && grep -q '^VIEWER-GUEST DONE rc=0' "$OUT/viewer-guest.log"; then
            pass i-viewer-frames-match "$(since "$t")"
        else
            fail i-viewer-frames-match "$matched of 3 frames read in the guest with the CRC-32 dom0 wrote"
            indent "$OUT/viewer-guest.log" 30
            indent "$OUT/viewer-dom0.txt" 30
        fi
        in_xl_list viewer-guest && xl destroy viewer-guest > /dev/null 2>&1
    fi
fi

# Logs for the host (copied out of the payload image after the run).
xl dmesg > "$OUT/xl-dmesg.txt" 2>&1
cp -r /var/log/xen "$OUT/xen-logs" 2>/dev/null
echo "SUMMARY $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
