package org.polydesk.protocol.focus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.polydesk.protocol.rpc.Problem;

/**
 * The monitors the display server drives now, in the desktop's layout: the params of
 * {@link FocusBus#HEADS_SET}. The input server moves the pointer across them and keeps one shown
 * slot per head. {@link #problems} is what makes a layout unusable, each with its field
 * ({@code heads[1].name}); a layout with any is refused whole.
 */
public record HeadLayout(List<Head> heads) {
    public static final String HEADS = "heads";
    /** More monitors than any PC drives; a bound on what a peer may make us hold. */
    public static final int MAX_HEADS = 16;
    public static final int MAX_SIZE = 16384;

    /** What is wrong with this layout; empty when it can be used. */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (heads == null || heads.isEmpty()) {
            out.add(new Problem(HEADS, "a layout has at least one monitor"));
            return out;
        }
        if (heads.size() > MAX_HEADS) {
            out.add(new Problem(HEADS, heads.size() + " monitors; at most " + MAX_HEADS + " are driven"));
            return out;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < heads.size(); i++) {
            Head h = heads.get(i);
            String at = HEADS + "[" + i + "]";
            if (h == null) {
                out.add(new Problem(at, "a monitor is an object with name, x, y, width and height"));
                continue;
            }
            String nameProblem = Head.nameProblem(h.name());
            if (nameProblem != null) {
                out.add(new Problem(at + "." + Head.NAME, nameProblem));
            } else if (!names.add(h.name())) {
                out.add(new Problem(at + "." + Head.NAME, "'" + h.name() + "' is named twice"));
            }
            if (h.width() < 1 || h.width() > MAX_SIZE) {
                out.add(new Problem(at + "." + Head.WIDTH, "a width is 1 to " + MAX_SIZE + " pixels, not " + h.width()));
            }
            if (h.height() < 1 || h.height() > MAX_SIZE) {
                out.add(new Problem(at + "." + Head.HEIGHT, "a height is 1 to " + MAX_SIZE + " pixels, not " + h.height()));
            }
            if (Math.abs((long) h.x()) > MAX_HEADS * (long) MAX_SIZE || Math.abs((long) h.y()) > MAX_HEADS * (long) MAX_SIZE) {
                out.add(new Problem(at, "a monitor sits within " + MAX_HEADS * MAX_SIZE + " pixels of the desktop's origin"));
            }
        }
        if (out.isEmpty()) {
            for (int i = 0; i < heads.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (heads.get(i).overlaps(heads.get(j))) {
                        out.add(new Problem(HEADS + "[" + i + "]", heads.get(i).name() + " overlaps " + heads.get(j).name()
                                + ": the pointer could not tell which monitor it is on"));
                    }
                }
            }
        }
        return out;
    }

    /** The monitor named {@code name}, or null. */
    public Head head(String name) {
        for (Head h : heads) {
            if (h.name().equals(name)) {
                return h;
            }
        }
        return null;
    }
}
