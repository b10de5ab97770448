package org.polydesk.toolstack.backend;

import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;

/**
 * A VM the backend runs: its sockets, and what the host knows it by, the device model's process id
 * (QEMU backend) or the domain id (Xen). {@code paused}: its CPUs are stopped (a VM taken back
 * after a daemon restart may have been paused).
 */
public record RunningVm(UUID id, Long pid, Integer domid, VmSockets sockets, boolean paused) {
    /** A VM that runs. */
    public RunningVm(UUID id, Long pid, Integer domid, VmSockets sockets) {
        this(id, pid, domid, sockets, false);
    }
}
