package org.polydesk.protocol.audio;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * dom0's sound as polydeskd has it: whether the sound server answers (and if not, why: VMs then
 * start silent), the policy, the VM in front, and each VM's settings with what is true now.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AudioStatus(boolean serverUp, String server, String problem, AudioPolicy policy, UUID focused,
                          List<Vm> vms) {
    /**
     * {@code streams}: its output streams in the sound server; {@code heard}: whether they play now;
     * {@code listening}: whether its microphone input gets sound now.
     */
    public record Vm(UUID id, String name, int volume, boolean muted, boolean microphone, int streams, boolean heard,
                     boolean listening) {
    }
}
