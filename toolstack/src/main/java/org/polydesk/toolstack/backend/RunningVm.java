package org.polydesk.toolstack.backend;

import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;

/**
 * A VM the backend runs: its sockets, and what the host knows it by, the device model's process id
 * (QEMU backend) or the domain id (Xen).
 */
public record RunningVm(UUID id, Long pid, Integer domid, VmSockets sockets) {
}
