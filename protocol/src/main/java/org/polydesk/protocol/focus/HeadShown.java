package org.polydesk.protocol.focus;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one monitor shows: {@code slot} (0 the control UI, 1–9 a VM), or null when no slot is left
 * for it (more monitors than running VMs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeadShown(String head, Integer slot) {
}
