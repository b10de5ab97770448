package org.polydesk.input.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.polydesk.input.evdev.DeviceManager;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.focus.FocusBusServer;
import org.polydesk.input.focus.LifecycleFollower;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.hotkey.SettingsStore;
import org.polydesk.input.routing.InputRouter;
import org.polydesk.input.linux.ErrnoException;
import org.polydesk.input.linux.UinputKeyboard;
import org.polydesk.input.sink.ConsoleSink;
import org.polydesk.input.sink.InputSink;
import org.polydesk.input.sink.QmpSink;
import org.polydesk.input.sink.RfbSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.vm.VmSockets;

/**
 * The input server put together: the focus authority with the control UI's RFB sink in slot 0 (and
 * dom0's text console, where it has one), the router, the focus bus, the lifecycle follower that
 * fills slots 1–9 with QMP sinks, and the devices.
 */
public final class InputService implements Closeable {
    private static final Logger LOG = Logger.getLogger(InputService.class.getName());

    /**
     * Where things are; every path can be moved for tests. {@code configFile}: where input.config.set
     * stores the settings ({@code config} is what was read from it); {@code absolutePointer}: start
     * with an absolute pointer whatever the file says; {@code uinput}: where dom0's text console gets
     * its keyboard (null: no console to switch to).
     */
    public record Settings(InputConfig config, Path busSocket, Path daemonSocket, Path devices, boolean grab,
                           boolean absolutePointer, Path configFile, Path uinput) {
        /** Settings kept in a file nobody reads (a test's), without a console. */
        public Settings(InputConfig config, Path busSocket, Path daemonSocket, Path devices, boolean grab,
                        boolean absolutePointer) {
            this(config, busSocket, daemonSocket, devices, grab, absolutePointer,
                    busSocket.resolveSibling(busSocket.getFileName() + ".input.json"), null);
        }
    }

    private final FocusAuthority focus;
    private final InputRouter router;
    private final SettingsStore settings;
    private final DeviceManager devices;
    private final List<Closeable> parts = new ArrayList<>();

    public InputService(Settings s) throws IOException {
        InputSink ui = s.config().uiVncSocket() == null ? null : new RfbSink(s.config().uiVncSocket());
        focus = new FocusAuthority(ui, console(s.uinput()));
        InputConfig config = s.absolutePointer()
                ? s.config().withHotkeys(s.config().hotkeys(), InputSettings.PointerMode.ABSOLUTE) : s.config();
        router = new InputRouter(focus, config);
        router.placePointer();
        settings = new SettingsStore(s.configFile(), config, changed -> router.setHotkeys(changed.hotkeys()));
        parts.add(new FocusBusServer(s.busSocket(), focus, settings));
        if (s.daemonSocket() != null) {
            LifecycleFollower follower = new LifecycleFollower(s.daemonSocket(), focus, this::vmSink);
            follower.start();
            parts.add(follower);
        }
        devices = new DeviceManager(router, s.grab());
        parts.add(devices);
        if (s.devices() != null) {
            try {
                devices.watch(s.devices());
            } catch (IOException | UnsatisfiedLinkError e) {
                LOG.warning("no input devices from " + s.devices() + ": " + e.getMessage()
                        + "; the focus bus and any event streams still work");
            }
        }
    }

    /** dom0's text console's keyboard, or null (and why, in the log) where none can be made. */
    private static InputSink console(Path uinput) {
        if (uinput == null) {
            return null;
        }
        try {
            InputSink console = new ConsoleSink(UinputKeyboard.create(uinput.toString()));
            LOG.info("the console chord shows dom0's text console, typed into through " + uinput);
            return console;
        } catch (ErrnoException | UnsatisfiedLinkError e) {
            LOG.warning("no text console to switch to: cannot make a keyboard on " + uinput + ": " + e.getMessage());
            return null;
        }
    }

    /** Reads a stream of evdev input_event records as one more device (a pipe, a recording, a test). */
    public int addStream(String name, InputStream in) {
        return devices.addStream(name, in);
    }

    public FocusAuthority focus() {
        return focus;
    }

    public InputRouter router() {
        return router;
    }

    public SettingsStore settings() {
        return settings;
    }

    /**
     * A running VM's sink, on its QMP socket; it asks the settings at each move, so a new pointer mode
     * applies at once ({@code auto}: places only to a VM with a USB tablet).
     */
    public InputSink vmSink(VmSockets vm) {
        boolean tablet = vm.hasTablet();
        return new QmpSink(Path.of(vm.qmp()), () -> settings.current().pointer().absoluteFor(tablet));
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (IOException | RuntimeException e) {
                LOG.fine("closing: " + e);
            }
        }
        for (int target : new int[] {FocusBus.UI_SLOT, FocusBus.CONSOLE}) {
            InputSink sink = focus.sink(target);
            if (sink != null) {
                sink.close();
            }
        }
    }
}
