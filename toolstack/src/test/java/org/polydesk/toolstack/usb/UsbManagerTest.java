package org.polydesk.toolstack.usb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi.UsbRuleChange;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbEvent;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.Await;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;

/**
 * The USB policy over a sysfs tree the test writes as the kernel would (devices plugged and pulled
 * by making and deleting their directories) and VMs whose hypervisor records what it was given.
 */
class UsbManagerTest {
    @TempDir
    Path tmp;
    private Path sys;
    private SysfsUsbTree tree;
    private FakeVms vms;
    private UsbManager usb;
    private final List<UsbEvent> events = new CopyOnWriteArrayList<>();
    private VmDefinition win, linux;

    @BeforeEach
    void setUp() throws IOException {
        sys = tmp.resolve("sys");
        tree = new SysfsUsbTree(sys);
        vms = new FakeVms();
        win = vms.add("Windows", true);
        linux = vms.add("Linux", false);
        plug("1-1", 1, 2, "0627", "0001", null, "QEMU", "QEMU USB Keyboard", 0, new int[][] {{3, 1}});
        usb = newManager();
    }

    private UsbManager newManager() {
        UsbManager m = new UsbManager(new SysfsUsb(sys), tmp.resolve("usb.json"), vms).load();
        m.subscribe(events::add);
        return m;
    }

    @Test
    void listsDevicesWithoutHubsAndTellsTheInputServersOwn() throws Exception {
        tree.hub("1-2", 3);
        plug("1-2.1", 1, 4, "0781", "5567", "4C530001", "SanDisk", "Cruzer Blade", 0, new int[][] {{8, 0x50}});
        List<UsbDevice> list = usb.list();
        assertEquals(List.of("1-1", "1-2.1"), list.stream().map(UsbDevice::port).toList(), list.toString());
        UsbDevice kbd = list.get(0), stick = list.get(1);
        assertTrue(kbd.input(), kbd.toString());
        assertEquals("keyboard", kbd.kind());
        assertEquals("0781:5567", stick.vendorProduct());
        assertEquals("storage", stick.kind());
        assertEquals("4C530001", stick.serial());
        assertFalse(stick.input());
        assertEquals("SanDisk Cruzer Blade", stick.label());
    }

    @Test
    void aPluggedDeviceGoesToTheVmInFrontButAKeyboardStaysWithDom0() throws Exception {
        usb.focus(win.id());
        plugStick("1-3", 5);
        plug("1-4", 1, 6, "046d", "c52b", null, "Logitech", "Unifying Receiver", 0, new int[][] {{3, 1}, {3, 2}});
        usb.rescan();
        assertEquals(List.of("1-3 -> " + win.id()), vms.attached);
        assertEquals(win.id(), usb.holder("1-3").orElseThrow());
        assertTrue(usb.holder("1-4").isEmpty(), "a keyboard and mouse is not handed out by the policy");
        assertTrue(events.stream().anyMatch(e -> e.type() == UsbEvent.Type.ASSIGNED && e.detail().contains("'Windows'")), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.type() == UsbEvent.Type.PLUGGED && e.detail().contains("input server")), events.toString());
        // Assigned by name, a keyboard goes.
        assertEquals(win.id(), usb.assign("1-4", "Windows").vm());
    }

    @Test
    void withTheUiInFrontOrPolicyDom0OrAskDom0KeepsIt() throws Exception {
        usb.focus(null);
        plugStick("1-3", 5);
        usb.rescan();
        usb.setPolicy(UsbPolicy.DOM0);
        usb.focus(win.id());
        plugStick("1-5", 7);
        usb.rescan();
        usb.setPolicy(UsbPolicy.ASK);
        plugStick("1-6", 8);
        usb.rescan();
        assertEquals(List.of(), vms.attached);
        assertTrue(events.stream().anyMatch(e -> e.type() == UsbEvent.Type.ASK && "1-6".equals(e.device().port())), events.toString());
        assertEquals(UsbPolicy.ASK, newManager().settings().policy(), "the policy is stored");
    }

    @Test
    void aHeldDeviceGoesToNoOtherVmAndUnknownOnesAreNamed() throws Exception {
        vms.running.add(linux.id());
        plugStick("1-3", 5);
        usb.assign("1-3", "Windows");
        RpcException held = assertThrows(RpcException.class, () -> usb.assign("1-3", "Linux"));
        assertEquals(ErrorCode.WRONG_STATE, held.code());
        assertTrue(held.getMessage().contains("held by 'Windows'"), held.getMessage());
        RpcException unknown = assertThrows(RpcException.class, () -> usb.assign("9-9", "Linux"));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());
        assertTrue(unknown.getMessage().contains("1-3 (0781:5567"), "names what is plugged in: " + unknown.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(RpcException.class, () -> usb.assign("1-3", "Nobody")).code());
        // By vendor:product when only one such is plugged in; released, it can go to the other.
        assertEquals("1-3", usb.release("0781:5567").port());
        assertNull(usb.list().stream().filter(d -> d.port().equals("1-3")).findFirst().orElseThrow().vm());
        assertEquals(linux.id(), usb.assign("1-3", "Linux").vm());
        assertEquals(List.of("1-3 -> " + win.id(), "1-3 -> " + linux.id()), vms.attached);
        assertEquals(List.of("1-3 <- " + win.id()), vms.detached);
        assertEquals(ErrorCode.WRONG_STATE, assertThrows(RpcException.class, () -> usb.release("1-1")).code(),
                "releasing what dom0 has is refused");
    }

    @Test
    void anAssignmentForAStoppedVmWaitsAsARuleAndAppliesAtItsStart() throws Exception {
        plugStick("1-3", 5);
        UsbDevice d = usb.assign("1-3", "Linux");
        assertNull(d.vm(), "not running: stays with dom0");
        assertEquals("0781:5567", usb.settings().rules().get(0).vendorProduct());
        assertEquals("Linux", usb.settings().rules().get(0).vmName());
        vms.running.add(linux.id());
        usb.started(linux.id());
        Await.until("the rule gives the stick to Linux as it starts", 5, () -> usb.holder("1-3").isPresent(), events::toString);
        assertEquals(linux.id(), usb.holder("1-3").orElseThrow());
        // It ends: the stick is dom0's again.
        vms.running.remove(linux.id());
        usb.ended(linux.id());
        Await.until("the stick back with dom0", 5, () -> usb.holder("1-3").isEmpty(), events::toString);
    }

    @Test
    void pulledOutWhileHeldItLeavesTheVmAndPluggedAgainFollowsItsRule() throws Exception {
        usb.addRule(new UsbRuleChange("Windows", "0781:5567", "4C530001", null));
        plugStick("1-3", 5);
        usb.rescan();
        assertEquals(win.id(), usb.holder("1-3").orElseThrow(), "by the rule");
        unplug("1-3");
        usb.rescan();
        assertTrue(usb.holder("1-3").isEmpty());
        assertEquals(List.of("1-3 <- " + win.id()), vms.detached, "the VM's empty slot is removed");
        assertTrue(events.stream().anyMatch(e -> e.type() == UsbEvent.Type.REMOVED), events.toString());
        usb.focus(null);
        plugStick("1-4", 9); // another port, a new address: the rule follows the stick
        usb.rescan();
        assertEquals(win.id(), usb.holder("1-4").orElseThrow());
    }

    @Test
    void aDevicePulledDuringItsAssignmentIsAClearErrorAndNobodysHolding() throws Exception {
        plugStick("1-3", 5);
        usb.list();
        vms.onAttach = () -> unplug("1-3");
        RpcException e = assertThrows(RpcException.class, () -> usb.assign("1-3", "Windows"));
        assertEquals(ErrorCode.BACKEND_FAILED, e.code());
        assertTrue(e.getMessage().contains("pulled out while it was given to 'Windows'"), e.getMessage());
        assertTrue(usb.holder("1-3").isEmpty());
        assertTrue(usb.list().stream().noneMatch(d -> d.port().equals("1-3")));
    }

    @Test
    void rulesAreCheckedStoredAndRemoved() throws Exception {
        for (UsbRuleChange bad : List.of(new UsbRuleChange("Windows", null, null, null),
                new UsbRuleChange("Windows", "0781:5567", null, "1-2"), new UsbRuleChange("Windows", "stick", null, null),
                new UsbRuleChange("Windows", null, null, "usb1"), new UsbRuleChange("Windows", null, "x", "1-2"))) {
            assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(RpcException.class, () -> usb.addRule(bad)).code(), bad.toString());
        }
        usb.addRule(new UsbRuleChange("Linux", null, null, "1-2"));
        usb.addRule(new UsbRuleChange("Linux", null, null, "1-2"));
        assertEquals(1, newManager().settings().rules().size(), "stored once");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(RpcException.class,
                () -> usb.removeRule(new UsbRuleChange("Linux", null, null, "1-3"))).code());
        usb.removeRule(new UsbRuleChange("Linux", null, null, "1-2"));
        assertTrue(newManager().settings().rules().isEmpty());
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temp file left");
    }

    @Test
    void aRestartedManagerLearnsWhoHoldsWhatFromTheHypervisor() throws Exception {
        plugStick("1-3", 5);
        vms.held.put(win.id(), List.of(new HypervisorBackend.UsbAddress(1, 5), new HypervisorBackend.UsbAddress(1, 99)));
        UsbManager restarted = newManager();
        assertEquals(win.id(), restarted.holder("1-3").orElseThrow(), "the stick Windows' QEMU has open");
        assertTrue(restarted.holder("1-1").isEmpty());
        RpcException held = assertThrows(RpcException.class, () -> restarted.assign("1-3", "Linux"));
        assertTrue(held.getMessage().contains("held by 'Windows'"), held.getMessage());
    }

    @Test
    void aDamagedSettingsFileIsSetAsideAndTheDefaultsUsed() throws Exception {
        Files.writeString(tmp.resolve("usb.json"), "{\"policy\": \"sideways\"");
        UsbManager m = newManager();
        assertEquals(UsbPolicy.FOCUSED, m.settings().policy());
        assertTrue(Files.exists(tmp.resolve("usb.json.damaged")));
    }

    private void plugStick(String port, int address) throws IOException {
        tree.plug(port, 1, address, "0781", "5567", "4C530001", "SanDisk", "Cruzer Blade", 0, new int[][] {{8, 0x50}});
    }

    private void plug(String port, int bus, int address, String vendor, String product, String serial, String maker,
                      String name, int deviceClass, int[][] interfaces) throws IOException {
        tree.plug(port, bus, address, vendor, product, serial, maker, name, deviceClass, interfaces);
    }

    private void unplug(String port) {
        tree.unplug(port);
    }

    /** VMs whose hypervisor records what it was given; it fails like QEMU when the device is gone. */
    private final class FakeVms implements UsbManager.Vms {
        final Map<UUID, VmDefinition> defs = new HashMap<>();
        final Set<UUID> running = new HashSet<>();
        final List<String> attached = new ArrayList<>();
        final List<String> detached = new ArrayList<>();
        Runnable onAttach = () -> { };

        VmDefinition add(String name, boolean run) {
            VmDefinition def = VmDefinition.builder().id(UUID.randomUUID()).name(name).slot(defs.size() + 1).memoryMib(256).build();
            defs.put(def.id(), def);
            if (run) {
                running.add(def.id());
            }
            return def;
        }

        @Override
        public VmDefinition find(String ref) throws RpcException {
            return defs.values().stream().filter(d -> d.name().equals(ref) || d.id().toString().equals(ref)).findFirst()
                    .orElseThrow(() -> new RpcException(ErrorCode.NOT_FOUND, "no VM " + ref));
        }

        @Override
        public VmDefinition byId(UUID id) {
            return defs.get(id);
        }

        @Override
        public boolean running(UUID id) {
            return running.contains(id);
        }

        @Override
        public void attach(UUID id, UsbDevice device) throws BackendException {
            onAttach.run();
            if (!tree.plugged(device.port())) {
                throw new BackendException("QEMU could not open USB device " + device.port());
            }
            attached.add(device.port() + " -> " + id);
        }

        @Override
        public void detach(UUID id, UsbDevice device) {
            detached.add(device.port() + " <- " + id);
        }

        /** What each VM's hypervisor says it holds (a restarted polydeskd asks). */
        final Map<UUID, List<HypervisorBackend.UsbAddress>> held = new HashMap<>();

        @Override
        public List<UUID> running() {
            return List.copyOf(running);
        }

        @Override
        public List<HypervisorBackend.UsbAddress> held(UUID id) {
            return held.getOrDefault(id, List.of());
        }
    }
}
