#!/bin/bash
# Checks the .deb files that `mvn package` made (toolstack, input, display, UI, the in-guest viewer): each installs its service's jar, wrappers and
# systemd unit, is Architecture: all and depends on the Java 17 runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
check() { # DEB WHAT PATTERN SOURCE
    if grep -qE "$3" <<<"$4"; then
        echo "PASS $(basename "$1"): $2"; passed=$((passed + 1))
    else
        echo "FAIL $(basename "$1"): $2"; failed=$((failed + 1))
    fi
}
# check_deb MODULE PACKAGE FILE...: the newest .deb of MODULE (earlier builds may have left older ones).
check_deb() {
    local module=$1 package=$2 deb info files f
    shift 2
    deb=$(ls -t "$module"/target/"$package"_*_all.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "FAIL $package: no .deb was built in $module/target"; failed=$((failed + 1)); return
    fi
    info=$(dpkg-deb -f "$deb")
    files=$(dpkg-deb -c "$deb")
    check "$deb" "Architecture: all" '^Architecture: all$' "$info"
    check "$deb" "depends on openjdk-17-jre-headless" '^Depends:.*openjdk-17-jre-headless' "$info"
    for f in "$@"; do
        check "$deb" "contains $f" " $f\$" "$files"
    done
}
check_deb toolstack polydesk-toolstack ./usr/bin/polydeskd ./usr/bin/polyctl \
    ./lib/systemd/system/polydeskd.service ./usr/share/polydesk/toolstack/toolstack.jar \
    ./usr/share/bash-completion/completions/polyctl ./usr/libexec/polydesk/pci-reset \
    ./usr/libexec/polydesk/class-archive ./lib/systemd/system/polydesk-class-archive.service
check_deb input-server polydesk-input ./usr/bin/polydesk-input ./lib/systemd/system/polydesk-input.service \
    ./usr/share/polydesk/input/input-server.jar ./usr/share/polydesk/input/lib/jna-5.14.0.jar
check_deb display-server polydesk-display ./usr/bin/polydesk-display ./lib/systemd/system/polydesk-display.service \
    ./usr/share/polydesk/display/display-server.jar ./usr/share/polydesk/display/lib/jna-5.14.0.jar
check_deb ui-vm polydesk-ui ./usr/bin/polydesk-ui ./lib/systemd/system/polydesk-ui.service \
    ./usr/share/polydesk/ui-vm/ui-vm.jar ./usr/share/polydesk/ui-vm/polydesk-ui-xvnc.sh
check_deb switcher-viewer polydesk-viewer ./usr/bin/polydesk-viewer ./etc/xdg/autostart/polydesk-viewer.desktop \
    ./usr/share/polydesk/viewer/switcher-viewer.jar ./usr/share/polydesk/viewer/lib/jSerialComm-2.11.0.jar
echo "deb checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
