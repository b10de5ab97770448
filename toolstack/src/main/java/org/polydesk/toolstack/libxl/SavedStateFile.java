package org.polydesk.toolstack.libxl;

import org.polydesk.toolstack.linux.LibC;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The file descriptor libxl writes a domain's saved state to (libxl_domain_suspend) or reads it
 * from (libxl_domain_create_restore): libxl takes a plain fd, so it is opened through libc, as xl
 * opens it. Close-on-exec: libxl hands its save/restore helper a duplicate of its own.
 */
final class SavedStateFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SavedStateFile.class.getName());
    private static final LibC LIBC = LibC.INSTANCE;
    /** rw------- : a guest's memory is nobody else's to read. */
    static final int MODE = 0600;

    private final Path path;
    private int fd;

    private SavedStateFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Creates (or truncates) {@code path} for a new saved state, mode 0600. */
    static SavedStateFile create(Path path) throws LibxlException {
        int fd = LIBC.open(path.toString(), LibC.O_WRONLY | LibC.O_CREAT
                | LibC.O_TRUNC | LibC.O_CLOEXEC, MODE);
        if (fd < 0) {
            throw new LibxlException("cannot create the saved state " + path + ": " + lastError(), 0);
        }
        return new SavedStateFile(path, fd);
    }

    /** Opens the saved state {@code path} read-only: a restore never changes it. */
    static SavedStateFile open(Path path) throws LibxlException {
        int fd = LIBC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new LibxlException("cannot read the saved state " + path + ": " + lastError(), 0);
        }
        return new SavedStateFile(path, fd);
    }

    int fd() {
        return fd;
    }

    /** Waits until what libxl wrote is on the disk. */
    void sync() throws LibxlException {
        if (LIBC.fsync(fd) != 0) {
            throw new LibxlException("cannot sync the saved state " + path + ": " + lastError(), 0);
        }
    }

    private static String lastError() {
        int errno = Native.getLastError();
        return LIBC.strerror(errno) + " (errno " + errno + ")";
    }

    @Override
    public void close() {
        if (fd >= 0 && LIBC.close(fd) != 0) {
            // After sync() nothing written can be lost here; only the descriptor's end is reported.
            LOG.warning("closing the saved state " + path + " failed: " + lastError());
        }
        fd = -1;
    }
}
