package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.network.Uplink;

/**
 * What host.network makes of nmcli's terse output. nmcli here is a test double, a script answering
 * as NetworkManager 1.42's nmcli does; the real one is read by the ISO boot test's uplink check.
 */
class UplinkReaderTest {
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
        Uplink u = new UplinkReader(fakeNmcli("""
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
                """)).read();
        assertTrue(u.managed());
        assertEquals("connected", u.state());
        assertNull(u.problem());
        assertEquals(List.of(
                new Uplink.Device("enp0s3", "ethernet", "connected", "Wired connection 1", List.of("10.0.2.15/24")),
                new Uplink.Device("wlp2s0", "wifi", "disconnected", null, List.of()),
                new Uplink.Device("enp0s4", "ethernet", "connected", "office:vlan 7", List.of("192.168.7.20/24", "192.168.7.21/24"))),
                u.devices());
    }

    @Test
    void networkManagerNotRunningOrNotThereIsSaidSo() throws Exception {
        Uplink stopped = new UplinkReader(fakeNmcli("echo 'Error: NetworkManager is not running.'; exit 8\n")).read();
        assertFalse(stopped.managed());
        assertEquals("NetworkManager does not answer: Error: NetworkManager is not running.", stopped.problem());
        Uplink absent = new UplinkReader(tmp.resolve("no-nmcli").toString()).read();
        assertFalse(absent.managed());
        assertTrue(absent.problem().startsWith("NetworkManager is not there (cannot run "), absent.problem());
    }
}
