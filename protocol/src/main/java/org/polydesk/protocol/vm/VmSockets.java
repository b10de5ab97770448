package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The UNIX sockets of a running VM's device model, under {@code /run/polydesk/vm/<id>/}:
 * QEMU's VNC server, our QMP monitor, and, for the passthrough VM, the viewer channel.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmSockets(String vnc, String qmp, String viewer) {
}
