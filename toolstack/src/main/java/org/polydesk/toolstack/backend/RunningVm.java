package org.polydesk.toolstack.backend;

import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;

/** A VM the backend runs: its device model's process id and its sockets. */
public record RunningVm(UUID id, long pid, VmSockets sockets) {
}
