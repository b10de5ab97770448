#!/bin/bash
# Takes the README's screenshots: the UI as the appliance shows it (covering a 1180x720 Xvfb
# screen) against a real polydeskd with example VMs, one of them running the test guest in QEMU,
# walked through its pages by org.polydesk.ui.dev.ScreenshotTour; the PNGs go to docs/.
# Usage: ui-vm/screenshots.sh   (builds ui-vm first; holds the shared lock while QEMU runs)
set -euo pipefail
[ -n "${POLYDESK_HEAVY_LOCKED:-}" ] || POLYDESK_HEAVY_LOCKED=1 exec flock /tmp/polydesk-heavy.lock "$0" "$@"
# In a network namespace of its own: the networks shown (bridges, dnsmasq, nft tables) are made there.
[ -n "${POLYDESK_OWN_NETNS:-}" ] || POLYDESK_OWN_NETNS=1 exec unshare -n "$0" "$@"
ip link set lo up
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here/.." && mvn -B -ntp -q -o package -pl ui-vm -am -DskipTests)
guest=$(bash "$here/../tests/guest/build-guest.sh" | tail -n 1)
. "$here/dev-env.sh"
trap dev_env_stop EXIT
POLYDESK_DEV_USB=1 dev_env_start 1180 720
dev_env_examples
polyctl vm edit Debian --kernel "$guest/vmlinuz" --ramdisk "$guest/initrd.img" \
    --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=C03030 polydesk.tone=440" >/dev/null
polyctl network create default --address 10.77.0.1/24 >/dev/null
polyctl network create lab --kind isolated >/dev/null
polyctl vm edit Debian --nic default >/dev/null
polyctl vm edit "Windows 11" --nic default,policy=internet-only >/dev/null
polyctl vm edit "Build box" --nic lab,offline >/dev/null
polyctl vm start Debian >/dev/null
polyctl audio policy mix >/dev/null
polyctl audio vm Debian --volume 80 --microphone >/dev/null
polyctl audio vm "Windows 11" --mute >/dev/null
polyctl usb rule add "Build box" --id 0781:5567 --serial 4C530001230815117402 >/dev/null
polyctl usb rule add "Windows 11" --id 046d:0825 >/dev/null
jar=$(ls "$here"/target/ui-vm-*.jar | grep -v -- -tests.jar | head -n 1)
GDK_GL=disable java -Xmx96m -Dprism.order=sw -cp "$jar:$here/target/lib/*" org.polydesk.ui.dev.ScreenshotTour \
    "$dev_socket" "$repo/docs" "$dev_daemon"
