package org.polydesk.display.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Puts the kernel's framebuffer console (fbcon) back on a framebuffer: FBIOPUT_CON2FBMAP maps a
 * virtual terminal to the framebuffer, and while fbcon is bound to nothing that makes it take
 * every terminal over again. Writing 1 to fbcon's vtconsole {@code bind} does not: once unbound,
 * fbcon has forgotten which framebuffer its terminals were on (Debian 12's 6.1 kernel).
 */
public final class FbconMap {
    private FbconMap() {
    }

    /** Maps virtual terminal {@code console} (1 for tty1) to {@code device} (/dev/fbN). */
    public static void map(Path device, int console) throws IOException {
        String name = device.getFileName() == null ? "" : device.getFileName().toString();
        if (!name.matches("fb\\d{1,2}")) {
            throw new IOException(device + " is not a framebuffer device (/dev/fbN)");
        }
        // struct fb_con2fbmap { __u32 console; __u32 framebuffer; }
        byte[] arg = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                .putInt(console).putInt(Integer.parseInt(name.substring(2))).array();
        int fd = LibC.C.open(device.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + device + ": " + FbScreen.strerror());
        }
        try {
            if (LibC.C.ioctl(fd, LibC.FBIOPUT_CON2FBMAP, arg) < 0) {
                throw new IOException("FBIOPUT_CON2FBMAP on " + device + " failed: "
                        + FbScreen.strerror());
            }
        } finally {
            LibC.C.close(fd);
        }
    }
}
