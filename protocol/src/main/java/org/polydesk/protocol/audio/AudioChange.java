package org.polydesk.protocol.audio;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code audio.set}'s parameters: the policy, or one VM's settings (by id or name), or both; a field
 * left out stays as it is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AudioChange(AudioPolicy policy, String vm, Integer volume, Boolean muted, Boolean microphone) {
    public static final String POLICY = "policy", VM = "vm", VOLUME = "volume", MUTED = "muted",
            MICROPHONE = "microphone";
}
