#!/bin/bash
# Builds the Polydesk ISO: dist/polydesk-<version>-amd64.iso (iso-hybrid: CD, USB stick,
# BIOS and UEFI), from distro/ (live-build configuration) and our .debs.
#
#   sudo bash iso/build.sh [--no-mvn] [--clean] [--stock-xen]
#
#   --no-mvn     use the .debs already in */target/ (default: `mvn package -DskipTests` first)
#   --clean      also drop live-build's cache (downloaded packages, bootstrap): a cold build
#   --stock-xen  Debian's own Xen instead of ours (no PCI reset hook: GPUs that need it will
#                not reset between VM starts); the build says so
#
# What goes in:
#   - every */target/polydesk-*_all.deb (newest of each package), through
#     config/packages.chroot: a new module's .deb joins without changing the config;
#   - Xen: the patched .debs of hypervisor-patches/ (out/debs/), built first by
#     hypervisor-patches/build.sh (~9 min) when they are missing or were built from another
#     patch set or source (out/debs/KEY); Debian's stock Xen only with --stock-xen.
#   - Xen's device model for HVM guests: polydesk-device-model (QEMU with the PulseAudio backend),
#     built first by hypervisor-patches/build-device-model.sh (~8 min) when out/device-model/KEY
#     is not this tree's.
# The release (/etc/polydesk/release in the image, copied to .disk/polydesk-release on the medium; what
# polyctl host system shows and host.update compares): <pom version>+<UTC date.time>.g<commit>
# (.dirty for uncommitted changes), or POLYDESK_RELEASE.
# live-build runs in iso/work/ (not committed) under nice/ionice; its cache
# (iso/work/cache/) is reused by the next build. The full log is iso/work/build.log;
# the terminal shows live-build's stages with the elapsed time.
# Known times on a 2-core machine: cold ~18 min, warm ~9 min.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${POLYDESK_ISO_WORK:-$here/work}
dist=$repo/dist
start=$SECONDS
run_mvn=1 clean= stock_xen=
for a in "$@"; do
    case "$a" in
        --no-mvn) run_mvn= ;;
        --clean) clean=1 ;;
        --stock-xen) stock_xen=1 ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "build.sh: unknown option $a" >&2; exit 2 ;;
    esac
done

log() { printf 'iso/build [%4d s]: %s\n' $((SECONDS - start)) "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (live-build: debootstrap, chroot, mounts)"
. "$repo/scripts/need-packages.sh"
need_packages live-build debootstrap syslinux isolinux syslinux-utils grub-efi-amd64-bin grub-pc-bin \
    mtools xorriso dosfstools squashfs-tools dpkg-dev || die "cannot install live-build and its tools"

version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$repo/pom.xml" | head -n1)
[ -n "$version" ] || die "no <version> in pom.xml"
iso_name=polydesk-$version-amd64.iso

# One build at a time.
mkdir -p "$work"
exec 8> "$work/.build.lock"
flock -n 8 || die "another iso/build.sh is running ($work/.build.lock)"

# 1. Our .debs.
if [ -n "$run_mvn" ]; then
    log "mvn package (our .debs; skip with --no-mvn)"
    (cd "$repo" && mvn -B -q -ntp package -DskipTests) || die "mvn package failed"
fi
mapfile -t all_debs < <(ls -t "$repo"/*/target/polydesk-*_all.deb 2>/dev/null || true)
declare -A seen=()
debs=()
for d in "${all_debs[@]}"; do
    pkg=$(dpkg-deb -f "$d" Package)
    # the switcher viewer runs inside the passthrough VM, not in dom0
    [ "$pkg" = polydesk-viewer ] && continue
    [ -n "${seen[$pkg]:-}" ] && continue
    seen[$pkg]=1
    debs+=("$d")
done
[ ${#debs[@]} -gt 0 ] || die "no */target/polydesk-*_all.deb (run mvn package)"

# 2. Xen: ours (patched), built when out/debs/ does not hold this patch set; stock only if asked.
xen_debs=()
if [ -z "$stock_xen" ]; then
    . "$repo/hypervisor-patches/source.sh"
    key=$(xen_patch_set_key)
    # The build's progress goes to our stderr: our stdout here is the list being captured.
    xen_list=$(patched_xen_debs 2> >(while IFS= read -r line; do log "$line" >&2; done)) \
        || die "the patched Xen did not build (or use --stock-xen for Debian's own Xen)"
    mapfile -t xen_debs <<< "$xen_list"
    [ -n "${xen_debs[0]}" ] || die "no Xen .debs in $repo/hypervisor-patches/out/debs"
fi

# 2b. Our device model (HVM guests' sound on Xen), built against that Xen when out/device-model/
# does not hold this tree's (hypervisor-patches/source.sh's device_model_deb).
. "$repo/hypervisor-patches/source.sh"
dm_deb=$(device_model_deb ${stock_xen:+stock} 2> >(while IFS= read -r line; do log "$line" >&2; done)) \
    || die "the device model did not build"

# 3. The live-build tree: config from distro/, the .debs, then lb clean/config/build.
log "live-build tree in $work"
cd "$work"
if [ -d config ] || [ -d chroot ]; then
    lb clean ${clean:+--purge} > /dev/null 2>&1 || true
fi
rm -rf auto config
cp -a "$repo/distro/auto" "$repo/distro/config" .
mkdir -p config/packages.chroot config/archives
# The release: what polyctl host system names, what host.update compares (two builds always differ).
release=${POLYDESK_RELEASE:-$version+$(date -u +%Y%m%d.%H%M).g$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo nogit)}
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] || [ -n "${POLYDESK_RELEASE:-}" ] \
    || release=$release.dirty
mkdir -p config/includes.chroot/etc/polydesk
echo "$release" > config/includes.chroot/etc/polydesk/release
log "release $release"
for d in "${debs[@]}"; do
    cp "$d" config/packages.chroot/
    log "our package: $(dpkg-deb -f "$d" Package) $(dpkg-deb -f "$d" Version) ($(basename "$d"))"
done
if [ ${#xen_debs[@]} -gt 0 ]; then
    for d in "${xen_debs[@]}"; do cp "$d" config/packages.chroot/; done
    xen_version=$(dpkg-deb -f "${xen_debs[0]}" Version)
    # Prefer ours to any newer stock Xen (a security update) from the mirror.
    cat > config/archives/polydesk-xen.pref.chroot <<EOF
Package: xen-* libxen* xenstore-utils
Pin: release o=config/packages.chroot
Pin-Priority: 1001
EOF
    xen_kind="PATCHED Xen $xen_version, patch set $key (${#xen_debs[@]} .debs from hypervisor-patches/out/debs)"
else
    xen_kind="STOCK Debian Xen, as --stock-xen asked: no PCI reset hook"
fi
log "Xen: $xen_kind"
cp "$dm_deb" config/packages.chroot/
log "device model: $(basename "$dm_deb")"

log "lb config"
lb config > "$work/config.log" 2>&1 || { tail -n 30 "$work/config.log" >&2; die "lb config failed (log: $work/config.log)"; }

log "lb build (nice -n 19, ionice -c3; cold ~18 min, warm ~9 min; full log: $work/build.log)"
rm -f "$work"/*.iso
set +e
nice -n 19 ionice -c3 lb build > "$work/build.log" 2>&1 &
lb_pid=$!
trap 'kill $lb_pid 2>/dev/null' INT TERM
# Progress: live-build's stage lines and our hooks' lines, as they come.
tail -n +1 --pid=$lb_pid -f "$work/build.log" \
    | grep --line-buffered -E '^(P: Begin|P: Executing|E: |polydesk hook:)|Parallel mksquashfs|xorriso : UPDATE|Writing to' \
    | while IFS= read -r line; do log "$line"; done
wait $lb_pid
rc=$?
set -e
iso=$(ls -t "$work"/*.iso 2>/dev/null | head -n1 || true)
if [ $rc -ne 0 ] || [ -z "$iso" ]; then
    grep -E '^E: ' "$work/build.log" | tail -n 5 >&2 || true
    tail -n 30 "$work/build.log" >&2
    die "lb build failed (rc=$rc; log: $work/build.log)"
fi

mkdir -p "$dist"
mv -f "$iso" "$dist/$iso_name"
(cd "$dist" && sha256sum "$iso_name" > "$iso_name.sha256")
log "what went in:"
grep -E '^polydesk hook: image:' "$work/build.log" | sed 's/^polydesk hook: image: /    /'
log "Xen: $xen_kind"
cp "$dm_deb" config/packages.chroot/
log "device model: $(basename "$dm_deb")"
log "release: $release"
log "done: $dist/$iso_name ($(du -h "$dist/$iso_name" | cut -f1)) in $((SECONDS - start)) s"
