package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to {@code host.info}. {@code backendVersion} is the hypervisor's (Xen's or QEMU's),
 * {@code polydeskVersion} polydeskd's own, {@code kernel} dom0's (the host's) kernel release.
 * Memory comes from the kernel polydeskd runs on: {@code memoryMib} in all, {@code memoryFreeMib}
 * available to start things (MemAvailable). {@code powerControl}: host.shutdown and host.reboot
 * may be called (polydeskd was started with a power command, as the appliance's unit does; never
 * on a developer's machine). {@code hypervisorBuild}: on Xen, the installed hypervisor package and
 * the Polydesk patches it was built with (none: Debian's stock Xen); null on the QEMU backend.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostInfo(String hostname, String backend, String backendVersion, int cpus, long memoryMib,
                       String accelerator, int vmsDefined, int vmsRunning, List<Integer> freeSlots,
                       String stateDirectory, String polydeskVersion, String kernel, Long uptimeSeconds,
                       Long memoryFreeMib, boolean powerControl, HypervisorBuild hypervisorBuild) {

    /** A hypervisor package as dpkg has it installed, and the patches its changelog says went in. */
    public record HypervisorBuild(String packageName, String version, List<String> patches) {
        public HypervisorBuild {
            patches = List.copyOf(patches);
        }
    }
}
