package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum VmState {
    @JsonProperty("stopped") STOPPED,
    @JsonProperty("starting") STARTING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("paused") PAUSED,
    @JsonProperty("stopping") STOPPING,
    @JsonProperty("crashed") CRASHED,
    /** Not running; its memory is saved on disk and vm.start resumes it where it was. */
    @JsonProperty("suspended") SUSPENDED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isActive() {
        return this == STARTING || this == RUNNING || this == PAUSED || this == STOPPING;
    }
}
