#!/bin/bash
# Our device model: Debian's QEMU 7.2 source (pinned in source.sh) with qemu-patches/series,
# built as one qemu-system-x86_64 that is both Xen's device model (xen, xen-pci-passthrough)
# and a plain emulator (TCG, KVM), with the PulseAudio backend that Debian's qemu-system-xen
# lacks: every HVM VM on Xen gets its sound card into dom0's sound server through it.
# Packaged as polydesk-device-model (/usr/lib/polydesk/qemu/qemu-system-x86_64) in
# out/device-model/ with KEY (device_model_key), where iso/build.sh takes it, building it first
# when KEY differs. About 8 minutes here (2 cores); runs under nice/ionice.
#
# It is built against the Xen it runs with: ours (out/debs, built first when stale), whose libxen*
# .debs are installed on this machine for the build, or with --stock-xen the mirror's. So its
# Depends name the libxen* versions the image or dom0 has; against the mirror's newer security
# build, they asked for versions the image (which pins ours) does not have, and it did not install.
#
#   sudo bash hypervisor-patches/build-device-model.sh [--stock-xen]
set -euo pipefail
xen=patched
case "${1:-}" in
    --stock-xen) xen=stock ;;
    '') ;;
    *) echo "usage: build-device-model.sh [--stock-xen]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/source.sh"
. "$repo/scripts/need-packages.sh"
t0=$SECONDS
log() { printf 'hypervisor-patches/build-device-model [%5d s]: %s\n' $((SECONDS - t0)) "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install of the build dependencies)"
need_packages dpkg-dev quilt build-essential fakeroot meson ninja-build pkg-config python3 \
    libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev libxen-dev libpulse-dev libusb-1.0-0-dev \
    libspice-server-dev libjpeg62-turbo-dev libcap-ng-dev libattr1-dev libslirp-dev \
    || die "cannot install the build dependencies"
debian_source_fetch qemu "$QEMU_SOURCE_VERSION" "$QEMU_SOURCE_CACHE" "$QEMU_DSC" || die "$FETCH_ERROR"
mkdir -p "$here/work"
if [ "$xen" = patched ]; then
    patched_xen_debs > /dev/null || die "the patched Xen did not build (or --stock-xen for Debian's)"
    mapfile -t xen_dev < <(ls "$here"/out/debs/libxen*_amd64.deb | grep -v dbgsym)
    log "building against our Xen: ${#xen_dev[@]} libxen* .debs of $(dpkg-deb -f "${xen_dev[0]}" Version) installed here"
    dpkg -i "${xen_dev[@]}" > "$here/work/xen-dev.log" 2>&1 || die "dpkg -i of our libxen* failed: $(tail -n 5 "$here/work/xen-dev.log")"
else
    # The mirror's libxen-dev, also where ours was installed by an earlier build.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libxen-dev > "$here/work/xen-dev.log" 2>&1 \
        || die "apt-get install libxen-dev failed: $(tail -n 5 "$here/work/xen-dev.log")"
    log "building against Debian's Xen $(dpkg-query -W -f='${Version}' libxen-dev)"
fi

work=$here/work/device-model
src=$work/qemu
log "extracting qemu $QEMU_SOURCE_VERSION into $src"
qemu_source_extract "$src" || die "dpkg-source -x failed: $(tail -n 3 "$src.extract.log")"
names=()
while read -r p; do
    case "$p" in ''|'#'*) continue ;; esac
    names+=("$p")
done < "$here/qemu-patches/series"
(cd "$src" && QUILT_PATCHES="$here/qemu-patches" QUILT_PC=.pc-polydesk quilt push -a --fuzz=0 > "$work/quilt.log" 2>&1) \
    || die "qemu-patches/series does not apply: $(tail -n 5 "$work/quilt.log")"

version="${QEMU_SOURCE_VERSION#*:}+polydesk1"
log "configuring (version $version; patches: ${names[*]})"
# As Debian's qemu-system-xen (debian/rules), plus TCG/KVM, user networking and PulseAudio. The
# bindir is where the binary goes: QEMU finds its ROMs and keymaps relative to it.
mkdir -p "$src/b"
(cd "$src/b" && ../configure --prefix=/usr --bindir=/usr/lib/polydesk/qemu --libexecdir=/usr/lib/polydesk/qemu \
    --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
    --with-pkgversion="Debian $QEMU_SOURCE_VERSION polydesk1" --with-git-submodules=ignore \
    --disable-install-blobs --disable-docs --disable-tools --without-default-features \
    --target-list=x86_64-softmmu --enable-tcg --enable-kvm \
    --enable-xen --enable-xen-pci-passthrough \
    --audio-drv-list=pa --enable-pa --enable-slirp --enable-libusb \
    --enable-vnc --enable-vnc-jpeg --enable-spice --enable-virtfs --enable-attr --enable-cap-ng \
    > "$work/configure.log" 2>&1) || die "configure failed: $(tail -n 10 "$work/configure.log")"

log "building qemu-system-x86_64 (long; log: $work/build.log)"
(cd "$src/b" && nice -n 19 ionice -c3 ninja -j"$(nproc)" qemu-system-x86_64 > "$work/build.log" 2>&1) \
    || die "the build failed: $(grep -m5 -E 'error|FAILED' "$work/build.log")"

log "packaging polydesk-device-model $version"
pkg=$work/pkg
rm -rf "$pkg"
install -D -m 0755 "$src/b/qemu-system-x86_64" "$pkg/usr/lib/polydesk/qemu/qemu-system-x86_64"
strip --strip-unneeded "$pkg/usr/lib/polydesk/qemu/qemu-system-x86_64"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/doc/polydesk-device-model"
{
    echo "QEMU $QEMU_SOURCE_VERSION (Debian's source) with Polydesk's patches:"
    for n in "${names[@]}"; do echo "  $n: $(sed -n 's/^Description: //p' "$here/qemu-patches/$n")"; done
} > "$pkg/usr/share/doc/polydesk-device-model/README"
# Runtime libraries as dpkg-shlibdeps finds them; the ROMs and keymaps are Debian's.
mkdir -p "$work/shlibs/debian"
printf 'Source: polydesk-device-model\n\nPackage: polydesk-device-model\nArchitecture: amd64\n' > "$work/shlibs/debian/control"
libs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$pkg/usr/lib/polydesk/qemu/qemu-system-x86_64" 2> "$work/shlibdeps.log" \
    | sed -n 's/^shlibs:Depends=//p') || die "dpkg-shlibdeps failed: $(tail -n 3 "$work/shlibdeps.log")"
cat > "$pkg/DEBIAN/control" <<EOF
Package: polydesk-device-model
Version: $version
Architecture: amd64
Maintainer: Polydesk developers <dev@polydesk.invalid>
Depends: $libs, qemu-system-data, seabios, ipxe-qemu
Section: otherosfs
Priority: optional
Description: Polydesk's QEMU: Xen's device model with sound
 QEMU $QEMU_SOURCE_VERSION from Debian's source, built for Xen and TCG/KVM with the
 PulseAudio backend, and a stream that comes back when the sound server restarts.
EOF
rm -rf "$here/out/device-model"
mkdir -p "$here/out/device-model"
deb=$here/out/device-model/polydesk-device-model_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz -b "$pkg" "$deb" > /dev/null || die "dpkg-deb failed"
device_model_key "${xen#patched}" > "$here/out/device-model/KEY"
log "done: $deb ($(du -h "$deb" | cut -f1))"
