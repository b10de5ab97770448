package org.polydesk.input.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.KeyTable;
import org.polydesk.protocol.qmp.QmpClient;

/**
 * Input into a VM's QEMU through its QMP socket ({@code /run/polydesk/vm/<id>/qmp.sock}): one
 * {@code input-send-event} command per evdev frame, with keys by QEMU key code (qcode), buttons,
 * wheel clicks (buttons wheel-up/-down/-left/-right) and the pointer either as relative motion
 * (a PS/2 or USB mouse) or as an absolute position 0–32767 (a usb-tablet). QMP is spoken by
 * protocol's {@link QmpClient}: commands are posted without waiting for QEMU's answers, and the
 * client's reader hands back the answers, whose refusals are logged. The command's arguments are
 * built here as JSON text, one string per frame.
 */
public final class QmpSink extends ConnectedSink<String> {
    private static final Logger LOG = Logger.getLogger(QmpSink.class.getName());
    public static final int ABS_MAX = 32767;
    private static final int MAX_WHEEL_CLICKS = 16;
    private static final String COMMAND = "input-send-event";
    private static final Duration HANDSHAKE = Duration.ofSeconds(5);

    private final Path socket;
    private final java.util.function.BooleanSupplier absolute;
    private final StringBuilder frame = new StringBuilder(256);
    private volatile long errors;
    /** The connection, owned by the writer thread. */
    private QmpClient client;

    /**
     * @param absolute the VM has an absolute pointing device (-device usb-tablet); otherwise the
     *                 pointer moves it relatively
     */
    public QmpSink(Path socket, boolean absolute) {
        this(socket, () -> absolute);
    }

    /** @param absolute asked at each move: whether the VM's pointer is absolute now (the input settings' pointer mode) */
    public QmpSink(Path socket, java.util.function.BooleanSupplier absolute) {
        super("qmp-input-" + socket.getParent().getFileName());
        this.socket = socket;
        this.absolute = absolute;
        start();
    }

    @Override
    public String describe() {
        return "QMP " + socket;
    }

    @Override
    public void key(int code, boolean down) {
        KeyTable.Key k = KeyTable.byCode(code);
        if (k == null) {
            return;
        }
        event("{\"type\":\"key\",\"data\":{\"down\":").append(down)
                .append(",\"key\":{\"type\":\"qcode\",\"data\":\"").append(k.qcode()).append("\"}}}");
    }

    @Override
    public void button(int code, boolean down) {
        String name = switch (code) {
            case EventCodes.BTN_LEFT -> "left";
            case EventCodes.BTN_RIGHT -> "right";
            case EventCodes.BTN_MIDDLE -> "middle";
            case EventCodes.BTN_SIDE -> "side";
            case EventCodes.BTN_EXTRA -> "extra";
            default -> null;
        };
        if (name != null) {
            buttonEvent(name, down);
        }
    }

    private void buttonEvent(String name, boolean down) {
        event("{\"type\":\"btn\",\"data\":{\"down\":").append(down).append(",\"button\":\"").append(name).append("\"}}");
    }

    @Override
    public boolean absolute() {
        return absolute.getAsBoolean();
    }

    @Override
    public void motion(int dx, int dy, double x, double y) {
        if (absolute()) {
            axis("abs", "x", (int) Math.round(x * ABS_MAX));
            axis("abs", "y", (int) Math.round(y * ABS_MAX));
        } else {
            if (dx != 0) {
                axis("rel", "x", dx);
            }
            if (dy != 0) {
                axis("rel", "y", dy);
            }
        }
    }

    private void axis(String type, String axis, int value) {
        event("{\"type\":\"").append(type).append("\",\"data\":{\"axis\":\"").append(axis)
                .append("\",\"value\":").append(value).append("}}");
    }

    @Override
    public void wheel(int vertical, int horizontal) {
        clicks(vertical, "wheel-up", "wheel-down");
        clicks(horizontal, "wheel-right", "wheel-left");
    }

    private void clicks(int n, String positive, String negative) {
        String name = n > 0 ? positive : negative;
        for (int i = 0; i < Math.min(Math.abs(n), MAX_WHEEL_CLICKS); i++) {
            buttonEvent(name, true);
            buttonEvent(name, false);
        }
    }

    private StringBuilder event(String start) {
        frame.append(frame.length() == 0 ? "{\"events\":[" : ",");
        return frame.append(start);
    }

    @Override
    public void flush() {
        if (frame.length() == 0) {
            return;
        }
        frame.append("]}");
        enqueue(frame.toString());
        frame.setLength(0);
    }

    @Override
    void connect() throws IOException {
        client = own(QmpClient.connect(socket, null, this::answer, HANDSHAKE));
    }

    /** An answer to a posted command (on the client's reader thread): refusals are logged, one in a hundred. */
    private void answer(JsonNode msg) {
        JsonNode err = msg.get("error");
        if (err != null) {
            long n = ++errors;
            if (n % 100 == 1) {
                LOG.warning(describe() + " refused input: " + err.path("desc").asText() + " (" + n + " so far)");
            }
        }
    }

    @Override
    void write(String arguments) throws IOException {
        client.post(COMMAND, arguments);
    }
}
