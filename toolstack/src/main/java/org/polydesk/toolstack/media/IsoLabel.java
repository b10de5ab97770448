package org.polydesk.toolstack.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The volume label of an ISO 9660 image: the volume identifier of its primary volume descriptor. */
final class IsoLabel {
    /** Volume descriptors start at sector 16 (2048-byte sectors); the primary one is type 1, "CD001". */
    private static final long FIRST_DESCRIPTOR = 16 * 2048L;
    private static final int MAX_DESCRIPTORS = 32;

    private IsoLabel() {
    }

    /** The label, or null when {@code file} is no ISO 9660 image or its label is blank. */
    static String read(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            for (int i = 0; i < MAX_DESCRIPTORS; i++) {
                ByteBuffer d = ByteBuffer.allocate(2048);
                if (ch.read(d, FIRST_DESCRIPTOR + i * 2048L) < 72) {
                    return null;
                }
                byte[] b = d.array();
                if (!new String(b, 1, 5, StandardCharsets.US_ASCII).equals("CD001")) {
                    return null;
                }
                int type = b[0] & 0xff;
                if (type == 255) {
                    return null; // the set terminator: no primary descriptor
                }
                if (type == 1) {
                    String label = new String(b, 40, 32, StandardCharsets.US_ASCII).strip();
                    return label.isEmpty() ? null : label;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
