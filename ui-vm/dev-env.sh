# Sourced by screenshots.sh and measure-memory.sh: an Xvfb display and a polydeskd (QEMU backend)
# on a temporary directory, with example VMs, all ended by dev_env_stop (the scripts trap EXIT).
# Needs the build: mvn -pl ui-vm -am package -DskipTests.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/scripts/need-packages.sh"
dev_dir=$(mktemp -d /tmp/polydesk-ui-dev.XXXXXX)
dev_pids=()
toolstack_jar=$repo/toolstack/target/toolstack-0.1.0-SNAPSHOT.jar

polyctl() {
    java -XX:TieredStopAtLevel=1 -cp "$toolstack_jar" org.polydesk.toolstack.cli.Polyctl \
        --socket "$dev_dir/run/polydeskd.sock" "$@"
}

# dev_env_start WIDTH HEIGHT: Xvfb on a free display number, the sound server and polydeskd; sets
# DISPLAY and dev_socket.
dev_env_start() {
    need_packages xvfb libgtk-3-0 imagemagick fonts-dejavu-core pipewire pipewire-pulse wireplumber pulseaudio-utils
    [ -f "$toolstack_jar" ] && [ -d "$repo/ui-vm/target/lib" ] || {
        echo "no build; run: mvn -pl ui-vm -am package -DskipTests" >&2
        return 1
    }
    local n=90
    while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 "${1}x${2}x24" -nolisten tcp >"$dev_dir/xvfb.log" 2>&1 &
    dev_pids+=($!)
    export DISPLAY=":$n"
    # The image's sound server, with directories of its own, for the VMs' sound cards.
    mkdir -p "$dev_dir/sound/config"
    cp -r "$repo/distro/config/includes.chroot/etc/wireplumber" "$dev_dir/sound/config/"
    POLYDESK_SOUND_RUN=$dev_dir/sound/run POLYDESK_SOUND_STATE=$dev_dir/sound/state \
        XDG_CONFIG_HOME=$dev_dir/sound/config bash "$repo/distro/config/includes.chroot/usr/lib/polydesk/sound-server" \
        >"$dev_dir/sound.log" 2>&1 &
    dev_pids+=($!)
    local sysfs=()
    [ -n "${POLYDESK_DEV_USB:-}" ] && sysfs=(--sysfs "$(dev_env_usb_sysfs)")
    java -Xmx96m -cp "$toolstack_jar" org.polydesk.toolstack.daemon.Polydeskd --state-dir "$dev_dir/vms" \
        --run-dir "$dev_dir/run" --accel tcg --sound-server "$dev_dir/sound/run/pulse/native" "${sysfs[@]}" \
        >"$dev_dir/polydeskd.log" 2>&1 &
    dev_daemon=$!
    dev_pids+=($dev_daemon)
    dev_socket=$dev_dir/run/polydeskd.sock
    for _ in $(seq 100); do [ -S "$dev_socket" ] && [ -e "/tmp/.X11-unix/X$n" ] && return 0; sleep 0.1; done
    echo "Xvfb or polydeskd did not start; see $dev_dir" >&2
    return 1
}

# Example VMs: a Debian and a Windows one (never started) and one that owns a GPU.
# dev_env_usb_sysfs: prints a sysfs for polydeskd that is this machine's but for its USB devices:
# those of a typical desk (a stick, a webcam, a keyboard and mouse receiver), as the kernel lays
# them out, for screenshots on a build machine that has none (POLYDESK_DEV_USB=1).
dev_env_usb_sysfs() {
    local root=$dev_dir/sysfs e
    mkdir -p "$root/bus/usb/devices/usb1"
    for e in /sys/*; do [ "$e" = /sys/bus ] || ln -s "$e" "$root/${e#/sys/}"; done
    for e in /sys/bus/*; do [ "$e" = /sys/bus/usb ] || ln -s "$e" "$root/bus/${e#/sys/bus/}"; done
    _usb() { # PORT ADDRESS VENDOR PRODUCT SERIAL MAKER NAME CLASS:PROTOCOL...
        local d=$root/bus/usb/devices/$1 i=0 c
        mkdir -p "$d"
        echo 1 > "$d/busnum"; echo "$2" > "$d/devnum"; echo "$3" > "$d/idVendor"; echo "$4" > "$d/idProduct"
        [ "$5" = - ] || echo "$5" > "$d/serial"
        echo "$6" > "$d/manufacturer"; echo "$7" > "$d/product"; echo 00 > "$d/bDeviceClass"; echo 480 > "$d/speed"
        shift 7
        for c in "$@"; do
            mkdir -p "$d/${d##*/}:1.$i"
            echo "${c%:*}" > "$d/${d##*/}:1.$i/bInterfaceClass"; echo "${c#*:}" > "$d/${d##*/}:1.$i/bInterfaceProtocol"
            i=$((i + 1))
        done
    }
    _usb 1-1 2 046d c52b - Logitech "USB Receiver" 03:01 03:02
    _usb 1-2 3 0781 5567 4C530001230815117402 SanDisk "Cruzer Blade" 08:50
    _usb 1-3 4 046d 0825 - Logitech "Webcam C270" 0e:00 01:00
    echo "$root"
}

dev_env_examples() {
    polyctl vm create --name "Debian" --slot 1 --colour "#c03030" --memory 2048 --vcpus 2 >/dev/null
    polyctl vm create --name "Windows 11" --slot 2 --colour "#3050c0" --memory 8192 --vcpus 4 \
        --gpu 0000:01:00.0 >/dev/null
    polyctl vm create --name "Build box" --slot 3 --colour "#30a050" --memory 4096 --vcpus 2 >/dev/null
}

dev_env_stop() {
    local vm_pids
    vm_pids=$(polyctl vm list --json 2>/dev/null | grep -o '"pid" : [0-9]*' | grep -o '[0-9]*$' || true)
    for p in $vm_pids; do kill "$p" 2>/dev/null || true; done
    # A VM whose polydeskd is gone already (the screenshot tour ends it) is found by its run directory.
    pkill -f -- "$dev_dir/run/vm/" 2>/dev/null || true
    for p in "${dev_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dev_dir"
}
