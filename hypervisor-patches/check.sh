#!/bin/bash
# Fast check: does our quilt series apply cleanly (no fuzz, no offsets beyond quilt's
# own) to the pinned Debian Xen source package, and the device model's (qemu-patches/) to the
# pinned QEMU's? Extracts each source (Debian's own patches applied), then `quilt push -a
# --fuzz=0` of the series. About 10 s once the sources are cached.
#
# Exit 0: both series apply. Exit 1: a patch does not apply (which one is printed); each series
# is checked whatever the other's result.
# If the source package cannot be had (no network, no mirror), it prints a line starting
# "SKIP hypervisor-patches:" (or "SKIP device-model-patches:") with the reason and exits 0, unless
# POLYDESK_REQUIRE_XEN_SOURCE=1, then it exits 3.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/source.sh"

command -v quilt > /dev/null || { echo "FAIL hypervisor-patches: quilt is not installed (apt-get install quilt)"; exit 1; }
# check_series LABEL DIR PACKAGE VERSION CACHE DSC: does DIR/series apply to that source package?
# Prints one PASS, FAIL or SKIP line; returns 0 (pass, or a skip that may be), 1 (fail) or 3 (a
# skip POLYDESK_REQUIRE_XEN_SOURCE=1 refuses).
check_series() {
    local label=$1 dir=$2 package=$3 version=$4 cache=$5 dsc=$6 t0=$SECONDS p missing=() out n
    # Every patch says why it exists (a DEP-3 header with a Description).
    while read -r p; do
        case "$p" in ''|'#'*) continue ;; esac
        [ -f "$here/$dir/$p" ] || { echo "FAIL $label: $dir/series names $p, which is missing"; return 1; }
        grep -q '^Description: ' "$here/$dir/$p" || missing+=("$p")
    done < "$here/$dir/series"
    [ ${#missing[@]} -eq 0 ] || { echo "FAIL $label: no 'Description:' header (why the patch exists) in: ${missing[*]}"; return 1; }
    if ! debian_source_fetch "$package" "$version" "$cache" "$dsc"; then
        echo "SKIP $label: the source package $package=$version could not be fetched, so the series was NOT checked: $FETCH_ERROR"
        [ "${POLYDESK_REQUIRE_XEN_SOURCE:-0}" = 1 ] && return 3
        return 0
    fi
    if ! debian_source_extract "$dsc" "$work/$package"; then
        echo "FAIL $label: dpkg-source -x of $dsc failed:"; tail -n 5 "$work/$package.extract.log"; return 1
    fi
    n=$(grep -cvE '^\s*(#|$)' "$here/$dir/series")
    if out=$(cd "$work/$package" && QUILT_PATCHES="$here/$dir" QUILT_PC=.pc-polydesk quilt push -a --fuzz=0 2>&1); then
        echo "PASS $label: $n patch(es) of $dir/series apply to $package $version ($((SECONDS - t0)) s)"
        return 0
    fi
    echo "FAIL $label: the series does not apply to $package $version:"
    echo "$out" | tail -n 15
    return 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/polydesk-xen-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
rc=0
check_series hypervisor-patches patches xen "$XEN_SOURCE_VERSION" "$XEN_SOURCE_CACHE" "$XEN_DSC" || rc=$?
# The device model's series on Debian's QEMU source, the same way.
check_series device-model-patches qemu-patches qemu "$QEMU_SOURCE_VERSION" "$QEMU_SOURCE_CACHE" "$QEMU_DSC" || {
    r=$?; [ "$rc" = 1 ] || rc=$r; }
exit "$rc"
