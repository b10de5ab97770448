# shellcheck shell=sh
# Step h (sourced by run-in-dom0.sh when polydeskd is up): GPU passthrough of the outer QEMU's
# two-function card. Sets card, audio, card_drv, audio_drv, iommu, qmp_timeout() for j.
#
# 00:05.0 is a bochs-display (display class, bochs DRM driver), 00:05.1 an intel-hda
# (snd_hda_intel): a GPU with its HDMI audio. Starting a VM with it takes both functions
# from dom0 to pciback through polydeskd's sysfs writes (what xl pci-assignable-add does),
# so xl pci-assignable-list shows them until libxl assigns them to the new domain (the
# device model starts first: seconds here); then xl pci-list shows them in the domain;
# its destroy gives them back to their drivers. The runner gives Xen an IOMMU (q35 +
# intel-iommu); without one (virt_caps without hvm_directio) libxl refuses the passthrough
# domain: the failed start must give the card back just the same, and the steps that need
# the passthrough are SKIPs naming the missing IOMMU.
card=0000:00:05.0 audio=0000:00:05.1
card_bound() { [ -n "$(drv $card)" ] && [ -n "$(drv $audio)" ]; }
modprobe -q bochs 2>/dev/null; modprobe -q snd-hda-intel 2>/dev/null
wait_for 10 "dom0's drivers on $card and $audio" card_bound
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
if [ $rc -eq 2 ] && grep -q "not ours (dom0's driver $card_drv holds it)" "$OUT/h-reset.txt" \
        && [ "$(drv $card)" = "$card_drv" ]; then
    pass h-gpu-reset-refuses-dom0s "$(since "$t")"
else
    fail h-gpu-reset-refuses-dom0s "polyctl gpu reset $card while $card_drv holds it: rc $rc (want 2), now on '$(drv $card)'"
    indent "$OUT/h-reset.txt"
fi
# What the kernel shows while the VM starts: the functions' drivers (sysfs) and xl's assignable
# list, every 0.1 s, for at most 240 s (a recorder, not a wait: killed once the start is over).
( end=$(( $(date +%s) + 240 ))
  while [ "$(date +%s)" -lt "$end" ]; do
      echo "$(now) $(drv $card) $(drv $audio) $(xl pci-assignable-list 2>/dev/null | tr '\n' ' ')"
      sleep 0.1
  done ) > "$OUT/h-watch.txt" 2>&1 &
watch_pid=$!
iommu=$(grep -q hvm_directio "$OUT/xl-info.txt" && echo yes)
# returned STEP: both functions on their dom0 drivers again, nothing of ours left.
is_returned() {
    [ "$(drv $card)" = "$card_drv" ] && [ "$(drv $audio)" = "$audio_drv" ] \
        && ! xl pci-assignable-list 2>/dev/null | grep -q "00:05" && [ -z "$(ls /run/polydesk/gpu 2>/dev/null)" ]
}
returned() {
    wait_for 30 "the card back on $card_drv and $audio_drv" is_returned
    why=
    [ "$(drv $card)" = "$card_drv" ] || why="$why $card is on '$(drv $card)', not '$card_drv';"
    [ "$(drv $audio)" = "$audio_drv" ] || why="$why $audio is on '$(drv $audio)', not '$audio_drv';"
    xl pci-assignable-list 2>/dev/null | grep -q "00:05" && why="$why xl pci-assignable-list still lists the card;"
    [ -z "$(ls /run/polydesk/gpu 2>/dev/null)" ] || why="$why a hand-over record is left in /run/polydesk/gpu;"
    verdict "$1" "$t" "$why"
    [ -n "$why" ] || info "back with dom0: $card on $(drv $card), $audio on $(drv $audio)"
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
gpu_steps_need_start="h-gpu-taken h-gpu-assigned h-gpu-started-event h-gpu-stopped-event"
# both_on_pciback: sysfs has both functions bound to pciback now.
both_on_pciback() { [ "$(drv $card)" = pciback ] && [ "$(drv $audio)" = pciback ]; }
if [ -n "$iommu" ]; then
    listed=$(grep -m1 "0000:00:05.0.*0000:00:05.1\|0000:00:05.1.*0000:00:05.0" "$OUT/h-watch.txt")
    if [ -n "$listed" ]; then
        pass h-gpu-assignable "$start_time"
        info "during the start: $listed  (time, drivers of .0 and .1, xl pci-assignable-list)"
    else
        fail h-gpu-assignable "the 0.1 s watch never saw both functions in xl pci-assignable-list"
        indent "$OUT/h-watch.txt" 5
    fi
    if [ $start_rc -eq 0 ]; then
        # taken: dom0's drivers held both functions before, pciback holds both now (sysfs).
        t=$(now)
        why=
        case "$card_drv" in ""|pciback) why="before the start $card was on '${card_drv:-no driver}', not a dom0 driver;" ;; esac
        case "$audio_drv" in ""|pciback) why="$why before the start $audio was on '${audio_drv:-no driver}', not a dom0 driver;" ;; esac
        both_on_pciback || why="$why after the start sysfs has $card on '$(drv $card)', $audio on '$(drv $audio)', not pciback;"
        [ -e /sys/bus/pci/drivers/pciback/$card ] && [ -e /sys/bus/pci/drivers/pciback/$audio ] \
            || why="$why /sys/bus/pci/drivers/pciback/ lacks $card or $audio;"
        verdict h-gpu-taken "$t" "$why"
        if both_on_pciback && xl pci-list gpu-test 2>/dev/null | grep -q "0000:00:05.0" \
                && xl pci-list gpu-test 2>/dev/null | grep -q "0000:00:05.1"; then
            pass h-gpu-assigned "$start_time"
            xl pci-list gpu-test | sed 's/^/  /'
        else
            fail h-gpu-assigned "drivers $(drv $card)/$(drv $audio), xl pci-list: $(xl pci-list gpu-test 2>&1 | tr '\n' ' ')"
        fi
        if jq -e 'select(.type == "running" and .name == "gpu-test" and .gpu.functions == ["0000:00:05.0", "0000:00:05.1"])' \
                "$OUT/events.jsonl" > /dev/null 2>&1; then
            pass h-gpu-started-event 0
        else
            fail h-gpu-started-event "no 'running' event of gpu-test with its gpu"
        fi
        pc vm destroy gpu-test > "$OUT/h-destroy.txt" 2>&1 || info "polyctl vm destroy gpu-test: rc $?"
        t=$(now)
        stopped_with_gpu() {
            jq -e 'select(.type == "stopped" and .name == "gpu-test" and .gpu.functions == ["0000:00:05.0", "0000:00:05.1"])' \
                "$OUT/events.jsonl" > /dev/null 2>&1
        }
        if wait_for 60 "a 'stopped' event of gpu-test with its gpu" stopped_with_gpu; then
            pass h-gpu-stopped-event "$(since "$t")"
        else
            fail h-gpu-stopped-event "no 'stopped' event of gpu-test with its gpu within 60 s"
        fi
    elif qmp_timeout 2; then
        skip_all "twice libxl's fixed 10 s QMP timeout ran out while the device model (TCG) hot-added the card" \
            $gpu_steps_need_start
    else
        fail h-gpu-assigned "vm start rc $start_rc, drivers $(drv $card)/$(drv $audio), xl pci-list: $(xl pci-list gpu-test 2>&1 | tr '\n' ' ')"
        indent "$OUT/h-start.txt"
        skip_all "gpu-test did not start (h-gpu-assigned)" h-gpu-taken h-gpu-started-event h-gpu-stopped-event
    fi
else
    skip_all "no IOMMU: xl info's virt_caps lacks hvm_directio" h-gpu-assignable $gpu_steps_need_start
    # libxl's own words are in polydeskd's log (its logger writes to polydeskd's stderr).
    if [ $start_rc -ne 0 ] && grep -q "passthrough not supported" "$OUT/h-start.txt" "$OUT/polydeskd.log"; then
        pass h-gpu-start-refused-without-iommu "$start_time"
        info "polyctl: $(head -n1 "$OUT/h-start.txt")"
    else
        fail h-gpu-start-refused-without-iommu "vm start gpu-test without an IOMMU: rc $start_rc"
        indent "$OUT/h-start.txt"
    fi
fi
kill "$watch_pid" 2>/dev/null
seen=$(awk '$2 == "pciback" && $3 == "pciback"' "$OUT/h-watch.txt" | head -n1)
info "watched during the start: ${seen:-both functions never seen on pciback by the 0.1 s watch}"
grep -E "0000:00:05\.[01]: |GPU 0000:00:05.0" "$OUT/polydeskd.log" | tail -n 30 | sed 's/^/  polydeskd: /'
t=$(now)
returned h-gpu-returned
