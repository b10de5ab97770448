package org.polydesk.input.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.KeyTable;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;

/**
 * Input into a VM's QEMU through its QMP socket ({@code /run/polydesk/vm/<id>/qmp.sock}): one
 * {@code input-send-event} command per evdev frame, with keys by QEMU key code (qcode), buttons,
 * wheel clicks (buttons wheel-up/-down/-left/-right) and the pointer either as relative motion
 * (a PS/2 or USB mouse) or as an absolute position 0–32767 (a usb-tablet). Commands are written
 * without waiting for QEMU's answers; a reader thread takes the answers and logs refusals.
 */
public final class QmpSink extends ConnectedSink<byte[]> {
    private static final Logger LOG = Logger.getLogger(QmpSink.class.getName());
    public static final int ABS_MAX = 32767;
    private static final int MAX_WHEEL_CLICKS = 16;

    private final Path socket;
    private final boolean absolute;
    private final StringBuilder frame = new StringBuilder(256);
    private long errors;

    /**
     * @param absolute the VM has an absolute pointing device (-device usb-tablet); otherwise the
     *                 pointer moves it relatively
     */
    public QmpSink(Path socket, boolean absolute) {
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
        return absolute;
    }

    @Override
    public void motion(int dx, int dy, double x, double y) {
        if (absolute) {
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
        frame.append(frame.length() == 0 ? "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[" : ",");
        return frame.append(start);
    }

    @Override
    public void flush() {
        if (frame.length() == 0) {
            return;
        }
        frame.append("]}}\n");
        enqueue(frame.toString().getBytes(StandardCharsets.US_ASCII));
        frame.setLength(0);
    }

    @Override
    void connect() throws IOException {
        SocketChannel ch = open(socket);
        LineFraming.Reader lines = new LineFraming.Reader(Channels.newInputStream(ch));
        String greeting = lines.readLine();
        if (greeting == null || !greeting.contains("\"QMP\"")) {
            throw new IOException("no QMP greeting on " + socket);
        }
        writeAll("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
        String reply = lines.readLine();
        while (reply != null && reply.contains("\"event\"")) {
            reply = lines.readLine();
        }
        if (reply == null || !reply.contains("\"return\"")) {
            throw new IOException("QMP refused qmp_capabilities: " + reply);
        }
        Thread answers = new Thread(() -> readAnswers(ch, lines), "qmp-answers-" + socket.getParent().getFileName());
        answers.setDaemon(true);
        answers.start();
    }

    private void readAnswers(SocketChannel ch, LineFraming.Reader lines) {
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.contains("\"error\"")) {
                    JsonNode err = Json.mapper().readTree(line).path("error");
                    if (errors++ % 100 == 0) {
                        LOG.warning(describe() + " refused input: " + err.path("desc").asText() + " (" + errors + " so far)");
                    }
                }
            }
        } catch (IOException e) {
            // the writer notices the closed connection on its next write
        }
        try {
            ch.shutdownOutput();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    void write(byte[] message) throws IOException {
        writeAll(message);
    }
}
