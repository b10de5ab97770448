#!/bin/bash
# Full build of the patched Xen .debs: Debian's xen source package (pinned in source.sh)
# with patches/series added to its own quilt series, version +polydesk1, built with
# dpkg-buildpackage. The .debs land in hypervisor-patches/out/debs/ with KEY (the patch set's
# identity, xen_patch_set_key), where iso/build.sh takes them, building them first when KEY
# differs. About 9 minutes here (2 cores); runs under nice/ionice.
#
#   sudo bash hypervisor-patches/build.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/source.sh"
. "$repo/scripts/need-packages.sh"
t0=$SECONDS
log() { printf 'hypervisor-patches/build [%5d s]: %s\n' $((SECONDS - t0)) "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get build-dep)"
need_packages dpkg-dev quilt build-essential fakeroot || die "cannot install the build tools"
# (grep reads all of it: a grep -q that quits at the first line would kill tee, and pipefail fail the check)
bash "$here/check.sh" | tee /dev/stderr | grep '^PASS hypervisor-patches' > /dev/null || die "the series does not apply (or the source is missing)"

work=$here/work
src=$work/xen
log "extracting xen $XEN_SOURCE_VERSION into $src"
xen_source_extract "$src" || die "dpkg-source -x failed: $(tail -n 3 "$src.extract.log")"

log "adding patches/series to Debian's series"
names=()
while read -r p; do
    case "$p" in ''|'#'*) continue ;; esac
    cp "$here/patches/$p" "$src/debian/patches/polydesk-$p"
    echo "polydesk-$p" >> "$src/debian/patches/series"
    names+=("$p")
done < "$here/patches/series"
(cd "$src" && QUILT_PATCHES=debian/patches quilt push -a --fuzz=0 > "$work/quilt.log" 2>&1) \
    || die "Debian's series with ours does not apply: $(tail -n 5 "$work/quilt.log")"
(cd "$src" && QUILT_PATCHES=debian/patches quilt pop -a > /dev/null 2>&1; rm -rf .pc)

version="${XEN_SOURCE_VERSION}+polydesk1"
{ xen_changelog_entry "$version" "${names[@]}"; echo; cat "$src/debian/changelog"; } > "$src/debian/changelog.new"
mv "$src/debian/changelog.new" "$src/debian/changelog"
log "version $version"

log "installing build dependencies (apt-get build-dep)"
# Package lists older than the archive fail here: refresh them and try once more.
if ! DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q "$src" > "$work/build-dep.log" 2>&1; then
    log "apt-get build-dep failed; refreshing the package lists and trying again"
    apt-get update -q >> "$work/build-dep.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q "$src" >> "$work/build-dep.log" 2>&1 \
        || die "apt-get build-dep failed: $(tail -n 5 "$work/build-dep.log")"
fi

log "dpkg-buildpackage -b (long; log: $work/build.log)"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck nodoc parallel=$(nproc)" nice -n 19 ionice -c3 \
    dpkg-buildpackage -b -uc -us > "$work/build.log" 2>&1) || die "dpkg-buildpackage failed: $(tail -n 15 "$work/build.log")"

rm -rf "$here/out/debs"
mkdir -p "$here/out/debs"
mv "$work"/*.deb "$here/out/debs/"
rm -f "$work"/*.buildinfo "$work"/*.changes
xen_patch_set_key > "$here/out/debs/KEY"
log "done: $(ls "$here/out/debs" | wc -l) .debs in $here/out/debs (iso/build.sh uses them)"
ls "$here/out/debs"
