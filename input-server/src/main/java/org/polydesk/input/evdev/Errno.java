package org.polydesk.input.evdev;

import com.sun.jna.LastErrorException;

/** Names the errno values people meet with device nodes. */
final class Errno {
    private Errno() {
    }

    static String describe(LastErrorException e) {
        return switch (e.getErrorCode()) {
            case 1 -> "operation not permitted (EPERM)";
            case 2 -> "no such file (ENOENT)";
            case 13 -> "permission denied (EACCES)";
            case 16 -> "device busy (EBUSY)";
            case 19 -> "no such device (ENODEV)";
            case 22 -> "invalid argument (EINVAL)";
            case 25 -> "not a device that understands this request (ENOTTY)";
            default -> "errno " + e.getErrorCode();
        };
    }
}
