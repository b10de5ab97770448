package org.polydesk.toolstack.gpu;

import java.util.UUID;

/**
 * Whoever draws on dom0's screen through the boot GPU's framebuffer (the display server). They let
 * go of it before the card leaves dom0, for a mapping of it would then write into memory that is
 * the guest's, and may take it again once the card is back.
 */
public interface ConsoleUsers {
    /** Nobody to tell. */
    ConsoleUsers NONE = new ConsoleUsers() {
        @Override
        public void leaving(UUID vm, String gpu) {
        }

        @Override
        public void back(UUID vm, String gpu) {
        }
    };

    /** The boot GPU {@code gpu} leaves dom0 for {@code vm}: returns once every user let go, or gave up on. */
    void leaving(UUID vm, String gpu);

    /** The boot GPU is dom0's again, with its console. */
    void back(UUID vm, String gpu);
}
