#!/bin/bash
# The Wi-Fi system test (issue 18): dom0's Wi-Fi through polydeskd against the real thing —
# NetworkManager, wpa_supplicant, hostapd and two mac80211_hwsim radios — all inside QEMU (TCG),
# nothing on this host's network. It boots the Xen system test's dom0 image WITHOUT Xen
# (tests/xen/build-dom0-image.sh; dom0-init with polydesk.nox) and runs tests/wifi/wifi-steps.sh in
# it as /payload/run-in-dom0.sh: an access point on one radio, polyctl host wifi scan / connect
# (a wrong passphrase, then the right one) / host network on the other. Prints the serial console as
# it comes, then the verdict of tests/xen/evaluate-results.sh against tests/wifi/required-steps:
# the PASS / FAIL / SKIP lines and "N passed, N failed, N skipped". See tests/wifi/README.md.
#
#   sudo tests/wifi/run-wifi-test.sh [--allow-skip STEP[,STEP]]...
#
# Every step in tests/wifi/required-steps must PASS; a SKIP of one, or one that never reports,
# FAILs the run unless --allow-skip names it. A missing .deb, a timeout, or a guest that never
# finished are FAILs. Exits 0 only when nothing failed. The image build and the QEMU run hold
# the shared lock /tmp/polydesk-heavy.lock (POLYDESK_HEAVY_LOCK; waiting for it is normal;
# POLYDESK_HEAVY_LOCKED=1 when the caller already holds it).
#
# Environment:
#   POLYDESK_WIFI_ALLOW_SKIP  the same as --allow-skip
#   POLYDESK_WIFI_TIMEOUT     bound for the QEMU run, seconds (default 1200)
#   POLYDESK_WIFI_DEB         the polydesk-toolstack .deb (default: the newest
#                             toolstack/target/polydesk-toolstack_*_all.deb)
#   POLYDESK_XEN_CACHE        the dom0 image's cache (default tests/xen/cache); the run's files
#                             (serial.log, payload.img, out/ with the guest's logs) stay in
#                             <cache>/wifi-last-run/ until the next run
set -euo pipefail

allow_skip=${POLYDESK_WIFI_ALLOW_SKIP:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --allow-skip) allow_skip=${allow_skip:+$allow_skip,}${2:?--allow-skip needs STEP[,STEP]}; shift 2 ;;
        --allow-skip=*) allow_skip=${allow_skip:+$allow_skip,}${1#*=}; shift ;;
        -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run-wifi-test.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
xen=$repo/tests/xen
cache=${POLYDESK_XEN_CACHE:-$xen/cache}
timeout_s=${POLYDESK_WIFI_TIMEOUT:-1200}
lock=${POLYDESK_HEAVY_LOCK:-/tmp/polydesk-heavy.lock}
start_time=$SECONDS

log() { printf 'run-wifi-test [%4d s]: %s\n' $((SECONDS - start_time)) "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (image build)"
. "$repo/scripts/need-packages.sh"
need_packages qemu-system-x86 e2fsprogs || die "cannot install qemu-system-x86 and e2fsprogs"

# Failures found before booting: the summary has them alone, and the exit is 1.
deb=${POLYDESK_WIFI_DEB:-$(ls -t "$repo"/toolstack/target/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1 || true)}
preflight=
if [ -z "$deb" ]; then
    preflight="no polydesk-toolstack .deb: build it with (cd $repo && mvn -o -q -pl toolstack -am package -DskipTests)"
elif [ ! -f "$deb" ]; then
    preflight="no such .deb: $deb"
fi
conf=$repo/distro/config/includes.chroot/etc/NetworkManager/conf.d/polydesk.conf
[ -f "$conf" ] || preflight="${preflight:+$preflight; }no $conf"
if [ -n "$preflight" ]; then
    echo
    echo "==== Wi-Fi system test results ===="
    echo "FAIL run: $preflight"
    echo "0 passed, 1 failed"
    exit 1
fi

mkdir -p "$cache"
# One run at a time; then the shared heavy lock, held until exit (image build and QEMU).
exec 9> "$cache/.wifi-run.lock"
flock -n 9 || die "another run-wifi-test is running"
if [ -z "${POLYDESK_HEAVY_LOCKED:-}" ]; then
    exec 7>> "$lock"
    if ! flock -n 7; then
        log "waiting for the shared lock $lock (another QEMU, ISO or Maven run)"
        flock 7
        log "got the shared lock"
    fi
fi

log "dom0 image (cached after the first build, which takes a few minutes)"
image=$("$xen/build-dom0-image.sh" | tail -n1)
{ [ -f "$image/dom0.img" ] && [ -f "$image/vmlinuz" ]; } || die "build-dom0-image.sh gave no image"

run=$cache/wifi-last-run
rm -rf "$run"
mkdir -p "$run/payload/debs" "$run/payload/out"
install -m 755 "$here/wifi-steps.sh" "$run/payload/run-in-dom0.sh"
install -m 644 "$xen/steps/lib.sh" "$run/payload/lib.sh"
install -m 644 "$conf" "$run/payload/polydesk.conf"
cp "$deb" "$run/payload/debs/"
log "testing $(basename "$deb")"
size_mb=$(( $(du -sm "$run/payload" | cut -f1) + 64 ))
mkfs.ext4 -q -F -L payload -d "$run/payload" "$run/payload.img" "${size_mb}M" || die "mkfs.ext4 of the payload failed"

# A plain PC: the dom0 image's kernel booted directly (no Xen), console on the first serial port.
qemu=(qemu-system-x86_64 -accel tcg -cpu qemu64 -smp 2 -m 2048
      -nodefaults -no-reboot -display none
      -serial "file:$run/serial.log"
      -drive "file=$image/dom0.img,format=raw,if=virtio,snapshot=on"
      -drive "file=$run/payload.img,format=raw,if=virtio"
      -kernel "$image/vmlinuz" -initrd "$image/initrd.img"
      -append "root=/dev/vda ro console=ttyS0 init=/usr/local/sbin/polydesk-dom0-init polydesk.nox")
printf '%q ' "${qemu[@]}" > "$run/qemu-command.txt"; echo >> "$run/qemu-command.txt"
log "booting the dom0 image without Xen in QEMU (bound: $timeout_s s); serial console follows"
. "$repo/tests/lib/qemu-follow.sh"
qemu_follow "$run/serial.log" "$timeout_s" "the guest" "${qemu[@]}"

# The guest's logs (NetworkManager, wpa_supplicant, hostapd, dnsmasq, polydeskd) out of the payload.
debugfs -R "rdump /out $run" "$run/payload.img" > /dev/null 2>&1 || log "could not copy out/ from the payload"

echo
echo "==== Wi-Fi system test results ===="
eval_args=()
[ -n "$allow_skip" ] && eval_args+=(--allow-skip "$allow_skip")
[ -n "$timed_out" ] && eval_args+=(--fail "timeout after $timeout_s s")
echo "timings: guest ready ${ready_at:-n/a} s, steps done ${done_at:-n/a} s, QEMU total $total s" \
     "(after $qemu_start s of image preparation)"
echo "logs: $run/serial.log, $run/out/"
rc=0
POLYDESK_XEN_ALLOW_SKIP='' POLYDESK_XEN_REQUIRED=$here/required-steps \
    "$xen/evaluate-results.sh" "${eval_args[@]}" "$run/serial.log" || rc=1
exit $rc
