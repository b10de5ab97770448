#!/bin/bash
# The Xen system test: boots Xen 4.17 with a Debian dom0 in QEMU (TCG) and runs
# tests/xen/run-in-dom0.sh inside dom0: xl baseline, then polydeskd (libxl backend) from
# our .deb through polyctl. Prints the serial console as it comes, then the PASS / FAIL /
# SKIP lines and "N passed, N failed"; exits non-zero on any FAIL, on a timeout, or if
# dom0 never finished. See tests/xen/README.md.
#
# Environment:
#   POLYDESK_XEN_TIMEOUT  overall bound for the QEMU run, seconds (default 1800)
#   POLYDESK_XEN_DEB      the polydesk-toolstack .deb to test, or "none" (default: the
#                         newest toolstack/target/polydesk-toolstack_*_all.deb, if any)
#   POLYDESK_XEN_CACHE    cache directory (default tests/xen/cache)
#   POLYDESK_XEN_VIEWER   "none" skips steps i and j (the viewer's region as Xen grants); otherwise
#                         they run when switcher-viewer, display-server (and for j input-server)
#                         are packaged (mvn package)
# The run's files (serial.log, payload.img, out/ with dom0's logs) stay in
# <cache>/last-run/ until the next run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${POLYDESK_XEN_CACHE:-$here/cache}
timeout_s=${POLYDESK_XEN_TIMEOUT:-1800}
start_time=$SECONDS

log() { printf 'run-xen-system-test [%4d s]: %s\n' $((SECONDS - start_time)) "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (image build)"
for p in qemu-system-x86 e2fsprogs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && continue
    log "installing $p"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$p" >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$p" >&2; } \
        || die "cannot install $p"
done

mkdir -p "$cache"
# One run at a time (one QEMU on the machine).
exec 9> "$cache/.run.lock"
flock -n 9 || die "another run-xen-system-test is running"

log "dom0 image (cached after the first build, which takes a few minutes)"
image=$("$here/build-dom0-image.sh" | tail -n1)
[ -f "$image/dom0.img" ] || die "build-dom0-image.sh gave no image"
log "test guest"
guest=$("$repo/tests/guest/build-guest.sh" | tail -n1)
[ -f "$guest/vmlinuz" ] || die "build-guest.sh gave no guest"

deb=${POLYDESK_XEN_DEB:-$(ls -t "$repo"/toolstack/target/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1 || true)}
[ "$deb" = none ] && deb=

run=$cache/last-run
rm -rf "$run"
mkdir -p "$run/payload/guest" "$run/payload/debs" "$run/payload/out"
cp "$guest/vmlinuz" "$guest/initrd.img" "$run/payload/guest/"
install -m 755 "$here/run-in-dom0.sh" "$run/payload/run-in-dom0.sh"
if [ -n "$deb" ]; then
    [ -f "$deb" ] || die "no such .deb: $deb"
    cp "$deb" "$run/payload/debs/"
    log "testing $(basename "$deb")"
else
    log "NOTE: no polydesk-toolstack .deb (mvn package makes toolstack/target/polydesk-toolstack_*_all.deb):" \
        "the polydeskd steps c-g are skipped"
fi
# Step i: the viewer guest's disk (our viewer, its init, the .deb's modprobe.d file) and dom0's
# side (the display server's jars and the test's driver, compiled here: dom0 has no JDK).
viewer_jar=$(ls -t "$repo"/switcher-viewer/target/switcher-viewer-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
display_jar=$(ls -t "$repo"/display-server/target/display-server-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
input_jar=$(ls -t "$repo"/input-server/target/input-server-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
viewer=
if [ "${POLYDESK_XEN_VIEWER:-}" = none ]; then
    log "NOTE: POLYDESK_XEN_VIEWER=none: step i is skipped"
elif [ -z "$viewer_jar" ] || [ -z "$display_jar" ] || [ ! -d "$repo/switcher-viewer/target/lib" ] \
        || [ ! -d "$repo/display-server/target/lib" ]; then
    log "NOTE: switcher-viewer or display-server not packaged (mvn package): step i is skipped"
else
    viewer=$run/payload/viewer
    g=$run/viewer-guest
    mkdir -p "$g/viewer" "$g/modprobe.d" "$viewer/display-server" "$viewer/dom0"
    cp "$viewer_jar" "$g/viewer/switcher-viewer.jar"
    cp -r "$repo/switcher-viewer/target/lib" "$g/viewer/lib"
    cp "$repo/switcher-viewer/src/deb/modprobe.d/polydesk-viewer.conf" "$g/modprobe.d/"
    install -m 755 "$here/viewer-guest-init" "$g/viewer-guest-init"
    mkfs.ext4 -q -F -L viewer-guest -d "$g" "$viewer/guest.img" "$(( $(du -sm "$g" | cut -f1) + 32 ))M" \
        || die "mkfs.ext4 of the viewer guest's disk failed"
    cp "$display_jar" "$viewer/display-server/display-server.jar"
    cp -r "$repo/display-server/target/lib" "$viewer/display-server/lib"
    javac --release 17 -d "$viewer/dom0" -cp "$display_jar:$repo/display-server/target/lib/*" \
        "$here/ViewerGrantsDom0.java" || die "javac of ViewerGrantsDom0.java failed"
    log "step i: $(basename "$viewer_jar") in the viewer guest, $(basename "$display_jar") in dom0"
    # Step j: polydesk-display and polydesk-input in dom0, as their packages run them.
    if [ -n "$input_jar" ] && [ -d "$repo/input-server/target/lib" ] && [ -n "$(ls "$repo/input-server/target/lib")" ]; then
        mkdir -p "$viewer/input-server"
        cp "$input_jar" "$viewer/input-server/input-server.jar"
        cp -r "$repo/input-server/target/lib" "$viewer/input-server/lib"
        log "step j: also $(basename "$input_jar") in dom0"
    else
        log "NOTE: input-server not packaged (mvn package): step j is skipped"
    fi
fi
# Room for dom0's logs besides the files.
size_mb=$(( $(du -sm "$run/payload" | cut -f1) + 256 ))
mkfs.ext4 -q -F -L payload -d "$run/payload" "$run/payload.img" "${size_mb}M" || die "mkfs.ext4 of the payload failed"

# Step i's guest boots dom0's image once more (its own snapshot), read-only: dom0's /dev/vdc.
viewer_root=()
[ -n "$viewer" ] && viewer_root=(-drive "file=$image/dom0.img,format=raw,if=virtio,snapshot=on")
# Xen: serial console on COM1 (QEMU's first serial port); dom0 gets 1.5 GiB of QEMU's
# 4 GiB, the rest is for guests. dom0: PV, console hvc0 (through Xen to COM1), root on
# the first virtio disk (writes go to a QEMU snapshot, the cached image stays as built).
xen_args="console=com1 com1=115200,8n1 dom0_mem=1536M,max:1536M dom0_max_vcpus=2"
dom0_args="root=/dev/vda ro console=hvc0 earlyprintk=xen init=/usr/local/sbin/polydesk-dom0-init"
# q35 with QEMU's VT-d (intel-iommu): Xen enables it (xl info: hvm_directio), so PCI
# passthrough works; at 00:05 a card to pass through: a bochs-display (display class, bochs
# DRM driver) with an intel-hda (snd_hda_intel) as its second function, like a GPU's HDMI audio.
qemu=(qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64,+svm,+npt -smp 2 -m 4096
      -device intel-iommu,intremap=on
      -device bochs-display,addr=05.0,multifunction=on -device intel-hda,addr=05.1
      -audiodev none,id=hda -device hda-output,audiodev=hda
      -nodefaults -no-reboot -display none -vga none
      -serial "file:$run/serial.log"
      -drive "file=$image/dom0.img,format=raw,if=virtio,snapshot=on"
      -drive "file=$run/payload.img,format=raw,if=virtio"
      "${viewer_root[@]}"
      -kernel "$image/xen" -append "$xen_args"
      -initrd "$image/vmlinuz $dom0_args,$image/initrd.img")
printf '%q ' "${qemu[@]}" > "$run/qemu-command.txt"; echo >> "$run/qemu-command.txt"
log "booting Xen in QEMU (bound: $timeout_s s); serial console follows"
: > "$run/serial.log"
tail_pid=
qemu_pid=
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && sleep 1 && kill -9 "$qemu_pid" 2>/dev/null
    [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tail -n +1 -f "$run/serial.log" &
tail_pid=$!
qemu_start=$SECONDS
"${qemu[@]}" > "$run/qemu.out" 2>&1 &
qemu_pid=$!

# Wait for QEMU to exit (dom0 powers Xen off); note when the markers appear; kill QEMU
# when the bound is hit or when dom0 said DONE/ERROR but Xen does not power off.
ready_at= done_at= error_at= timed_out=
while kill -0 "$qemu_pid" 2>/dev/null; do
    elapsed=$((SECONDS - qemu_start))
    [ -z "$ready_at" ] && grep -q 'POLYDESK-DOM0 READY' "$run/serial.log" && ready_at=$elapsed
    [ -z "$done_at" ] && grep -q 'POLYDESK-DOM0 DONE' "$run/serial.log" && done_at=$elapsed
    [ -z "$error_at" ] && grep -q 'POLYDESK-DOM0 ERROR' "$run/serial.log" && error_at=$elapsed
    end=${done_at:-$error_at}
    if [ -n "$end" ] && [ $((elapsed - end)) -gt 60 ]; then
        log "dom0 finished but QEMU did not exit within 60 s; killing it"
        break
    fi
    if [ "$elapsed" -ge "$timeout_s" ]; then
        timed_out=1
        break
    fi
    sleep 1
done
total=$((SECONDS - qemu_start))
# dom0 may power off within the last second's sleep: look at the markers once more.
[ -z "$done_at" ] && grep -q 'POLYDESK-DOM0 DONE' "$run/serial.log" && done_at=$total
[ -z "$error_at" ] && grep -q 'POLYDESK-DOM0 ERROR' "$run/serial.log" && error_at=$total
if kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null; sleep 1; kill -9 "$qemu_pid" 2>/dev/null || true
fi
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
sleep 0.5
kill "$tail_pid" 2>/dev/null || true
tail_pid=
[ -s "$run/qemu.out" ] && sed 's/^/qemu: /' "$run/qemu.out" >&2

# dom0's logs (polydeskd.log, events, xl dmesg, guest consoles) out of the payload disk.
debugfs -R "rdump /out $run" "$run/payload.img" > /dev/null 2>&1 || log "could not copy out/ from the payload"

echo
echo "==== Xen system test results ===="
results=$(tr -d '\r' < "$run/serial.log" | grep -aE '^(PASS|FAIL|SKIP) ' || true)
[ -n "$results" ] && echo "$results"
grep -aE '^  (create times|one polyctl)' "$run/serial.log" | tr -d '\r' || true
n_pass=$(grep -c '^PASS ' <<< "$results" || true)
n_fail=$(grep -c '^FAIL ' <<< "$results" || true)
n_skip=$(grep -c '^SKIP ' <<< "$results" || true)
rc=0
if [ -n "$timed_out" ]; then
    echo "FAIL run: timeout after $timeout_s s"; n_fail=$((n_fail + 1)); rc=1
elif [ -n "$error_at" ]; then
    echo "FAIL run: dom0 setup: $(tr -d '\r' < "$run/serial.log" | grep -a -m1 -o 'POLYDESK-DOM0 ERROR:.*')"
    n_fail=$((n_fail + 1)); rc=1
elif [ -z "$done_at" ]; then
    echo "FAIL run: dom0 never finished (QEMU exited after $total s; see $run/serial.log)"
    n_fail=$((n_fail + 1)); rc=1
fi
[ "$n_fail" -gt 0 ] && rc=1
[ -z "$deb" ] && echo "NOTE: no polydesk-toolstack .deb: steps c-g skipped"
echo "timings: dom0 ready ${ready_at:-n/a} s, run-in-dom0 done ${done_at:-n/a} s, QEMU total $total s" \
     "(after $qemu_start s of image and guest preparation)"
echo "logs: $run/serial.log, $run/out/"
echo "$n_pass passed, $n_fail failed${n_skip:+, $n_skip skipped}"
exit $rc
