package org.polydesk.input.linux;

import java.io.IOException;

/** A libc call of {@link Linux} failed with {@link #errno()}; {@link #describe()} names it. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    ErrnoException(String call, int errno) {
        super(call + ": " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** The errno value, named as people meet it with device nodes. */
    public String describe() {
        return describe(errno);
    }

    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted (EPERM)";
            case 2 -> "no such file (ENOENT)";
            case 13 -> "permission denied (EACCES)";
            case 16 -> "device busy (EBUSY)";
            case 19 -> "no such device (ENODEV)";
            case 22 -> "invalid argument (EINVAL)";
            case 25 -> "not a device that understands this request (ENOTTY)";
            default -> "errno " + errno;
        };
    }
}
