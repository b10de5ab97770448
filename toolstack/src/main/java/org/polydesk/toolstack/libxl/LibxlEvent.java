package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A libxl event about a domain. {@code shutdownReason} is libxl_shutdown_reason for a shutdown
 * (0 poweroff, 1 reboot, 2 suspend, 3 crash, 4 watchdog, 5 soft reset), else -1; {@code json} is
 * the whole event as libxl writes it, for the log.
 */
public record LibxlEvent(int domid, Type type, int shutdownReason, JsonNode json) {
    public enum Type { SHUTDOWN, DEATH, OTHER }

    public static final int REASON_POWEROFF = 0;
    public static final int REASON_REBOOT = 1;
    /** The domain suspended for libxl_domain_suspend: its state is being saved, nothing to act on. */
    public static final int REASON_SUSPEND = 2;
    public static final int REASON_CRASH = 3;
    public static final int REASON_WATCHDOG = 4;
}
