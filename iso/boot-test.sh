#!/bin/bash
# Boot test of the Polydesk ISO in QEMU (TCG, -cpu qemu64,+svm,+npt), as a person would
# use it: boot the medium, wait for Xen, dom0 and the Polydesk services, install to an
# empty disk at the serial console, boot that disk without the ISO, and the same under
# UEFI (OVMF). Prints a PASS/FAIL line per step with the time it took, then the verdict
# (iso/boot-test-lib.sh) ending in "N passed, N failed, N skipped"; exits non-zero on any FAIL.
#
#   sudo bash iso/boot-test.sh [--iso PATH] [--phases LIST] [--allow-skip PHASE/STEP[,...]]
#
#   --iso PATH     the ISO (default: the newest dist/polydesk-*-amd64.iso)
#   --allow-skip   required steps that may be missing or SKIPped (comma-separated PHASE/STEP keys
#                  or shell patterns, e.g. 'uefi-*/screen-shows-ui'; also POLYDESK_BOOT_ALLOW_SKIP).
#                  Every phase asked for has required steps (required_steps in boot-test-lib.sh:
#                  the boot steps, every check of iso/required-checks, boot-mode, screen-shows-ui,
#                  and the install and administrator steps); one that never reports is a FAIL
#                  unless allowed here, and so is a run without results.
#   --phases LIST  comma-separated, in this order by default:
#                    bios-live   boot the ISO by BIOS (isolinux, mboot.c32), checks
#                    install     in that same boot: refusals, then polyctl install --disk /dev/vda
#                    bios-disk   boot the installed disk by BIOS, without the ISO, checks
#                    uefi-live   boot the ISO by UEFI (OVMF, GRUB multiboot2), checks
#                    uefi-disk   boot the installed disk by UEFI, checks
#                  and, with --update-iso (a second build: its release differs), after them:
#                    update        boot the installed disk by BIOS with the second ISO in its CD drive:
#                                  a VM with a disk is made, bad update files are refused, then
#                                  polyctl host update writes the second build into slot b; restart
#                    updated       the second build boots from slot b, is kept (polydesk-boot-ok), and
#                                  the VM and its disk are as they were; then the first ISO goes into
#                                  slot a with its polydeskd masked (an unhealthy system); restart
#                    fallback-try  slot a is tried once: polydeskd never answers, so polydesk-boot-ok
#                                  restarts the machine
#                    fallback      the second build boots again, says the update failed, the VM is there
#   --update-iso PATH  the second build, for the update phases
#
# The checks come from the image itself: polydesk-boot-report.service prints
# POLYDESK-CHECK lines (Xen is dom0's hypervisor, `xl list` shows Domain-0, dom0's memory
# is capped, polydeskd's socket, `polyctl host info` says backend libxl, the polydesk
# group) on Xen's serial console, which QEMU logs here; each name in iso/required-checks must be
# there. The screen checker (iso/screen-check.py) must exit 0: its exit 1 is a FAIL (after the
# retries), any other exit or a traceback is a FAIL at once. Each QEMU run holds the shared
# lock /tmp/polydesk-heavy.lock (POLYDESK_HEAVY_LOCK), one boot at a time.
# Files: iso/work/boot-test/ (serial logs, screendumps, the installed disk image).
# Bounds: POLYDESK_BOOT_TIMEOUT per boot (default 1500 s), POLYDESK_INSTALL_TIMEOUT (2400 s).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${POLYDESK_BOOT_TEST_DIR:-$here/work/boot-test}
lock=${POLYDESK_HEAVY_LOCK:-/tmp/polydesk-heavy.lock}
boot_timeout=${POLYDESK_BOOT_TIMEOUT:-1500}
install_timeout=${POLYDESK_INSTALL_TIMEOUT:-2400}
screen_timeout=${POLYDESK_SCREEN_TIMEOUT:-180}
# The installed system's administrator, created by the install phase.
admin_user=admin
admin_password=polydesk-boot-test
# The install encrypts the VM store with this passphrase; the disk phases type it on the keyboard
# (QEMU's sendkey: lower-case letters, digits and '-' only, so each is one key).
disk_passphrase=polydesk-disk-2026
# The installed system's time zone (polyctl install --time-zone), checked by admin-time-zone.
time_zone=Europe/Berlin
# Its keyboard layout (polyctl install --keyboard), checked by admin-keyboard. British: the letters,
# digits and '-' that the test types on the PC's keyboard (the passphrase, the console login) are
# where they are on a US keyboard; the key left of Enter (Linux code 43) is # instead of \.
keyboard=gb
iso=
update_iso=
phases=
allow_skip=${POLYDESK_BOOT_ALLOW_SKIP:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --iso) iso=$2; shift 2 ;;
        --update-iso) update_iso=$2; shift 2 ;;
        --phases) phases=$2; shift 2 ;;
        --allow-skip) allow_skip=${allow_skip:+$allow_skip,}$2; shift 2 ;;
        -h|--help) sed -n '2,45p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "boot-test.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
start=$SECONDS
log() { printf 'boot-test [%5d s]: %s\n' $((SECONDS - start)) "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

. "$here/boot-test-lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root"
. "$repo/scripts/need-packages.sh"
need_packages qemu-system-x86 qemu-utils ovmf socat python3 xorriso squashfs-tools || die "cannot install qemu, ovmf, socat, python3, xorriso, squashfs-tools"
[ -n "$iso" ] || iso=$(ls -t "$repo"/dist/polydesk-*-amd64.iso 2>/dev/null | head -n1)
[ -n "$iso" ] && [ -f "$iso" ] || die "no ISO (build one: sudo bash iso/build.sh)"
[ -n "$phases" ] || phases=bios-live,install,bios-disk,uefi-live,uefi-disk${update_iso:+,update,updated,fallback-try,fallback}
# iso_release ISO: the release of the system in a Polydesk ISO (its squashfs's /etc/polydesk/release,
# written by iso/build.sh), read with xorriso and unsquashfs (this machine may not mount an ISO).
iso_release() {
    local d
    d=$(mktemp -d)
    xorriso -osirrox on -indev "$1" -extract /live/filesystem.squashfs "$d/fs.squashfs" > /dev/null 2>&1
    unsquashfs -cat "$d/fs.squashfs" etc/polydesk/release 2>/dev/null | head -n 1
    rm -rf "$d"
}
release=$(iso_release "$iso")
case ",$phases," in
    *,update,*|*,updated,*|*,fallback-try,*|*,fallback,*)
        [ -n "$update_iso" ] && [ -f "$update_iso" ] || die "the update phases need --update-iso PATH, a second build"
        update_release=$(iso_release "$update_iso")
        [ -n "$release" ] && [ -n "$update_release" ] || die "no /etc/polydesk/release in the system of $iso or $update_iso (built before updates?)"
        [ "$release" != "$update_release" ] || die "$iso and $update_iso hold the same release $release: build the second one again"
        log "update: from $release ($iso) to $update_release ($update_iso)" ;;
esac
mkdir -p "$out"
exec 9> "$out/.lock"
flock -n 9 || die "another boot-test.sh is running"
exec 7>> "$lock"
log "ISO: $iso ($(du -h "$iso" | cut -f1)); phases: $phases; files in $out"

# Each result is printed as it comes and kept, keyed PHASE/STEP, in results.txt for the verdict.
results_file=$out/results.txt
: > "$results_file"
result() { # result PASS|FAIL|SKIP PHASE STEP DETAIL
    printf '%s %-10s %-22s %s\n' "$1" "$2" "$3" "$4"
    echo "$1 $2/$3 $4" >> "$results_file"
}

disk=$out/disk.qcow2
qemu_pid=
serial_log=
serial_sock=
monitor_sock=
phase=
boot_t0=0

cleanup() {
    stop_qemu
    flock -u 7 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_qemu PHASE FIRMWARE(bios|uefi) MEDIA(iso|disk) [DISK] [CD]: CD, an ISO in the CD drive of a disk boot.
start_qemu() {
    phase=$1
    local firmware=$2 media=$3 hd=${4:-$disk} cd=${5:-}
    serial_log=$out/$phase.serial.log
    serial_sock=$out/$phase.serial.sock
    monitor_sock=$out/$phase.monitor.sock
    rm -f "$serial_log" "$serial_sock" "$monitor_sock"
    local args=(qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -smp 2 -m 4096
        -nodefaults -no-reboot -display none -vga std
        -chardev "socket,id=ser0,path=$serial_sock,server=on,wait=off,logfile=$serial_log"
        -serial chardev:ser0
        -monitor "unix:$monitor_sock,server=on,wait=off"
        -drive "file=$hd,format=qcow2,if=virtio"
        # dom0's uplink for NetworkManager: QEMU's user network, restricted (nothing leaves this machine)
        -nic "user,model=virtio-net-pci,restrict=on")
    if [ "$firmware" = uefi ]; then
        cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/$phase.vars.fd"
        args+=(-machine q35
            -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
            -drive "if=pflash,format=raw,unit=1,file=$out/$phase.vars.fd")
    else
        args+=(-machine pc)
    fi
    if [ "$media" = iso ]; then
        args+=(-drive "file=$iso,media=cdrom,if=ide,readonly=on" -boot order=dc)
    else
        args+=(-boot order=c)
        [ -z "$cd" ] || args+=(-drive "file=$cd,media=cdrom,if=ide,readonly=on")
    fi
    printf '%q ' "${args[@]}" > "$out/$phase.qemu-command.txt"
    echo >> "$out/$phase.qemu-command.txt"
    if ! flock -n 7 2>/dev/null; then
        log "waiting for the shared lock $lock (another engineer's QEMU or Maven run)"
        flock 7
    fi
    log "$phase: starting QEMU ($firmware, from the $media)"
    "${args[@]}" > "$out/$phase.qemu.out" 2>&1 &
    qemu_pid=$!
    boot_t0=$SECONDS
    until_ok 10 test -f "$serial_log" || log "$phase: no serial log after 10 s"
}

# until_ok DEADLINE_S COMMAND...: runs COMMAND every 0.2 s until it succeeds (0) or the deadline
# passes (1). The waits on QEMU's files and exit go through here.
until_ok() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}
# file_done FILE: FILE exists, is not empty, and did not grow within 0.2 s.
file_done() {
    local a b
    a=$(stat -c %s "$1" 2>/dev/null) || return 1
    [ "$a" -gt 0 ] || return 1
    sleep 0.2
    b=$(stat -c %s "$1" 2>/dev/null)
    [ "$a" = "$b" ]
}
# monitor FILE COMMAND: a QEMU monitor command that writes FILE; the connection stays open until
# FILE is written (at most 30 s).
monitor() {
    local file=$1 cmd=$2
    rm -f "$file"
    { echo "$cmd"; until_ok 30 file_done "$file"; } | socat - "UNIX-CONNECT:$monitor_sock" 2>&1
}
qemu_gone() { ! kill -0 "$qemu_pid" 2>/dev/null; }

stop_qemu() {
    [ -n "$qemu_pid" ] || return 0
    if kill -0 "$qemu_pid" 2>/dev/null; then
        echo quit | socat - "UNIX-CONNECT:$monitor_sock" > /dev/null 2>&1
        until_ok 10 qemu_gone || { kill "$qemu_pid" 2>/dev/null; until_ok 5 qemu_gone; } || kill -9 "$qemu_pid" 2>/dev/null
    fi
    wait "$qemu_pid" 2>/dev/null
    qemu_pid=
    flock -u 7 2>/dev/null
}

# serial_text FROM: the serial log after byte FROM, without carriage returns and terminal controls
# (bash's bracketed paste, ESC[?2004l, starts the line after each command a shell runs).
serial_text() { tail -c +$(($1 + 1)) "$serial_log" | tr -d '\r' | sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g'; }

# wait_for REGEX TIMEOUT [FROM_BYTE]: 0 when the serial log (from FROM_BYTE on) matches.
wait_for() {
    local re=$1 timeout=$2 from=${3:-0} t0=$SECONDS
    while [ $((SECONDS - t0)) -lt "$timeout" ]; do
        serial_text "$from" 2>/dev/null | grep -aqE "$re" && return 0
        kill -0 "$qemu_pid" 2>/dev/null || { serial_text "$from" | grep -aqE "$re"; return; }
        sleep 2
    done
    return 1
}
log_size() { stat -c %s "$serial_log" 2>/dev/null || echo 0; }
# The serial log without CRs and systemd's prefixes (boot-test-lib.sh).
clean_log() { clean_serial "$serial_log"; }
since() { echo $((SECONDS - boot_t0)); }
# send TEXT: types a line on the serial console, a few characters at a time (input that
# arrives in one burst loses characters on its way through Xen's console to dom0).
send() {
    local text=$1 i
    {
        for ((i = 0; i < ${#text}; i += 4)); do
            printf '%s' "${text:i:4}"
            sleep 0.3
        done
        printf '\r'
        sleep 0.5
    } | socat -u - "UNIX-CONNECT:$serial_sock" 2>/dev/null
    sleep 1
}

# check_boot MODE: the steps every boot has, from power-on to the boot report.
check_boot() {
    local mode=$1 t
    if wait_for '\(XEN\) Xen version 4\.17' 600; then
        result PASS "$phase" "xen-started" "$(since) s: $(tr -d '\r' < "$serial_log" | grep -aom1 'Xen version 4\.17[^ ]*')"
    else
        result FAIL "$phase" "xen-started" "no Xen banner on the serial console after $(since) s"
        return 1
    fi
    if wait_for '(Linux version [0-9]|Booting paravirtualized kernel on Xen)' 600; then
        result PASS "$phase" "dom0-kernel" "$(since) s"
    else
        result FAIL "$phase" "dom0-kernel" "no dom0 kernel messages after $(since) s"
        return 1
    fi
    if [ "$mode" = installed ]; then
        unlock_disk || return 1
    fi
    if wait_for 'POLYDESK-BOOT START' "$boot_timeout"; then
        result PASS "$phase" "dom0-userspace" "$(since) s: $(tr -d '\r' < "$serial_log" | grep -aom1 'POLYDESK-BOOT START.*')"
    else
        result FAIL "$phase" "dom0-userspace" "no boot report after $(since) s"
        return 1
    fi
    if ! wait_for 'POLYDESK-BOOT DONE' 900; then
        result FAIL "$phase" "boot-report" "report did not finish after $(since) s"
        return 1
    fi
    t=$(since)
    clean_log | grep -aE '^POLYDESK-(CHECK|INFO|LOG)' | sed 's/^/    /' >&2
    clean_log | sed -n '/POLYDESK-BEGIN xl-list/,/POLYDESK-END xl-list/p;/POLYDESK-BEGIN polyctl-host-info/,/POLYDESK-END polyctl-host-info/p' \
        | grep -avE 'POLYDESK-(BEGIN|END)' | sed 's/^/    | /' >&2
    # The report's checks, each required one (iso/required-checks) there, and its mode.
    local status key detail
    while read -r status key detail; do
        result "$status" "${key%%/*}" "${key#*/}" "$t s: $detail"
    done < <(boot_report_results "$phase" "$mode" "$serial_log")
    screendump
    return 0
}

# hmp COMMAND: one command on QEMU's monitor.
hmp() { echo "$1" | socat - "UNIX-CONNECT:$monitor_sock" > /dev/null 2>&1; }
# sendkeys TEXT: types TEXT and Enter on the machine's keyboard (QEMU's sendkey, one key at a time).
sendkeys() {
    local text=$1 i c key
    for ((i = 0; i < ${#text}; i++)); do
        c=${text:i:1}
        case "$c" in
            -) key=minus ;;
            ' ') key=spc ;;
            [a-z0-9]) key=$c ;;
            *) die "sendkeys: no key for '$c'" ;;
        esac
        hmp "sendkey $key"
    done
    hmp "sendkey ret"
}

# admin_console: the administrator's shell on the screen. The console chord (Ctrl+Alt+F11 on the
# PC's keyboard, QEMU's sendkey) gives the screen to dom0's text console; the administrator logs in
# at its login prompt and runs a command that paints the console red. Shown by: utmp (who, read on
# the serial console) has the administrator on tty1, and the screendump is the red console without
# the display server's frame. Then the UI's chord (Ctrl+Alt+F12) brings the control UI back
# (console-back: the screen checker's UI verdict again).
admin_console() {
    local t0=$SECONDS try rc ppm=$out/$phase.console.ppm png=$out/$phase.console.png verdict="" vrc=1
    hmp "sendkey ctrl-alt-f11"
    for try in 1 2 3; do
        sendkeys "$admin_user"
        # login reads the password once it has asked for it (it flushes what came before): wait until
        # login on tty1 waits in its read of the terminal (its wchan, read as root), then type it; who
        # says whether the login went through.
        rc=$(run_cmd POLYDESK-CONSOLE-LOGIN 60 "n=0; w() { echo '$admin_password' | sudo -S -p '' sh -c \
'p=\$(pgrep -t tty1 -x login) && cat /proc/\$p/wchan'; }; until w | grep -q wait_woken || [ \$n -ge 20 ]; do \
sleep 1; n=\$((n+1)); done; w | grep -q wait_woken")
        [ "$rc" = 0 ] || { hmp "sendkey ret"; continue; }
        sendkeys "$admin_password"
        rc=$(run_cmd POLYDESK-CONSOLE-WHO 60 "n=0; until who | grep -q '^$admin_user *tty1 ' || [ \$n -ge 20 ]; do \
sleep 1; n=\$((n+1)); done; who | grep '^$admin_user *tty1 '")
        [ "$rc" = 0 ] && break
    done
    if [ "$rc" != 0 ]; then
        result FAIL "$phase" "admin-console" "$admin_user is not logged in on tty1 after 3 tries of the console chord and login"
        return
    fi
    sendkeys "setterm --background red --clear all"
    while [ $((SECONDS - t0)) -lt 180 ]; do
        monitor "$ppm" "screendump $ppm" > "$out/$phase.console-screendump.out"
        verdict=$(screen_verdict "$ppm" --text-console-red)
        vrc=$?
        [ $vrc = 1 ] || break
        sleep 5
    done
    monitor "$png" "screendump $png -f png" >> "$out/$phase.console-screendump.out"
    echo "$verdict" | sed 's/^/    console: /' >&2
    if [ $vrc = 0 ]; then
        result PASS "$phase" "admin-console" "$((SECONDS - t0)) s: Ctrl+Alt+F11, $admin_user logged in on tty1 (who),\
 the console painted red by setterm ($png)"
    else
        result FAIL "$phase" "admin-console" "$admin_user on tty1 (who), but the screen is not the red console: \
$(echo "$verdict" | grep -v '^ok' | head -n 2 | tr '\n' ' ')($png)"
    fi
    # The shell there is left; the UI's chord brings the UI back.
    hmp "sendkey ctrl-alt-f12"
    t0=$SECONDS
    while [ $((SECONDS - t0)) -lt 120 ]; do
        monitor "$ppm" "screendump $ppm" > "$out/$phase.console-screendump.out"
        verdict=$(screen_verdict "$ppm")
        vrc=$?
        [ $vrc = 1 ] || break
        sleep 5
    done
    if [ $vrc = 0 ]; then
        result PASS "$phase" "console-back" "$((SECONDS - t0)) s: Ctrl+Alt+F12, the control UI is on the screen again"
    else
        result FAIL "$phase" "console-back" "after Ctrl+Alt+F12: $(echo "$verdict" | grep -v '^ok' | head -n 2 | tr '\n' ' ')"
    fi
}

# unlock_disk: the installed system asks for its encrypted VM store's passphrase at boot
# (systemd-cryptsetup: on hvc0, which the serial log shows, and on the screen's tty1). It is
# typed on the PC's keyboard, as a person at the machine would, and systemd must then say the
# mapping is set up; a passphrase that did not arrive whole is asked again, up to three times.
unlock_disk() {
    local try from t0=$SECONDS
    if ! wait_for 'Please enter passphrase for disk' 900; then
        result FAIL "$phase" "disk-unlock" "no passphrase prompt on the serial console after $(since) s"
        return 1
    fi
    for try in 1 2 3; do
        from=$(log_size)
        sendkeys "$disk_passphrase"
        if wait_for 'Finished .*Cryptography Setup for polydesk-vms|POLYDESK-BOOT START' 120 "$from"; then
            result PASS "$phase" "disk-unlock" "$(since) s: the passphrase prompt $((SECONDS - t0)) s before, typed \
with sendkey (try $try); $(clean_log | grep -aom1 'Finished .*Cryptography Setup for polydesk-vms' || echo 'boot went on')"
            return 0
        fi
    done
    result FAIL "$phase" "disk-unlock" "the VM store was not unlocked after 3 tries of the passphrase: $(tail -c 400 \
        "$serial_log" | tr -d '\r' | grep -av '^$' | tail -n 2 | tr '\n' ' ')"
    return 1
}

# screendump: QEMU's picture of the screen must be the display server's output with the control
# UI in focus (iso/screen-check.py: the trusted frame in the UI's colour on every edge, the UI's
# light surfaces and its navigation bar inside), not the text console. The UI's first paint can
# come after the boot report under emulation: up to POLYDESK_SCREEN_TIMEOUT (180 s) of tries, a
# try each 10 s while the checker says "not the UI" (exit 1). A checker that breaks (any other
# exit, a traceback) is a FAIL at once: screen_verdict in boot-test-lib.sh.
screendump() {
    local ppm=$out/$phase.screen.ppm png=$out/$phase.screen.png t0=$SECONDS verdict="" vrc=1
    while :; do
        monitor "$ppm" "screendump $ppm" > "$out/$phase.screendump.out"
        if [ -s "$ppm" ]; then
            verdict=$(screen_verdict "$ppm")
            vrc=$?
            [ $vrc -ne 1 ] && break
        else
            verdict="no screendump ($(tr -d '\r' < "$out/$phase.screendump.out" | tail -n 1))" vrc=1
        fi
        [ $((SECONDS - t0)) -ge "$screen_timeout" ] && break
        sleep 10
    done
    monitor "$png" "screendump $png -f png" >> "$out/$phase.screendump.out"
    echo "$verdict" | sed 's/^/    screen: /' >&2
    case $vrc in
        0) result PASS "$phase" "screen-shows-ui" "$(since) s: $(echo "$verdict" | grep -c '^ok') checks ok, $png" ;;
        2) result FAIL "$phase" "screen-shows-ui" "$(since) s: the screen checker broke: $(echo "$verdict" | tail -n 2 | tr '\n' ' ')($png)" ;;
        *) result FAIL "$phase" "screen-shows-ui" "$(since) s: $(echo "$verdict" | grep -v '^ok' | head -n 3 | tr '\n' ' ')($png)" ;;
    esac
}

# login USER PASSWORD: logs in on the serial console (Xen's console, hvc0 in dom0) and checks
# that a shell answers. The live system's user is user/live (live-config, sudo without a
# password); the installed system's is the administrator the install phase created.
login() {
    local user=$1 password=$2 from
    from=$(log_size)
    send ""
    if ! wait_for 'login: *$|login:' 120 "$from"; then
        result FAIL "$phase" "console-login" "no login prompt on the serial console"
        return 1
    fi
    send "$user"
    wait_for 'Password:' 60 "$from" || true
    from=$(log_size)
    send "$password"
    # Typing before the shell's prompt is up garbles characters (the tty echoes them while
    # bash's line editor starts): wait for the prompt, and give the check a second try.
    wait_for "$user@polydesk:~[\$#] *\$" 120 "$from" || true
    local try
    for try in 1 2; do
        from=$(log_size)
        send 'echo POLYDESK-SHELL-$((40+2))'
        if wait_for 'POLYDESK-SHELL-42' 60 "$from"; then
            result PASS "$phase" "console-login" "$(since) s: $user on hvc0$([ $try = 2 ] && echo ' (the check typed twice)')"
            return 0
        fi
    done
    result FAIL "$phase" "console-login" "no shell after logging in as $user"
    return 1
}

# run_cmd MARKER TIMEOUT COMMAND: runs COMMAND in the console shell; prints its exit code.
run_cmd() {
    local marker=$1 timeout=$2 cmd=$3 from rc
    from=$(log_size)
    send "$cmd; echo $marker-RC=\$?"
    if wait_for "$marker-RC=[0-9]+" "$timeout" "$from"; then
        rc=$(serial_text "$from" | grep -aoE "$marker-RC=[0-9]+" | tail -n1 | cut -d= -f2)
        echo "$rc"
    else
        echo timeout
    fi
}

phase_bios_live() {
    start_qemu bios-live bios iso
    check_boot live || return 1
    # The live system's user (live-config: sudo without a password) starts a guest on default.
    login user live && guest_lease
    send "exit"
}

# A guest on polydeskd's network `default` gets a lease from its dnsmasq. The guest is the live
# medium's own kernel and initrd as a PVH VM with one NIC on default (libxl's vif, xen-netfront in
# the initrd): live-boot's fetch= makes its initramfs ask for DHCP (ipconfig) before it fetches its
# root from the bridge's address, where nothing serves it (the guest then stops at a panic; no
# traffic leaves dom0). The lease is read from dnsmasq's own lease file, by the VM's MAC.
guest_lease() {
    local vm=lease-test rc from gw t0=$SECONDS lease
    gw=$(clean_log | grep -ao 'POLYDESK-CHECK network-default ok bridge pd-default [0-9.]*' | tail -n 1 | awk '{print $NF}')
    if [ -z "$gw" ]; then
        result FAIL "$phase" "guest-lease" "the boot report named no address of pd-default (network-default)"
        return 1
    fi
    rc=$(run_cmd POLYDESK-LEASE-VM 300 "sudo polyctl vm create --name $vm --type pvh --memory 512 \
--kernel /run/live/medium/live/vmlinuz --ramdisk /run/live/medium/live/initrd.img --nic default \
--cmdline 'console=hvc0 boot=live fetch=http://$gw:9/none.squashfs ethdevice-timeout=60' >/dev/null \
&& sudo polyctl vm start $vm >/dev/null")
    if [ "$rc" != 0 ]; then
        result FAIL "$phase" "guest-lease" "cannot start $vm on default (exit $rc): $(tail -c 600 "$serial_log" \
            | tr -d '\r' | grep -av '^$' | tail -n 3 | tr '\n' ' ')"
        return 1
    fi
    from=$(log_size)
    rc=$(run_cmd POLYDESK-LEASE 700 "m=\$(sudo polyctl vm show $vm --json | jq -r .definition.nics[0].mac); \
f=/run/polydesk/net/default.leases; n=0; until sudo grep -qi \$m \$f || [ \$n -ge 120 ]; \
do sleep 5; n=\$((n+1)); done; sudo grep -i \$m \$f | sed 's/^/POLYDESK-LEASE-LINE /'; sudo grep -qi \$m \$f")
    lease=$(serial_text "$from" | grep -ao 'POLYDESK-LEASE-LINE [0-9]* [0-9a-f:]* [0-9.]*' | tail -n 1)
    if [ "$rc" = 0 ] && [ -n "$lease" ]; then
        result PASS "$phase" "guest-lease" "$((SECONDS - t0)) s: $vm (PVH, vif on default) leased $(echo "$lease" \
            | awk '{print $4 " for " $3}') by dnsmasq on pd-default ($gw)"
    else
        result FAIL "$phase" "guest-lease" "no lease for $vm's MAC in dnsmasq's lease file after $((SECONDS - t0)) s (exit $rc)"
        run_cmd POLYDESK-LEASE-LOG 120 "sudo tail -n 20 /var/log/xen/console/guest-$vm.log /run/polydesk/net/default.log \
2>/dev/null" > /dev/null
    fi
    run_cmd POLYDESK-LEASE-END 300 "sudo polyctl vm destroy $vm >/dev/null; sudo polyctl vm delete $vm >/dev/null" > /dev/null
}

phase_install() {
    # Runs in the bios-live boot (started by phase_bios_live when both are asked for).
    [ -n "$qemu_pid" ] || { phase_bios_live || return 1; }
    phase=install
    login user live || return 1
    local from rc t0
    from=$(log_size)
    rc=$(run_cmd POLYDESK-REFUSE 300 "sudo polyctl install --disk /dev/sr0")
    if [ "$rc" = 1 ] && serial_text "$from" | grep -aq 'is the disk Polydesk is running from'; then
        result PASS install "refuses-boot-disk" "$(since) s: exit 1, 'is the disk Polydesk is running from'"
    else
        result FAIL install "refuses-boot-disk" "exit $rc"
    fi
    t0=$SECONDS
    from=$(log_size)
    # The administrator's password and the VM store's passphrase go in by files, as a script would
    # give them; the installed system is encrypted, so the disk phases unlock it at every boot.
    run_cmd POLYDESK-PW 60 "echo '$admin_password' > /tmp/admin.pw; echo '$disk_passphrase' > /tmp/disk.pw" > /dev/null
    rc=$(run_cmd POLYDESK-INSTALL "$install_timeout" \
        "sudo polyctl install --disk /dev/vda --admin $admin_user --password-file /tmp/admin.pw --encrypt --passphrase-file /tmp/disk.pw --time-zone $time_zone --keyboard $keyboard")
    serial_text "$from" | grep -aE '^\[[0-9]/[0-9]|^        (copying|wrote|boot files|Polydesk is installed)' \
        | sed 's/^/    /' >&2
    if [ "$rc" = 0 ]; then
        result PASS install "polyctl-install" "$((SECONDS - t0)) s: /dev/vda, administrator $admin_user, the VM store encrypted, time zone $time_zone, keyboard $keyboard"
    else
        result FAIL install "polyctl-install" "exit $rc after $((SECONDS - t0)) s"
        serial_text "$from" | grep -a 'polyctl:' | head -n 10 | sed 's/^/    /' >&2
    fi
    from=$(log_size)
    rc=$(run_cmd POLYDESK-FORCE 300 "sudo polyctl install --disk /dev/vda --dry-run")
    if [ "$rc" = 1 ] && serial_text "$from" | grep -aq 'add --force'; then
        result PASS install "refuses-partitioned" "exit 1, 'add --force'"
    else
        result FAIL install "refuses-partitioned" "exit $rc"
    fi
    send "sudo poweroff"
    until_ok 180 qemu_gone || log "install: the live system did not power off within 180 s"
    stop_qemu
}

phase_disk() { # phase_disk PHASE FIRMWARE
    start_qemu "$1" "$2" disk
    check_boot installed && admin_checks
    stop_qemu
}

# On the installed system: the administrator the installer created logs in, is in the groups
# polydesk and sudo, reaches polydeskd without sudo, and sudo takes the password.
admin_checks() {
    login "$admin_user" "$admin_password" || return 1
    local from
    from=$(log_size)
    send 'echo POLYDESK-ID $(id -nG)'
    if wait_for 'POLYDESK-ID .*polydesk' 60 "$from" && serial_text "$from" \
            | grep -a 'POLYDESK-ID ' | grep -aqw sudo; then
        result PASS "$phase" "admin-groups" "$(since) s: $(serial_text "$from" | grep -ao 'POLYDESK-ID [a-z0-9 _-]*' | tail -n 1)"
    else
        result FAIL "$phase" "admin-groups" "$admin_user is not in polydesk and sudo: $(serial_text "$from" | grep -ao 'POLYDESK-ID .*' | tail -n 1)"
    fi
    local rc
    rc=$(run_cmd POLYDESK-ADMIN-POLYCTL 180 "polyctl host info | grep -q 'backend: *libxl'")
    if [ "$rc" = 0 ]; then result PASS "$phase" "admin-polyctl" "$(since) s: polyctl host info as $admin_user (backend libxl)"
    else result FAIL "$phase" "admin-polyctl" "polyctl host info as $admin_user: exit $rc"; fi
    rc=$(run_cmd POLYDESK-ADMIN-SUDO 120 "echo '$admin_password' | sudo -S -p '' id -u | grep -qx 0")
    if [ "$rc" = 0 ]; then result PASS "$phase" "admin-sudo" "$(since) s: sudo with the administrator's password"
    else result FAIL "$phase" "admin-sudo" "sudo as $admin_user: exit $rc"; fi
    # The installer's time zone, as the installed system's own clock names it (Berlin: CET or CEST).
    rc=$(run_cmd POLYDESK-ADMIN-TZ 60 "[ \"\$(readlink /etc/localtime)\" = /usr/share/zoneinfo/$time_zone ] && date +%Z | grep -qxE 'CES?T'")
    if [ "$rc" = 0 ]; then result PASS "$phase" "admin-time-zone" "$(since) s: /etc/localtime is $time_zone, and date +%Z says CET or CEST"
    else result FAIL "$phase" "admin-time-zone" "the installed system's time zone is not $time_zone: exit $rc"; fi
    # The installer's keyboard layout where it is applied: the text consoles' keymap, loaded by
    # console-setup at boot (the kernel's own table, from dumpkeys), and the control UI's Xvnc
    # (setxkbmap -query against the UI's display), which maps the input server's scan codes with it.
    rc=$(run_cmd POLYDESK-ADMIN-KB 120 "sudo dumpkeys -k | grep -qE '^keycode +43 = [+]?(numbersign|U[+]0023)' \
&& sudo env DISPLAY=:20 setxkbmap -query | grep -qE '^layout: +$keyboard\s*\$'")
    if [ "$rc" = 0 ]; then result PASS "$phase" "admin-keyboard" "$(since) s: the consoles' keymap and the UI's Xvnc are $keyboard (dumpkeys: key 43 is numbersign; setxkbmap -query: layout $keyboard)"
    else result FAIL "$phase" "admin-keyboard" "the installed system's keyboard is not $keyboard (console keymap or the UI's Xvnc): exit $rc"; fi
    # ssh logins, off since boot (the report's ssh-off), switched on by the administrator: sshd then
    # answers on port 22 with its banner (making its host keys at that first start); off again, nothing does.
    rc=$(run_cmd POLYDESK-ADMIN-SSH 300 "polyctl host ssh on | grep -q 'ssh logins: on' \
&& exec 3<>/dev/tcp/127.0.0.1/22 && head -c 7 <&3 | grep -q SSH-2.0 && exec 3<&- \
&& polyctl host ssh off | grep -q 'ssh logins: off' && ! (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null")
    if [ "$rc" = 0 ]; then result PASS "$phase" "admin-ssh" "$(since) s: polyctl host ssh on: sshd answered SSH-2.0 on port 22; off: nothing listens"
    else result FAIL "$phase" "admin-ssh" "polyctl host ssh on/off as $admin_user: exit $rc"; fi
    admin_console
    host_shutdown
}

# The last step of a boot: a VM runs (a PVH guest of dom0's own kernel and initrd, which waits in
# its initramfs shell; 512 MiB: the initrd unpacks to about 150 MB, and with 256 MiB the guest
# triple-faults at every boot; xl lists it, within 60 s: under nested emulation the guest triple-faults now
# and then, and polydeskd makes it again as after a reboot), then polydeskd's host.shutdown (polyctl, as the administrator)
# stops it (the guest's initramfs cannot power off, so it is forced at the 60 s timeout) and
# powers the machine off through systemctl; QEMU (-no-reboot) must exit by itself.
host_shutdown() {
    local from t0 rc vm=shutdown-test
    t0=$SECONDS
    # A definition left by an earlier run of this phase on the same disk goes first. Three polyctl
    # calls and a PVH domain of 512 MiB made under nested emulation: 300 s was once just too short
    # (the VM ran, its RC=0 came a few seconds after the bound).
    rc=$(run_cmd POLYDESK-SHUTDOWN-VM 600 "polyctl vm delete $vm >/dev/null 2>&1; k=\$(ls /boot/vmlinuz-* | tail -n1); \
polyctl vm create --name $vm --type pvh --memory 512 --kernel \$k --ramdisk /boot/initrd.img-\${k#/boot/vmlinuz-} \
--cmdline 'console=hvc0' >/dev/null && polyctl vm start $vm >/dev/null && { n=0; \
until echo '$admin_password' | sudo -S -p '' xl list $vm >/dev/null 2>&1 || [ \$n -ge 30 ]; do sleep 2; n=\$((n+1)); done; \
echo '$admin_password' | sudo -S -p '' xl list $vm; }")
    if [ "$rc" != 0 ]; then
        # What libxl said, for the report.
        run_cmd POLYDESK-SHUTDOWN-VM-LOG 120 "echo '$admin_password' | sudo -S -p '' sh -c 'journalctl -u polydeskd \
-n 25 --no-pager; tail -n 25 /var/log/xen/*$vm* 2>/dev/null'" > /dev/null
        result FAIL "$phase" "host-shutdown" "cannot run a VM to shut down with the host (exit $rc): $(tail -c 600 \
            "$serial_log" | tr -d '\r' | grep -av '^$' | tail -n 4 | tr '\n' ' ')"
        return
    fi
    from=$(log_size)
    send "polyctl host shutdown --timeout 60"
    if until_ok 300 qemu_gone; then
        local said
        said=$(serial_text "$from")
        if ! grep -aq 'poweroff: stopping' <<< "$said"; then
            result FAIL "$phase" "host-shutdown" "QEMU exited, but polyctl never said 'poweroff: stopping'"
        elif ! grep -aqE "'$vm' (powered off|was forced off)" <<< "$said"; then
            result FAIL "$phase" "host-shutdown" "the machine powered off, but polyctl never said '$vm' was stopped"
        else
            result PASS "$phase" "host-shutdown" "$((SECONDS - t0)) s: $vm ran (xl list); polyctl host shutdown: \
$(grep -aoE "'$vm' (powered off|was forced off)[^.]*" <<< "$said" | head -n1), the machine powered off"
        fi
    else
        result FAIL "$phase" "host-shutdown" "the machine still runs 300 s after polyctl host shutdown: $(serial_text "$from" \
            | grep -a 'polyctl\|poweroff\|machine' | tail -n 3 | tr '\n' ' ')"
    fi
}

phase_uefi_live() {
    # Its own empty disk: the installed one must not be what OVMF boots.
    rm -f "$out/uefi-live.qcow2"
    qemu-img create -q -f qcow2 "$out/uefi-live.qcow2" 12G
    start_qemu uefi-live uefi iso "$out/uefi-live.qcow2"
    check_boot live
    stop_qemu
}

# sudo_cmd COMMAND: COMMAND through sudo, the administrator's password on its input.
sudo_cmd() { echo "echo '$admin_password' | sudo -S -p '' sh -c \"$1\""; }
# serial_value MARKER FROM: the value printed as "MARKER value" in the serial log after byte FROM.
serial_value() { serial_text "$2" | grep -aoE "^$1 [^ ]+" | tail -n 1 | cut -d' ' -f2; }
keep_vm=keep-test
keep_img=/var/lib/polydesk/images/keep-test.img
keep_sum=

# update: the installed system (the first build, slot a) with the second build in its CD drive.
# A VM with a disk of random bytes is made; files that are not a whole Polydesk ISO are refused
# before anything is written; polyctl host update writes the second build into slot b; polyctl
# host system says the next boot tries b; polyctl host reboot restarts (QEMU exits: -no-reboot).
phase_update() {
    start_qemu update bios disk "$disk" "$update_iso"
    check_boot installed || { stop_qemu; return 1; }
    login "$admin_user" "$admin_password" || { stop_qemu; return 1; }
    local from rc t0 said
    from=$(log_size)
    rc=$(run_cmd POLYDESK-KEEP 300 "polyctl vm delete $keep_vm >/dev/null 2>&1; k=\$(ls /boot/vmlinuz-* | tail -n1); \
$(sudo_cmd "mkdir -p ${keep_img%/*} && dd if=/dev/urandom of=$keep_img bs=1M count=8 2>/dev/null") && \
polyctl vm create --name $keep_vm --type pvh --memory 256 --kernel \$k --disk $keep_img >/dev/null && \
echo POLYDESK-KEEP-SUM \$($(sudo_cmd "sha256sum $keep_img") | cut -c1-64)")
    keep_sum=$(serial_value POLYDESK-KEEP-SUM "$from")
    if [ "$rc" = 0 ] && [ ${#keep_sum} = 64 ]; then
        result PASS update "vm-made" "$(since) s: $keep_vm with an 8 MiB disk of random bytes, sha256 ${keep_sum:0:16}…"
    else
        result FAIL update "vm-made" "cannot make $keep_vm and its disk (exit $rc)"
    fi
    # Not a Polydesk ISO, and a cut-short copy of one: refused, each with its reason.
    from=$(log_size)
    rc=$(run_cmd POLYDESK-BAD-FILE 300 "polyctl host update /etc/hostname")
    said=$(serial_text "$from")
    if [ "$rc" = 1 ] && grep -aq 'is not a Polydesk ISO' <<< "$said"; then
        result PASS update "refuses-not-iso" "exit 1, '$(grep -aom1 'is not a Polydesk ISO[^(]*' <<< "$said")'"
    else
        result FAIL update "refuses-not-iso" "polyctl host update /etc/hostname: exit $rc"
    fi
    from=$(log_size)
    rc=$(run_cmd POLYDESK-CUT 300 "$(sudo_cmd "head -c 100000000 /dev/sr0 > /var/tmp/cut.iso") && polyctl host update /var/tmp/cut.iso")
    said=$(serial_text "$from")
    if [ "$rc" = 1 ] && grep -aq 'is truncated' <<< "$said"; then
        result PASS update "refuses-truncated" "exit 1, '$(grep -aom1 'is truncated: [^;]*' <<< "$said")'"
    else
        result FAIL update "refuses-truncated" "polyctl host update of the first 100 MB of the ISO: exit $rc"
    fi
    run_cmd POLYDESK-CUT-RM 60 "$(sudo_cmd "rm -f /var/tmp/cut.iso")" > /dev/null
    t0=$SECONDS
    from=$(log_size)
    rc=$(run_cmd POLYDESK-UPDATE "$install_timeout" "polyctl host update /dev/sr0")
    serial_text "$from" | grep -aE '^\[[0-9]/[0-9]|^updating|copying: 100|is in system' | sed 's/^/    /' >&2
    if [ "$rc" = 0 ]; then
        result PASS update "polyctl-update" "$((SECONDS - t0)) s: $update_release written into slot b from the CD drive (/dev/sr0)"
    else
        result FAIL update "polyctl-update" "exit $rc after $((SECONDS - t0)) s: $(serial_text "$from" \
            | grep -a 'polyctl:' | head -n 3 | tr '\n' ' ')"
        stop_qemu
        return 1
    fi
    from=$(log_size)
    rc=$(run_cmd POLYDESK-NEXT 120 "polyctl host system | grep -E '^next boot: +b \(an update, tried once\)'")
    if [ "$rc" = 0 ]; then result PASS update "next-boot" "polyctl host system: next boot b, tried once"
    else result FAIL update "next-boot" "polyctl host system does not say the next boot tries b"; fi
    send "polyctl host reboot --timeout 30"
    until_ok 300 qemu_gone || log "update: the machine did not restart within 300 s"
    stop_qemu
}

# system_is RELEASE SLOT [TEXT]: polyctl host system says RELEASE runs from SLOT, kept (and TEXT, when
# given), within 600 s: polydesk-boot-ok makes a try the system kept, or records a failed one, once
# polydeskd answers.
system_is() {
    local want="grep -qxF 'release:     $1' /tmp/sys.txt && grep -qE '^slot: +$2 \\(kept' /tmp/sys.txt${3:+ && grep -qF '$3' /tmp/sys.txt}"
    run_cmd POLYDESK-SYSTEM 700 "n=0; until polyctl host system > /tmp/sys.txt 2>&1 && $want || [ \$n -ge 120 ]; do \
sleep 5; n=\$((n+1)); done; sed 's/^/POLYDESK-SYS /' /tmp/sys.txt; $want"
}

# vm_intact PHASE: the VM made before the update is defined and its disk has the same bytes.
vm_intact() {
    local from rc sum
    from=$(log_size)
    rc=$(run_cmd POLYDESK-KEPT 300 "polyctl vm show $keep_vm >/dev/null && echo POLYDESK-KEPT-SUM \$($(sudo_cmd "sha256sum $keep_img") | cut -c1-64)")
    sum=$(serial_value POLYDESK-KEPT-SUM "$from")
    if [ "$rc" = 0 ] && [ -n "$keep_sum" ] && [ "$sum" = "$keep_sum" ]; then
        result PASS "$1" "vm-intact" "$(since) s: $keep_vm is defined and its disk's sha256 is as before the update"
    else
        result FAIL "$1" "vm-intact" "$keep_vm: exit $rc, disk sha256 ${sum:-none} (before: ${keep_sum:-not recorded})"
    fi
}

# updated: the second build from slot b, kept; the VM is intact. Then the first build goes into
# slot a with polydeskd masked there, and the machine restarts into that unhealthy try.
phase_updated() {
    start_qemu updated bios disk "$disk" "$iso"
    check_boot installed || { stop_qemu; return 1; }
    login "$admin_user" "$admin_password" || { stop_qemu; return 1; }
    local from rc
    from=$(log_size)
    rc=$(system_is "$update_release" b)
    if [ "$rc" = 0 ]; then
        result PASS updated "new-release" "$(since) s: polyctl host system: $update_release from slot b, kept; $(serial_text "$from" \
            | grep -ao 'POLYDESK-SYS last update: .*' | tail -n 1 | cut -d' ' -f2-)"
    else
        result FAIL updated "new-release" "polyctl host system: $(serial_text "$from" \
            | grep -a '^POLYDESK-SYS' | cut -d' ' -f2- | tr '\n' ' ')"
    fi
    vm_intact updated
    local t0=$SECONDS
    from=$(log_size)
    rc=$(run_cmd POLYDESK-UPDATE-A "$install_timeout" "polyctl host update /dev/sr0 && $(sudo_cmd "mount /dev/disk/by-partlabel/polydesk-root-a /mnt \
&& ln -sf /dev/null /mnt/etc/systemd/system/polydeskd.service && echo POLYDESK_BOOT_OK_TIMEOUT=120 > /mnt/etc/default/polydesk-boot-ok \
&& umount /mnt")")
    if [ "$rc" = 0 ]; then
        result PASS updated "unhealthy-update" "$((SECONDS - t0)) s: $release written into slot a, its polydeskd masked (boot-ok waits 120 s)"
    else
        result FAIL updated "unhealthy-update" "exit $rc: $(serial_text "$from" | grep -a 'polyctl:' | head -n 3 | tr '\n' ' ')"
        stop_qemu
        return 1
    fi
    send "polyctl host reboot --timeout 30"
    until_ok 300 qemu_gone || log "updated: the machine did not restart within 300 s"
    stop_qemu
}

# fallback-try: GRUB tries slot a once (polydesk.trial=1 on dom0's command line); its polydeskd
# never answers, so polydesk-boot-ok restarts the machine (QEMU exits).
phase_fallback_try() {
    start_qemu fallback-try bios disk
    local t0=$SECONDS
    if ! wait_for '\(XEN\) Xen version 4\.17' 600; then
        result FAIL fallback-try "restarts" "no Xen banner after $(since) s"
        stop_qemu
        return 1
    fi
    unlock_disk || { stop_qemu; return 1; }
    if until_ok "$boot_timeout" qemu_gone; then
        if clean_log | grep -aq 'polydesk-boot-ok: this updated system is not healthy; restarting' \
                && clean_log | grep -aq 'polydesk.slot=a polydesk.trial=1'; then
            result PASS fallback-try "restarts" "$((SECONDS - t0)) s: system a booted as a try (polydesk.trial=1), \
polydesk-boot-ok: '$(clean_log | grep -aom1 'polydeskd did not answer within [0-9]* s')', restarted"
        else
            result FAIL fallback-try "restarts" "the machine stopped, but not by polydesk-boot-ok on a try of slot a: $(clean_log \
                | grep -a 'polydesk-boot-ok\|cmdline' | head -n 3 | tr '\n' ' ')"
        fi
    else
        result FAIL fallback-try "restarts" "the try of slot a still runs after $boot_timeout s"
    fi
    stop_qemu
}

# fallback: the boot after the failed try is the second build's again (slot b); it says the update
# to the first build failed; the VM is still there.
phase_fallback() {
    start_qemu fallback bios disk
    check_boot installed || { stop_qemu; return 1; }
    login "$admin_user" "$admin_password" || { stop_qemu; return 1; }
    local from rc
    from=$(log_size)
    rc=$(system_is "$update_release" b "last update: the update to $release did not come up healthy")
    if [ "$rc" = 0 ]; then
        result PASS fallback "back-to-kept" "$(since) s: $update_release from slot b again; polyctl host system: \
$(serial_text "$from" | grep -ao 'POLYDESK-SYS last update: .*' | tail -n 1 | cut -d' ' -f2-)"
    else
        result FAIL fallback "back-to-kept" "polyctl host system: $(serial_text "$from" \
            | grep -a '^POLYDESK-SYS' | cut -d' ' -f2- | tr '\n' ' ')"
    fi
    vm_intact fallback
    stop_qemu
}

IFS=, read -ra wanted <<< "$phases"
for p in "${wanted[@]}"; do
    case "$p" in
        bios-live)
            # A fresh empty disk, which the install phase writes to in this same boot.
            rm -f "$disk"
            qemu-img create -q -f qcow2 "$disk" 16G
            phase_bios_live
            [[ ",$phases," == *,install,* ]] && continue ;;
        uefi-live) phase_uefi_live ;;
        install)
            [ -f "$disk" ] || qemu-img create -q -f qcow2 "$disk" 16G
            phase_install ;;
        bios-disk) phase_disk bios-disk bios ;;
        uefi-disk) phase_disk uefi-disk uefi ;;
        update) phase_update ;;
        updated) phase_updated ;;
        fallback-try) phase_fallback_try ;;
        fallback) phase_fallback ;;
        *) die "unknown phase $p" ;;
    esac
    stop_qemu
done

echo
echo "==== Polydesk ISO boot test: $(basename "$iso") ===="
echo "serial logs and screendumps: $out"
echo "total $((SECONDS - start)) s"
evaluate_boot_test "$results_file" "$phases" "$allow_skip"
