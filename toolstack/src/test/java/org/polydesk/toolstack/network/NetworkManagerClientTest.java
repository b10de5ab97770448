package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.protocol.network.WifiNetwork;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;

/**
 * What host.network makes of nmcli's terse output. nmcli here is a test double, a script answering
 * as NetworkManager 1.42's nmcli does; the real one is read by the ISO boot test's uplink check.
 */
class NetworkManagerClientTest {
    @TempDir
    Path tmp;

    private String fakeNmcli(String script) throws Exception {
        Path f = tmp.resolve("nmcli");
        Files.writeString(f, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f.toString();
    }

    @Test
    void devicesWithTheirStateConnectionAndAddressesAndNotOurs() throws Exception {
        Uplink u = new NetworkManagerClient(fakeNmcli("""
                case "$*" in
                  "-t -f RUNNING,STATE general") echo 'running:connected' ;;
                  "-t -f DEVICE,TYPE,STATE,CONNECTION device status")
                    echo 'enp0s3:ethernet:connected:Wired connection 1'
                    echo 'wlp2s0:wifi:disconnected:'
                    echo 'pd-default:bridge:connected (externally):pd-default'
                    echo 'pv1a2b3c40:tun:unmanaged:'
                    echo 'pv1a2b3c40-emu:tun:unmanaged:'
                    echo 'lo:loopback:unmanaged:'
                    echo 'enp0s4:ethernet:connected:office\\:vlan 7' ;;
                  "-t -g IP4.ADDRESS device show enp0s3") echo '10.0.2.15/24' ;;
                  "-t -g IP4.ADDRESS device show enp0s4") echo '192.168.7.20/24 | 192.168.7.21/24' ;;
                  *) echo "unexpected: $*" >&2; exit 2 ;;
                esac
                """), tmp).read();
        assertTrue(u.managed());
        assertEquals("connected", u.state());
        assertNull(u.problem());
        assertEquals(List.of(
                new Uplink.Device("enp0s3", "ethernet", "connected", "Wired connection 1", List.of("10.0.2.15/24")),
                new Uplink.Device("wlp2s0", "wifi", "disconnected", null, List.of()),
                new Uplink.Device("enp0s4", "ethernet", "connected", "office:vlan 7", List.of("192.168.7.20/24", "192.168.7.21/24"))),
                u.devices());
    }

    /** A double of nmcli with one Wi-Fi radio that sees three networks; joining 'home' takes the passphrase "right-passphrase". */
    private NetworkManagerClient wifi(Path connections) throws Exception {
        Path calls = tmp.resolve("calls");
        return new NetworkManagerClient(fakeNmcli("""
                echo "$*" >> %s
                case "$*" in
                  "-t -f RUNNING,STATE general") echo 'running:connected' ;;
                  "-t -f DEVICE,TYPE,STATE,CONNECTION device status") echo 'wlan1:wifi:disconnected:' ;;
                  "-t -f IN-USE,SSID,SIGNAL,SECURITY device wifi list --rescan yes")
                    echo ' :home:40:WPA2'
                    echo ' :cafe\\:free:70:'
                    echo ' :home:82:WPA2'
                    echo ' ::90:WPA2' ;;
                  "connection load "*) echo "${3}" > %s/loaded ;;
                  "-w 90 connection up uuid "*)
                    if grep -qx 'psk=right-passphrase' "$(cat %s/loaded)"; then echo 'Connection successfully activated'
                    else echo 'Error: Connection activation failed: Secrets were required, but not provided.'; exit 4; fi ;;
                  "connection delete uuid "*) ;;
                  "connection modify uuid "*" connection.autoconnect yes") ;;
                  *) echo "unexpected: $*" >&2; exit 2 ;;
                esac
                """.formatted(calls, tmp, tmp)), connections);
    }

    @Test
    void scanListsEachSsidOnceStrongestFirstWithoutHiddenOnes() throws Exception {
        assertEquals(List.of(new WifiNetwork("home", 82, "WPA2", false), new WifiNetwork("cafe:free", 70, "", false)),
                wifi(tmp.resolve("nm")).scan());
    }

    @Test
    void joiningWritesAPrivateConnectionFileAndAWrongPassphraseLeavesNothing() throws Exception {
        Path nm = Files.createDirectories(tmp.resolve("nm"));
        NetworkManagerClient c = wifi(nm);
        RpcException wrong = assertThrows(RpcException.class, () -> c.connect("home", "wrong-passphrase"));
        assertEquals(ErrorCode.BACKEND_FAILED, wrong.code());
        assertEquals("cannot join 'home': the passphrase was not accepted (Error: Connection activation failed: Secrets were"
                + " required, but not provided.)", wrong.getMessage());
        try (var files = Files.list(nm)) {
            assertEquals(List.of(), files.toList(), "a failed join leaves no connection file");
        }
        assertTrue(Files.readString(tmp.resolve("calls")).contains("connection delete uuid "), "nor a loaded connection");

        c.connect("home", "right-passphrase");
        Path file = nm.resolve("polydesk-wifi-home.nmconnection");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String keyfile = Files.readString(file);
        assertTrue(keyfile.contains("[wifi]\nmode=infrastructure\nssid=home\n"), keyfile);
        assertTrue(keyfile.contains("[wifi-security]\nkey-mgmt=wpa-psk\npsk=right-passphrase\n"), keyfile);
        assertTrue(keyfile.contains("autoconnect=false"), "loading it starts no join of its own: " + keyfile);
        assertTrue(Files.readString(tmp.resolve("calls")).contains("connection modify uuid "), "autoconnect is on once joined");
        assertFalse(Files.readString(tmp.resolve("calls")).contains("passphrase"), "no passphrase on nmcli's command line");
    }

    @Test
    void badInputIsRefusedNamingWhatIsWrong() throws Exception {
        NetworkManagerClient c = wifi(tmp.resolve("nm"));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(RpcException.class, () -> c.connect("office", "right-passphrase")).code());
        assertEquals("no Wi-Fi network 'office' in range (in range: home, cafe:free)",
                assertThrows(RpcException.class, () -> c.connect("office", "right-passphrase")).getMessage());
        assertTrue(assertThrows(RpcException.class, () -> c.connect("home", null)).getMessage()
                .contains("'home' is secured (WPA2): its passphrase is needed"));
        assertTrue(assertThrows(RpcException.class, () -> c.connect("home", "short")).getMessage()
                .contains("a WPA passphrase is 8–63 printable characters"));
        assertTrue(assertThrows(RpcException.class, () -> c.connect("a;b", null)).getMessage().contains("the SSID must be"));
    }

    @Test
    void networkManagerNotRunningOrNotThereIsSaidSo() throws Exception {
        Uplink stopped = new NetworkManagerClient(fakeNmcli("echo 'Error: NetworkManager is not running.'; exit 8\n"), tmp).read();
        assertFalse(stopped.managed());
        assertEquals("NetworkManager does not answer: Error: NetworkManager is not running.", stopped.problem());
        Uplink absent = new NetworkManagerClient(tmp.resolve("no-nmcli").toString(), tmp).read();
        assertFalse(absent.managed());
        assertEquals("NetworkManager is not there (cannot run no-nmcli: it is not installed)", absent.problem());
        RpcException noWifi = assertThrows(RpcException.class, () -> new NetworkManagerClient(tmp.resolve("no-nmcli").toString(),
                tmp).scan());
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, noWifi.code());
    }
}
