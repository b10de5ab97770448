package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A VM as {@code vm.list} and {@code vm.show} report it: its definition and what it is doing now.
 * A running VM has a {@code pid} (its QEMU, on the QEMU backend) or a {@code domid} (on Xen).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmStatus(VmDefinition definition, VmState state, Long pid, Integer domid, VmSockets sockets, String detail) {
}
