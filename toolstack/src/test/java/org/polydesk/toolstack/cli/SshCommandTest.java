package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.toolstack.host.SystemctlDouble;

/**
 * polyctl host ssh through a real polydeskd (stub backend) to its SshService, which runs the
 * systemctl it is given. Here that is {@link SystemctlDouble}; the real systemctl and sshd are shown
 * by the ISO boot test (ssh-off, admin-ssh).
 */
class SshCommandTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @AfterEach
    void stop() {
        if (polydeskd != null) {
            polydeskd.close();
        }
    }

    Path systemctl(boolean installed, boolean enableFails) throws Exception {
        return SystemctlDouble.write(tmp, installed, enableFails);
    }

    @Test
    void offByDefaultThenSwitchedOnAndOff() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend", "--systemctl", systemctl(true, false).toString());
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());

        PolyctlRunner.Run shown = polyctl.run("host", "ssh");
        assertEquals(0, shown.exit(), shown.err());
        assertEquals("ssh logins: off (sshd disabled at boot, not running)\n", shown.out());

        PolyctlRunner.Run on = polyctl.run("host", "ssh", "on");
        assertEquals(0, on.exit(), on.err());
        assertEquals("ssh logins: on (sshd enabled at boot, running)\n", on.out());
        assertEquals("enabled", Files.readString(tmp.resolve("enabled")).strip());
        assertEquals("active", Files.readString(tmp.resolve("active")).strip());

        PolyctlRunner.Run off = polyctl.run("--json", "host", "ssh", "off");
        assertEquals(0, off.exit(), off.err());
        assertTrue(off.out().contains("\"enabled\" : false") && off.out().contains("\"active\" : false"), off.out());
        assertEquals("disabled", Files.readString(tmp.resolve("enabled")).strip());
        assertTrue(Files.readAllLines(tmp.resolve("calls")).containsAll(List.of("enable --now ssh.service",
                "disable --now ssh.service")));

        PolyctlRunner.Run bad = polyctl.run("host", "ssh", "maybe");
        assertEquals(Polyctl.EXIT_REFUSED, bad.exit());
        assertTrue(bad.err().contains("ssh takes on or off, not 'maybe'"), bad.err());
    }

    @Test
    void aFailingSystemctlIsSaidWithItsMessage() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend", "--systemctl", systemctl(true, true).toString());
        RpcClient.CallException e = org.junit.jupiter.api.Assertions.assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_SSH_SET, new ToolstackApi.SshLoginsSet(true)));
        assertEquals(ErrorCode.BACKEND_FAILED.code(), e.code());
        assertTrue(e.getMessage().contains("sshd: no hostkeys available"), e.getMessage());
        assertFalse(polydeskd.call(ToolstackApi.HOST_SSH).enabled());
    }

    @Test
    void withoutSystemctlOrWithoutSshdNothingIsSwitched() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend");
        ToolstackApi.SshLogins unmanaged = polydeskd.call(ToolstackApi.HOST_SSH);
        assertFalse(unmanaged.managed());
        assertTrue(unmanaged.problem().contains("without --systemctl"), unmanaged.problem());
        RpcClient.CallException e = org.junit.jupiter.api.Assertions.assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_SSH_SET, new ToolstackApi.SshLoginsSet(true)));
        assertEquals(ErrorCode.WRONG_STATE.code(), e.code());
        polydeskd.close();

        polydeskd = TestPolydeskd.start(tmp.resolve("d2"), "--stub-backend", "--systemctl", systemctl(false, false).toString());
        PolyctlRunner.Run shown = new PolyctlRunner(polydeskd.socket()).run("host", "ssh", "on");
        assertEquals(Polyctl.EXIT_REFUSED, shown.exit(), shown.out());
        assertTrue(shown.err().contains("sshd is not installed (no ssh.service)"), shown.err());
    }
}
