package org.polydesk.protocol.toolstack;

import java.nio.file.Path;
import java.util.UUID;

/** Where the toolstack's sockets live; every process finds them through this one class. */
public final class Paths {
    public static final Path RUN_DIR = Path.of("/run/polydesk");
    public static final Path DAEMON_SOCKET = RUN_DIR.resolve("polydeskd.sock");
    /** The control UI's Xvnc (slot 0 of the display server). */
    public static final Path UI_VNC_SOCKET = RUN_DIR.resolve("ui").resolve("vnc.sock");
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
