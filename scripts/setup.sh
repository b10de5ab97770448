# shellcheck shell=bash
# Sourced by the run and test scripts: installs what building and testing Polydesk needs.
# Debian 12, as root (or with sudo available).
. "$(dirname "${BASH_SOURCE[0]}")/need-packages.sh"

# Java 17 and Maven build everything; QEMU runs the VMs; busybox, cpio build the test guest;
# libxen-dev and gcc check the libxl binding against the Xen 4.17 headers; the control UI's headless
# tests (JavaFX on Monocle) lay out text with pango, freetype and a font; the whole desktop (run.sh
# and its end-to-end test) shows the UI on TigerVNC's Xvnc through GTK; quilt and dpkg-dev check
# the Xen patch series; socat makes the pty pair of the switcher viewer's end-to-end test; xsetroot
# gives Xvnc's root window a pointer, as the UI's window has, in the display server's Xvnc test;
# setxkbmap (x11-xkb-utils) gives the UI's Xvnc the installed keyboard layout, and xev (x11-utils)
# records what the UI would get, in the input server's layout test;
# the shell scripts are checked with shellcheck and dash (tests/scripts/run.sh); ovmf and swtpm give
# the OS profile tests' VMs UEFI with Secure Boot and a TPM 2.0, as on a Polydesk machine; xorriso,
# dosfstools and mtools make the installer ISO and the USB stick image of the media library's tests;
# iproute2, nftables and dnsmasq-base are what polydeskd's networks are made of (their test runs them
# in network namespaces of its own); pipewire, pipewire-pulse, wireplumber and pulseaudio-utils are
# dom0's sound server and pactl, which the audio policy's test runs as in the image; udev's udevd
# runs in the USB test's guest, as in dom0: QEMU's libusb learns of a plugged device from it.
# grub-common: GRUB's own grub-script-check and grub-editenv check the menu and the boot slots' environment block.
# libdrm2: the display server's KMS screen, which its tests run inside a test guest on the host's root.
need_packages openjdk-17-jdk-headless maven qemu-system-x86 qemu-utils busybox-static cpio libxen-dev gcc \
    libpangoft2-1.0-0 libfreetype6 fontconfig fonts-dejavu-core tigervnc-standalone-server x11-xkb-utils x11-utils libgtk-3-0 \
    quilt dpkg-dev socat x11-xserver-utils shellcheck dash ovmf swtpm swtpm-tools xorriso dosfstools mtools \
    iproute2 nftables dnsmasq-base pipewire pipewire-pulse wireplumber pulseaudio-utils udev grub-common libdrm2
