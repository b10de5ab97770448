package org.polydesk.display.linux;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An open Linux framebuffer device: its geometry from {@code FBIOGET_VSCREENINFO} and
 * {@code FBIOGET_FSCREENINFO}, and its memory mapped. Closing unmaps it.
 */
public final class FbScreen implements AutoCloseable {
    private final String path;
    private final FbGeometry geometry;
    private final int fd;
    private final Pointer map;
    private final long mapLength;
    private final ByteBuffer memory;

    private FbScreen(String path, FbGeometry geometry, int fd, Pointer map, long mapLength) {
        this.path = path;
        this.geometry = geometry;
        this.fd = fd;
        this.map = map;
        this.mapLength = mapLength;
        this.memory = map.getByteBuffer(0, mapLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static FbScreen open(String path) throws IOException {
        int fd = LibC.C.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + path + ": " + strerror());
        }
        try {
            byte[] var = new byte[LibC.VAR_SIZE];
            byte[] fix = new byte[LibC.FIX_SIZE];
            if (LibC.C.ioctl(fd, LibC.FBIOGET_VSCREENINFO, var) < 0
                    || LibC.C.ioctl(fd, LibC.FBIOGET_FSCREENINFO, fix) < 0) {
                throw new IOException(path + " is not a framebuffer: " + strerror());
            }
            FbGeometry g = FbGeometry.parse(var, fix);
            long length = g.mappedLength();
            Pointer p = LibC.C.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_SHARED, fd, 0);
            if (p == null || Pointer.nativeValue(p) == -1L) {
                throw new IOException("cannot map " + length + " bytes of " + path + ": " + strerror());
            }
            return new FbScreen(path, g, fd, p, length);
        } catch (IOException | RuntimeException e) {
            LibC.C.close(fd);
            throw e;
        }
    }

    static String strerror() {
        int errno = Native.getLastError();
        return switch (errno) {
            case 2 -> "no such device (ENOENT)";
            case 13 -> "permission denied (EACCES)";
            case 19 -> "no such device (ENODEV)";
            case 22 -> "invalid argument (EINVAL)";
            case 25 -> "not a framebuffer (ENOTTY)";
            default -> "errno " + errno;
        };
    }

    public String path() {
        return path;
    }

    public FbGeometry geometry() {
        return geometry;
    }

    /** The mapped framebuffer memory, little-endian. */
    public ByteBuffer memory() {
        return memory;
    }

    @Override
    public void close() {
        LibC.C.munmap(map, mapLength);
        LibC.C.close(fd);
    }
}
