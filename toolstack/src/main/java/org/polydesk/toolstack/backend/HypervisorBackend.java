package org.polydesk.toolstack.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * What polydeskd needs from a hypervisor: start, stop and kill VMs, find those still running after
 * the daemon restarts, and report every VM that ends, by whatever cause, to its {@link ExitListener}.
 */
public interface HypervisorBackend extends AutoCloseable {

    /** "qemu" or "libxl". */
    String name();

    /** The version of the hypervisor or emulator, as it reports it. */
    String version();

    /** How guests are accelerated (kvm, tcg, xen). */
    String accelerator();

    /** The hypervisor's installed package and its Polydesk patches, where it is one of ours to report (Xen). */
    default HostInfo.HypervisorBuild build() {
        return null;
    }

    /**
     * Starts a VM and returns once its device model serves its sockets. On failure nothing is left running.
     * {@code gpuFunctions} are the functions of its GPU card, already bound to {@link #passthroughDriver()}.
     */
    RunningVm start(VmDefinition def, List<String> gpuFunctions) throws BackendException;

    /** Asks the guest to power off (ACPI); after {@code timeout} stops it hard. Returns when it has ended. */
    void stop(UUID id, Duration timeout) throws BackendException;

    /** Ends the VM at once, like pulling the plug. Returns when it has ended. */
    void destroy(UUID id) throws BackendException;

    /** Freezes the VM's CPUs; memory and devices stay. */
    void pause(UUID id) throws BackendException;

    /** Lets a paused VM run on. */
    void unpause(UUID id) throws BackendException;

    /**
     * Asks the guest to restart (ACPI); resets it hard after {@code timeout}. Returns once it is
     * running again, with a sentence saying which of the two happened.
     */
    String reboot(UUID id, Duration timeout) throws BackendException;

    /**
     * Saves the VM's whole state to {@code image} (written and synced when this returns) and leaves it
     * paused; nothing ends yet. On failure the VM stays paused: {@link #unpause} lets it run on.
     */
    void saveState(UUID id, Path image) throws BackendException;

    /** Ends a VM whose state {@link #saveState} saved; its end is reported as {@link ExitReason#SUSPENDED}. */
    void endSaved(UUID id) throws BackendException;

    /**
     * Starts a VM from a state {@link #saveState} saved for the same definition, returning once it runs
     * where it left off. On failure nothing is left running and {@code image} is untouched.
     */
    RunningVm restore(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException;

    /** Puts {@code medium} in the CD drive that is the definition's disk number {@code disk} (0-based). */
    void insertCd(UUID id, int disk, Path medium) throws BackendException;

    /** Empties the CD drive that is the definition's disk number {@code disk}. */
    void ejectCd(UUID id, int disk) throws BackendException;

    /**
     * Tells a running guest that the cable of its NIC {@code nic} (0-based) was plugged in or pulled,
     * where the hypervisor can (QEMU's set_link); the traffic itself is stopped in dom0 whatever this does.
     */
    default void setNicLink(UUID id, int nic, boolean up) throws BackendException {
    }

    /**
     * Gives the host's USB device {@code device} (found by its bus and address) to the running VM,
     * live; returns once the guest's USB controller has it. On failure the VM has no part of it.
     */
    default void usbAttach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        throw new BackendException(name() + " cannot give USB devices to VMs");
    }

    /** Takes the USB device at {@code device.port()} from the VM. */
    default void usbDetach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        throw new BackendException(name() + " cannot give USB devices to VMs");
    }

    /**
     * The host USB devices (bus, address) a running VM holds, as its hypervisor says: how a restarted
     * polydeskd learns who holds what.
     */
    default List<UsbAddress> usbHeld(UUID id) throws BackendException {
        return List.of();
    }

    /** A host USB device by its bus number and address, as the hypervisor names the devices it opened. */
    record UsbAddress(int bus, int address) {
    }

    /**
     * The VMs among {@code defs} still running from an earlier daemon; from now on they are watched again.
     * {@code gpuFunctions}: the GPU functions each of them was started with.
     */
    List<RunningVm> recover(Collection<VmDefinition> defs, Map<UUID, List<String>> gpuFunctions);

    /** What of {@code def} this hypervisor cannot run, each named against its field; empty if all of it. */
    default List<org.polydesk.protocol.rpc.Problem> unsupported(VmDefinition def) {
        return List.of();
    }

    /** The host driver that holds a passed-through PCI function: pciback (Xen) or vfio-pci. */
    String passthroughDriver();

    /**
     * Whether the hypervisor makes the host side of a VM's NIC on one of polydeskd's networks itself,
     * named {@link NicNames#of} (libxl's vif hotplug); otherwise polydeskd makes the tap and the
     * backend opens it.
     */
    default boolean makesNicInterfaces() {
        return false;
    }

    /** Makes a function a guest had fit for dom0's driver again, before polydeskd rebinds it. */
    void releasePci(String address);

    /** Lets go of the VMs without stopping them, so a restarted daemon can take them back. */
    @Override
    void close();

    /** Told once for every VM that ends, and of a VM that runs on in a domain made anew. */
    interface ExitListener {
        void exited(UUID id, ExitReason reason, String detail);

        /**
         * The VM runs on as {@code now}: its backend made it anew for a reboot (Xen makes a new
         * domain, with a new domain id and device model), so what it is known by changed.
         */
        default void remade(UUID id, RunningVm now) {
        }
    }

    enum ExitReason {
        /** The guest powered off, or was stopped on request. */
        SHUTDOWN,
        /** Killed on request. */
        DESTROYED,
        /** Ended by nobody's request: the device model died or was killed from outside. */
        CRASHED,
        /** Ended after its state was saved ({@link #endSaved}). */
        SUSPENDED
    }
}
