package org.polydesk.protocol.audio;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whose sound dom0 plays: only the VM in front (the default), or every VM's at once. */
public enum AudioPolicy {
    @JsonProperty("focused") FOCUSED,
    @JsonProperty("mix") MIX
}
