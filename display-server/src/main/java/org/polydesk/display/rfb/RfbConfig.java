package org.polydesk.display.rfb;

import java.time.Duration;
import java.util.List;

/**
 * What a connection asks for and what it accepts. The limits bound everything a server can make us
 * allocate or wait for; anything beyond them is an {@link RfbProtocolException}.
 *
 * @param encodings      sent in SetEncodings, most preferred first
 * @param maxWidth       largest frame buffer width accepted
 * @param maxHeight      largest frame buffer height accepted
 * @param maxPixels      largest frame buffer area accepted (4 bytes each)
 * @param maxCursorSize  largest cursor width and height accepted
 * @param maxCutText     longest server cut text accepted, in bytes
 * @param maxString      longest desktop name or failure reason accepted, in bytes
 * @param connectTimeout limit on a TCP connect
 * @param readTimeout    longest silence accepted inside a message, and the wait for an idle probe's answer
 * @param idleProbe      silence between messages after which a tiny update request checks the server lives
 */
public record RfbConfig(List<Integer> encodings, int maxWidth, int maxHeight, long maxPixels, int maxCursorSize,
                        int maxCutText, int maxString, Duration connectTimeout, Duration readTimeout,
                        Duration idleProbe) {

    public static final int DEFAULT_MAX_DIMENSION = 16384;
    /** 2^24 pixels (64 MiB): 5120x3200, or two 4K screens side by side. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 24;

    public RfbConfig {
        encodings = List.copyOf(encodings);
        if (maxWidth < 1 || maxWidth > 65535 || maxHeight < 1 || maxHeight > 65535) {
            throw new IllegalArgumentException("max width/height must be 1..65535");
        }
        if (maxPixels < 1 || maxPixels > (Integer.MAX_VALUE - 16) / 4) {
            throw new IllegalArgumentException("max pixels must fit a direct buffer of 4-byte pixels");
        }
    }

    public static RfbConfig defaults() {
        return new RfbConfig(Encodings.DEFAULT, DEFAULT_MAX_DIMENSION, DEFAULT_MAX_DIMENSION, DEFAULT_MAX_PIXELS,
                256, 1 << 20, 1 << 16, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public RfbConfig withEncodings(List<Integer> list) {
        return new RfbConfig(list, maxWidth, maxHeight, maxPixels, maxCursorSize, maxCutText, maxString,
                connectTimeout, readTimeout, idleProbe);
    }

    /** The same encodings with {@code encoding} moved (or added) to the front, as the most preferred. */
    public RfbConfig preferring(int encoding) {
        List<Integer> list = new java.util.ArrayList<>(encodings);
        list.remove(Integer.valueOf(encoding));
        list.add(0, encoding);
        return withEncodings(list);
    }

    public RfbConfig withSizeLimits(int width, int height, long pixels) {
        return new RfbConfig(encodings, width, height, pixels, maxCursorSize, maxCutText, maxString,
                connectTimeout, readTimeout, idleProbe);
    }

    public RfbConfig withTimeouts(Duration read, Duration idle) {
        return new RfbConfig(encodings, maxWidth, maxHeight, maxPixels, maxCursorSize, maxCutText, maxString,
                connectTimeout, read, idle);
    }
}
