package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4NetTest {
    @Test
    void aBridgeAddressGivesItsSubnetAndTheLeaseRangeAroundIt() {
        Ipv4Net net = Ipv4Net.parse("10.77.0.1/24");
        assertEquals("10.77.0.0/24", net.subnet());
        assertEquals("10.77.0.1", net.host());
        assertArrayEquals(new String[] {"10.77.0.2", "10.77.0.254"}, net.leaseRange());
        assertArrayEquals(new String[] {"192.168.9.1", "192.168.9.253"}, Ipv4Net.parse("192.168.9.254/24").leaseRange());
        assertEquals("255.255.255.0", Ipv4Net.dotted(net.mask()));
    }

    @Test
    void subnetsOverlapWhenTheShorterPrefixHoldsTheOther() {
        assertTrue(Ipv4Net.parse("10.77.0.1/24").overlaps(Ipv4Net.parse("10.77.128.1/16")));
        assertTrue(Ipv4Net.parse("10.77.128.1/16").overlaps(Ipv4Net.parse("10.77.0.1/24")));
        assertFalse(Ipv4Net.parse("10.77.0.1/24").overlaps(Ipv4Net.parse("10.77.1.1/24")));
        assertTrue(Ipv4Net.parse("192.168.50.2/24").overlaps(Ipv4Net.parse("192.168.50.9/24")));
    }

    @Test
    void badTextIsRefusedSayingWhatIsWrong() {
        assertEquals("'10.77.0.1' is not an IPv4 address with a prefix length, like 10.77.0.1/24",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse("10.77.0.1")).getMessage());
        assertEquals("'10.300.0.1/24' has 300 as a part; each is 0–255",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse("10.300.0.1/24")).getMessage());
        assertEquals("'10.0.0.1/33' has prefix length 33; at most 32",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse("10.0.0.1/33")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse(null));
    }
}
