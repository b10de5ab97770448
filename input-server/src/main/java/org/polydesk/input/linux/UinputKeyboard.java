package org.polydesk.input.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A keyboard made through /dev/uinput: what it is told it types, and the kernel's keyboard handler
 * hands that to the active virtual terminal, like any keyboard that nobody grabbed. The input
 * server types into dom0's text console through it; it must not open (or grab) this device itself,
 * hence {@link #NAME}.
 */
public final class UinputKeyboard implements AutoCloseable {
    public static final String NAME = "Polydesk console keyboard";
    private static final int EV_SYN = 0, EV_KEY = 1, SYN_REPORT = 0;
    /** Every key code of a PC keyboard (KEY_ESC 1 … KEY_MICMUTE 248). */
    private static final int LAST_KEY = 248;
    private static final long UI_DEV_CREATE = Linux.ioc(0, 'U', 1, 0);
    private static final long UI_DEV_DESTROY = Linux.ioc(0, 'U', 2, 0);
    /** {@code struct uinput_setup}: input_id (4 × u16), name[80], ff_effects_max (u32). */
    private static final int SETUP_SIZE = 8 + 80 + 4;
    private static final long UI_DEV_SETUP = Linux.ioc(Linux.IOC_WRITE, 'U', 3, SETUP_SIZE);
    private static final long UI_SET_EVBIT = Linux.ioc(Linux.IOC_WRITE, 'U', 100, 4);
    private static final long UI_SET_KEYBIT = Linux.ioc(Linux.IOC_WRITE, 'U', 101, 4);
    /** {@code struct input_event} on 64-bit Linux: timeval (16), type, code (u16), value (s32). */
    private static final int EVENT_SIZE = 24;
    private static final short BUS_VIRTUAL = 0x06;

    private final int fd;
    private final ByteBuffer batch = ByteBuffer.allocate(EVENT_SIZE * 64).order(ByteOrder.nativeOrder());

    private UinputKeyboard(int fd) {
        this.fd = fd;
    }

    /** Creates the keyboard; fails where there is no /dev/uinput (no module, no permission). */
    public static UinputKeyboard create(String device) throws ErrnoException {
        int fd = Linux.open(device, Linux.O_RDWR | Linux.O_CLOEXEC);
        try {
            Linux.ioctl(fd, UI_SET_EVBIT, EV_KEY);
            for (int key = 1; key <= LAST_KEY; key++) {
                Linux.ioctl(fd, UI_SET_KEYBIT, key);
            }
            ByteBuffer setup = ByteBuffer.allocate(SETUP_SIZE).order(ByteOrder.nativeOrder());
            setup.putShort(BUS_VIRTUAL).putShort((short) 0x1d6b).putShort((short) 0x0104).putShort((short) 1);
            byte[] name = NAME.getBytes(StandardCharsets.US_ASCII);
            setup.put(name, 0, Math.min(name.length, 79));
            Linux.ioctl(fd, UI_DEV_SETUP, setup.array());
            Linux.ioctl(fd, UI_DEV_CREATE, 0);
            return new UinputKeyboard(fd);
        } catch (ErrnoException e) {
            try {
                Linux.close(fd);
            } catch (ErrnoException ignored) {
                // already failing
            }
            throw e;
        }
    }

    /** Queues a key going down (value 1), repeating (2) or up (0). */
    public synchronized void key(int code, int value) {
        if (code < 1 || code > LAST_KEY) {
            return;
        }
        if (batch.remaining() < 2 * EVENT_SIZE) {
            flush();
        }
        event(EV_KEY, code, value);
    }

    /** Sends what was queued, ended by a report, as one write. */
    public synchronized void flush() {
        if (batch.position() == 0) {
            return;
        }
        event(EV_SYN, SYN_REPORT, 0);
        try {
            Linux.write(fd, batch.array(), batch.position());
        } catch (ErrnoException e) {
            throw new IllegalStateException("writing to uinput: " + e.getMessage(), e);
        } finally {
            batch.clear();
        }
    }

    private void event(int type, int code, int value) {
        batch.putLong(0).putLong(0).putShort((short) type).putShort((short) code).putInt(value);
    }

    @Override
    public synchronized void close() {
        try {
            Linux.ioctl(fd, UI_DEV_DESTROY, 0);
        } catch (ErrnoException ignored) {
            // closing destroys it too
        }
        try {
            Linux.close(fd);
        } catch (ErrnoException ignored) {
            // nothing more to do
        }
    }
}
