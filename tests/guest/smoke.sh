#!/bin/bash
# Smoke test of the QEMU test guest: builds it, boots it under TCG and checks the
# READY line, the screen colour, the keyboard echo and the ACPI power-off.
# Usage: tests/guest/smoke.sh [MACHINE...]   (QEMU machine types, default: pc q35)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -gt 0 ]; then machines=("$@"); else machines=(pc q35); fi
colour=C03030
ready_timeout=180
poweroff_timeout=60

tmp=$(mktemp -d)
qemu_pid=
stop_qemu() {
    if [ -n "$qemu_pid" ]; then
        kill "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
        qemu_pid=
    fi
}
cleanup() {
    stop_qemu
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# qmp COMMAND-JSON...: runs the commands on QEMU's QMP socket, fails on a QMP error.
qmp() {
    python3 - "$tmp/qmp.sock" "$@" <<'EOF'
import json, socket, sys
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
stream = sock.makefile("rw")
def reply():
    while True:  # skip asynchronous events
        msg = json.loads(stream.readline())
        if "event" not in msg:
            return msg
reply()  # greeting
for cmd in ['{"execute": "qmp_capabilities"}'] + sys.argv[2:]:
    stream.write(cmd + "\n")
    stream.flush()
    msg = reply()
    if "error" in msg:
        sys.exit(f"QMP {cmd}: {msg['error']['desc']}")
EOF
}

# check_screen WHEN: the centre pixel of a screendump is $colour, the corner white.
check_screen() {
    local ppm=$tmp/screen.ppm result
    rm -f "$ppm"
    qmp "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"$ppm\"}}"
    if result=$(python3 - "$ppm" "$colour" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
magic, width, height, maxval, pixels = data.split(maxsplit=4)
assert magic == b"P6" and maxval == b"255", "not an 8-bit P6 PPM"
width, height = int(width), int(height)
def at(x, y):
    i = 3 * (y * width + x)
    return pixels[i:i + 3].hex().upper()
centre, corner = at(width // 2, height // 2), at(2, 2)
print(f"{width}x{height} centre {centre} corner {corner}")
sys.exit(centre != sys.argv[2].upper() or corner != "FFFFFF")
EOF
    ); then
        pass "screen $1: $result"
    else
        fail "screen $1: $result (expected centre $colour, corner FFFFFF)"
    fi
}

# wait_serial TEXT FROM SECONDS: TEXT appears in the serial log after byte FROM.
wait_serial() {
    local deadline=$((SECONDS + $3))
    until tail -c +"$(($2 + 1))" "$tmp/serial.log" 2>/dev/null | grep -qF "$1"; do
        [ $SECONDS -lt $deadline ] || return 1
        kill -0 "$qemu_pid" 2>/dev/null || return 1
        sleep 0.5
    done
}

guest=$("$here/build-guest.sh" | tail -n1)
echo "guest: $guest"

for machine in "${machines[@]}"; do
    echo "== machine $machine"
    rm -f "$tmp"/*
    # A second serial port (ttyS1) as the viewer channel will have; the guest ignores it.
    qemu-system-x86_64 -accel tcg -machine "$machine" -m 256 -vga std -display none \
        -nodefaults -no-reboot \
        -serial file:"$tmp/serial.log" -serial null \
        -qmp unix:"$tmp/qmp.sock",server=on,wait=off \
        -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
        -append "console=ttyS0 quiet panic=-1 polydesk.colour=$colour" \
        2> "$tmp/qemu.err" &
    qemu_pid=$!
    start=$(now)

    if ! wait_serial "POLYDESK-GUEST READY" 0 $ready_timeout; then
        if kill -0 "$qemu_pid" 2>/dev/null; then
            fail "$machine: no READY within ${ready_timeout}s; serial log tail:"
        else
            fail "$machine: QEMU exited before READY; serial log tail:"
        fi
        touch "$tmp/serial.log"
        tail -n 20 "$tmp/serial.log" | sed 's/^/    /'
        sed 's/^/    qemu: /' "$tmp/qemu.err"
        stop_qemu
        continue
    fi
    pass "$machine: READY after $(elapsed "$start") s"
    grep -q "POLYDESK-GUEST ERROR" "$tmp/serial.log" && fail "$machine: guest reported an error"
    ready_end=$(grep -bo "POLYDESK-GUEST READY" "$tmp/serial.log" | tail -n1 | cut -d: -f1)

    check_screen "$machine after boot"

    qmp '{"execute": "send-key", "arguments": {"keys": [{"type": "qcode", "data": "h"}]}}' \
        '{"execute": "send-key", "arguments": {"keys": [{"type": "qcode", "data": "i"}]}}'
    if wait_serial hi "$ready_end" 10; then
        pass "$machine: keys h, i echoed on the serial"
    else
        fail "$machine: keys h, i not echoed on the serial; after READY it has:"
        tail -c +"$((ready_end + 1))" "$tmp/serial.log" | od -c | head -n 10 | sed 's/^/    /'
    fi

    check_screen "$machine after typing"

    powerdown_start=$(now)
    qmp '{"execute": "system_powerdown"}'
    deadline=$((SECONDS + poweroff_timeout))
    while kill -0 "$qemu_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$qemu_pid" 2>/dev/null; then
        fail "$machine: QEMU still running ${poweroff_timeout}s after system_powerdown"
        stop_qemu
    else
        pass "$machine: QEMU exited $(elapsed "$powerdown_start") s after system_powerdown"
        wait "$qemu_pid" || fail "$machine: QEMU exit status $?"
        qemu_pid=
    fi
done

if [ $failures -eq 0 ]; then
    echo "PASS: smoke test (${machines[*]})"
else
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
