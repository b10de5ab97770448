package org.polydesk.toolstack.usb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;
import org.polydesk.toolstack.linux.UeventSocket;

/**
 * Hands USB device events (plugged in, pulled out, bound) to the manager, which reads sysfs again:
 * udevd's where udevd runs (after its rules: QEMU's libusb, which opens the device, learns of it
 * from udevd, so a device given at the kernel's word could be unknown to QEMU yet), else the
 * kernel's. Where the uevent socket cannot be had, sysfs is read every {@link #POLL_MS} instead.
 */
public final class UsbHotplug implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UsbHotplug.class.getName());
    static final int POLL_MS = 2000;
    /** udevd's control socket: there while udevd runs. */
    static final Path UDEV_CONTROL = Path.of("/run/udev/control");
    private final UsbManager manager;
    private final Thread thread;
    private volatile boolean closed;
    private volatile UeventSocket socket;

    public UsbHotplug(UsbManager manager) {
        this.manager = manager;
        this.thread = new Thread(this::run, "usb-hotplug");
        thread.setDaemon(true);
    }

    public UsbHotplug start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            socket = UeventSocket.open();
        } catch (IOException e) {
            LOG.warning(e.getMessage() + "; reading the USB devices every " + POLL_MS + " ms instead");
        }
        while (!closed) {
            try {
                if (socket == null) {
                    Thread.sleep(POLL_MS);
                    manager.rescan();
                    continue;
                }
                Optional<UeventSocket.Event> event = socket.next(500);
                if (event.isPresent() && isUsbDevice(event.get()) && fromTheOneToFollow(event.get(), Files.exists(UDEV_CONTROL))) {
                    manager.rescan();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warning("USB hot-plug: " + e.getMessage());
            }
        }
    }

    static boolean isUsbDevice(UeventSocket.Event event) {
        return "usb".equals(event.get("SUBSYSTEM")) && "usb_device".equals(event.get("DEVTYPE"));
    }

    /** udevd's events while it runs, the kernel's otherwise. */
    static boolean fromTheOneToFollow(UeventSocket.Event event, boolean udevRuns) {
        return event.source() == (udevRuns ? UeventSocket.Source.UDEV : UeventSocket.Source.KERNEL);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        UeventSocket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
