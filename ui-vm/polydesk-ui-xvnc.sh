#!/bin/bash
# The control UI as dom0 runs it: TigerVNC's Xvnc with no TCP port, serving RFB only on a UNIX
# socket that the display server connects to (as slot 0), and the UI covering Xvnc's screen.
# Ends when either ends, or when the screen's HiDPI scale changes (the unit starts it again). Options after -- go to the UI (e.g. -- --socket /tmp/x/polydeskd.sock).
# Usage: polydesk-ui-xvnc.sh [--vnc-socket PATH] [--geometry WxH] [--display :N]
#                            [--screen-file PATH [--wait-screen SECONDS]] [-- UI OPTIONS]
# The geometry and the UI's scale are those of the screen the display server shows the UI on, from
# its screen file ("WIDTHxHEIGHT SCALE", /run/polydesk/screen on the appliance; waited for up to
# --wait-screen seconds), so the UI is shown 1:1 and at the monitor's HiDPI scale; without one,
# the framebuffer's geometry (/dev/fb0) or 1920x1080, at 1x. --geometry wins over both. The keyboard layout is the installer's
# (/etc/default/keyboard, or $POLYDESK_KEYBOARD_FILE): Xvnc takes the input server's scan codes
# (-RawKeyboard) and applies it, so the UI types what the keys say.
set -euo pipefail
keyboard_file=${POLYDESK_KEYBOARD_FILE:-/etc/default/keyboard}
vnc_socket=/run/polydesk/ui/vnc.sock
fb=/sys/class/graphics/fb0
geometry=$(grep -oEm1 '[0-9]+x[0-9]+' "$fb/modes" 2>/dev/null || tr , x < "$fb/virtual_size" 2>/dev/null || true)
[[ $geometry =~ ^[0-9]+x[0-9]+$ ]] || geometry=1920x1080
display=:20
screen_file='' wait_screen=0 geometry_given=''
while [ $# -gt 0 ]; do
    case $1 in
        --vnc-socket) vnc_socket=$2; shift 2 ;;
        --geometry) geometry=$2; geometry_given=1; shift 2 ;;
        --display) display=$2; shift 2 ;;
        --screen-file) screen_file=$2; shift 2 ;;
        --wait-screen) wait_screen=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "polydesk-ui-xvnc.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
scale=1
if [ -n "$screen_file" ]; then
    for _ in $(seq $((wait_screen * 10))); do [ -s "$screen_file" ] && break; sleep 0.1; done
    if read -r size s 2>/dev/null < "$screen_file" && [[ $size =~ ^[0-9]+x[0-9]+$ ]] && [[ $s =~ ^(1|1\.25|1\.5|2)$ ]]; then
        [ -n "$geometry_given" ] || geometry=$size
        scale=$s
    else
        echo "polydesk-ui-xvnc.sh: no screen in $screen_file after ${wait_screen} s; $geometry at 1x" >&2
    fi
fi
# JavaFX draws the UI at the screen's scale (ours first: POLYDESK_UI_JAVA_OPTS of the caller wins).
[ "$scale" = 1 ] || export POLYDESK_UI_JAVA_OPTS="-Dglass.gtk.uiScale=$scale ${POLYDESK_UI_JAVA_OPTS:-}"
here=$(cd "$(dirname "$0")" && pwd)
ui=${POLYDESK_UI:-$here/polydesk-ui.sh}
mkdir -p "$(dirname "$vnc_socket")"
rm -f "$vnc_socket"
# -SecurityTypes None: only processes that may open the socket (mode 0660, group polydesk) reach it.
Xvnc "$display" -geometry "$geometry" -depth 24 -rfbport -1 -rfbunixpath "$vnc_socket" -rfbunixmode 0660 \
    -SecurityTypes None -nolisten tcp -AlwaysShared -NeverShared=0 -DisconnectClients=0 -RawKeyboard &
xvnc=$!
app= watch=
trap 'kill $xvnc $app $watch 2>/dev/null; wait 2>/dev/null' EXIT
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
# JavaFX keeps the scale it started with: when the display server's screen calls for another
# (a monitor of other density plugged in), this ends, and systemd starts the UI again at it.
# (A new size alone needs nothing: the display server asks Xvnc for it over RFB.)
watch=
if [ -n "$screen_file" ]; then
    while sleep 2; do
        read -r _ now 2>/dev/null < "$screen_file" || continue
        if [ "$now" != "$scale" ] && [[ $now =~ ^(1|1\.25|1\.5|2)$ ]]; then
            echo "polydesk-ui-xvnc.sh: the screen's scale is now $now (was $scale); the UI starts again at it" >&2
            exit 0
        fi
    done &
    watch=$!
fi
wait -n $xvnc $app $watch
