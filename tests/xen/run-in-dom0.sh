#!/bin/sh
# The Xen system test's steps, run as root inside dom0 by dom0-init, from the payload
# disk mounted at /payload:
#   /payload/run-in-dom0.sh, steps/      this script and its step files (tests/xen/steps/)
#   /payload/guest/vmlinuz, initrd.img   the test guest (tests/guest)
#   /payload/debs/*.deb                  polydesk-toolstack, polydesk-device-model
#   /payload/sound/                      step m: the image's sound-server script and WirePlumber settings
#   /payload/viewer/                     steps i and j: guest.img (the viewer guest's disk),
#                                        display-server/ and dom0/ (its dom0 side), input-server/
#                                        (j); /dev/vdc is the viewer guest's root
#   /payload/out/                        logs written here (the host copies them out)
# Each step prints "PASS <step> (<seconds> s)", "FAIL <step>: <why>" or "SKIP <step>: <why>"
# at the start of a line (steps/lib.sh: pass, fail, skip); evaluate-results.sh reads them back
# from the serial console and holds them against tests/xen/required-steps. Every wait goes
# through steps/lib.sh's wait_for (a condition and a deadline).
#
# Step files, sourced in this order (they share variables: see each file's header):
#   steps/ab-xl.sh            a, b   xl alone
#   steps/c-polydeskd.sh      c      our .deb, polydeskd, polyctl host check
#   steps/dg-polyctl-vms.sh   d-g    VMs through polyctl, create times
#   steps/k-network.sh        k      polydeskd's default network, a guest's vif on it
#   steps/l-usb.sh            l      a USB stick given to an HVM guest through libxl's usbdev
#   steps/m-sound.sh          m      an HVM guest's sound through our device model, a sound server restart
#   steps/h-gpu.sh            h      GPU passthrough
#   steps/j-gpu-viewer.sh     j      polydesk-display hands the monitor to a GPU VM's viewer
#   steps/i-viewer-grants.sh  i      the viewer's region as Xen grants (last: it needs no polydeskd)

P=${P:-/payload}
S=$P/steps
OUT=$P/out
mkdir -p "$OUT"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for f in lib.sh ab-xl.sh c-polydeskd.sh dg-polyctl-vms.sh k-network.sh l-usb.sh m-sound.sh h-gpu.sh j-gpu-viewer.sh i-viewer-grants.sh; do
    if [ ! -f "$S/$f" ]; then
        echo "FAIL run: no $S/$f in the payload"
        exit 1
    fi
done
. "$S/lib.sh"
# $P/only (run-xen-system-test.sh --only): the step groups to run besides c; none: all of them.
only=$(cat "$P/only" 2>/dev/null)
wanted() { [ -z "$only" ] || case " $only " in *" $1 "*) true ;; *) false ;; esac; }

echo "run-in-dom0: starting at $(now) s of dom0 uptime"
wanted ab && . "$S/ab-xl.sh"
. "$S/c-polydeskd.sh"
if [ -n "$daemon_up" ]; then
    wanted dg && . "$S/dg-polyctl-vms.sh"
    wanted k && . "$S/k-network.sh"
    wanted l && . "$S/l-usb.sh"
    wanted m && . "$S/m-sound.sh"
    wanted h && . "$S/h-gpu.sh"
    wanted j && . "$S/j-gpu-viewer.sh"
    [ -n "$serial_pid" ] && kill "$serial_pid" 2>/dev/null
    kill "$events_pid" "$daemon_pid" 2>/dev/null
    if [ "$failed" -gt 0 ]; then
        echo "  polydeskd.log (last lines):"
        indent "$OUT/polydeskd.log" 40
    fi
else
    skip_all "polydeskd is not running (step c)" \
        d-create-start-hvm d-create-start-pvh d-running d-hvm-windows-settings e-hvm-sockets e-hvm-qmp \
        f-pause-hvm f-resume-hvm f-reboot-hvm f-cd-kept-hvm f-suspend-hvm f-resume-saved-hvm f-resumed-guest-continued \
        f-resumed-same-config f-cd-insert-hvm f-cd-eject-hvm f-stop-hvm f-pvh-booted f-destroy-pvh g-create-times \
        k-network-default k-vif-lease k-vif-offline l-usb-list l-usb-hvm m-sound-server m-sound-hvm m-sound-restart \
        h-gpu-list h-gpu-reset-refuses-dom0s h-gpu-assignable h-gpu-taken h-gpu-assigned \
        h-gpu-started-event h-gpu-stopped-event h-gpu-returned \
        j-display-up j-gpu-vm-started j-console-released j-viewer-hello j-viewer-frames j-console-back
fi
wanted i && . "$S/i-viewer-grants.sh"

# Logs for the host (copied out of the payload image after the run).
xl dmesg > "$OUT/xl-dmesg.txt" 2>&1
cp -r /var/log/xen "$OUT/xen-logs" 2>/dev/null
echo "SUMMARY $passed passed, $failed failed, $skipped skipped (the verdict is evaluate-results.sh's)"
[ "$failed" -eq 0 ]
