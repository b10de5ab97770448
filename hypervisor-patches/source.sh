# Sourced by check.sh and build.sh: the pinned Xen source package, fetched once into a
# cache that outlives clones (CI works in a fresh clone each time).
#
#   xen_source_fetch   -> 0 and the .dsc in $XEN_DSC, or 1 with the reason in $XEN_FETCH_ERROR
#   xen_source_extract DIR  -> Debian's tree (its own patches applied) in DIR
#
# The source comes through apt with a private sources list and private lists
# ($POLYDESK_CACHE/xen-source/apt), so neither a deb-src entry in /etc/apt nor an
# `apt-get update` of the machine's own lists is needed or touched.
# Pinned: bookworm main's xen. (The bookworm-security source of the newer stock .debs is
# not reachable here; see README.md.)
XEN_SOURCE_VERSION=${XEN_SOURCE_VERSION:-4.17.5+72-g01140da4e8-1}
XEN_SOURCE_SUITE=${XEN_SOURCE_SUITE:-bookworm}
XEN_SOURCE_MIRROR=${XEN_SOURCE_MIRROR:-http://deb.debian.org/debian}
XEN_SOURCE_CACHE=${POLYDESK_CACHE:-/var/cache/polydesk}/xen-source
XEN_DSC=$XEN_SOURCE_CACHE/xen_${XEN_SOURCE_VERSION#*:}.dsc
XEN_FETCH_ERROR=

xen_source_fetch() {
    [ -f "$XEN_DSC" ] && return 0
    if ! command -v apt-get > /dev/null || ! command -v dpkg-source > /dev/null; then
        XEN_FETCH_ERROR="apt-get or dpkg-source (package dpkg-dev) missing"
        return 1
    fi
    local apt=$XEN_SOURCE_CACHE/apt
    if ! mkdir -p "$apt/lists/partial" "$apt/etc" 2> /dev/null; then
        XEN_FETCH_ERROR="cannot create $XEN_SOURCE_CACHE (set POLYDESK_CACHE to a writable directory)"
        return 1
    fi
    echo "deb-src $XEN_SOURCE_MIRROR $XEN_SOURCE_SUITE main" > "$apt/etc/sources.list"
    local opts=(-q -o "Dir::Etc::SourceList=$apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt/lists" -o Acquire::Retries=1 -o Acquire::http::Timeout=20)
    local out
    if ! out=$(apt-get "${opts[@]}" update 2>&1); then
        XEN_FETCH_ERROR="apt-get update of deb-src $XEN_SOURCE_MIRROR $XEN_SOURCE_SUITE failed: $(echo "$out" | grep -E '^(E|W):' | head -n 2 | tr '\n' ' ')"
        return 1
    fi
    if ! out=$(cd "$XEN_SOURCE_CACHE" && apt-get "${opts[@]}" source --download-only "xen=$XEN_SOURCE_VERSION" 2>&1) \
        || [ ! -f "$XEN_DSC" ]; then
        XEN_FETCH_ERROR="apt-get source xen=$XEN_SOURCE_VERSION failed: $(echo "$out" | grep -E '^E:' | head -n 2 | tr '\n' ' ')"
        return 1
    fi
    return 0
}

xen_source_extract() {
    local dir=$1
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    dpkg-source --no-check -x "$XEN_DSC" "$dir" > "$dir.extract.log" 2>&1
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
