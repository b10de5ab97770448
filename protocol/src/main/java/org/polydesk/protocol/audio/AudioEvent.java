package org.polydesk.protocol.audio;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The sound server came up or went away (with why), or the audio settings changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AudioEvent(Type type, String detail) {
    public enum Type {
        @com.fasterxml.jackson.annotation.JsonProperty("server-up") SERVER_UP,
        @com.fasterxml.jackson.annotation.JsonProperty("server-down") SERVER_DOWN,
        @com.fasterxml.jackson.annotation.JsonProperty("changed") CHANGED
    }
}
