package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code host.system} and {@code host.boot.ok}: the Polydesk system that runs and the
 * other one beside it. An installed Polydesk has two system partitions, slots {@code a} and
 * {@code b}; an update is written into the one that does not run and tried once at the next boot.
 * {@code release}: the running system's release (from its /etc/polydesk/release). {@code slot}:
 * the running slot, null on a live system or a machine not installed with two slots.
 * {@code kept}: the running slot is the one that boots by default. {@code otherRelease}: what the
 * other slot holds (null: nothing yet). {@code nextBoot}: the slot the next boot starts, and
 * {@code trying} whether that boot is a try that falls back unless it comes up healthy.
 * {@code lastUpdate}: a sentence on the last update's outcome, null when there was none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostSystem(String release, String slot, boolean kept, String otherSlot, String otherRelease,
                         String nextBoot, boolean trying, String lastUpdate) {
}
