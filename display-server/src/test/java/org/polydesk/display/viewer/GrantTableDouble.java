package org.polydesk.display.viewer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.display.gnttab.GrantMapper;
import org.polydesk.display.gnttab.GrantMapping;
import org.polydesk.protocol.viewer.FrameRegion;

/**
 * A test double of Xen's grant table beside the real {@link org.polydesk.display.linux.Gntdev}:
 * a "guest" grants memory to dom0 ({@link #grant}) and gets refs; mapping them gives dom0 the
 * same memory, as gntdev does, if and only if every ref is one that domain granted, in the
 * order granted. It counts mappings, so a test sees that every one is given back.
 */
final class GrantTableDouble implements GrantMapper {
    private record Grant(int domid, int firstRef, ByteBuffer memory) {
        int pages() {
            return memory.capacity() / FrameRegion.PAGE_BYTES;
        }
    }

    private final List<Grant> grants = new ArrayList<>();
    private int nextRef = 8;
    private int mapped;
    private int open;

    /** Domain {@code domid} grants dom0 the pages of {@code memory} (a whole number of pages). */
    synchronized int[] grant(int domid, ByteBuffer memory) {
        Grant g = new Grant(domid, nextRef, memory);
        grants.add(g);
        nextRef += g.pages() + 5;
        int[] refs = new int[g.pages()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = g.firstRef() + i;
        }
        return refs;
    }

    /** Pages for a region of {@code buffers} buffers, as gntalloc gives them (zeroed, whole pages). */
    static ByteBuffer pages(int width, int height, int buffers) {
        return ByteBuffer.allocateDirect(FrameRegion.pagesFor(width, height, buffers) * FrameRegion.PAGE_BYTES);
    }

    /** How many mappings were made, and how many are still open. */
    synchronized int mapped() {
        return mapped;
    }

    synchronized int open() {
        return open;
    }

    @Override
    public synchronized GrantMapping map(int domid, int[] refs) throws IOException {
        for (Grant g : grants) {
            if (g.domid() == domid && refs.length > 0 && refs[0] == g.firstRef() && refs.length <= g.pages()) {
                for (int i = 0; i < refs.length; i++) {
                    if (refs[i] != g.firstRef() + i) {
                        throw new IOException("grant ref " + refs[i] + " of domain " + domid + " is not granted");
                    }
                }
                mapped++;
                open++;
                ByteBuffer memory = g.memory().slice(0, refs.length * FrameRegion.PAGE_BYTES);
                return new GrantMapping() {
                    private boolean closed;

                    @Override
                    public ByteBuffer memory() {
                        return memory;
                    }

                    @Override
                    public void close() {
                        synchronized (GrantTableDouble.this) {
                            if (!closed) {
                                closed = true;
                                open--;
                            }
                        }
                    }
                };
            }
        }
        throw new IOException("grant ref " + (refs.length > 0 ? refs[0] : -1) + " of domain " + domid + " is not granted");
    }
}
