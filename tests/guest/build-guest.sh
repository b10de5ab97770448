#!/bin/bash
# Builds the Polydesk test guest: Debian's kernel (vmlinuz) and a busybox initramfs
# (initrd.img) whose /init is tests/guest/init. Prints, as the last line of stdout, the
# absolute path of the directory holding both; everything else goes to stderr.
#
# Boot it with:
#   qemu-system-x86_64 -accel tcg -m 256 -vga std -nodefaults -no-reboot -serial ... \
#     -kernel DIR/vmlinuz -initrd DIR/initrd.img \
#     -append "console=ttyS0 quiet panic=-1 polydesk.colour=RRGGBB"
#
# Output: $POLYDESK_GUEST_CACHE/<hash>/ (default tests/guest/cache/<hash>/), where the
# hash covers this script, the init, the kernel package version and the busybox
# version; an existing directory is reused without touching the network.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${POLYDESK_GUEST_CACHE:-$here/cache}
# Kernel modules the guest loads (init does "modprobe -a"), dependencies added below.
modules=(bochs evdev button uinput virtio_pci 9pnet_virtio 9p virtio_net)
# A second display controller with several heads (the display server's monitors coming and going).
modules+=(virtio-gpu)
# For polydesk.probe=hw (the OS profile test): UEFI variables, the USB tablet, the emulated NICs
# and the AHCI disk controller. The TPM's tpm_crb and tpm_tis are built into Debian's kernel.
modules+=(efivarfs xhci-pci usbhid hid-generic e1000 8139too ahci)
# An HVM guest on Xen: its kernel unplugs the emulated NIC for the PV one (xen_emul_unplug), so
# polydesk.net=1 needs netfront there.
modules+=(xen-netfront)
# USB sticks and their file systems (the media library's import test); the names are the files'.
modules+=(usb-storage sd_mod isofs vfat nls_cp437 nls_ascii nls_utf8)
# CD-ROMs (the lifecycle test's vm.cd.insert).
modules+=(sr_mod)
# Sound (polydesk.tone): Intel HD Audio and its generic codec, played by alsa-utils' aplay.
modules+=(snd-hda-intel snd-hda-codec-generic)

log() { echo "build-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

. "$here/../../scripts/need-packages.sh"

# field PACKAGE FIELD: a field of the candidate version from the local apt lists.
field() {
    { apt-cache show --no-all-versions "$1" 2>/dev/null || true; } | sed -n "s/^$2: //p" | head -n1
}

need_packages busybox-static cpio gzip alsa-utils || die "cannot install busybox-static, cpio, gzip and alsa-utils"

# linux-image-amd64 is a metapackage; the kernel is its linux-image-<abi>-amd64 dependency.
kernel_pkg=$(field linux-image-amd64 Depends | grep -o 'linux-image-[0-9][^ ,]*-amd64' | head -n1 || true)
if [ -z "$kernel_pkg" ]; then
    log "linux-image-amd64 unknown to apt, running apt-get update"
    apt-get update >&2
    kernel_pkg=$(field linux-image-amd64 Depends | grep -o 'linux-image-[0-9][^ ,]*-amd64' | head -n1 || true)
    [ -n "$kernel_pkg" ] || die "cannot resolve linux-image-amd64 to a kernel package"
fi
kernel_version=$(field "$kernel_pkg" Version)
[ -n "$kernel_version" ] || die "no version for $kernel_pkg in apt lists"
busybox_version=$(dpkg-query -W -f='${Version}' busybox-static)

hash=$( { sha256sum "$here/build-guest.sh" "$here/init" | cut -d' ' -f1
          echo "$kernel_pkg=$kernel_version busybox-static=$busybox_version"; } \
        | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
    echo "$out"
    exit 0
fi

log "building $out ($kernel_pkg $kernel_version, busybox $busybox_version)"
mkdir -p "$cache/debs"
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kernel is extracted, never installed on the host.
deb=$cache/debs/${kernel_pkg}_${kernel_version//:/%3a}_amd64.deb
if [ ! -f "$deb" ]; then
    log "downloading $kernel_pkg=$kernel_version"
    # Sandbox user root: the cache is usually not writable by apt's _apt user.
    if ! (cd "$work" && apt-get download -o APT::Sandbox::User=root "$kernel_pkg=$kernel_version" >&2); then
        # The lists named a version the mirror no longer has (a point release since the last
        # apt-get update): refresh them and start over once, with the kernel they name now.
        [ -z "${POLYDESK_GUEST_RETRIED:-}" ] || die "apt-get download $kernel_pkg=$kernel_version failed, with fresh apt lists too"
        log "apt-get download $kernel_pkg=$kernel_version failed; apt-get update and once more"
        apt-get update >&2 || log "apt-get update failed"
        rm -rf "$work"
        POLYDESK_GUEST_RETRIED=1 exec bash "$here/build-guest.sh" "$@"
    fi
    mv "$work"/"${kernel_pkg}"_*.deb "$deb"
fi
dpkg-deb -x "$deb" "$work/kernel"
abi=${kernel_pkg#linux-image-}
moddir=lib/modules/$abi
[ -f "$work/kernel/boot/vmlinuz-$abi" ] || die "$deb has no boot/vmlinuz-$abi"

# Debian generates modules.dep at install time (postinst), so generate it here.
busybox depmod -b "$work/kernel" "$abi"

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,"$moddir"}
cp "$(dpkg -L busybox-static | grep -m1 '/bin/busybox$')" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
install -m 755 "$here/init" "$root/init"

# Each wanted module with its modules.dep line (which lists all its dependencies);
# the guest's modules.dep holds just the lines of the modules copied.
declare -A wanted=()
for m in "${modules[@]}"; do
    line=$(grep -E "(^|/)$m\.ko:" "$work/kernel/$moddir/modules.dep") \
        || die "module $m not in modules.dep of $abi"
    for f in ${line//:/}; do wanted[$f]=1; done
done
for f in $(printf "%s\n" "${!wanted[@]}" | sort); do
    mkdir -p "$root/$moddir/$(dirname "$f")"
    cp "$work/kernel/$moddir/$f" "$root/$moddir/$f"
    grep -E "^$f:" "$work/kernel/$moddir/modules.dep" >> "$root/$moddir/modules.dep"
done

# aplay (arecord is the same program) with the libraries it links and ALSA's configuration,
# enough for plughw:0,0; and the tones polydesk.tone plays: 440 and 880 Hz sines, 16-bit mono
# at 44000 Hz (a whole number of samples per period), one period repeated for ten seconds.
aplay=$(command -v aplay) || die "no aplay (alsa-utils)"
for f in "$aplay" $(ldd "$aplay" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
done
ln -sf aplay "$root/usr/bin/arecord"
mkdir -p "$root/usr/share/alsa"
cp /usr/share/alsa/alsa.conf "$root/usr/share/alsa/"
for hz in 440 880; do
    period=$((44000 / hz))
    one=$(awk -v n=$period 'BEGIN { for (i = 0; i < n; i++) { v = int(16384 * sin(6.283185307179586 * i / n));
        if (v < 0) v += 65536; printf "\\x%02x\\x%02x", v % 256, int(v / 256) } }')
    data=$((44000 * 10 * 2))
    le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
    {
        printf "RIFF$(le32 $((36 + data)))WAVEfmt $(le32 16)\\x01\\x00\\x01\\x00$(le32 44000)$(le32 88000)\\x02\\x00\\x10\\x00data$(le32 $data)"
        for _ in $(seq $((44000 * 10 / period))); do printf "$one"; done
    } > "$root/tone-$hz.wav"
done

mkdir "$work/out"
cp "$work/kernel/boot/vmlinuz-$abi" "$work/out/vmlinuz"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -9) > "$work/out/initrd.img"
# Publish atomically; a concurrent build that got there first wins.
mv -T "$work/out" "$out" 2>/dev/null || [ -f "$out/initrd.img" ] || die "cannot create $out"
log "done: $(du -sh "$out" | cut -f1) in $out"
echo "$out"
