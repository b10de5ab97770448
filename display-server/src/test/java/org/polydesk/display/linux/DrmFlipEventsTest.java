package org.polydesk.display.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What one read of a DRM card says of the flips asked for (struct drm_event_vblank, as the kernel
 * writes it): several monitors' flips are done at one vertical blank and read at once, so each
 * CRTC named is noted, not only the one waited for.
 */
class DrmFlipEventsTest {
    private static final int VBLANK = 0x01;
    private static final int FLIP_COMPLETE = 0x02;

    /** Events of {@code 32} bytes each: type, length, user data, time, sequence, CRTC. */
    private static ByteBuffer events(int... typeAndCrtc) {
        ByteBuffer b = ByteBuffer.allocate(typeAndCrtc.length / 2 * 32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < typeAndCrtc.length; i += 2) {
            int at = i / 2 * 32;
            b.putInt(at, typeAndCrtc[i]).putInt(at + 4, 32).putLong(at + 8, 0).putInt(at + 16, 1).putInt(at + 20, 2)
                    .putInt(at + 24, 3).putInt(at + 28, typeAndCrtc[i + 1]);
        }
        return b;
    }

    @Test
    void everyCrtcWhoseFlipIsReadIsDone() {
        Set<Integer> flipping = new HashSet<>(Set.of(41, 42, 43));
        DrmCard.noteFlipsDone(events(FLIP_COMPLETE, 42, VBLANK, 43, FLIP_COMPLETE, 41), flipping);
        assertEquals(Set.of(43), flipping, "a vblank event is no flip");
    }

    @Test
    void anOldKernelsEventNamesNoCrtcAndEndsEveryFlip() {
        Set<Integer> flipping = new HashSet<>(Set.of(41, 42));
        DrmCard.noteFlipsDone(events(FLIP_COMPLETE, 0), flipping);
        assertEquals(Set.of(), flipping);
    }

    @Test
    void aMalformedLengthEndsTheReadingWithWhatCameBefore() {
        ByteBuffer b = events(FLIP_COMPLETE, 41, FLIP_COMPLETE, 42, FLIP_COMPLETE, 43);
        b.putInt(32 + 4, 4); // the second event: shorter than its header
        Set<Integer> flipping = new HashSet<>(Set.of(41, 42, 43));
        DrmCard.noteFlipsDone(b, flipping);
        assertEquals(Set.of(42, 43), flipping);

        ByteBuffer cut = events(FLIP_COMPLETE, 41, FLIP_COMPLETE, 42).limit(50); // the second one cut short
        Set<Integer> again = new HashSet<>(Set.of(41, 42));
        DrmCard.noteFlipsDone(cut, again);
        assertEquals(Set.of(42), again);
    }
}
