# shellcheck shell=sh
# Steps d-g (sourced by run-in-dom0.sh when polydeskd is up): an HVM and a PVH guest through
# polyctl, their sockets, stop and destroy, and the create times against xl's (b).
# Sets serial_pid (the HVM guest's serial reader; killed by run-in-dom0.sh).

# The cost of polyctl alone (a JVM start and one RPC), to read the times below by.
t=$(now)
pc vm list > /dev/null 2>&1
polyctl_time=$(since "$t")
info "one polyctl round trip (vm list): $polyctl_time s"

# --- d. create + start an HVM and a PVH guest through polyctl ---------------------
# The HVM guest is the test guest as it is (READY on ttyS0 after a few minutes, ACPI
# power button -> power-off), with the settings a Windows VM gets (issue 20): Hyper-V
# enlightenments (xl's viridian groups), a boot order and a USB tablet; an empty CD drive (hda)
# for f's cd-insert / cd-eject; and polydesk.tick=1, "POLYDESK-GUEST TICK n" on ttyS0 every
# second, n counting from its boot, by which f sees a resumed guest run on where it was.
# As PVH the test guest has no framebuffer, so its init
# gives up and powers off about 20 s after start; rdinit=/bin/sh instead gives a PVH
# guest that stays up (a shell on hvc0) and ignores shutdown requests: the guest
# that f destroys.
hvm_time=
t=$(now)
if pc vm create --name hvm-test --type hvm --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
        --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=3030C0 polydesk.tick=1" \
        --hyperv base,freq,time_ref_count --boot cdrom,disk --usb-tablet --disk ,cdrom > "$OUT/d-hvm.txt" 2>&1 \
   && pc vm start hvm-test >> "$OUT/d-hvm.txt" 2>&1; then
    hvm_time=$(since "$t")
    pass d-create-start-hvm "$hvm_time"
else
    fail d-create-start-hvm "polyctl vm create/start hvm-test failed"
    indent "$OUT/d-hvm.txt"; indent "$OUT/polydeskd.log"
fi
# The HVM guest's ttyS0 is QEMU's serial0 on a pty (path in xenstore); xenconsoled
# logs only PV consoles, so read the pty here to see the guest's READY. A reboot that
# makes the domain again gives it a new pty: read_serial appends that one to the log.
# serial_domid is the domain whose pty is read: only once its device model has published it
# (a look made too early is made again by follow_hvm_serial, at each poll of the waits).
serial_pid=
serial_domid=
serial_missing=
read_serial() {
    [ -n "$serial_pid" ] && kill "$serial_pid" 2>/dev/null
    serial_pid=
    domid=$(xl domid hvm-test 2>/dev/null)
    pty=$([ -n "$domid" ] && xenstore-read "/local/domain/$domid/serial/0/tty" 2>/dev/null)
    if [ -n "$pty" ] && [ -c "$pty" ]; then
        serial_domid=$domid
        stty -F "$pty" raw -echo 2>/dev/null
        cat "$pty" >> "$OUT/hvm-serial.log" 2>/dev/null &
        serial_pid=$!
        info "hvm-test serial: $pty (domain $domid)"
    elif [ "$serial_missing" != "${domid:-none}" ]; then
        serial_missing=${domid:-none}
        info "hvm-test serial: no pty yet (domain '${domid:-none}'); looked for again at each poll"
    fi
}
# follow_hvm_serial: reads hvm-test's serial anew when its domain is not the one read (made again
# for a reboot, or its pty not published at the last look).
follow_hvm_serial() {
    _now=$(xl domid hvm-test 2>/dev/null)
    if [ -n "$_now" ] && [ "$_now" != "$serial_domid" ]; then read_serial; fi
    return 0
}
# ready_again: a READY more in the serial log than the $readies counted before.
ready_again() {
    follow_hvm_serial
    [ "$(grep -c 'POLYDESK-GUEST READY' "$OUT/hvm-serial.log" 2>/dev/null)" -gt "${readies:-0}" ]
}
read_serial
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
id_of() { jq -r --arg n "$1" '.[] | select(.definition.name == $n) | .definition.id' "$OUT/vm-list.json" 2>/dev/null; }
# Both guests running, in polyctl's list and in xl's (present, and not shut down (s), crashed (c) or
# dying (d) in its state flags); why says what is not. A guest that triple-faults (under nested
# emulation now and then) is a reboot to Xen: it shows shut down while polydeskd makes it again,
# so this is waited for, not looked at once; a guest that stays down fails at the deadline.
both_running() {
    xl list -v > "$OUT/xl-list-d.txt" 2>&1
    pc vm list --json > "$OUT/vm-list.json" 2>&1
    why=
    for br_vm in hvm-test pvh-test; do
        br_state=$(jq -r --arg n "$br_vm" '.[] | select(.definition.name == $n) | .state' "$OUT/vm-list.json" 2>/dev/null)
        [ "$br_state" = running ] || why="$why $br_vm is '${br_state:-absent}' in polyctl vm list;"
        br_flags=$(awk -v n="$br_vm" -v u="$(id_of "$br_vm")" 'NR > 1 && ($1 == n || $7 == u) { print $5; exit }' "$OUT/xl-list-d.txt")
        case "$br_flags" in
            "") why="$why $br_vm not in xl list;" ;;
            *[scd]*) why="$why $br_vm is '$br_flags' in xl list (shut down/crashed, see xl-dmesg.txt);" ;;
        esac
    done
    [ -z "$why" ]
}
wait_every 5 180 "hvm-test and pvh-test running" both_running
hvm_id=$(id_of hvm-test); pvh_id=$(id_of pvh-test)
for vm in hvm-test pvh-test; do
    xl list -l "$vm" > "$OUT/xl-config-$vm.json" 2>&1
done
faults=$(xl dmesg 2>/dev/null | grep -ac 'Triple fault')
[ "$faults" -gt 0 ] && info "Xen's log has $faults triple fault(s) of guests so far (each a reboot that polydeskd made again)"
verdict d-running "$t" "$why"
sed 's/^/  /' "$OUT/xl-list-d.txt"

# The Windows settings as libxl holds them (xl list -l: the domain's configuration) and as the
# device model was started with (its own command line).
t=$(now)
why=
cfg=$OUT/xl-config-hvm-test.json
jq -e '[.. | objects | .viridian_enable? // empty | .[]?] | length > 0' "$cfg" > /dev/null 2>&1 \
    || why="$why no viridian groups in libxl's configuration;"
jq -e '[.. | objects | .boot? // empty] | index("dc") != null' "$cfg" > /dev/null 2>&1 \
    || why="$why boot is not 'dc' in libxl's configuration;"
domid=$(xl domid hvm-test 2>/dev/null)
dm=$(pgrep -f -- "-xen-domid $domid " | head -n1)
tr '\000' ' ' < "/proc/${dm:-0}/cmdline" > "$OUT/hvm-dm-cmdline.txt" 2>/dev/null
grep -q 'tablet' "$OUT/hvm-dm-cmdline.txt" || why="$why no USB tablet on the device model's command line;"
grep -qE -- '-boot [^ ]*order=dc' "$OUT/hvm-dm-cmdline.txt" || why="$why no boot order dc on the device model's command line;"
[ "$(state hvm-test)" = running ] || why="$why hvm-test is not running;"
verdict d-hvm-windows-settings "$t" "$why"
[ -z "$why" ] || { indent "$cfg" 40; indent "$OUT/hvm-dm-cmdline.txt"; }

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
# hvm_ready_or_gone: READY in either log (ready= which), or the domain is gone.
hvm_ready_or_gone() {
    # A guest that triple-faulted under TCG was made again by polydeskd: read the new domain's pty.
    follow_hvm_serial
    for f in "$OUT/hvm-serial.log" "/run/polydesk/vm/$hvm_id/console.log"; do
        has_line "$f" 'POLYDESK-GUEST READY' && { ready=$f; return 0; }
    done
    ! in_xl_list hvm-test "$hvm_id"
}
t=$(now)
ready=
wait_every 5 360 "hvm-test's READY on its serial" hvm_ready_or_gone
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

# --- f. a CD into the HVM guest's empty drive and out again, through polyctl --------------
# First of the f steps, on the domain polydeskd started (READY, never rebooted or resumed).
# polydeskd made the empty drive with a placeholder medium and ejected it before the guest ran
# (started empty, the drive's first change killed this Xen's device model: toolstack/README.md).
# Read back from the domain's state, not from a log: the CD drive's backend in xenstore (its path
# from xl block-list; hda is device 768), whose params libxl_cdrom_insert sets to FORMAT:MEDIUM
# and empties on an eject; and the device model's own drive (QMP query-block on our socket, and
# query-fdsets: libxl hands the medium over as a descriptor labelled FORMAT:PATH).
cd_iso=/tmp/polydesk-test-cd.iso
# make_cd_iso: a 1 MiB file to put in the drive (what it holds does not matter to the drive).
make_cd_iso() { head -c 1048576 /dev/zero > "$cd_iso"; }
# cd_params: the backend's params node of hvm-test's CD drive; "(no backend)" when not found.
cd_params() {
    _be=$(xl block-list hvm-test 2>/dev/null | awk 'NR > 1 && $1 == 768 { print $7; exit }')
    if [ -n "$_be" ]; then xenstore-read "$_be/params" 2>/dev/null; else echo "(no backend)"; fi
}
cd_holds_iso() { case "$(cd_params)" in *":$cd_iso") return 0 ;; esac; return 1; }
cd_is_empty() { [ -z "$(cd_params)" ]; }
# dm_cd: the device model's removable drive: "inserted" (it has a medium), "empty", or nothing
# when the device model did not answer.
dm_cd() {
    printf '{"execute":"qmp_capabilities"}\n{"execute":"query-block"}\n' \
        | timeout 30 socat -t 10 - "UNIX-CONNECT:$qmp" > "$OUT/qmp-block.txt" 2>&1
    grep '"return": *\[' "$OUT/qmp-block.txt" | jq -r '[.return[] | select(.removable)]
        | if length == 0 then "no removable drive" elif any(.[]; .inserted) then "inserted" else "empty" end' 2>/dev/null
}
# dm_fd_media: what the device model was handed as media (the fdsets' labels), one per line.
dm_fd_media() {
    printf '{"execute":"qmp_capabilities"}\n{"execute":"query-fdsets"}\n' \
        | timeout 30 socat -t 10 - "UNIX-CONNECT:$qmp" 2>/dev/null \
        | grep '"return": *\[' | jq -r '.return[].fds[].opaque // empty' 2>/dev/null
}
# cd_round: one insert and one eject through polyctl, each checked; sets insert_why, eject_why
# (empty when it held) and cd_domids (the domain before and after).
cd_round() {
    cd_domids=$(xl domid hvm-test 2>/dev/null)
    info "hvm-test is domain $cd_domids at the CD insert"
    insert_why=
    dm=$(dm_cd)
    [ "$dm" = empty ] || insert_why="before the insert the device model's CD drive is '${dm:-not answering}', not empty (the placeholder stayed?);"
    pc vm cd-insert hvm-test "$cd_iso" > "$OUT/f-cd-insert.txt" 2>&1 || info "polyctl vm cd-insert hvm-test: rc $?"
    wait_for 30 "hvm-test's CD backend to hold $cd_iso" cd_holds_iso || insert_why="$insert_why the CD drive's backend params are '$(cd_params)';"
    dm=$(dm_cd)
    [ "$dm" = inserted ] || insert_why="$insert_why the device model's CD drive is '${dm:-not answering}' (query-block);"
    dm_fd_media | grep -qx "raw:$cd_iso" || insert_why="$insert_why the device model was handed '$(dm_fd_media | tr '\n' ' ')', not raw:$cd_iso (query-fdsets);"
    [ "$(state hvm-test)" = running ] || insert_why="$insert_why polyctl says '$(state hvm-test)';"
    info "CD drive: backend params '$(cd_params)', device model: ${dm:-no answer}"
    [ -z "$insert_why" ] || { indent "$OUT/f-cd-insert.txt"; xl block-list hvm-test 2>&1 | sed 's/^/  | /'; indent "$OUT/qmp-block.txt" 5;
        indent /var/log/xen/qemu-dm-hvm-test.log 15; }

    pc vm cd-eject hvm-test > "$OUT/f-cd-eject.txt" 2>&1 || info "polyctl vm cd-eject hvm-test: rc $?"
    eject_why=
    wait_for 30 "hvm-test's CD backend to be empty" cd_is_empty || eject_why="the CD drive's backend params are '$(cd_params)';"
    dm=$(dm_cd)
    [ "$dm" = empty ] || eject_why="$eject_why the device model's CD drive is '${dm:-not answering}' (query-block);"
    now_state=$(state hvm-test)
    [ "$now_state" = running ] || eject_why="$eject_why polyctl says '$now_state';"
    [ -z "$eject_why" ] || { indent "$OUT/f-cd-eject.txt"; indent "$OUT/qmp-block.txt" 5; }
    cd_domids="$cd_domids $(xl domid hvm-test 2>/dev/null)"
}
now_state=$(state hvm-test)
if [ -n "$ready" ] && [ "$now_state" = running ] && [ -n "$qmp" ]; then
    make_cd_iso
    t=$(now)
    cd_round
    # A guest that triple-faulted under TCG in between was made again by polydeskd (from its
    # definition: an empty drive), and a check saw the new domain: once more, on that one.
    cd_before=${cd_domids%% *}
    cd_after=${cd_domids#* }
    if [ -n "$insert_why$eject_why" ] && [ "$cd_before" != "$cd_after" ]; then
        info "hvm-test was made again during the CD steps (domain $cd_before, then ${cd_after:-none}); once more on the new domain"
        wait_for 120 "the new device model's QMP socket" test -S "$qmp"
        cd_round
    fi
    verdict f-cd-insert-hvm "$t" "$insert_why"
    verdict f-cd-eject-hvm "$t" "$eject_why"
    rm -f "$cd_iso"
else
    skip_all "hvm-test is '$now_state', its QMP socket '${qmp:-none}'" f-cd-insert-hvm f-cd-eject-hvm
fi

# --- f. pause, resume and reboot the HVM guest through polyctl ----------------------
# xl_flags NAME: the domain's state flags in xl list (r, b, p, s, c, d).
xl_flags() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
paused_in_xen() { case "$(xl_flags hvm-test)" in *p*) return 0 ;; esac; return 1; }
if [ -n "$ready" ] && [ "$(state hvm-test)" = running ]; then
    t=$(now)
    pc vm pause hvm-test > "$OUT/f-pause.txt" 2>&1 || info "polyctl vm pause hvm-test: rc $?"
    why=
    wait_for 30 "hvm-test paused in xl list" paused_in_xen || why="xl list shows '$(xl_flags hvm-test)', not paused;"
    [ "$(state hvm-test)" = paused ] || why="$why polyctl says '$(state hvm-test)';"
    verdict f-pause-hvm "$t" "$why"
    [ -z "$why" ] || indent "$OUT/f-pause.txt"

    t=$(now)
    pc vm resume hvm-test > "$OUT/f-resume.txt" 2>&1 || info "polyctl vm resume hvm-test: rc $?"
    why=
    wait_for 30 "hvm-test running on in xl list" not paused_in_xen || why="xl list shows '$(xl_flags hvm-test)', still paused;"
    [ "$(state hvm-test)" = running ] || why="$why polyctl says '$(state hvm-test)';"
    verdict f-resume-hvm "$t" "$why"
    [ -z "$why" ] || indent "$OUT/f-resume.txt"

    # The guest restarts: it says READY once more (on the pty of the domain made again, or
    # the same one when reset in place). A CD is put in first: a PC's drive keeps its disc over
    # a reboot, and so must the domain polydeskd makes for it (f-cd-kept-hvm, read from the new
    # domain's CD backend and its device model), then it is taken out again (the suspend's
    # comparison of configurations wants the definition's drive). Between the two polydeskd is
    # restarted as after a crash: the next daemon must know the disc that a live change put in.
    make_cd_iso
    pc vm cd-insert hvm-test "$cd_iso" > "$OUT/f-cd-kept.txt" 2>&1 || info "polyctl vm cd-insert hvm-test: rc $?"
    t=$(now)
    if restart_polydeskd; then
        restarted=1
        info "polydeskd killed and started again with the CD in ($(since "$t") s; pid $daemon_pid)"
    else
        restarted=
        info "polydeskd did not answer again after its restart"
        indent "$OUT/polydeskd.log" 20
    fi
    t=$(now)
    readies=$(grep -c 'POLYDESK-GUEST READY' "$OUT/hvm-serial.log" 2>/dev/null)
    old_domid=$(xl domid hvm-test 2>/dev/null)
    pc vm reboot hvm-test --timeout 120 > "$OUT/f-reboot.txt" 2>&1 || info "polyctl vm reboot hvm-test: rc $?"
    [ "$(xl domid hvm-test 2>/dev/null)" != "$old_domid" ] && read_serial
    why=
    wait_every 5 360 "hvm-test's READY after the reboot" ready_again || why="no new READY on hvm-test's serial;"
    [ "$(state hvm-test)" = running ] || why="$why polyctl says '$(state hvm-test)';"
    verdict f-reboot-hvm "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/f-reboot.txt"; indent "$OUT/hvm-serial.log" 5; }
    new_domid=$(xl domid hvm-test 2>/dev/null)
    info "hvm-test domain $old_domid before the reboot, $new_domid after"
    if [ -n "$new_domid" ] && [ "$new_domid" = "$old_domid" ]; then
        # Reset in place (the guest did not restart by itself within the timeout): the guest is
        # rebooted the way one without PV drivers reboots on Xen instead, by a reset request to its
        # device model (QMP system_reset here, the keyboard controller's reset in a guest), which
        # qemu-xen turns into the domain's shutdown to reboot; polydeskd then makes it again.
        info "hvm-test was reset in place; a reset request to its device model, for a new domain"
        printf '{"execute":"qmp_capabilities"}\n{"execute":"system_reset"}\n' \
            | timeout 30 socat -t 5 - "UNIX-CONNECT:$qmp" > "$OUT/qmp-reset.txt" 2>&1
        domain_changed() { _d=$(xl domid hvm-test 2>/dev/null); [ -n "$_d" ] && [ "$_d" != "$old_domid" ]; }
        wait_for 180 "hvm-test made again after the reset request" domain_changed || indent "$OUT/qmp-reset.txt"
        new_domid=$(xl domid hvm-test 2>/dev/null)
        follow_hvm_serial
        info "hvm-test domain $new_domid after the reset request"
    fi
    if [ -z "$new_domid" ] || [ "$new_domid" = "$old_domid" ]; then
        skip f-cd-kept-hvm "no new domain after the reboot nor after a reset request (domain '${new_domid:-none}'): nothing to look at"
    else
        why=
        wait_for 120 "the new device model's QMP socket" test -S "$qmp" || why="no QMP socket $qmp;"
        wait_for 30 "the new domain's CD backend to hold $cd_iso" cd_holds_iso \
            || why="$why the new domain's CD backend params are '$(cd_params)';"
        dm=$(dm_cd)
        [ "$dm" = inserted ] || why="$why the new device model's CD drive is '${dm:-not answering}' (query-block);"
        [ -n "$restarted" ] || why="$why polydeskd did not answer again after its restart;"
        verdict f-cd-kept-hvm "$t" "$why"
        [ -z "$why" ] || { indent "$OUT/f-cd-kept.txt"; indent "$OUT/qmp-block.txt" 5; }
    fi
    pc vm cd-eject hvm-test >> "$OUT/f-cd-kept.txt" 2>&1 || info "polyctl vm cd-eject hvm-test: rc $?"
    wait_for 30 "hvm-test's CD backend to be empty" cd_is_empty || info "the CD drive's backend params are '$(cd_params)'"
    rm -f "$cd_iso"
else
    skip_all "hvm-test never became READY (see f-stop-hvm)" f-pause-hvm f-resume-hvm f-reboot-hvm f-cd-kept-hvm
fi

# --- f. suspend the HVM guest to disk and start it again (it resumes), through polyctl ------
# What polydeskd configures of a domain, as libxl holds it (xl list -l), sorted for comparison.
xl_config() {
    xl list -l "$1" 2>/dev/null | jq -S '(if type == "array" then .[0] else . end).config
        | {c_info: (.c_info | {type, name, uuid}),
           b_info: (.b_info | {max_vcpus, avail_vcpus, max_memkb, target_memkb, kernel, ramdisk, cmdline,
                               device_model_version, extra_hvm,
                               hvm: (."type.hvm" | {bios, boot, viridian_enable, usbdevice_list, serial, vga, hdtype})}),
           disks: [.disks[]? | {vdev, pdev_path, format, is_cdrom}],
           nics: [.nics[]? | {bridge, nictype, model}]}' 2>/dev/null
}
# last_tick FILE: the guest's last "POLYDESK-GUEST TICK n" in the file (n).
last_tick() { grep -ao 'POLYDESK-GUEST TICK [0-9]*' "$1" 2>/dev/null | tail -n 1 | awk '{ print $3 }'; }
saved=/var/lib/polydesk/suspend/$hvm_id
not_stopping() { [ "$(state hvm-test)" != stopping ]; }
# current_ticked: hvm-test's domain now is the one whose serial is read, and it ticked since that
# reading began (or since this wait began): a guest that triple-faults under nested TCG is made
# again as a new domain, which boots anew before it ticks, so a tick says which domain runs.
tick_domid=
tick_mark=0
log_size() { { wc -c < "$OUT/hvm-serial.log"; } 2>/dev/null || echo 0; }
current_ticked() {
    follow_hvm_serial
    [ "$serial_domid" = "$tick_domid" ] || { tick_domid=$serial_domid; tick_mark=$(log_size); }
    [ -n "$tick_domid" ] && [ "$(xl domid hvm-test 2>/dev/null)" = "$tick_domid" ] \
        && tail -c +"$((tick_mark + 1))" "$OUT/hvm-serial.log" 2>/dev/null | grep -aq 'POLYDESK-GUEST TICK'
}
# await_fresh_tick: waits for a tick of the domain running now, on its own serial.
await_fresh_tick() {
    tick_domid=
    wait_every 2 360 "a tick of hvm-test's domain now, on its own serial" current_ticked
}
# triple_faulted DOMID: Xen's log says the domain's vCPU triple-faulted (it was made again).
triple_faulted() { xl dmesg 2>/dev/null | grep -aq "d$1v[0-9]* Triple fault"; }
# saved_other_domain: the domain suspended was not the one that ticked just before (it was made
# again between the tick and the suspend), so the ticks before the suspend are not its own.
saved_other_domain() { [ "$suspended_domid" != "$tick_domid" ] || triple_faulted "$suspended_domid"; }
# suspend_once_more: vm suspend and vm start again after a fresh tick, setting what the first
# round set for the comparison of ticks (before_tick, serial_end, resumed_domid).
suspend_once_more() {
    await_fresh_tick || return 1
    suspended_domid=$(xl domid hvm-test 2>/dev/null)
    pc vm suspend hvm-test >> "$OUT/f-suspend.txt" 2>&1 || return 1
    wait_every 5 600 "hvm-test to leave 'stopping'" not_stopping
    [ "$(state hvm-test)" = suspended ] || return 1
    [ -n "$serial_pid" ] && kill "$serial_pid" 2>/dev/null
    serial_pid=
    before_tick=$(last_tick "$OUT/hvm-serial.log")
    serial_end=$(log_size)
    pc vm start hvm-test >> "$OUT/f-resume-saved.txt" 2>&1 || return 1
    read_serial
    resumed_domid=$(xl domid hvm-test 2>/dev/null)
}
if [ -n "$ready" ] && [ "$(state hvm-test)" = running ]; then
    await_fresh_tick || info "no tick of hvm-test's domain ${tick_domid:-none} before the suspend"
    suspended_domid=$(xl domid hvm-test 2>/dev/null)
    # The saved state is written by libxl_domain_suspend, the domain destroyed: gone from xl list,
    # polyctl says suspended (the event too), and the image and its description are on disk.
    t=$(now)
    xl_config hvm-test > "$OUT/f-config-before-suspend.json"
    pc vm suspend hvm-test > "$OUT/f-suspend.txt" 2>&1 || info "polyctl vm suspend hvm-test: rc $?"
    wait_every 5 600 "hvm-test to leave 'stopping'" not_stopping
    why=
    wait_gone hvm-test "$hvm_id" 30 || why="hvm-test still in xl list: $(xl list hvm-test 2>/dev/null | tail -n +2);"
    now_state=$(state hvm-test)
    [ "$now_state" = suspended ] || why="$why polyctl says '$now_state';"
    wait_event suspended hvm-test 30 || why="$why no 'suspended' event;"
    { [ -s "$saved.img" ] && [ -f "$saved.json" ]; } || why="$why no saved state $saved.img and .json;"
    verdict f-suspend-hvm "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/f-suspend.txt"; indent "$OUT/polydeskd.log" 30; }
    info "saved state: $(ls -l "$saved.img" 2>/dev/null)"
    # The old domain's serial is gone with it: what the guest said before the suspend ends here.
    [ -n "$serial_pid" ] && kill "$serial_pid" 2>/dev/null
    serial_pid=
    before_tick=$(last_tick "$OUT/hvm-serial.log")
    serial_end=$(log_size)

    if [ "$now_state" = suspended ]; then
        # vm start of a suspended VM resumes it (libxl_domain_create_restore): running, in xl
        # list, the event says it resumed, and the saved state is removed.
        t=$(now)
        pc vm start hvm-test > "$OUT/f-resume-saved.txt" 2>&1 || info "polyctl vm start hvm-test: rc $?"
        read_serial
        resumed_event() {
            jq -e 'select(.type == "running" and .name == "hvm-test"
                          and ((.detail // "") | contains("resumed from its saved state")))' \
                "$OUT/events.jsonl" > /dev/null 2>&1
        }
        why=
        now_state=$(state hvm-test)
        [ "$now_state" = running ] || why="polyctl says '$now_state';"
        in_xl_list hvm-test "$hvm_id" || why="$why hvm-test not in xl list;"
        wait_for 30 "a 'running' event of hvm-test that says it resumed" resumed_event \
            || why="$why no 'running' event saying it resumed from its saved state;"
        [ -e "$saved.json" ] && why="$why its saved state $saved.json is still there;"
        verdict f-resume-saved-hvm "$t" "$why"
        # Read at once: a guest that resets under nested TCG (a triple fault) is made again as a
        # new domain, and one read while that domain is being made shows a half-stored config.
        resumed_domid=$(xl domid hvm-test 2>/dev/null)
        xl_config hvm-test > "$OUT/f-config-after-resume.json"
        [ -z "$why" ] || { indent "$OUT/f-resume-saved.txt"; indent "$OUT/polydeskd.log" 30; indent /var/log/xen/qemu-dm-hvm-test.log 30; }

        # The guest ran on from where it was saved: its tick counter goes on past the last one
        # it printed before the suspend (a new boot counts from 1), and it says no new READY.
        new_ticks() {
            tail -c +"$((serial_end + 1))" "$OUT/hvm-serial.log" 2>/dev/null \
                | grep -ao 'POLYDESK-GUEST TICK [0-9]*' | awk '{ print $3 }'
        }
        ticked_again() { [ -n "$(new_ticks)" ]; }
        t=$(now)
        why=
        wait_every 2 180 "hvm-test's ticks after the resume" ticked_again || why="no TICK on hvm-test's serial after the resume;"
        # A triple fault (nested TCG) of the domain just before the suspend, or of the resumed one
        # before it ticked, leaves no ticks of the saved domain to compare: once more, then judge.
        if saved_other_domain || triple_faulted "$resumed_domid"; then
            info "hvm-test was made again around the suspend (domain $tick_domid ticked, $suspended_domid was" \
                 "suspended, $resumed_domid resumed): suspended and resumed once more for the ticks"
            why=
            suspend_once_more || why="the second suspend and resume did not happen (hvm-test '$(state hvm-test)');"
            [ -n "$why" ] || wait_every 2 180 "hvm-test's ticks after the second resume" ticked_again \
                || why="no TICK on hvm-test's serial after the second resume;"
        fi
        after_tick=$(new_ticks | head -n 1)
        if [ -z "$before_tick" ]; then
            why="$why no TICK on hvm-test's serial before the suspend;"
        elif [ -n "$after_tick" ] && [ "$after_tick" -le "$before_tick" ]; then
            why="$why it counts from $after_tick after the resume, $before_tick before: it started anew;"
        fi
        tail -c +"$((serial_end + 1))" "$OUT/hvm-serial.log" 2>/dev/null | grep -q 'POLYDESK-GUEST READY' \
            && why="$why it said READY again: it started anew;"
        verdict f-resumed-guest-continued "$t" "$why"
        info "hvm-test's ticks: $before_tick last before the suspend, ${after_tick:-none} first after the resume"
        [ -z "$why" ] || indent "$OUT/hvm-serial.log" 10

        # The resumed domain has the configuration it was saved with (libxl's stream has none:
        # polydeskd rebuilt it from the definition the VM ran as).
        t=$(now)
        why=
        now_domid=$(xl domid hvm-test 2>/dev/null)
        if [ "$now_domid" != "$resumed_domid" ]; then
            fault=$(xl dmesg 2>/dev/null | grep -a "d${resumed_domid}v.*Triple fault" | tail -n 1 | tr -s ' ')
            info "the resumed domain $resumed_domid was made again since, as ${now_domid:-none} ($fault);" \
                 "its configuration was read before that"
        fi
        grep -q '"uuid"' "$OUT/f-config-before-suspend.json" || why="libxl's configuration was not read before the suspend;"
        cmp -s "$OUT/f-config-before-suspend.json" "$OUT/f-config-after-resume.json" \
            || why="$why libxl's configuration differs after the resume;"
        verdict f-resumed-same-config "$t" "$why"
        info "hvm-test resumed as domain $resumed_domid"
        [ -z "$why" ] || diff "$OUT/f-config-before-suspend.json" "$OUT/f-config-after-resume.json" | head -n 40 | sed 's/^/  | /'
    else
        skip_all "hvm-test was not suspended (see f-suspend-hvm)" \
            f-resume-saved-hvm f-resumed-guest-continued f-resumed-same-config
    fi
else
    skip_all "hvm-test never became READY (see f-stop-hvm)" \
        f-suspend-hvm f-resume-saved-hvm f-resumed-guest-continued f-resumed-same-config
fi

# stopped_check STEP NAME ID OUTPUT: a 'stopped' event and the domain gone from xl list.
stopped_check() {
    why=
    wait_event stopped "$2" 30 || why="no 'stopped' event for $2;"
    wait_gone "$2" "$3" 30 || why="$why $2 still in xl list;"
    [ -s "$4" ] && info "polyctl: $(head -n1 "$4")"
    verdict "$1" "$t" "$why"
    [ -z "$why" ] || indent "$4"
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

# --- g. create times side by side, and ours within a bound of xl's ------------------
# Ours (polyctl vm create + vm start of the PVH guest) includes two polyctl round trips (two JVM
# starts, 15-40 s each in this dom0); less those, it must take at most 3 x xl's create + 60 s.
# The bound is loose on purpose (JVM start times under TCG vary by tens of seconds): it catches
# a start path that waits or retries for a minute, not a few seconds' regression.
info "create times: xl create (PVH) ${xl_create_time:-n/a} s;" \
     "polyctl vm create + vm start: PVH ${pvh_time:-n/a} s, HVM ${hvm_time:-n/a} s" \
     "(one polyctl round trip alone: $polyctl_time s)"
if [ -z "$xl_create_time" ] && ! wanted ab; then
    skip g-create-times "xl's create time is step b's, and --only did not run ab"
elif [ -z "$xl_create_time" ] || [ -z "$pvh_time" ]; then
    fail g-create-times "not both measured: xl create '${xl_create_time:-none}' s (b), polyctl PVH '${pvh_time:-none}' s (d)"
else
    net=$(awk -v o="$pvh_time" -v p="$polyctl_time" 'BEGIN { printf "%.1f", o - 2 * p }')
    bound=$(awk -v x="$xl_create_time" 'BEGIN { printf "%.1f", 3 * x + 60 }')
    if awk -v n="$net" -v b="$bound" 'BEGIN { exit !(n <= b) }'; then
        pass g-create-times "$net"
        info "ours less two polyctl round trips: $net s <= bound $bound s (3 x xl's $xl_create_time s + 60 s)"
    else
        fail g-create-times "ours less two polyctl round trips took $net s, over the bound $bound s (3 x xl's $xl_create_time s + 60 s)"
    fi
fi
