#!/bin/sh
# The Wi-Fi system test's steps (issue 18), run as root by dom0-init (polydesk.nox: the Xen
# system test's dom0 image booted as a plain Debian machine in QEMU, no Xen) as
# /payload/run-in-dom0.sh. Payload (tests/wifi/run-wifi-test.sh makes it):
#   /payload/run-in-dom0.sh   this script          /payload/lib.sh   tests/xen/steps/lib.sh
#   /payload/debs/*.deb       polydesk-toolstack   /payload/polydesk.conf  the product's NM conf
#   /payload/out/             logs (the host copies them out)
# Two mac80211_hwsim radios on one simulated medium: wlan0 is the access point (hostapd, WPA2-PSK,
# dnsmasq's DHCP), wlan1 is dom0's Wi-Fi as the product has it (NetworkManager, wpa_supplicant),
# driven only through polydeskd (polyctl host network / host wifi scan / host wifi connect).
# Each step prints "PASS <step> (<s> s)", "FAIL <step>: <why>" or "SKIP <step>: <why>" (lib.sh);
# evaluate-results.sh holds them against tests/wifi/required-steps. Every wait has a deadline
# (lib.sh's wait_for); the only fixed sleep is the 0.2 s argv recorder of w-no-secret-on-argv.

P=${P:-/payload}
OUT=$P/out
mkdir -p "$OUT"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ ! -f "$P/lib.sh" ]; then
    echo "FAIL run: no $P/lib.sh in the payload"
    exit 1
fi
# (tests/xen/steps/lib.sh: pass, fail, skip, verdict, wait_for, since, indent, pc)
# shellcheck source-path=SCRIPTDIR source=../xen/steps/lib.sh
. "$P/lib.sh"

SSID=polydesk-test
RIGHT=right-passphrase
WRONG=wrong-passphrase1
AP=wlan0 STA=wlan1
CONNS=/etc/NetworkManager/system-connections
FILE=$CONNS/polydesk-wifi-$SSID.nmconnection
broken=
wpa_pid='' nm_pid='' hostapd_pid='' dnsmasq_pid='' daemon_pid='' watch_pid=''

echo "wifi-steps: starting at $(now) s of uptime, kernel $(uname -r)"

# logs NAME...: the last lines of these logs in $OUT, indented (a failure's context).
logs() {
    for _l in "$@"; do
        [ -f "$OUT/$_l" ] || continue
        info "$_l (last lines):"
        indent "$OUT/$_l" 25
    done
}
# wlans: the network interfaces that are 802.11 radios.
wlans() {
    for _d in /sys/class/net/*; do [ -e "$_d/phy80211" ] && echo "${_d##*/}"; done
}
two_wlans() { [ "$(wlans | wc -l)" -ge 2 ]; }

# --- w-radios: two simulated radios ------------------------------------------------------------
t=$(now)
# udev first: NetworkManager takes a device only once udev has seen it.
/lib/systemd/systemd-udevd --daemon > "$OUT/udevd.log" 2>&1
udevadm trigger --action=add > /dev/null 2>&1
udevadm settle -t 30 > /dev/null 2>&1
if ! modprobe mac80211_hwsim radios=2 > "$OUT/modprobe.txt" 2>&1; then
    fail w-radios "modprobe mac80211_hwsim radios=2 failed: $(cat "$OUT/modprobe.txt")"
    broken="no radios (w-radios)"
elif ! wait_for 20 "two wlan interfaces" two_wlans; then
    fail w-radios "after modprobe: 802.11 interfaces: $(wlans | tr '\n' ' ')"
    broken="no radios (w-radios)"
else
    udevadm settle -t 30 > /dev/null 2>&1
    if [ -e /sys/class/net/$AP/phy80211 ] && [ -e /sys/class/net/$STA/phy80211 ]; then
        pass w-radios "$(since "$t")"
        info "802.11 interfaces: $(wlans | tr '\n' ' ')($STA $(cat /sys/class/net/$STA/address))"
    else
        fail w-radios "the radios are not $AP and $STA: $(wlans | tr '\n' ' ')"
        broken="the radios are not $AP and $STA (w-radios)"
    fi
fi

# --- w-networkmanager: D-Bus, our .deb, NetworkManager with the product's configuration ----------
nm_ready() {
    nmcli -t -f RUNNING general 2>/dev/null | grep -qx running \
        && nmcli -t -f DEVICE,TYPE,STATE device status 2>/dev/null | grep -q "^$STA:wifi:disconnected"
}
if [ -n "$broken" ]; then
    skip w-networkmanager "$broken"
else
    t=$(now)
    mkdir -p /run/dbus
    dbus-uuidgen --ensure
    deb=$(ls -t "$P"/debs/polydesk-toolstack_*_all.deb 2>/dev/null | head -n1)
    why=
    if ! dbus-daemon --system --fork > "$OUT/dbus.txt" 2>&1; then
        why="dbus-daemon --system failed: $(cat "$OUT/dbus.txt")"
    elif [ -z "$deb" ]; then
        why="no polydesk-toolstack .deb in the payload"
    elif ! dpkg -i "$deb" > "$OUT/dpkg.txt" 2>&1; then
        why="dpkg -i $(basename "$deb") failed"
        indent "$OUT/dpkg.txt"
    else
        info "dpkg -i $(basename "$deb") done after $(since "$t") s"
        install -m 644 "$P/polydesk.conf" /etc/NetworkManager/conf.d/polydesk.conf
        # Test only: the access point's radio (and hwsim's monitor) are not dom0's uplink.
        printf '[keyfile]\nunmanaged-devices+=interface-name:%s;interface-name:hwsim0\n' "$AP" \
            > /etc/NetworkManager/conf.d/zz-wifi-test.conf
        # wpa_supplicant as its D-Bus service would start it (dbus-daemon here has no systemd).
        wpa_supplicant -u -t -O /run/wpa_supplicant > "$OUT/wpa_supplicant.log" 2>&1 &
        wpa_pid=$!
        NetworkManager --no-daemon --debug > "$OUT/NetworkManager.log" 2>&1 &
        nm_pid=$!
        if ! wait_for 90 "NetworkManager running, $STA a wifi device in it" nm_ready; then
            why="NetworkManager: $(nmcli -t -f RUNNING,STATE general 2>&1 | head -n1);"
            why="$why devices: $(nmcli -t -f DEVICE,TYPE,STATE device status 2>&1 | tr '\n' ' ')"
        fi
    fi
    if [ -z "$why" ]; then
        pass w-networkmanager "$(since "$t")"
        nmcli -t -f DEVICE,TYPE,STATE device status | sed 's/^/  nmcli device: /'
    else
        fail w-networkmanager "$why"
        logs NetworkManager.log wpa_supplicant.log
        broken="no NetworkManager (w-networkmanager)"
    fi
fi

# --- the access point on wlan0 and polydeskd ----------------------------------------------------
socket_up() { [ -S /run/polydesk/polydeskd.sock ] || ! alive "$daemon_pid"; }
if [ -z "$broken" ]; then
    t=$(now)
    ip addr add 10.66.0.1/24 dev $AP
    cat > /tmp/hostapd.conf <<EOF
interface=$AP
driver=nl80211
ssid=$SSID
hw_mode=g
channel=6
auth_algs=1
wpa=2
wpa_key_mgmt=WPA-PSK
wpa_passphrase=$RIGHT
rsn_pairwise=CCMP
EOF
    hostapd -t /tmp/hostapd.conf > "$OUT/hostapd.log" 2>&1 &
    hostapd_pid=$!
    if ! wait_for 30 "hostapd's AP-ENABLED" has_line "$OUT/hostapd.log" 'AP-ENABLED|->ENABLED'; then
        broken="the access point did not come up (hostapd)"
        logs hostapd.log
    else
        dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root --interface=$AP --bind-interfaces \
            --except-interface=lo --port=0 --no-resolv --dhcp-authoritative \
            --dhcp-range=10.66.0.10,10.66.0.50,12h --dhcp-leasefile=/tmp/ap.leases --pid-file= \
            --log-dhcp --log-facility="$OUT/dnsmasq.log" > "$OUT/dnsmasq.out" 2>&1 &
        dnsmasq_pid=$!
        info "access point $SSID on $AP (hostapd, WPA2-PSK, channel 6; dnsmasq) after $(since "$t") s"
    fi
fi
if [ -z "$broken" ]; then
    t=$(now)
    mkdir -p /run/polydesk
    /usr/bin/polydeskd --backend qemu --accel tcg > "$OUT/polydeskd.log" 2>&1 &
    daemon_pid=$!
    wait_for 180 "polydeskd's socket" socket_up
    if [ -S /run/polydesk/polydeskd.sock ] && alive "$daemon_pid"; then
        info "polydeskd (qemu backend, tcg) serving after $(since "$t") s"
    else
        broken="polydeskd did not start (--backend qemu --accel tcg; its log follows)"
        logs polydeskd.log
    fi
fi

# --- w-scan: polydesk-test in polyctl host wifi scan ---------------------------------------------
scan_has() {
    pc host wifi scan --json > "$OUT/scan.json" 2> "$OUT/scan.err" \
        && jq -e --arg s "$SSID" '.[] | select(.ssid == $s and (.security | test("WPA2")))' "$OUT/scan.json" > /dev/null
}
if [ -n "$broken" ]; then
    skip w-scan "$broken"
else
    t=$(now)
    if wait_every 2 90 "$SSID (WPA2) in polyctl host wifi scan" scan_has; then
        pass w-scan "$(since "$t")"
        info "scan: $(jq -c '.' "$OUT/scan.json")"
    else
        fail w-scan "no $SSID with WPA2 in polyctl host wifi scan --json: $(cat "$OUT/scan.json" "$OUT/scan.err" 2>/dev/null | tr '\n' ' ')"
        logs NetworkManager.log hostapd.log polydeskd.log
        broken="$SSID not in the scan (w-scan)"
    fi
fi

# The argv recorder (w-no-secret-on-argv), from before the first connect: every process's command
# line every 0.2 s ("/proc/PID/cmdline:ARGS" a line; two processes a sample, not one per PID: a
# tr per process made a sample take ~3 s under TCG).
watch_t=$(now)
( while :; do
      echo "--- sample"
      grep -a '' /proc/[0-9]*/cmdline | tr '\0' ' '
      sleep 0.2
  done ) > "$OUT/argv.txt" 2> /dev/null &
watch_pid=$!
# A canary: a process of 1 s with a marker on its command line, which the recorder must have seen.
sh -c 'sleep 1' argv-recorder-canary &

# our_connection: NetworkManager has a connection named like the SSID.
our_connection() { nmcli -t -f NAME connection show 2>/dev/null | grep -qxF "$SSID"; }
# our_files: polydesk-wifi-* files in NetworkManager's keyfile directory.
our_files() { ls "$CONNS"/polydesk-wifi-* 2>/dev/null; }

# --- w-wrong-passphrase: refused, nothing left behind --------------------------------------------
if [ -n "$broken" ]; then
    skip w-wrong-passphrase "$broken"
else
    t=$(now)
    echo "$WRONG" | pc host wifi connect "$SSID" --password-file - > "$OUT/wrong.out" 2>&1
    rc=$?
    why=
    [ "$rc" -ne 0 ] || why="$why polyctl exited 0;"
    grep -qi 'cannot join' "$OUT/wrong.out" || why="$why its message does not say it cannot join: $(tr '\n' ' ' < "$OUT/wrong.out");"
    [ -z "$(our_files)" ] || why="$why left behind: $(our_files | tr '\n' ' ');"
    ! our_connection || why="$why NetworkManager still has a connection $SSID;"
    verdict w-wrong-passphrase "$t" "$why"
    info "polyctl (exit $rc): $(tr '\n' ' ' < "$OUT/wrong.out")"
    [ -z "$why" ] || logs NetworkManager.log polydeskd.log
fi

# --- w-join: the right passphrase; the state read back from the system itself --------------------
if [ -n "$broken" ]; then
    skip w-join "$broken"
else
    t=$(now)
    echo "$RIGHT" | pc host wifi connect "$SSID" --password-file - > "$OUT/join.out" 2>&1
    rc=$?
    joined=$(since "$t")
    why=
    [ "$rc" -eq 0 ] || why="$why polyctl exited $rc: $(tr '\n' ' ' < "$OUT/join.out");"
    addr=$(ip -4 -o addr show dev $STA | grep -o '10\.66\.0\.[0-9]*' | head -n1)
    [ -n "$addr" ] || why="$why $STA has no 10.66.0.x address ($(ip -4 -o addr show dev $STA | tr '\n' ' '));"
    mac=$(cat /sys/class/net/$STA/address)
    wait_for 10 "$STA's MAC in the AP's leases" grep -qiF "$mac" /tmp/ap.leases \
        || why="$why no lease of $mac in /tmp/ap.leases ($(tr '\n' ' ' < /tmp/ap.leases 2>/dev/null));"
    if [ -f "$FILE" ]; then
        mode=$(stat -c %a "$FILE")
        [ "$mode" = 600 ] || why="$why $FILE has mode $mode, not 600;"
    else
        why="$why no $FILE;"
    fi
    pc host network > "$OUT/network.out" 2>&1 || why="$why polyctl host network failed;"
    if [ -n "$addr" ]; then
        awk -v d=$STA -v a="$addr/" '$1 == d && $3 == "connected" && index($0, a) { f = 1 } END { exit !f }' "$OUT/network.out" \
            || why="$why polyctl host network does not show $STA connected with $addr;"
    fi
    verdict w-join "$t" "$why"
    info "polyctl host wifi connect took $joined s: $(tr '\n' ' ' < "$OUT/join.out")"
    info "$STA: $addr, MAC $mac; lease: $(grep -iF "$mac" /tmp/ap.leases 2>/dev/null)"
    sed 's/^/  polyctl host network: /' "$OUT/network.out"
    [ -z "$why" ] || logs NetworkManager.log wpa_supplicant.log hostapd.log dnsmasq.log polydeskd.log
fi

# --- w-no-secret-on-argv: no process had a passphrase on its command line ------------------------
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
samples=$(grep -c '^--- sample' "$OUT/argv.txt")
if [ -n "$broken" ]; then
    skip w-no-secret-on-argv "$broken"
elif [ "$samples" -lt 5 ]; then
    fail w-no-secret-on-argv "the recorder took only $samples samples of /proc/*/cmdline"
elif ! grep -qF argv-recorder-canary "$OUT/argv.txt"; then
    fail w-no-secret-on-argv "the recorder did not see its canary (a process of 1 s) in $samples samples"
elif grep -nF -e "$RIGHT" -e "$WRONG" "$OUT/argv.txt" > "$OUT/argv-hits.txt"; then
    fail w-no-secret-on-argv "a passphrase on a command line: $(head -n 3 "$OUT/argv-hits.txt" | tr '\n' ' ')"
else
    pass w-no-secret-on-argv "$(since "$watch_t")"
    info "$samples samples of every process's command line over both connects (its 1 s canary seen): no passphrase"
    for l in polydeskd.log NetworkManager.log; do
        grep -qF -e "$RIGHT" -e "$WRONG" "$OUT/$l" 2>/dev/null && info "NOTE: a passphrase is in $l"
    done
fi

for p in "$daemon_pid" "$dnsmasq_pid" "$hostapd_pid" "$nm_pid" "$wpa_pid"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null
done
cp /tmp/ap.leases /tmp/hostapd.conf "$OUT/" 2>/dev/null
dmesg > "$OUT/dmesg.txt" 2>&1
# shellcheck disable=SC2154 # lib.sh's counters
echo "SUMMARY $passed passed, $failed failed, $skipped skipped (the verdict is evaluate-results.sh's)"
[ "$failed" -eq 0 ]
