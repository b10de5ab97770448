package org.polydesk.ui.client;

/** One switching chord of the input server, as the proposed {@code input.config.get} answers it. */
public record Hotkey(String action, String chord) {
}
