package org.polydesk.input.evdev;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.input.linux.UinputKeyboard;

/**
 * The input devices the server reads: evdev nodes that appear (opened, classified, grabbed when
 * they are keyboards, mice or absolute pointers) and streams of recorded events. Each has a reader
 * thread that hands events to the {@link InputListener}; a device that fails or vanishes is closed
 * and reported removed, and nothing else stops.
 */
public final class DeviceManager implements Closeable {
    private static final Logger LOG = Logger.getLogger(DeviceManager.class.getName());
    private final InputListener listener;
    private final boolean grab;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Path, EvdevDevice> open = new ConcurrentHashMap<>();
    /** Nodes refused once (not evdev, not input we take), so repeated inotify events do not repeat the log. */
    private final Map<Path, String> refused = new ConcurrentHashMap<>();
    private volatile DeviceWatcher watcher;

    public DeviceManager(InputListener listener, boolean grab) {
        this.listener = listener;
        this.grab = grab;
    }

    /** Opens the event nodes of {@code dir} and follows hot-plug there. */
    public void watch(Path dir) throws IOException {
        watcher = new DeviceWatcher(dir, this::appeared, this::vanished);
        watcher.start();
    }

    /** Feeds a stream of input_event records as one more keyboard-and-mouse device. */
    public int addStream(String name, InputStream in) {
        int id = ids.incrementAndGet();
        listener.deviceAdded(id, Capabilities.everything(name), (n, c, s) -> { });
        start(id, name, in, null);
        return id;
    }

    synchronized void appeared(Path node) {
        if (open.containsKey(node)) {
            return;
        }
        EvdevDevice dev;
        try {
            dev = EvdevDevice.open(node);
        } catch (IOException e) {
            String msg = e.getMessage();
            if (!msg.equals(refused.put(node, msg))) {
                LOG.warning("skipping " + node + ": " + msg);
            }
            return;
        }
        Capabilities caps = dev.capabilities();
        DeviceKind kind = caps.kind();
        if (caps.name().equals(UinputKeyboard.NAME)) {
            // Our own keyboard for dom0's text console: what it types is for the kernel, not for us.
            dev.release();
            return;
        }
        if (kind == DeviceKind.OTHER) {
            String msg = "'" + caps.name() + "' is neither keyboard nor pointer; left to the host";
            if (!msg.equals(refused.put(node, msg))) {
                LOG.info(node + ": " + msg);
            }
            dev.release();
            return;
        }
        if (grab) {
            try {
                dev.grab();
            } catch (IOException e) {
                LOG.warning("skipping " + node + ": " + e.getMessage());
                dev.release();
                return;
            }
        }
        refused.remove(node);
        open.put(node, dev);
        int id = ids.incrementAndGet();
        LOG.info("device " + id + ": " + node + " '" + caps.name() + "' (" + kind.name().toLowerCase() + ")"
                + (grab ? ", grabbed" : ""));
        listener.deviceAdded(id, caps, (num, capsLock, scroll) -> {
            try {
                dev.setLeds(num, capsLock, scroll);
            } catch (IOException e) {
                LOG.fine(e.getMessage());
            }
        });
        start(id, node.toString(), dev.stream(), dev);
    }

    synchronized void vanished(Path node) {
        refused.remove(node);
        EvdevDevice dev = open.get(node);
        if (dev != null) {
            dev.close(); // the reader sees the end and reports the removal
        }
    }

    private void start(int id, String name, InputStream in, EvdevDevice dev) {
        Thread t = new Thread(() -> {
            try {
                int rest = new EventReader(in).pump(e -> listener.event(id, e));
                if (rest != 0) {
                    LOG.warning(name + " ended inside an event record (" + rest + " bytes left over)");
                }
            } catch (IOException e) {
                LOG.warning("reading " + name + " failed: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handling an event of " + name + " failed; the device is dropped", e);
            } finally {
                LOG.info("device " + id + " (" + name + ") is gone");
                listener.deviceRemoved(id);
                if (dev != null) {
                    open.remove(dev.path(), dev);
                    dev.release();
                }
            }
        }, "evdev-" + id);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        open.values().forEach(EvdevDevice::close);
    }
}
