# shellcheck shell=sh
# Steps l (sourced by run-in-dom0.sh after k, when polydeskd is up; issue 19): a USB device of the
# machine given to an HVM guest on Xen through libxl's usbdev, on the xHCI controller of the guest's
# device model (qemu-xen's usb-host).
#   l-usb-list      polyctl usb list shows the outer QEMU's USB stick (QEMU's usb-storage, 46f4:0001,
#                   serial XENSTICK, on dom0's xHCI) with dom0, as a storage device
#   l-usb-hvm       usb-test, an HVM test guest printing the USB devices its own kernel sees
#                   (polydesk.usb=1), gets the stick by polyctl usb assign: its serial shows
#                   46f4:0001:XENSTICK; polyctl usb release takes it back: the guest's list is empty
#                   again and usb list says dom0
# dom0 here runs no udevd: the stick was plugged in before the device model started, which is what
# QEMU's libusb then finds without it (the appliance runs udevd, for devices plugged in later).

# usb_follow: follows usb-test's serial (lib.sh's follow_serial); true once it printed a USB list.
usb_follow() {
    follow_serial usb-test "$OUT/usb-serial.log"
    grep -q 'POLYDESK-USB LIST' "$OUT/usb-serial.log" 2>/dev/null
}
# usb_guest_list: the guest's latest USB list.
usb_guest_list() { sed -n 's/.*POLYDESK-USB LIST \(.*\)/\1/p' "$OUT/usb-serial.log" 2>/dev/null | tr -d '\r' | tail -n1; }
guest_has_stick() { case " $(usb_guest_list) " in *" 46f4:0001:XENSTICK "*) true ;; *) false ;; esac; }
guest_has_none() { [ "$(usb_guest_list)" = none ]; }

# --- l-usb-list --------------------------------------------------------------------------------
# No udevd loads modules in this dom0: the xHCI driver is loaded here (the appliance's udev does it).
modprobe -a xhci_pci usb_storage 2>/dev/null || info "modprobe xhci_pci usb_storage failed"
t=$(now)
why=
# The stick appears once dom0's xHCI driver has found it, in the first seconds after boot.
stick_listed() {
    pc usb list --json > "$OUT/usb-list.json" 2>&1
    [ -n "$(jq -r '.[] | select(.serial == "XENSTICK") | .port' "$OUT/usb-list.json" 2>/dev/null)" ]
}
wait_for 60 "the stick in polyctl usb list" stick_listed || why="$why no device with serial XENSTICK in polyctl usb list;"
stick=$(jq -r '.[] | select(.serial == "XENSTICK") | .port' "$OUT/usb-list.json" 2>/dev/null)
if [ -n "$stick" ]; then
    [ "$(jq -r '.[] | select(.serial == "XENSTICK") | "\(.vendorProduct) \(.kind) \(.vm // "dom0")"' "$OUT/usb-list.json")" \
        = "46f4:0001 storage dom0" ] || why="$why the stick is not listed as 46f4:0001, storage, with dom0;"
    info "the stick is at port $stick"
fi
verdict l-usb-list "$t" "$why"
[ -z "$why" ] || indent "$OUT/usb-list.json"

# --- l-usb-hvm ---------------------------------------------------------------------------------
t=$(now)
why=
if [ -z "$stick" ]; then
    skip l-usb-hvm "no stick (l-usb-list)"
else
    if pc vm create --name usb-test --type hvm --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
            --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=3030C0 polydesk.usb=1" > "$OUT/l-usb.txt" 2>&1 \
       && pc vm start usb-test >> "$OUT/l-usb.txt" 2>&1; then
        wait_every 2 600 "usb-test's first USB list on its serial" usb_follow || why="$why usb-test printed no USB list;"
        if [ -z "$why" ]; then
            pc usb assign "$stick" usb-test >> "$OUT/l-usb.txt" 2>&1 || why="$why polyctl usb assign failed: $(tail -n1 "$OUT/l-usb.txt");"
        fi
        if [ -z "$why" ]; then
            wait_every 1 120 "the stick in usb-test's own USB tree" guest_has_stick \
                || why="$why usb-test's serial does not show 46f4:0001:XENSTICK (its list: $(usb_guest_list));"
            [ "$(pc usb list --json | jq -r '.[] | select(.serial == "XENSTICK") | .vmName')" = usb-test ] \
                || why="$why polyctl usb list does not say usb-test has the stick;"
            info "xl usb-list usb-test: $(xl usb-list usb-test 2>&1 | tr '\n' ' ')"
        fi
        if [ -z "$why" ]; then
            pc usb release "$stick" >> "$OUT/l-usb.txt" 2>&1 || why="$why polyctl usb release failed: $(tail -n1 "$OUT/l-usb.txt");"
            wait_every 1 120 "the stick gone from usb-test" guest_has_none \
                || why="$why after the release usb-test still lists: $(usb_guest_list);"
            [ "$(pc usb list --json | jq -r '.[] | select(.serial == "XENSTICK") | .vm // "dom0"')" = dom0 ] \
                || why="$why polyctl usb list does not say dom0 has the stick again;"
        fi
    else
        why="polyctl vm create/start usb-test failed;"
    fi
    verdict l-usb-hvm "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/l-usb.txt"; indent "$OUT/usb-serial.log" 15; indent "$OUT/polydeskd.log" 15; }
    stop_serial usb-test
    pc vm destroy usb-test > /dev/null 2>&1
fi
