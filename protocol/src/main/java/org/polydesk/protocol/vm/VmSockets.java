package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The UNIX sockets of a running VM's device model, under {@code /run/polydesk/vm/<id>/}:
 * QEMU's VNC server, our QMP monitor, and, for the passthrough VM, the viewer channel. On the
 * QEMU backend the passthrough VM also has {@code viewerRegion}, the file behind its ivshmem BAR,
 * where its viewer lays out the frame region (on Xen the viewer grants pages instead: null).
 * {@code tablet}: the device model behind {@code qmp} has a USB tablet, so the input server sends
 * this VM absolute places in its "auto" pointer mode (absent: a relative mouse only).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmSockets(String vnc, String qmp, String viewer, String viewerRegion, Boolean tablet) {
    public VmSockets {
        tablet = Boolean.TRUE.equals(tablet) ? Boolean.TRUE : null;
    }

    public VmSockets(String vnc, String qmp, String viewer, String viewerRegion) {
        this(vnc, qmp, viewer, viewerRegion, null);
    }

    public VmSockets(String vnc, String qmp, String viewer) {
        this(vnc, qmp, viewer, null, null);
    }

    /** Whether the VM takes absolute places (it has a USB tablet). */
    public boolean hasTablet() {
        return Boolean.TRUE.equals(tablet);
    }
}
