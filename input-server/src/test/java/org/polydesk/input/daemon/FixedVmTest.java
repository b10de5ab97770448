package org.polydesk.input.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FixedVmTest {
    @Test
    void aVmOnTheCommandLineIsASlotANameAndAnRfbServer() {
        FixedVm tcp = FixedVm.parse("3=Test,tcp:10.0.2.2:5901");
        assertEquals(3, tcp.slot());
        assertEquals("Test", tcp.name());
        assertEquals(5901, ((InetSocketAddress) tcp.rfb()).getPort());
        assertEquals("10.0.2.2", ((InetSocketAddress) tcp.rfb()).getHostString());
        assertEquals(UnixDomainSocketAddress.of(Path.of("/run/vm/vnc.sock")), FixedVm.parse("1=A,unix:/run/vm/vnc.sock").rfb());
        assertEquals(tcp.id(), FixedVm.parse("4=Test,tcp:h:1").id(), "the id follows the name");
    }

    @Test
    void aBadOneSaysWhatItShouldLookLike() {
        for (String bad : new String[] {"0=UI,tcp:h:1", "10=X,tcp:h:1", "3=,tcp:h:1", "3=X", "3=X,tcp:h:99999", "3=X,udp:h:1",
                "3=X,unix:", "X,tcp:h:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FixedVm.parse(bad), bad);
            assertTrue(e.getMessage().contains("--vm must look like"), e.getMessage());
        }
    }
}
