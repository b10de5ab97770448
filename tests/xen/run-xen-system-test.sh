#!/bin/bash
# The Xen system test: boots Xen 4.17 with a Debian dom0 in QEMU (TCG) and runs
# tests/xen/run-in-dom0.sh (and its steps/) inside dom0: xl baseline, then polydeskd (libxl
# backend) from our .deb through polyctl. Prints the serial console as it comes, then the
# verdict of evaluate-results.sh: the PASS / FAIL / SKIP lines and "N passed, N failed,
# N skipped". See tests/xen/README.md.
#
#   sudo tests/xen/run-xen-system-test.sh [--allow-skip STEP[,STEP]]... [--only GROUP[,GROUP]]
#
# --only runs the named step files alone, besides c (polydeskd): ab, dg, k, l, m, h, j, i (a quicker run
# while working on one part); the other groups' steps are then allowed to be missing.
# Every step in tests/xen/required-steps must PASS. A SKIP of a required step, or a required
# step that never reports, FAILs the run unless --allow-skip names it (comma-separated step
# names or shell patterns, e.g. --allow-skip 'j-viewer-hello,j-viewer-frames' on a TCG host
# whose nested guest triple-faults); the summary says which were skipped as allowed. A run
# without results, a missing .deb or unpackaged viewer modules, a timeout, or a dom0 that never
# finished are FAILs. Exits 0 only when nothing failed.
#
# Environment:
#   POLYDESK_XEN_ALLOW_SKIP  the same as --allow-skip
#   POLYDESK_XEN_TIMEOUT  overall bound for the QEMU run, seconds (default 2400)
#   POLYDESK_XEN_DEB      the polydesk-toolstack .deb to test (default: the newest
#                         toolstack/target/polydesk-toolstack_*_all.deb; none found is a FAIL), or
#                         "none": no .deb, and the steps that need it (c-h, j, k, l) allowed to skip
#   POLYDESK_XEN_CACHE    cache directory (default tests/xen/cache)
#   POLYDESK_XEN_VIEWER   "none": steps i and j allowed to skip (no viewer payload); otherwise
#                         switcher-viewer, display-server and input-server must be packaged
#                         (mvn package), else the run FAILs before booting
#   POLYDESK_XEN_DEVICE_MODEL  the polydesk-device-model .deb (default: hypervisor-patches'
#                         build for dom0's Xen, made first when stale; a build that fails is a FAIL), or "none":
#                         Debian's device model, and step m (sound) allowed to skip
#   POLYDESK_XEN_STOCK    "1": Debian's own Xen in dom0. Otherwise dom0 runs ours, as the image
#                         does: hypervisor-patches/out/debs, built first (~9 min) when it does
#                         not hold this tree's patch set; a build that fails is a FAIL
# The run's files (serial.log, payload.img, out/ with dom0's logs) stay in
# <cache>/last-run/ until the next run.
set -euo pipefail

allow_skip=${POLYDESK_XEN_ALLOW_SKIP:-}
only=
while [ $# -gt 0 ]; do
    case "$1" in
        --allow-skip) allow_skip=${allow_skip:+$allow_skip,}${2:?--allow-skip needs STEP[,STEP]}; shift 2 ;;
        --allow-skip=*) allow_skip=${allow_skip:+$allow_skip,}${1#*=}; shift ;;
        --only) only=${2:?--only needs GROUP[,GROUP]}; shift 2 ;;
        -h|--help) sed -n '2,34p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run-xen-system-test.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${POLYDESK_XEN_CACHE:-$here/cache}
timeout_s=${POLYDESK_XEN_TIMEOUT:-2400}
start_time=$SECONDS

log() { printf 'run-xen-system-test [%4d s]: %s\n' $((SECONDS - start_time)) "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (image build)"
. "$repo/scripts/need-packages.sh"
# (need_packages refreshes the apt lists and retries once by itself)
need_packages qemu-system-x86 e2fsprogs || die "cannot install qemu-system-x86 and e2fsprogs"

# Failures found before booting: a run that cannot have all its required steps is not started.
# preflight_fail TEXT...; the summary then has them alone, and the exit is 1.
preflight=()
preflight_fail() { preflight+=("$*"); }
preflight_verdict() {
    [ ${#preflight[@]} -eq 0 ] && return 0
    echo
    echo "==== Xen system test results ===="
    printf 'FAIL run: %s\n' "${preflight[@]}"
    echo "0 passed, ${#preflight[@]} failed"
    exit 1
}

deb=${POLYDESK_XEN_DEB:-$(ls -t "$repo"/toolstack/target/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1 || true)}
if [ "$deb" = none ]; then
    deb=
    allow_skip="${allow_skip:+$allow_skip,}c-*,d-*,e-*,f-*,g-*,h-*,j-*,k-*,l-*"
    log "NOTE: POLYDESK_XEN_DEB=none: the steps that need polydeskd (c-h, j, k, l) are allowed to skip"
elif [ -z "$deb" ]; then
    preflight_fail "no polydesk-toolstack .deb (mvn package makes toolstack/target/polydesk-toolstack_*_all.deb;" \
        "POLYDESK_XEN_DEB=none runs without it)"
elif [ ! -f "$deb" ]; then
    preflight_fail "no such .deb: $deb"
fi

viewer_jar=$(ls -t "$repo"/switcher-viewer/target/switcher-viewer-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
display_jar=$(ls -t "$repo"/display-server/target/display-server-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
input_jar=$(ls -t "$repo"/input-server/target/input-server-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -n1 || true)
viewer_ok=
if [ "${POLYDESK_XEN_VIEWER:-}" = none ]; then
    allow_skip="${allow_skip:+$allow_skip,}i-*,j-*"
    log "NOTE: POLYDESK_XEN_VIEWER=none: steps i and j are allowed to skip"
elif [ -z "$viewer_jar" ] || [ -z "$display_jar" ] || [ ! -d "$repo/switcher-viewer/target/lib" ] \
        || [ ! -d "$repo/display-server/target/lib" ]; then
    preflight_fail "switcher-viewer or display-server not packaged, which steps i and j need" \
        "(mvn -o package -DskipTests -pl toolstack,display-server,switcher-viewer,input-server -am;" \
        "POLYDESK_XEN_VIEWER=none runs without them)"
elif [ -z "$input_jar" ] || [ ! -d "$repo/input-server/target/lib" ] || [ -z "$(ls "$repo/input-server/target/lib")" ]; then
    preflight_fail "input-server not packaged, which step j needs (mvn package; POLYDESK_XEN_VIEWER=none runs without i and j)"
else
    viewer_ok=1
fi
preflight_verdict

mkdir -p "$cache"
# One run at a time (one QEMU on the machine).
exec 9> "$cache/.run.lock"
flock -n 9 || die "another run-xen-system-test is running"

xen_debs=()
if [ "${POLYDESK_XEN_STOCK:-}" = 1 ]; then
    log "NOTE: POLYDESK_XEN_STOCK=1: Debian's own Xen in dom0, not the image's patched one"
else
    . "$repo/hypervisor-patches/source.sh"
    if ! xen_list=$(patched_xen_debs 2> >(while IFS= read -r line; do log "$line"; done)); then
        preflight_fail "the patched Xen did not build (hypervisor-patches/build.sh; POLYDESK_XEN_STOCK=1 runs Debian's)"
        preflight_verdict
    fi
    mapfile -t xen_debs <<< "$xen_list"
fi

# Step m: our device model (sound on Xen), built against dom0's Xen when out/device-model does not
# hold it (hypervisor-patches/source.sh's device_model_deb).
if [ "${POLYDESK_XEN_DEVICE_MODEL:-}" = none ]; then
    dm_deb=
    allow_skip="${allow_skip:+$allow_skip,}m-*"
    log "NOTE: POLYDESK_XEN_DEVICE_MODEL=none: Debian's device model; step m (sound) is allowed to skip"
elif [ -n "${POLYDESK_XEN_DEVICE_MODEL:-}" ]; then
    dm_deb=$POLYDESK_XEN_DEVICE_MODEL
    [ -f "$dm_deb" ] || preflight_fail "no such .deb: $dm_deb"
else
    . "$repo/hypervisor-patches/source.sh"
    dm_deb=$(device_model_deb "$([ "${POLYDESK_XEN_STOCK:-}" = 1 ] && echo stock)" \
        2> >(while IFS= read -r line; do log "$line"; done)) \
        || preflight_fail "the device model did not build (hypervisor-patches/build-device-model.sh;" \
            "POLYDESK_XEN_DEVICE_MODEL=none runs with Debian's device model and without step m)"
fi
preflight_verdict
log "dom0 image (cached after the first build, which takes a few minutes)"
image=$("$here/build-dom0-image.sh" "${xen_debs[@]}" | tail -n1)
[ -f "$image/dom0.img" ] || die "build-dom0-image.sh gave no image"
log "test guest"
guest=$("$repo/tests/guest/build-guest.sh" | tail -n1)
[ -f "$guest/vmlinuz" ] || die "build-guest.sh gave no guest"

run=$cache/last-run
rm -rf "$run"
mkdir -p "$run/payload/guest" "$run/payload/debs" "$run/payload/out"
if [ -n "$only" ]; then
    # run-in-dom0.sh reads the groups; the steps of the others may be missing.
    echo "${only//,/ }" > "$run/payload/only"
    declare -A letters=([ab]="a b" [dg]="d e f g" [k]=k [l]=l [m]=m [h]=h [j]=j [i]=i)
    for g in "${!letters[@]}"; do
        [[ ",$only," == *",$g,"* ]] && continue
        for l in ${letters[$g]}; do allow_skip="${allow_skip:+$allow_skip,}$l-*"; done
    done
    # g compares polyctl's create time with xl's, which b measures.
    [[ ",$only," == *",ab,"* ]] || allow_skip="${allow_skip:+$allow_skip,}g-create-times"
    log "NOTE: only step groups c,$only run; the others' steps are allowed to be missing"
fi
cp "$guest/vmlinuz" "$guest/initrd.img" "$run/payload/guest/"
# Step l's USB stick, on the outer machine's xHCI (dom0's): 8 MiB of zeros, read-only.
truncate -s 8M "$run/stick.img"
# run-in-dom0.sh and the step files it sources (lib.sh: the result and wait helpers).
install -m 755 "$here/run-in-dom0.sh" "$run/payload/run-in-dom0.sh"
install -d "$run/payload/steps"
install -m 644 "$here"/steps/*.sh "$run/payload/steps/"
if [ -n "$deb" ] && [ -f "$deb" ]; then
    cp "$deb" "$run/payload/debs/"
    log "testing $(basename "$deb")"
fi
# Step m: our device model and dom0's sound server (the image's script and WirePlumber settings).
if [ -n "$dm_deb" ]; then
    cp "$dm_deb" "$run/payload/debs/"
    log "with $(basename "$dm_deb")"
    install -D -m 755 "$repo/distro/config/includes.chroot/usr/lib/polydesk/sound-server" "$run/payload/sound/sound-server"
    cp -r "$repo/distro/config/includes.chroot/etc/wireplumber" "$run/payload/sound/"
fi
# Step i: the viewer guest's disk (our viewer, its init, the .deb's modprobe.d file) and dom0's
# side (the display server's jars and the test's driver, compiled here: dom0 has no JDK).
viewer=
if [ -n "$viewer_ok" ]; then
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
    mkdir -p "$viewer/input-server"
    cp "$input_jar" "$viewer/input-server/input-server.jar"
    cp -r "$repo/input-server/target/lib" "$viewer/input-server/lib"
    log "step j: also $(basename "$input_jar") in dom0"
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
# DRM driver) with an intel-hda (snd_hda_intel) as its second function, like a GPU's HDMI audio;
# an xHCI with a USB stick for step l.
qemu=(qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64,+svm,+npt -smp 2 -m 4096
      -device intel-iommu,intremap=on
      -device bochs-display,addr=05.0,multifunction=on -device intel-hda,addr=05.1
      -audiodev none,id=hda -device hda-output,audiodev=hda
      -device qemu-xhci,id=xhci -drive "if=none,id=stick,format=raw,readonly=on,file=$run/stick.img"
      -device usb-storage,bus=xhci.0,drive=stick,serial=XENSTICK
      -nodefaults -no-reboot -display none -vga none
      -serial "file:$run/serial.log"
      -drive "file=$image/dom0.img,format=raw,if=virtio,snapshot=on"
      -drive "file=$run/payload.img,format=raw,if=virtio"
      "${viewer_root[@]}"
      -kernel "$image/xen" -append "$xen_args"
      -initrd "$image/vmlinuz $dom0_args,$image/initrd.img")
printf '%q ' "${qemu[@]}" > "$run/qemu-command.txt"; echo >> "$run/qemu-command.txt"
log "booting Xen in QEMU (bound: $timeout_s s); serial console follows"
. "$repo/tests/lib/qemu-follow.sh"
qemu_follow "$run/serial.log" "$timeout_s" "dom0" "${qemu[@]}"

# dom0's logs (polydeskd.log, events, xl dmesg, guest consoles) out of the payload disk.
debugfs -R "rdump /out $run" "$run/payload.img" > /dev/null 2>&1 || log "could not copy out/ from the payload"

echo
echo "==== Xen system test results ===="
eval_args=()
[ -n "$allow_skip" ] && eval_args+=(--allow-skip "$allow_skip")
[ -n "$timed_out" ] && eval_args+=(--fail "timeout after $timeout_s s")
# (a log without dom0's DONE or with its ERROR is a FAIL of the evaluation itself)
tr -d '\r' < "$run/serial.log" | grep -aE '^  (create times|ours less|one polyctl)' || true
echo "timings: dom0 ready ${ready_at:-n/a} s, run-in-dom0 done ${done_at:-n/a} s, QEMU total $total s" \
     "(after $qemu_start s of image and guest preparation)"
echo "logs: $run/serial.log, $run/out/"
rc=0
POLYDESK_XEN_ALLOW_SKIP= "$here/evaluate-results.sh" "${eval_args[@]}" "$run/serial.log" || rc=1
exit $rc
