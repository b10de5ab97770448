package org.polydesk.display.framebuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The rectangles changed since a consumer last looked, so that only those move on. Bounded: past
 * {@link #MAX_RECTS} rectangles everything collapses into the bounding box, which costs a larger
 * copy but never unbounded memory, whatever a server sends.
 */
final class Damage {
    static final int MAX_RECTS = 64;
    private final List<Rect> rects = new ArrayList<>();

    synchronized void add(Rect r) {
        if (r.isEmpty()) {
            return;
        }
        for (int i = 0; i < rects.size(); i++) {
            Rect have = rects.get(i);
            if (have.contains(r)) {
                return;
            }
            if (r.contains(have)) {
                rects.remove(i--);
            }
        }
        if (rects.size() >= MAX_RECTS) {
            Rect box = r;
            for (Rect have : rects) {
                box = box.union(have);
            }
            rects.clear();
            rects.add(box);
        } else {
            rects.add(r);
        }
    }

    synchronized void replaceAll(Rect r) {
        rects.clear();
        if (!r.isEmpty()) {
            rects.add(r);
        }
    }

    synchronized List<Rect> drain() {
        List<Rect> out = List.copyOf(rects);
        rects.clear();
        return out;
    }

    synchronized boolean isEmpty() {
        return rects.isEmpty();
    }
}
