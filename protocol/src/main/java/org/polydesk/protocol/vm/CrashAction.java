package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What polydeskd does when a VM crashes (its device model ends by nobody's request): restart it,
 * at most 3 times within 60 s before leaving it stopped, or leave it crashed at once.
 */
public enum CrashAction {
    @JsonProperty("restart") RESTART,
    @JsonProperty("stop") STOP;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
