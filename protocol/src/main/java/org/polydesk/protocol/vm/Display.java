package org.polydesk.protocol.vm;

/** The screen size the VM's virtual display is set to. */
public record Display(int width, int height) {
    public static final Display DEFAULT = new Display(1024, 768);
}
