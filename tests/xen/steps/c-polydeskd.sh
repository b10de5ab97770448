# shellcheck shell=sh
# Step c (sourced by run-in-dom0.sh after lib.sh): our .deb installed, polydeskd started as its
# systemd unit starts it (with --default-network: step k's network). Sets daemon_up and daemon_pid; starts the event follower (events_pid)
# the later steps read.

deb=$(ls -t "$P"/debs/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1)
daemon_up= daemon_pid= events_pid=
# socket_up: polydeskd's socket is there, or polydeskd is gone (the wait has no more to wait for).
socket_up() { [ -S /run/polydesk/polydeskd.sock ] || ! alive "$daemon_pid"; }
# start_polydeskd: polydeskd as its unit starts it (its log appended), then waits for its socket.
start_polydeskd() {
    /usr/bin/polydeskd --backend libxl --default-network >> "$OUT/polydeskd.log" 2>&1 &
    daemon_pid=$!
    wait_for 180 "polydeskd's socket" socket_up
}
# follow_events: the event follower the later steps read (appended to: a restarted daemon's too).
follow_events() {
    polyctl events --count 1000 --json >> "$OUT/events.jsonl" 2>> "$OUT/events.err" &
    events_pid=$!
}
# restart_polydeskd: ends polydeskd as a crash would (its VMs run on), starts it again and follows
# its events; fails when it does not answer again.
restart_polydeskd() {
    kill -9 "$daemon_pid" "$events_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
    rm -f /run/polydesk/polydeskd.sock
    start_polydeskd
    { [ -S /run/polydesk/polydeskd.sock ] && alive "$daemon_pid"; } || return 1
    follow_events
}
if [ -z "$deb" ]; then
    skip c-polydeskd "no polydesk-toolstack .deb in the payload (build it with mvn package)"
else
    # Our device model (step m's sound) goes in first, as in the image: polydeskd gives it to HVM guests.
    dm_deb=$(ls -t "$P"/debs/polydesk-device-model_*.deb 2>/dev/null | head -n1)
    info "installing $(basename "$deb")${dm_deb:+ and $(basename "$dm_deb")}"
    t=$(now)
    if ! dpkg -i $dm_deb "$deb" > "$OUT/dpkg.txt" 2>&1; then
        fail c-polydeskd "dpkg -i $(basename "$deb")${dm_deb:+ $(basename "$dm_deb")} failed"
        indent "$OUT/dpkg.txt"
    else
        info "dpkg -i took $(since "$t") s"
        t=$(now)
        mkdir -p /run/polydesk
        start_polydeskd
        if [ -S /run/polydesk/polydeskd.sock ] && alive "$daemon_pid"; then
            daemon_up=1
            pass c-polydeskd "$(since "$t")"
        elif alive "$daemon_pid"; then
            fail c-polydeskd "no /run/polydesk/polydeskd.sock after 180 s"
            indent "$OUT/polydeskd.log" 30
        else
            wait "$daemon_pid"
            fail c-polydeskd "polydeskd exited (rc $?) before its socket appeared"
            indent "$OUT/polydeskd.log" 30
        fi
    fi
fi
if [ -n "$daemon_up" ]; then
    # c-host-check: polyctl host check against what Xen itself says: xl info's virt_caps (hvm:
    # HVM guests run; hvm_directio: Xen uses an IOMMU, which this QEMU machine has, intel-iommu
    # with intremap=on) and its log's interrupt remapping line. Without an IOMMU every display
    # controller must be judged not assignable for want of it.
    t=$(now)
    caps=$(xl info | sed -n 's/^virt_caps *: //p')
    if ! polyctl host check --json > "$OUT/host-check.json" 2> "$OUT/host-check.err"; then
        fail c-host-check "polyctl host check failed: $(head -c 300 "$OUT/host-check.err")"
    else
        cpu=$(jq -r '.host[] | select(.name == "cpu-virtualisation") | .status' "$OUT/host-check.json")
        xen=$(jq -r '.host[] | select(.name == "xen") | .status' "$OUT/host-check.json")
        iommu=$(jq -r '.host[] | select(.name == "iommu") | .status' "$OUT/host-check.json")
        ir=$(jq -r '.host[] | select(.name == "interrupt-remapping") | .status' "$OUT/host-check.json")
        # This machine's QEMU has intel-iommu,intremap=on: Xen's log says whether it remaps interrupts.
        if xl dmesg | grep -qi 'interrupt remapping enabled'; then want_ir=ok; else want_ir=not-ok; fi
        case " $caps " in *" hvm_directio "*) want_iommu=ok ;; *) want_iommu=missing ;; esac
        case " $caps " in *" hvm "*) want_cpu=ok ;; *) want_cpu=missing ;; esac
        displays=$(jq '.displays | length' "$OUT/host-check.json")
        judged=$(jq '[.displays[] | select(.verdict == "not-assignable" and (.reasons[0] | startswith("no IOMMU")))] | length' \
            "$OUT/host-check.json")
        info "virt_caps: $caps; host check: cpu $cpu, xen $xen, iommu $iommu; $displays display controllers, $judged not assignable for want of an IOMMU"
        info "interrupt remapping: host check $ir, Xen's log ${want_ir}"
        case "$ir/$want_ir" in ok/ok | caveat/not-ok | missing/not-ok) ir_agrees=1 ;; *) ir_agrees= ;; esac
        if [ "$cpu" = "$want_cpu" ] && [ "$xen" = ok ] && [ "$iommu" = "$want_iommu" ] && [ "$displays" -ge 1 ] \
            && [ -n "$ir_agrees" ] \
            && { [ "$want_iommu" = ok ] || [ "$judged" = "$displays" ]; }; then
            pass c-host-check "$(since "$t")"
        else
            fail c-host-check "host check (cpu $cpu, xen $xen, iommu $iommu, interrupt remapping $ir, $judged of $displays displays judged for the IOMMU) against virt_caps '$caps' and Xen's log (interrupt remapping $want_ir)"
            indent "$OUT/host-check.json" 40
        fi
    fi
    # Follows events for the whole run (killed at the end by run-in-dom0.sh).
    follow_events
fi
