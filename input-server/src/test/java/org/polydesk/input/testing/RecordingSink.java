package org.polydesk.input.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.polydesk.input.evdev.KeyTable;
import org.polydesk.input.sink.InputSink;

/**
 * A sink that is a model guest: it records what it is sent as readable lines ("+a", "-leftctrl",
 * "btn+272", "rel 3,4", "abs 0.5,0.5", "wheel 1,0") and keeps the keys it holds down, counting
 * what a real guest would get wrong: a release of a key it does not hold (an orphan release).
 */
public final class RecordingSink implements InputSink {
    public final List<String> log = new ArrayList<>();
    public final Set<Integer> down = new HashSet<>();
    public int orphanReleases;
    public int flushes;
    public boolean closed;
    private final String name;
    private final boolean absolute;

    /** A guest with a relative mouse. */
    public RecordingSink(String name) {
        this(name, false);
    }

    public RecordingSink(String name, boolean absolute) {
        this.name = name;
        this.absolute = absolute;
    }

    @Override
    public boolean absolute() {
        return absolute;
    }

    @Override
    public synchronized void key(int code, boolean pressed) {
        log.add((pressed ? "+" : "-") + KeyTable.byCode(code).name());
        track(code, pressed);
    }

    @Override
    public synchronized void button(int code, boolean pressed) {
        log.add("btn" + (pressed ? "+" : "-") + code);
        track(code, pressed);
    }

    private void track(int code, boolean pressed) {
        if (pressed) {
            down.add(code);
        } else if (!down.remove(code)) {
            orphanReleases++;
        }
    }

    @Override
    public synchronized void motion(int dx, int dy, double x, double y) {
        log.add(String.format(java.util.Locale.ROOT, "move %d,%d %.3f,%.3f", dx, dy, x, y));
    }

    @Override
    public synchronized void wheel(int vertical, int horizontal) {
        log.add("wheel " + vertical + "," + horizontal);
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    @Override
    public String describe() {
        return "recording " + name;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The key lines only (no motion), for compact assertions. */
    public synchronized List<String> keys() {
        return log.stream().filter(s -> s.startsWith("+") || s.startsWith("-")).toList();
    }

    public synchronized void clear() {
        log.clear();
    }
}
