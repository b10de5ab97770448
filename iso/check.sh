#!/bin/bash
# Fast, offline check of the ISO's configuration (no build): scripts parse, both boot
# loaders' default entries start Xen, the hooks Xen depends on are there. Part of
# scripts/test.sh; the build and the boot test are iso/build.sh and iso/boot-test.sh.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cfg=$repo/distro/config
fail=0
no() { echo "FAIL iso-config: $*"; fail=1; }

for s in "$repo"/iso/*.sh "$repo"/hypervisor-patches/*.sh "$repo/distro/auto/config"; do
    bash -n "$s" || no "$s does not parse"
done
for s in "$cfg"/hooks/normal/*.hook.* "$cfg"/includes.chroot/usr/lib/polydesk/*; do
    sh -n "$s" || no "$s does not parse"
    [ -x "$s" ] || no "$s is not executable"
done
python3 -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$repo/iso/screen-check.py" 2>/dev/null || no "iso/screen-check.py does not compile"
live=$cfg/bootloaders/isolinux/live.cfg.in
grub=$cfg/bootloaders/grub-pc/grub.cfg
# BIOS: the first label is the default and boots xen.gz through mboot.c32.
[ "$(grep -m1 '^label' "$live" | awk '{print $2}')" = polydesk ] || no "isolinux: the first entry is not 'polydesk'"
grep -q 'menu default' "$live" || no "isolinux: no default entry"
grep -q 'kernel /isolinux/mboot.c32' "$live" || no "isolinux: the Xen entry does not use mboot.c32"
grep -qE 'append /live/xen.gz @XEN_CMDLINE@ --- @LINUX@ .* --- @INITRD@' "$live" || no "isolinux: xen.gz --- kernel --- initrd missing"
grep -q '^default polydesk' "$cfg/bootloaders/isolinux/isolinux.cfg" || no "isolinux.cfg: default is not polydesk"
# UEFI: the first menuentry is multiboot2 Xen.
awk '/^menuentry/{n++} n==1' "$grub" | grep -q 'multiboot2 /live/xen.gz' || no "grub.cfg: the first entry does not start Xen by multiboot2"
grep -q 'module2 --nounzip @INITRD_LIVE@' "$grub" || no "grub.cfg: no initrd module"
grep -q 'LINUX_LIVE' "$grub" && no "grub.cfg: holds live-build's LINUX_LIVE marker, which replaces the line"
grep -q 'dom0_mem=[0-9]*M,max:' "$cfg/hooks/normal/0900-polydesk-xen.hook.binary" || no "the Xen hook does not cap dom0's memory"
for p in xen-hypervisor-4.17-amd64 xen-utils-4.17 qemu-system-xen openjdk-17-jre-headless tigervnc-standalone-server ovmf swtpm swtpm-tools; do
    grep -qx "$p" "$cfg/package-lists/polydesk.list.chroot" || no "package list lacks $p"
done
grep -q -- '--archive-areas "main non-free-firmware"' "$repo/distro/auto/config" || no "auto/config: no non-free-firmware archive area"
for p in firmware-misc-nonfree firmware-amd-graphics firmware-iwlwifi firmware-realtek intel-microcode amd64-microcode; do
    grep -qx "$p" "$cfg/package-lists/polydesk.list.chroot" || no "package list lacks $p"
done
grep -q 'ucode=scan' "$cfg/hooks/normal/0900-polydesk-xen.hook.binary" || no "the Xen hook does not load microcode (ucode=scan)"
[ $fail -eq 0 ] && echo "PASS iso-config: distro/ boot loaders start Xen by default (BIOS mboot.c32, UEFI multiboot2), scripts parse"
exit $fail
