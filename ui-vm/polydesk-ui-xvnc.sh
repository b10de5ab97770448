#!/bin/bash
# The control UI as dom0 runs it: TigerVNC's Xvnc with no TCP port, serving RFB only on a UNIX
# socket that the display server connects to (as slot 0), and the UI covering Xvnc's screen.
# Ends when either ends. Options after -- go to the UI (e.g. -- --socket /tmp/x/polydeskd.sock).
# Usage: polydesk-ui-xvnc.sh [--vnc-socket PATH] [--geometry WxH] [--display :N] [-- UI OPTIONS]
# The default geometry is the framebuffer's (/dev/fb0, which the display server shows the UI on,
# then 1:1), or 1920x1080 on a machine without one. The keyboard layout is the installer's
# (/etc/default/keyboard, or $POLYDESK_KEYBOARD_FILE): Xvnc takes the input server's scan codes
# (-RawKeyboard) and applies it, so the UI types what the keys say.
set -euo pipefail
keyboard_file=${POLYDESK_KEYBOARD_FILE:-/etc/default/keyboard}
vnc_socket=/run/polydesk/ui/vnc.sock
fb=/sys/class/graphics/fb0
geometry=$(grep -oEm1 '[0-9]+x[0-9]+' "$fb/modes" 2>/dev/null || tr , x < "$fb/virtual_size" 2>/dev/null || true)
[[ $geometry =~ ^[0-9]+x[0-9]+$ ]] || geometry=1920x1080
display=:20
while [ $# -gt 0 ]; do
    case $1 in
        --vnc-socket) vnc_socket=$2; shift 2 ;;
        --geometry) geometry=$2; shift 2 ;;
        --display) display=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "polydesk-ui-xvnc.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
ui=${POLYDESK_UI:-$here/polydesk-ui.sh}
mkdir -p "$(dirname "$vnc_socket")"
rm -f "$vnc_socket"
# -SecurityTypes None: only processes that may open the socket (mode 0660, group polydesk) reach it.
Xvnc "$display" -geometry "$geometry" -depth 24 -rfbport -1 -rfbunixpath "$vnc_socket" -rfbunixmode 0660 \
    -SecurityTypes None -nolisten tcp -AlwaysShared -NeverShared=0 -DisconnectClients=0 -RawKeyboard &
xvnc=$!
app=
trap 'kill $xvnc $app 2>/dev/null; wait 2>/dev/null' EXIT
trap 'exit 143' TERM INT
for _ in $(seq 100); do [ -S "$vnc_socket" ] && [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
[ -S "$vnc_socket" ] || { echo "polydesk-ui-xvnc.sh: Xvnc did not open $vnc_socket" >&2; exit 1; }
if [ -r "$keyboard_file" ]; then
    # shellcheck disable=SC1090 # console-setup's own format: shell assignments, written by the installer
    if ! (. "$keyboard_file" && DISPLAY=$display setxkbmap -model "${XKBMODEL:-pc105}" -layout "${XKBLAYOUT:-us}" \
            -variant "${XKBVARIANT:-}" ${XKBOPTIONS:+-option "$XKBOPTIONS"}); then
        echo "polydesk-ui-xvnc.sh: the keyboard layout of $keyboard_file was not applied; the UI's keyboard is us" >&2
    fi
fi
DISPLAY=$display "$ui" "$@" &
app=$!
wait -n $xvnc $app
