#!/bin/bash
# Fast check: does our quilt series apply cleanly (no fuzz, no offsets beyond quilt's
# own) to the pinned Debian Xen source package, and the device model's (qemu-patches/) to the
# pinned QEMU's? Extracts each source (Debian's own patches applied), then `quilt push -a
# --fuzz=0` of the series. About 10 s once the sources are cached.
#
# Exit 0: the series applies. Exit 1: a patch does not apply (which one is printed).
# If the source package cannot be had (no network, no mirror), it prints a line starting
# "SKIP hypervisor-patches:" (or "SKIP device-model-patches:") with the reason and exits 0, unless
# POLYDESK_REQUIRE_XEN_SOURCE=1, then it exits 3.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/source.sh"
t0=$SECONDS

command -v quilt > /dev/null || { echo "FAIL hypervisor-patches: quilt is not installed (apt-get install quilt)"; exit 1; }
# Every patch says why it exists (a DEP-3 header with a Description).
missing=()
while read -r p; do
    case "$p" in ''|'#'*) continue ;; esac
    [ -f "$here/patches/$p" ] || { echo "FAIL hypervisor-patches: patches/series names $p, which is missing"; exit 1; }
    grep -q '^Description: ' "$here/patches/$p" || missing+=("$p")
done < "$here/patches/series"
[ ${#missing[@]} -eq 0 ] || { echo "FAIL hypervisor-patches: no 'Description:' header (why the patch exists) in: ${missing[*]}"; exit 1; }

if ! xen_source_fetch; then
    echo "SKIP hypervisor-patches: the Xen source package xen=$XEN_SOURCE_VERSION could not be fetched, so the series was NOT checked: $XEN_FETCH_ERROR"
    [ "${POLYDESK_REQUIRE_XEN_SOURCE:-0}" = 1 ] && exit 3
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/polydesk-xen-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! xen_source_extract "$work/src"; then
    echo "FAIL hypervisor-patches: dpkg-source -x of $XEN_DSC failed:"; tail -n 5 "$work/src.extract.log"; exit 1
fi
n=$(grep -cvE '^\s*(#|$)' "$here/patches/series")
if out=$(cd "$work/src" && QUILT_PATCHES="$here/patches" QUILT_PC=.pc-polydesk quilt push -a --fuzz=0 2>&1); then
    echo "PASS hypervisor-patches: $n patch(es) of patches/series apply to xen $XEN_SOURCE_VERSION ($((SECONDS - t0)) s)"
else
    echo "FAIL hypervisor-patches: the series does not apply to xen $XEN_SOURCE_VERSION:"
    echo "$out" | tail -n 15
    exit 1
fi

# The device model's series (qemu-patches/) on Debian's QEMU source, the same way.
t0=$SECONDS
for p in $(grep -vE '^\s*(#|$)' "$here/qemu-patches/series"); do
    [ -f "$here/qemu-patches/$p" ] || { echo "FAIL device-model-patches: qemu-patches/series names $p, which is missing"; exit 1; }
    grep -q '^Description: ' "$here/qemu-patches/$p" || { echo "FAIL device-model-patches: no 'Description:' header in $p"; exit 1; }
done
if ! qemu_source_fetch; then
    echo "SKIP device-model-patches: the QEMU source package qemu=$QEMU_SOURCE_VERSION could not be fetched, so the series was NOT checked: $QEMU_FETCH_ERROR"
    [ "${POLYDESK_REQUIRE_XEN_SOURCE:-0}" = 1 ] && exit 3
    exit 0
fi
qemu_source_extract "$work/qemu" || { echo "FAIL device-model-patches: dpkg-source -x of $QEMU_DSC failed"; tail -n 5 "$work/qemu.extract.log"; exit 1; }
n=$(grep -cvE '^\s*(#|$)' "$here/qemu-patches/series")
if out=$(cd "$work/qemu" && QUILT_PATCHES="$here/qemu-patches" QUILT_PC=.pc-polydesk quilt push -a --fuzz=0 2>&1); then
    echo "PASS device-model-patches: $n patch(es) of qemu-patches/series apply to qemu $QEMU_SOURCE_VERSION ($((SECONDS - t0)) s)"
    exit 0
fi
echo "FAIL device-model-patches: the series does not apply to qemu $QEMU_SOURCE_VERSION:"
echo "$out" | tail -n 15
exit 1
