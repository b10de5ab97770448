package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A VM as {@code vm.list} and {@code vm.show} report it: its definition and what it is doing now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmStatus(VmDefinition definition, VmState state, Long pid, VmSockets sockets, String detail) {
}
