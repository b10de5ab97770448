package org.polydesk.toolstack.xlcfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The vif and pci entry readers. */
class XlDeviceSpecTest {

    private static List<String> names(List<DeviceOption> options) {
        return options.stream().map(DeviceOption::name).toList();
    }

    @Test
    void vifKeepsBridgeAndANormalisedMac() {
        XlVifSpec vif = XlVifSpec.parse("type=ioemu, mac=00:16:3E:5a:1:2, bridge=xenbr0, model=e1000");
        assertEquals("xenbr0", vif.bridge());
        assertEquals("00:16:3e:5a:01:02", vif.mac());
        assertEquals(org.polydesk.protocol.vm.NicModel.E1000, vif.model());
        assertEquals(List.of(), names(vif.ignored()), "type=ioemu and model=e1000 are both kept");
        assertEquals(org.polydesk.protocol.vm.NicModel.VIRTIO, XlVifSpec.parse("type=vif,bridge=br0").model(),
                "the PV interface alone is Polydesk's virtio");
        assertEquals(List.of("model"), names(XlVifSpec.parse("model=ne2k_pci").ignored()));
    }

    @Test
    void vifWithAnInvalidMacNamesIt() {
        XlVifSpec vif = XlVifSpec.parse("mac=00:16:3e:zz:00:01,bridge=br0,,trusted");
        assertNull(vif.mac());
        assertEquals(List.of("mac", "trusted"), names(vif.ignored()));
    }

    @Test
    void pciAcceptsEveryWayToWriteTheAddress() throws XlConfigException {
        assertEquals(new XlPciSpec("0000:01:00.0", List.of()), XlPciSpec.parse("01:00.0", 1));
        assertEquals(new XlPciSpec("0000:0a:1f.7", List.of()), XlPciSpec.parse("0000:0A:1F.7", 1));
        assertEquals("0001:02:03.1", XlPciSpec.parse("bdf=1:02:03.1,seize=1", 1).bdf());
    }

    @Test
    void pciOptionsAreNamed() throws XlConfigException {
        XlPciSpec spec = XlPciSpec.parse("36:00.0@8,permissive=1,msitranslate=1", 1);
        assertEquals("0000:36:00.0", spec.bdf());
        assertEquals(List.of("vslot", "permissive", "msitranslate"), names(spec.ignored()));
    }

    @Test
    void pciDevicesPolydeskCannotHoldHaveNoAddress() throws XlConfigException {
        XlPciSpec all = XlPciSpec.parse("01:00.*", 1);
        assertNull(all.bdf());
        assertEquals(List.of("bdf"), names(all.ignored()));
        XlPciSpec named = XlPciSpec.parse("name=gpu0", 1);
        assertNull(named.bdf());
        assertEquals(List.of("name"), names(named.ignored()));
    }

    @Test
    void malformedPciEntriesAreRefused() {
        XlConfigException e = assertThrows(XlConfigException.class, () -> XlPciSpec.parse("01:00.0,foo=1", 4));
        assertEquals("line 4: pci '01:00.0,foo=1': unknown option 'foo'", e.getMessage());
        e = assertThrows(XlConfigException.class, () -> XlPciSpec.parse("permissive=1", 4));
        assertEquals("line 4: pci 'permissive=1': no device address (like 0000:01:00.0) is given", e.getMessage());
        e = assertThrows(XlConfigException.class, () -> XlPciSpec.parse("01:20.0", 4));
        assertEquals("line 4: pci '01:20.0': device number 20 is above 1f", e.getMessage());
    }
}
