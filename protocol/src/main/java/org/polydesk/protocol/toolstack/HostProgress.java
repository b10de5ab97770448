package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The notification {@code host.progress} that polydeskd sends the connection that called
 * {@code host.shutdown} or {@code host.reboot}, about one VM ({@code vm}, {@code vmName}) or the
 * machine (both null): {@code waiting} for a VM to obey the power-down request ({@code secondsLeft}
 * until it is forced), {@code forcing} a VM that did not obey in time, a VM {@code stopped}
 * ({@code forced} true when it had to be forced off), then {@code powering} (the VMs are all
 * stopped, the machine goes down now) or {@code failed} (nothing more happens; {@code text} says
 * why). {@code text} is always a sentence for a person. Nothing follows powering or failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostProgress(Kind kind, String vm, String vmName, Integer secondsLeft, Boolean forced, String text) {
    public enum Kind {
        @JsonProperty("waiting") WAITING,
        @JsonProperty("forcing") FORCING,
        @JsonProperty("stopped") STOPPED,
        @JsonProperty("powering") POWERING,
        @JsonProperty("failed") FAILED
    }

    @JsonIgnore
    public boolean isFinal() {
        return kind == Kind.POWERING || kind == Kind.FAILED;
    }
}
