package org.polydesk.protocol.media;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The notification {@code media.progress} that polydeskd sends the connection that called
 * {@code media.import}, as the copy goes: bytes done of {@code bytesTotal} (null while the source has
 * not said its size), then once {@code done} (the medium is in the library) or {@code failed} with the
 * reason in {@code error}. Nothing follows done or failed.
 */
public record MediaProgress(String importId, String name, State state, long bytesDone, Long bytesTotal, String error) {
    public enum State {
        @JsonProperty("copying") COPYING,
        @JsonProperty("checking") CHECKING,
        @JsonProperty("done") DONE,
        @JsonProperty("failed") FAILED
    }

    @JsonIgnore
    public boolean isFinal() {
        return state == State.DONE || state == State.FAILED;
    }
}
