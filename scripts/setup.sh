# Sourced by the run and test scripts: installs what building and testing Polydesk needs.
# Debian 12, as root (or with sudo available).

polydesk_need() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
}

# Java 17 and Maven build everything; QEMU runs the VMs; busybox, cpio build the test guest;
# libxen-dev and gcc check the libxl binding against the Xen 4.17 headers.
polydesk_need openjdk-17-jdk-headless maven qemu-system-x86 qemu-utils busybox-static cpio libxen-dev gcc
