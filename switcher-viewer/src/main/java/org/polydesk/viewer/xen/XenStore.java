package org.polydesk.viewer.xen;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads this domain's own id from xenstore through the kernel's /dev/xen/xenbus: one XS_READ of
 * the relative path "domid" (relative paths are under /local/domain/OURS, where the toolstack
 * writes it). The wire format is xenstore's: u32 type | u32 request id | u32 transaction | u32
 * length, native (little) endian, then the payload.
 */
public final class XenStore {
    public static final Path DEVICE = Path.of("/dev/xen/xenbus");
    private static final int XS_READ = 2;
    private static final int XS_ERROR = 16;
    private static final int MAX_REPLY = 4096;
    /** DOMID_FIRST_RESERVED: ids from here on are not domains. */
    private static final int DOMID_FIRST_RESERVED = 0x7FF0;

    private XenStore() {
    }

    public static int ownDomid() throws IOException {
        try {
            return readDomid();
        } catch (IOException e) {
            throw new IOException("cannot read this VM's domain id from xenstore through " + DEVICE + " (" + e
                    + "); give it with --domid", e);
        }
    }

    private static int readDomid() throws IOException {
        try (FileChannel ch = FileChannel.open(DEVICE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] path = "domid\0".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer request = ByteBuffer.allocate(16 + path.length).order(ByteOrder.LITTLE_ENDIAN);
            request.putInt(XS_READ).putInt(1).putInt(0).putInt(path.length).put(path).flip();
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ByteBuffer header = readFully(ch, 16);
            int type = header.getInt(0);
            int length = header.getInt(12);
            if (length < 0 || length > MAX_REPLY) {
                throw new IOException("xenstore answered with " + Integer.toUnsignedString(length) + " bytes");
            }
            String value = StandardCharsets.US_ASCII.decode(readFully(ch, length)).toString().replace("\0", "").trim();
            if (type == XS_ERROR) {
                throw new IOException("xenstore cannot read our domid (" + value + ")");
            }
            return parseDomid(value);
        }
    }

    static int parseDomid(String value) throws IOException {
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) == 0 || Integer.parseInt(value) >= DOMID_FIRST_RESERVED) {
            throw new IOException("xenstore gives '" + value + "' as our domid, not a guest's domain id");
        }
        return Integer.parseInt(value);
    }

    private static ByteBuffer readFully(FileChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("xenstore closed " + DEVICE + " in the middle of its answer");
            }
        }
        return b.flip();
    }
}
