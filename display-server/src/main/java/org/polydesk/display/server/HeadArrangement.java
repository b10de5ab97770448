package org.polydesk.display.server;

import java.util.ArrayList;
import java.util.List;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.HeadLayout;

/**
 * Where the monitors sit in the desktop the pointer crosses, as the user wrote it: monitor names
 * left to right, rows top to bottom between slashes. {@code "DP-1 / eDP-1 HDMI-A-1"} puts DP-1
 * above eDP-1, with HDMI-A-1 right of eDP-1. Each row starts at the left edge, below the tallest
 * monitor of the row above. Monitors it does not name follow on the first row's right, in the
 * card's order, so the empty arrangement is every monitor left to right.
 */
public record HeadArrangement(List<List<String>> rows) {
    public static final HeadArrangement LEFT_TO_RIGHT = new HeadArrangement(List.of());

    public HeadArrangement {
        rows = rows.stream().map(List::copyOf).toList();
    }

    /** From the user's text; a name twice is an error that says which. */
    public static HeadArrangement parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String row : text.strip().isEmpty() ? new String[0] : text.split("/", -1)) {
            List<String> names = new ArrayList<>();
            for (String name : row.strip().split("[\\s,]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                if (seen.contains(name)) {
                    throw new IllegalArgumentException("the layout '" + text + "' names " + name + " twice");
                }
                seen.add(name);
                names.add(name);
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("the layout '" + text + "' has a row without monitors; write it like"
                        + " 'DP-1 / eDP-1 HDMI-A-1' (rows top to bottom, each left to right)");
            }
            rows.add(names);
        }
        return new HeadArrangement(rows);
    }

    /** The desktop these monitors make. */
    public HeadLayout place(List<Sink> heads) {
        List<List<Sink>> placed = new ArrayList<>();
        for (List<String> row : rows) {
            List<Sink> r = new ArrayList<>();
            for (String name : row) {
                heads.stream().filter(h -> h.name().equals(name)).findFirst().ifPresent(r::add);
            }
            if (!r.isEmpty()) {
                placed.add(r);
            }
        }
        if (placed.isEmpty()) {
            placed.add(new ArrayList<>());
        }
        for (Sink h : heads) {
            if (placed.stream().noneMatch(r -> r.contains(h))) {
                placed.get(0).add(h);
            }
        }
        List<Head> out = new ArrayList<>();
        int top = 0;
        for (List<Sink> row : placed) {
            int x = 0;
            int tallest = 0;
            for (Sink h : row) {
                out.add(new Head(h.name(), x, top, h.width(), h.height()));
                x += h.width();
                tallest = Math.max(tallest, h.height());
            }
            top += tallest;
        }
        return new HeadLayout(out);
    }

    @Override
    public String toString() {
        return String.join(" / ", rows.stream().map(r -> String.join(" ", r)).toList());
    }
}
