package org.polydesk.protocol.install;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The notification {@code install.progress} that polydeskd sends the connection that called
 * {@code install.start}, as the install goes: a step begins ({@code step} of {@code total},
 * {@code text} says what), a detail inside it (a command, a percentage), and finally done or
 * failed (with the whole message). Nothing follows done or failed.
 */
public record InstallProgress(Kind kind, int step, int total, String text) {
    public enum Kind {
        @JsonProperty("step") STEP,
        @JsonProperty("detail") DETAIL,
        @JsonProperty("done") DONE,
        @JsonProperty("failed") FAILED
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isFinal() {
        return kind == Kind.DONE || kind == Kind.FAILED;
    }
}
