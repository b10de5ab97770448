package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer to {@code host.info}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostInfo(String hostname, String backend, String backendVersion, int cpus, long memoryMib,
                       String accelerator, int vmsDefined, int vmsRunning, List<Integer> freeSlots,
                       String stateDirectory) {
}
