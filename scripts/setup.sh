# Sourced by the run and test scripts: installs what building and testing Polydesk needs.
# Debian 12, as root (or with sudo available).
. "$(dirname "${BASH_SOURCE[0]}")/need-packages.sh"

# Java 17 and Maven build everything; QEMU runs the VMs; busybox, cpio build the test guest;
# libxen-dev and gcc check the libxl binding against the Xen 4.17 headers.
need_packages openjdk-17-jdk-headless maven qemu-system-x86 qemu-utils busybox-static cpio libxen-dev gcc \
    quilt dpkg-dev
