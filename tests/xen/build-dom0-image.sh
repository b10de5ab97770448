#!/bin/bash
# Builds the Xen dom0 disk image of the Xen system test: Debian bookworm (debootstrap,
# minbase) with Xen 4.17 (hypervisor and matching userland), qemu-system-xen (the HVM
# device model), Debian's kernel, OpenJDK 17 and the few tools the test uses; init is
# tests/xen/dom0-init (boot dom0 with init=/usr/local/sbin/polydesk-dom0-init).
# The Wi-Fi system test (tests/wifi) boots the same image without Xen (dom0-init's polydesk.nox).
#
# Prints, as the last line of stdout, the absolute path of a directory holding
#   dom0.img    raw ext4 root file system of dom0 (boot it read-only or with snapshot=on)
#   xen         the hypervisor, gunzipped, for QEMU -kernel (multiboot)
#   vmlinuz     dom0's kernel      } for QEMU -initrd "vmlinuz ARGS,initrd.img"
#   initrd.img  dom0's initramfs   }
#   versions.txt  what went in (Xen, kernel, qemu-system-xen, JDK)
# Progress goes to stderr.
#
# Arguments: .debs of Xen to install over Debian's (hypervisor and userland alike), as the image
# does (hypervisor-patches' patched_xen_debs); none: Debian's own Xen.
#
# Cache: tests/xen/cache/<hash>/ (or $POLYDESK_XEN_CACHE/<hash>/), where the hash covers
# this script, dom0-init and the candidate versions (apt-cache policy) of the packages
# installed. The debootstrapped root (the slow part, 5–10 min) is kept in
# cache/roots/<hash>/, whose hash covers only the packages and the function that builds
# it, so changing dom0-init or the image step costs seconds. Downloaded .debs are kept in
# cache/debs/. Needs root; installs debootstrap and e2fsprogs on the host if missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${POLYDESK_XEN_CACHE:-$here/cache}
mirror=http://deb.debian.org/debian
security_mirror=http://deb.debian.org/debian-security
suite=bookworm
# Installed into the root with --no-install-recommends, each pinned to the host's apt
# candidate. Xen's userland must match the hypervisor: both come from the same lists.
packages=(
    xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
    qemu-system-xen            # the HVM device model, /usr/libexec/xen-qemu-system-i386
    linux-image-amd64 initramfs-tools
    openjdk-17-jre-headless
    qemu-system-x86            # Depends of polydesk-toolstack (qemu-utils too: qemu-img for disk.create),
    qemu-utils                 # so that dpkg -i of ours works
    ovmf swtpm swtpm-tools     # Depends of polydesk-toolstack too: UEFI and the TPM of the OS profiles
    nftables dnsmasq-base      # and the networks' firewall and DHCP server
    pipewire pipewire-pulse wireplumber pulseaudio-utils   # step m: dom0's sound server, as in the image
    network-manager wpasupplicant hostapd dbus   # the Wi-Fi system test (tests/wifi): dom0's uplink, booted without Xen
    iproute2 socat busybox procps kmod udev util-linux jq e2fsprogs
)
start_time=$SECONDS
xen_debs=("$@")

log() { printf 'build-dom0-image [%3d s]: %s\n' $((SECONDS - start_time)) "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

. "$here/../../scripts/need-packages.sh"

# candidate PACKAGE: the version apt would install, from the host's lists.
candidate() {
    LC_ALL=C apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1
}

need_packages debootstrap e2fsprogs gzip || die "cannot install debootstrap, e2fsprogs and gzip"

declare -A version=()
resolve_versions() {
    local p v
    for p in "${packages[@]}"; do
        v=$(candidate "$p")
        [ -n "$v" ] && [ "$v" != "(none)" ] || return 1
        version[$p]=$v
    done
}
if ! resolve_versions; then
    log "some packages unknown to apt, running apt-get update"
    apt-get update >&2
    resolve_versions || die "cannot resolve versions of: ${packages[*]}"
fi
pinned=()
pin_versions() {
    local p
    pinned=()
    for p in "${packages[@]}"; do pinned+=("$p=${version[$p]}"); done
}
pin_versions

# build_root DIR: debootstrap + packages into DIR. Its text is part of the root's hash.
build_root() {
    local root=$1
    log "debootstrap $suite (minbase) into $root — a few minutes"
    # A mirror caught mid-sync fails a download: once more from scratch before giving up.
    if ! debootstrap --variant=minbase --components=main --cache-dir="$cache/debs" \
            "$suite" "$root" "$mirror" >&2; then
        log "debootstrap failed; trying once more"
        rm -rf "$root"
        debootstrap --variant=minbase --components=main --cache-dir="$cache/debs" \
            "$suite" "$root" "$mirror" >&2 || die "debootstrap failed twice"
    fi

    cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
    # No daemons start inside the chroot; dpkg need not fsync (the image is rebuilt on failure).
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
    echo polydesk-dom0 > "$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 polydesk-dom0\n' > "$root/etc/hosts"
    printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$root/etc/fstab"

    mount -t proc proc "$root/proc"
    mount -t sysfs sys "$root/sys"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    mount --bind "$cache/debs" "$root/var/cache/apt/archives"
    mounted_root=$root

    log "apt-get update in the root"
    chroot "$root" apt-get update >&2 || die "apt-get update in the root failed"
    log "installing ${#pinned[@]} packages (Xen, kernel, OpenJDK, QEMU…) — several minutes"
    # The pins come from the host's lists, refreshed just before (see below); a mirror that moved
    # on in between (a point release: "jq: Depends: libjq1 (= …u2) but …u3 is to be installed")
    # gets one more try with both lists refreshed and the pins taken again.
    if ! DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends \
            -o Dpkg::Progress-Fancy=0 -o APT::Color=0 "${pinned[@]}" >&2; then
        log "apt-get install in the root failed; refreshing the host's and the root's apt lists, trying once more"
        apt-get update >&2 || log "apt-get update on the host failed"
        resolve_versions || die "cannot resolve versions of: ${packages[*]} after apt-get update"
        pin_versions
        chroot "$root" apt-get update >&2 || die "apt-get update in the root failed"
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends \
            -o Dpkg::Progress-Fancy=0 -o APT::Color=0 "${pinned[@]}" >&2 \
            || die "apt-get install in the root failed twice, with fresh apt lists (see above)"
    fi
    if ! ls "$root"/boot/initrd.img-* >/dev/null 2>&1; then
        log "no initramfs yet, running update-initramfs"
        chroot "$root" update-initramfs -c -k all >&2 || die "update-initramfs failed"
    fi

    umount_root
    rm -f "$root/usr/sbin/policy-rc.d"
    rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
        "$root"/var/lib/apt/lists/*_dists_* "$root"/var/cache/apt/*.bin
}

mounted_root=
umount_root() {
    [ -n "$mounted_root" ] || return 0
    local m
    for m in var/cache/apt/archives dev/pts dev sys proc; do
        mountpoint -q "$mounted_root/$m" && umount "$mounted_root/$m"
    done
    mounted_root=
}

# hashes: root_hash (the packages' pinned versions and build_root), image_hash and out.
hashes() {
    root_hash=$( { declare -f build_root; printf '%s\n' "$suite" "$mirror" "$security_mirror" "${pinned[@]}"; } \
        | sha256sum | cut -c1-16)
    image_hash=$( { sha256sum "$here/build-dom0-image.sh" "$here/dom0-init" | cut -d' ' -f1
                   echo "$root_hash"
                   [ ${#xen_debs[@]} -eq 0 ] || sha256sum "${xen_debs[@]}" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
    out=$cache/$image_hash
}
cached_image() {
    if [ -f "$out/dom0.img" ] && [ -f "$out/xen" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
        log "cached: $out"
        echo "$out"
        exit 0
    fi
}
hashes
cached_image
# A root is to be built: the versions pinned into it must be the mirror's of today, not those of
# the host's lists of whenever they were last refreshed. Refresh them first, and pin again.
if [ ! -f "$cache/roots/$root_hash/.complete" ]; then
    log "refreshing the host's apt lists before building a root (its pins come from them)"
    apt-get update >&2 || log "apt-get update on the host failed; pinning from the lists as they are"
    resolve_versions || die "cannot resolve versions of: ${packages[*]}"
    pin_versions
    hashes
    cached_image
fi

mkdir -p "$cache/debs" "$cache/roots"
work=$(mktemp -d "$cache/.build.XXXXXX")
cleanup() { umount_root || true; rm -rf "$work"; }
trap cleanup EXIT

root=$cache/roots/$root_hash
if [ ! -f "$root/.complete" ]; then
    log "building root $root_hash: Xen ${version[xen-utils-4.17]}, qemu-system-xen ${version[qemu-system-xen]}"
    rm -rf "$work/root"
    build_root "$work/root"
    # (a retry inside build_root may have pinned newer versions: the root is kept by those)
    hashes
    root=$cache/roots/$root_hash
    rm -rf "$root"
    mv -T "$work/root" "$root"
    touch "$root/.complete"
    log "root done ($(du -sh "$root" | cut -f1))"
else
    log "reusing root $root"
fi

for d in "${xen_debs[@]}"; do [ -f "$d" ] || die "no such .deb: $d"; done
# overlay_xen DIR: our Xen's .debs over the packages of Debian's Xen that the root holds
# (older than the stock ones from bookworm-security, hence --force-downgrade).
overlay_xen() {
    local root=$1 d pkg debs=()
    for d in "${xen_debs[@]}"; do
        pkg=$(dpkg-deb -f "$d" Package)
        chroot "$root" dpkg-query -W "$pkg" > /dev/null 2>&1 && debs+=("$d")
    done
    [ ${#debs[@]} -gt 0 ] || die "none of the given Xen .debs is a package of the root"
    mkdir -p "$root/tmp/xen-debs"
    cp "${debs[@]}" "$root/tmp/xen-debs/"
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    mounted_root=$root
    DEBIAN_FRONTEND=noninteractive chroot "$root" sh -c 'dpkg -i --force-downgrade /tmp/xen-debs/*.deb' >&2 \
        || die "dpkg -i of our Xen .debs in the root failed"
    umount "$root/proc"
    mounted_root=
    rm -rf "$root/tmp/xen-debs" "$root/usr/sbin/policy-rc.d"
}
if [ ${#xen_debs[@]} -gt 0 ]; then
    log "our Xen over Debian's: ${#xen_debs[@]} .debs ($(dpkg-deb -f "${xen_debs[0]}" Version))"
    # On a copy: the cached root stays Debian's.
    cp -a "$root" "$work/root"
    root=$work/root
    overlay_xen "$root"
fi

log "making dom0.img"
mkdir "$work/out"
# The init goes in only for mkfs, so the cached root stays as debootstrap left it.
install -D -m 755 "$here/dom0-init" "$root/usr/local/sbin/polydesk-dom0-init"
size_mb=$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 512 ))
mkfs.ext4 -q -F -L polydesk-dom0 -d "$root" "$work/out/dom0.img" "${size_mb}M" >&2 \
    || { rm -f "$root/usr/local/sbin/polydesk-dom0-init"; die "mkfs.ext4 -d failed"; }
rm -f "$root/usr/local/sbin/polydesk-dom0-init"

xen_gz=$(ls "$root"/boot/xen-4.17-amd64.gz 2>/dev/null || ls "$root"/boot/xen-*.gz | sort -V | tail -n1)
[ -f "$xen_gz" ] || die "no /boot/xen-*.gz in the root"
gunzip -c "$xen_gz" > "$work/out/xen"
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
abi=${kernel##*/vmlinuz-}
[ -f "$root/boot/initrd.img-$abi" ] || die "no /boot/initrd.img-$abi in the root"
cp "$kernel" "$work/out/vmlinuz"
cp "$root/boot/initrd.img-$abi" "$work/out/initrd.img"
{
    echo "xen-hypervisor: $(basename "$xen_gz") $(chroot "$root" dpkg-query -W -f='${Version}' xen-hypervisor-4.17-amd64)"
    for p in xen-utils-4.17 qemu-system-xen openjdk-17-jre-headless qemu-system-x86; do
        echo "$p: $(chroot "$root" dpkg-query -W -f='${Version}' "$p")"
    done
    echo "kernel: $abi"
    echo "device model: /usr/libexec/xen-qemu-system-i386 (libxl's fixed path)"
} > "$work/out/versions.txt"
[ -x "$root/usr/libexec/xen-qemu-system-i386" ] || die "no /usr/libexec/xen-qemu-system-i386 in the root"

mv -T "$work/out" "$out" 2>/dev/null || [ -f "$out/dom0.img" ] || die "cannot create $out"
log "done: $(du -sh "$out" | cut -f1) in $out"
sed 's/^/build-dom0-image:   /' "$out/versions.txt" >&2
echo "$out"
