package org.polydesk.toolstack.backend;

import java.nio.file.Path;
import java.util.UUID;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.vm.VmSockets;

/** The files of one running VM under {@code <runDir>/vm/<id>/}, the same for every backend. */
public record VmRuntimeDir(Path path) {
    public static VmRuntimeDir of(Path runDir, UUID id) {
        return new VmRuntimeDir(Paths.vmDir(runDir, id));
    }

    public Path vncSocket() {
        return path.resolve(Paths.VNC_SOCKET);
    }

    public Path qmpSocket() {
        return path.resolve(Paths.QMP_SOCKET);
    }

    public Path viewerSocket() {
        return path.resolve(Paths.VIEWER_SOCKET);
    }

    /** The file behind the ivshmem BAR of a passthrough VM on the QEMU backend. */
    public Path viewerRegion() {
        return path.resolve(Paths.VIEWER_REGION);
    }

    /** polydeskd's own QMP monitor of a QEMU-backend VM (on Xen, libxl keeps its own). */
    public Path monitorSocket() {
        return path.resolve("monitor.sock");
    }

    public Path pidFile() {
        return path.resolve("qemu.pid");
    }

    public Path consoleLog() {
        return path.resolve("console.log");
    }

    /** The control socket of the VM's swtpm (its TPM 2.0), which QEMU connects to. */
    public Path swtpmSocket() {
        return path.resolve("swtpm.sock");
    }

    public Path swtpmPidFile() {
        return path.resolve("swtpm.pid");
    }

    public Path swtpmLog() {
        return path.resolve("swtpm.log");
    }

    public Path qemuLog() {
        return path.resolve("qemu.log");
    }

    /**
     * {@code withRegion}: the viewer's region is {@link #viewerRegion()} (QEMU's ivshmem), not Xen grants;
     * {@code tablet}: the device model was given a USB tablet.
     */
    public VmSockets sockets(boolean withViewer, boolean withRegion, boolean tablet) {
        return new VmSockets(vncSocket().toString(), qmpSocket().toString(),
                withViewer ? viewerSocket().toString() : null,
                withViewer && withRegion ? viewerRegion().toString() : null, tablet);
    }
}
