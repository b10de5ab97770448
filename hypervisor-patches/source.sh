# Sourced by check.sh, build.sh and build-device-model.sh: the pinned source packages (Xen, and
# QEMU for our device model), fetched once into a cache that outlives clones (CI works in a
# fresh clone each time).
#
#   debian_source_fetch PACKAGE VERSION CACHE DSC -> 0, or 1 with the reason in $FETCH_ERROR
#   xen_source_extract DIR / qemu_source_extract DIR -> Debian's tree (its own patches applied) in DIR
#
# The sources come through apt with a private sources list and private lists
# ($POLYDESK_CACHE/<package>-source/apt), so neither a deb-src entry in /etc/apt nor an
# `apt-get update` of the machine's own lists is needed or touched.
# Pinned: bookworm main's xen. (The bookworm-security source of the newer stock .debs is
# not reachable here; see README.md.) QEMU: bookworm's 7.2, the version of the image's own.
XEN_SOURCE_VERSION=${XEN_SOURCE_VERSION:-4.17.5+72-g01140da4e8-1}
XEN_SOURCE_SUITE=${XEN_SOURCE_SUITE:-bookworm}
XEN_SOURCE_MIRROR=${XEN_SOURCE_MIRROR:-http://deb.debian.org/debian}
XEN_SOURCE_CACHE=${POLYDESK_CACHE:-/var/cache/polydesk}/xen-source
XEN_DSC=$XEN_SOURCE_CACHE/xen_${XEN_SOURCE_VERSION#*:}.dsc
QEMU_SOURCE_VERSION=${QEMU_SOURCE_VERSION:-1:7.2+dfsg-7+deb12u18}
QEMU_SOURCE_CACHE=${POLYDESK_CACHE:-/var/cache/polydesk}/qemu-source
QEMU_DSC=$QEMU_SOURCE_CACHE/qemu_${QEMU_SOURCE_VERSION#*:}.dsc

# debian_source_fetch PACKAGE VERSION CACHE DSC -> 0, or 1 with the reason in $FETCH_ERROR
debian_source_fetch() {
    local package=$1 version=$2 cache=$3 dsc=$4
    FETCH_ERROR=
    [ -f "$dsc" ] && return 0
    if ! command -v apt-get > /dev/null || ! command -v dpkg-source > /dev/null; then
        FETCH_ERROR="apt-get or dpkg-source (package dpkg-dev) missing"
        return 1
    fi
    local apt=$cache/apt
    if ! mkdir -p "$apt/lists/partial" "$apt/etc" 2> /dev/null; then
        FETCH_ERROR="cannot create $cache (set POLYDESK_CACHE to a writable directory)"
        return 1
    fi
    echo "deb-src $XEN_SOURCE_MIRROR $XEN_SOURCE_SUITE main" > "$apt/etc/sources.list"
    local opts=(-q -o "Dir::Etc::SourceList=$apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt/lists" -o Acquire::Retries=1 -o Acquire::http::Timeout=20)
    local out
    if ! out=$(apt-get "${opts[@]}" update 2>&1); then
        FETCH_ERROR="apt-get update of deb-src $XEN_SOURCE_MIRROR $XEN_SOURCE_SUITE failed: $(echo "$out" | grep -E '^(E|W):' | head -n 2 | tr '\n' ' ')"
        return 1
    fi
    if ! out=$(cd "$cache" && apt-get "${opts[@]}" source --download-only "$package=$version" 2>&1) \
        || [ ! -f "$dsc" ]; then
        FETCH_ERROR="apt-get source $package=$version failed: $(echo "$out" | grep -E '^E:' | head -n 2 | tr '\n' ' ')"
        return 1
    fi
    return 0
}

# debian_source_extract DSC DIR
debian_source_extract() {
    local dsc=$1 dir=$2
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    dpkg-source --no-check -x "$dsc" "$dir" > "$dir.extract.log" 2>&1
}

qemu_source_extract() {
    debian_source_extract "$QEMU_DSC" "$1"
}

xen_source_extract() {
    debian_source_extract "$XEN_DSC" "$1"
}

# The patch set's identity: the pinned source and every file of the series. build.sh writes it
# beside the .debs (out/debs/KEY); iso/build.sh rebuilds when the two differ.
xen_patch_set_key() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    {
        echo "xen=$XEN_SOURCE_VERSION $XEN_SOURCE_SUITE"
        while read -r p; do
            case "$p" in ''|'#'*) continue ;; esac
            echo "$p $(sha256sum < "$here/patches/$p" | cut -c1-16)"
        done < "$here/patches/series"
    } | sha256sum | cut -c1-16
}

# patched_xen_debs: makes sure out/debs holds this tree's patch set (running build.sh, ~9 min,
# when it does not) and prints the .debs a dom0 installs from it, one path per line; progress
# on stderr. Returns 1 when the build fails. iso/build.sh and the Xen system test both use it.
patched_xen_debs() {
    local here dir key have d pkg
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    dir=$here/out/debs
    key=$(xen_patch_set_key)
    have=$(cat "$dir/KEY" 2>/dev/null || echo none)
    if [ "$have" != "$key" ]; then
        echo "patched Xen: out/debs holds patch set $have, this tree's is $key: hypervisor-patches/build.sh (~9 min)" >&2
        bash "$here/build.sh" >&2 || return 1
        have=$(cat "$dir/KEY" 2>/dev/null || echo none)
        [ "$have" = "$key" ] || { echo "hypervisor-patches/build.sh left no KEY $key in $dir" >&2; return 1; }
    fi
    for d in "$dir"/*.deb; do
        pkg=$(dpkg-deb -f "$d" Package)
        [[ $pkg =~ ^(xen-hypervisor-4\.17-amd64|xen-hypervisor-common|xen-utils-4\.17|xen-utils-common|xenstore-utils|libxen.*)$ ]] \
            && [[ $pkg != *-dev && $pkg != *-dbg && $pkg != *-dbgsym ]] && echo "$d"
    done
    return 0
}

# The changelog entry of our build: one "* Polydesk: NAME" line per patch, which polydeskd's
# host.info reads back from the installed package (toolstack's XenPackage).
#   xen_changelog_entry VERSION PATCH...
xen_changelog_entry() {
    local version=$1 n
    shift
    echo "xen ($version) $XEN_SOURCE_SUITE; urgency=medium"
    echo
    for n in "$@"; do echo "  * Polydesk: $n"; done
    echo
    echo " -- Polydesk developers <dev@polydesk.invalid>  $(date -R)"
}

# The device model's identity: the pinned QEMU source, every file of qemu-patches/, the build
# script (its configure options) and the Xen it is built against and runs with (our patch set, or
# "stock" for Debian's: its Depends name that Xen's libxen* versions). build-device-model.sh
# writes it beside the .deb (out/device-model/KEY); device_model_deb rebuilds when the two differ.
#   device_model_key [stock]
device_model_key() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    {
        echo "qemu=$QEMU_SOURCE_VERSION $XEN_SOURCE_SUITE"
        if [ "${1:-}" = stock ]; then echo "xen=stock"; else echo "xen=$(xen_patch_set_key)"; fi
        sha256sum < "$here/build-device-model.sh" | cut -c1-16
        while read -r p; do
            case "$p" in ''|'#'*) continue ;; esac
            echo "$p $(sha256sum < "$here/qemu-patches/$p" | cut -c1-16)"
        done < "$here/qemu-patches/series"
    } | sha256sum | cut -c1-16
}

# device_model_deb [stock]: makes sure out/device-model holds this tree's device model for that Xen
# (running build-device-model.sh, ~8 min, when its KEY differs) and prints the .deb's path;
# progress on stderr. Returns 1 when the build fails. iso/build.sh and the Xen system test use it.
device_model_deb() {
    local here dir key
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    dir=$here/out/device-model
    key=$(device_model_key "${1:-}")
    if [ "$(cat "$dir/KEY" 2>/dev/null || echo none)" != "$key" ]; then
        echo "device model: out/device-model does not hold $key: hypervisor-patches/build-device-model.sh (~8 min)" >&2
        bash "$here/build-device-model.sh" ${1:+--stock-xen} >&2 || return 1
        [ "$(cat "$dir/KEY" 2>/dev/null)" = "$key" ] || { echo "build-device-model.sh left no KEY $key in $dir" >&2; return 1; }
    fi
    ls "$dir"/polydesk-device-model_*_amd64.deb 2>/dev/null | head -n1 | grep . || {
        echo "no polydesk-device-model .deb in $dir" >&2
        return 1
    }
}
