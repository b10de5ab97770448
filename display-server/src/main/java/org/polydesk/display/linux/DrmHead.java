package org.polydesk.display.linux;

/**
 * A monitor on a DRM card: its connector ({@code name} as the kernel's sysfs says it, e.g.
 * "HDMI-A-1"), the CRTC that scans out to it, the mode it is driven in (its preferred one) and its
 * physical size (0 where the monitor does not say).
 */
public record DrmHead(int connectorId, String name, int crtcId, Mode mode, int widthMm, int heightMm) {

    /** A display mode: {@code raw} is libdrm's drmModeModeInfo, handed back to set it. */
    public record Mode(int width, int height, int refreshHz, String name, byte[] raw) {
        @Override
        public String toString() {
            return width + "x" + height + "@" + refreshHz;
        }
    }

    @Override
    public String toString() {
        return name + " " + mode + (widthMm > 0 ? " (" + widthMm + "x" + heightMm + " mm)" : "");
    }
}
