package org.polydesk.protocol.paths;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Where the sockets and files of every Polydesk process live (/run/polydesk: polydeskd's, the
 * input server's focus bus, the UI's Xvnc, each VM's); every process finds them through this one
 * class. Its own package: the toolstack's and the focus bus's contracts both use it.
 */
public final class Paths {
    public static final Path RUN_DIR = Path.of("/run/polydesk");
    public static final Path DAEMON_SOCKET = RUN_DIR.resolve("polydeskd.sock");
    /** The control UI's Xvnc (slot 0 of the display server). */
    public static final Path UI_VNC_SOCKET = RUN_DIR.resolve("ui").resolve("vnc.sock");
    /**
     * The screen the display server shows on, for the control UI's launcher: one line
     * "WIDTHxHEIGHT SCALE" (e.g. "3840x2160 1.5"), written whole (a new file renamed over the old)
     * when the display server opens the screen and when a monitor change makes it another.
     */
    public static final Path SCREEN_FILE = RUN_DIR.resolve("screen");
    public static final String VNC_SOCKET = "vnc.sock";
    public static final String QMP_SOCKET = "qmp.sock";
    public static final String VIEWER_SOCKET = "viewer.sock";
    /** The file behind a QEMU-backend passthrough VM's ivshmem BAR: the viewer's frame region. */
    public static final String VIEWER_REGION = "viewer-region";

    private Paths() {
    }

    public static Path vmDir(Path runDir, UUID vm) {
        return runDir.resolve("vm").resolve(vm.toString());
    }
}
