package org.polydesk.display.bus;

/**
 * Told when a VM that owns a GPU by passthrough (it has a viewer channel) starts and stops, and when
 * the boot GPU, whose framebuffer is dom0's screen, leaves dom0 and comes back.
 */
public interface Passthrough {
    /** {@code vm} runs and owns the monitor: frames go to its viewer. */
    void passthroughStarted(PassthroughVm vm);

    /** The VM in {@code slot} no longer runs: the monitor is dom0's again. */
    void passthroughStopped(int slot);

    /**
     * The boot GPU ({@code gpu}, its PCI address as polydeskd says it; null: not said) is about to
     * leave dom0: let go of its framebuffer (a mapping of it would write into the guest's memory).
     * Returns once it is let go, or after a few seconds of trying.
     */
    void consoleLeaving(String gpu);

    /** The boot GPU ({@code gpu}) is dom0's again: its framebuffer may be opened (it may take a moment to appear). */
    void consoleBack(String gpu);
}
