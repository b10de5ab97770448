package org.polydesk.toolstack.daemon;

import java.util.List;
import java.util.UUID;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.usb.UsbManager;

/** The USB manager's view of polydeskd's VMs, and the lifecycle events it acts on (a VM started or ended). */
final class UsbVms implements UsbManager.Vms {
    private final VmManager vms;

    UsbVms(VmManager vms) {
        this.vms = vms;
    }

    /** Tells {@code usb} of every VM that starts (its rules apply) or ends (its devices come back). */
    static Runnable follow(EventBus events, UsbManager usb) {
        return events.subscribe(e -> {
            switch (e.type()) {
                case RUNNING -> usb.started(e.vm());
                case STOPPED, CRASHED, SUSPENDED, DELETED -> usb.ended(e.vm());
                default -> { }
            }
        });
    }

    @Override
    public VmDefinition find(String ref) throws RpcException {
        return vms.show(ref).definition();
    }

    @Override
    public VmDefinition byId(UUID id) {
        try {
            return vms.show(id.toString()).definition();
        } catch (RpcException e) {
            return null;
        }
    }

    @Override
    public boolean running(UUID id) {
        try {
            VmState state = vms.show(id.toString()).state();
            return state == VmState.RUNNING || state == VmState.PAUSED;
        } catch (RpcException e) {
            return false;
        }
    }

    @Override
    public void attach(UUID id, UsbDevice device) throws BackendException {
        vms.usbAttach(id, device);
    }

    @Override
    public void detach(UUID id, UsbDevice device) throws BackendException {
        vms.usbDetach(id, device);
    }

    @Override
    public List<UUID> running() {
        return vms.list().stream().filter(s -> s.state() == VmState.RUNNING || s.state() == VmState.PAUSED)
                .map(s -> s.definition().id()).toList();
    }

    @Override
    public List<HypervisorBackend.UsbAddress> held(UUID id) throws BackendException {
        return vms.usbHeld(id);
    }
}
