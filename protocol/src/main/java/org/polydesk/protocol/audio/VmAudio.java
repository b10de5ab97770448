package org.polydesk.protocol.audio;

import java.util.UUID;

/**
 * One VM's sound settings as polydeskd keeps them: its volume (0–100 %, linear), muted, and whether
 * it may have the microphone (which it gets only while it is also the VM in front).
 */
public record VmAudio(UUID vm, int volume, boolean muted, boolean microphone) {
    public static final int MAX_VOLUME = 100;

    /** A VM nobody has set: full volume, not muted, no microphone. */
    public static VmAudio defaults(UUID vm) {
        return new VmAudio(vm, MAX_VOLUME, false, false);
    }
}
