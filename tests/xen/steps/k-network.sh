# shellcheck shell=sh
# Steps k (sourced by run-in-dom0.sh after d-g, when polydeskd is up; issue 18): polydeskd's
# default network on Xen, and an HVM guest on it through libxl's vif.
#   k-network-default   polydeskd (started with --default-network in c) made `default`: its bridge
#                       pd-default has the network's address (ip), its dnsmasq runs, its nft table is
#                       loaded, and polyctl network list says active
#   k-vif-lease         net-test, an HVM guest with one NIC on default, gets a lease in the subnet
#                       from dnsmasq and fetches dom0's test page (socat on the bridge's address), as
#                       its own serial says. Its kernel unplugs the emulated e1000 at boot (Xen's
#                       PV-on-HVM unplug), so the traffic goes through netfront and the vif; the -emu
#                       tap is made all the same
#   k-vif-offline       polyctl vm nic net-test offline: the vif and its -emu tap are down (sysfs)
#                       and dom0's ping of the guest goes unanswered; online again: answered
# The guest may be made again by a triple fault (common under nested SVM in TCG): the serial
# reader follows its new domain's pty, and any boot's report counts.

# net_follow: follows net-test's serial (lib.sh's follow_serial); true once a boot of it has
# reported its checks (POLYDESK-NET DONE).
net_follow() {
    follow_serial net-test "$OUT/net-serial.log"
    grep -q 'POLYDESK-NET DONE' "$OUT/net-serial.log" 2>/dev/null
}
# pings IP: dom0's ping of IP is answered.
pings() { busybox ping -c 1 -W 1 "$1" > /dev/null 2>&1; }
# link_down IFACE: the interface is there and its link is down (sysfs operstate).
link_down() { [ "$(cat "/sys/class/net/$1/operstate" 2>/dev/null)" = down ]; }

# --- k-network-default ------------------------------------------------------------------
t=$(now)
why=
pc network list --json > "$OUT/network-list.json" 2>&1
address=$(jq -r '.[] | select(.network.name == "default") | .network.address // empty' "$OUT/network-list.json" 2>/dev/null)
gw=${address%/*}
[ -n "$address" ] || why="$why no network 'default' in polyctl network list;"
[ "$(jq -r '.[] | select(.network.name == "default") | .active' "$OUT/network-list.json" 2>/dev/null)" = true ] \
    || why="$why default is not active in polyctl network list;"
ip -o -4 addr show dev pd-default 2>/dev/null | grep -q "inet $address " \
    || why="$why pd-default does not have the address $address (ip addr: $(ip -o -4 addr show dev pd-default 2>&1 | head -n1));"
pgrep -f 'dnsmasq.*interface=pd-default' > /dev/null || why="$why no dnsmasq for pd-default;"
nft list table inet polydesk > /dev/null 2>&1 || why="$why no nft table inet polydesk;"
verdict k-network-default "$t" "$why"
[ -z "$why" ] || indent "$OUT/network-list.json"

# --- k-vif-lease ----------------------------------------------------------------------------
# The device model opens /dev/net/tun for the emulated NIC's -emu tap. This dom0 has no systemd to
# make the node at boot (kmod static-nodes) as the appliance's does: load tun, which makes it.
modprobe tun 2>/dev/null || info "modprobe tun failed"
[ -c /dev/net/tun ] || info "no /dev/net/tun: the device model cannot make the -emu tap"
t=$(now)
why=
net_up=
if [ -z "$gw" ]; then
    skip_all "no default network (k-network-default)" k-vif-lease k-vif-offline
else
    # dom0's test page, on the bridge's address only (a guest on default reaches dom0 there). The
    # answer is a file: socat reads backslashes in its address itself (run 12: a printf there broke).
    printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\ndom0-test-page\n' > "$OUT/page.http"
    socat "TCP-LISTEN:8080,bind=$gw,reuseaddr,fork" "EXEC:cat $OUT/page.http" > "$OUT/socat.log" 2>&1 &
    page_pid=$!
    if pc vm create --name net-test --type hvm --memory 256 --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
            --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=C03030 polydesk.net=1 polydesk.netcheck=get:http://$gw:8080/" \
            --nic default > "$OUT/k-net.txt" 2>&1 \
       && pc vm start net-test >> "$OUT/k-net.txt" 2>&1; then
        net_id=$(pc vm show net-test --json 2>/dev/null | jq -r '.definition.id')
        vif=pv$(echo "$net_id" | cut -c1-7)0
        info "net-test: domain $(xl domid net-test 2>/dev/null), its NIC in dom0: $vif and $vif-emu"
        wait_every 2 600 "net-test's network report (lease and page) on its serial" net_follow
        lease=$(sed -n 's/.*POLYDESK-NET LEASE \([0-9.]*\).*/\1/p' "$OUT/net-serial.log" | tail -n1)
        case "$lease" in
            "${gw%.*}".*) ;;
            *) why="$why no lease in ${address:-the subnet} on net-test's serial (lease '${lease:-none}');" ;;
        esac
        grep -q "POLYDESK-NET CHECK get:http://$gw:8080/ ok dom0-test-page" "$OUT/net-serial.log" \
            || why="$why net-test did not fetch dom0's page;"
        [ -e "/sys/class/net/pd-default/brif/$vif-emu" ] || [ -e "/sys/class/net/pd-default/brif/$vif" ] \
            || why="$why neither $vif nor $vif-emu is a port of pd-default;"
        [ -z "$why" ] && net_up=1
    else
        why="polyctl vm create/start net-test failed;"
        indent "$OUT/k-net.txt"
    fi
    verdict k-vif-lease "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/net-serial.log" 15; indent "$OUT/polydeskd.log" 15; }

    # --- k-vif-offline -----------------------------------------------------------------------
    t=$(now)
    why=
    if [ -z "$net_up" ]; then
        skip k-vif-offline "net-test has no lease (k-vif-lease)"
    else
        wait_for 30 "dom0's ping of net-test ($lease) to be answered" pings "$lease" \
            || why="$why dom0's ping of $lease is not answered before the cable is pulled;"
        pc vm nic net-test offline > "$OUT/k-nic.txt" 2>&1 || why="$why polyctl vm nic net-test offline failed;"
        for i in "$vif" "$vif-emu"; do
            [ -e "/sys/class/net/$i" ] && { link_down "$i" || why="$why $i is not down after offline;"; }
        done
        link_down "$vif-emu" || link_down "$vif" || why="$why neither $vif nor $vif-emu is down;"
        wait_for 15 "dom0's ping of net-test to go unanswered" not pings "$lease" \
            || why="$why dom0's ping of $lease is still answered while offline;"
        pc vm nic net-test online >> "$OUT/k-nic.txt" 2>&1 || why="$why polyctl vm nic net-test online failed;"
        wait_for 30 "dom0's ping of net-test to be answered again" pings "$lease" \
            || why="$why dom0's ping of $lease is not answered once online again;"
        verdict k-vif-offline "$t" "$why"
        [ -z "$why" ] || indent "$OUT/k-nic.txt"
    fi
    kill "$page_pid" 2>/dev/null
    stop_serial net-test
    pc vm destroy net-test > /dev/null 2>&1
fi
