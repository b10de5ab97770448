#!/bin/bash
# Checks the .deb files that `mvn package` made: each installs its service's jar, wrappers and
# systemd unit, is Architecture: all and depends on the Java 17 runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
ls toolstack/target/polydesk-toolstack_*_all.deb >/dev/null 2>&1 || { echo "FAIL: no toolstack .deb was built"; exit 1; }
passed=0
failed=0
check() { # DEB WHAT PATTERN SOURCE
    if grep -qE "$3" <<<"$4"; then
        echo "PASS $(basename "$1"): $2"; passed=$((passed + 1))
    else
        echo "FAIL $(basename "$1"): $2"; failed=$((failed + 1))
    fi
}
# The newest .deb: earlier builds may have left older ones beside it.
for deb in $(ls -t toolstack/target/polydesk-toolstack_*_all.deb 2>/dev/null | head -n 1); do
    info=$(dpkg-deb -f "$deb")
    files=$(dpkg-deb -c "$deb")
    check "$deb" "Architecture: all" '^Architecture: all$' "$info"
    check "$deb" "depends on openjdk-17-jre-headless" '^Depends:.*openjdk-17-jre-headless' "$info"
    for f in ./usr/bin/polydeskd ./usr/bin/polyctl ./lib/systemd/system/polydeskd.service \
             ./usr/share/polydesk/toolstack/toolstack.jar ./usr/share/bash-completion/completions/polyctl; do
        check "$deb" "contains $f" " $f\$" "$files"
    done
done
echo "deb checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
