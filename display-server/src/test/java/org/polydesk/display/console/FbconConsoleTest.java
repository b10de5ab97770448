package org.polydesk.display.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fbcon bound and unbound through a vtconsole tree laid out as the kernel's (the dummy console and
 * fbcon); the kernel's own reaction is FbconConsoleInGuestTest's and the ISO boot test's.
 */
class FbconConsoleTest {
    @TempDir
    Path sys;

    Path vt(String name, String driver) throws IOException {
        Path vt = Files.createDirectories(sys.resolve(name));
        Files.writeString(vt.resolve("name"), driver + "\n");
        Files.writeString(vt.resolve("bind"), "0\n");
        return vt;
    }

    @Test
    void onlyTheFramebufferConsoleIsBoundAndUnbound() throws Exception {
        Path dummy = vt("vtcon0", "(S) dummy device");
        Path fbcon = vt("vtcon1", "(M) frame buffer device");
        // The kernel's part: the mapping ioctl makes fbcon take the terminals over.
        FbconConsole console = new FbconConsole(sys, () -> Files.writeString(fbcon.resolve("bind"), "1\n"));
        console.show();
        assertEquals("1\n", Files.readString(fbcon.resolve("bind")));
        assertEquals("0\n", Files.readString(dummy.resolve("bind")), "the dummy console is left alone");
        console.hide();
        assertEquals("0", Files.readString(fbcon.resolve("bind")));
    }

    @Test
    void withoutFbconItSaysSo() throws Exception {
        vt("vtcon0", "(S) dummy device");
        IOException e = assertThrows(IOException.class, () -> new FbconConsole(sys, () -> { }).show());
        assertTrue(e.getMessage().contains("no framebuffer console (fbcon) in " + sys), e.getMessage());
        IOException none = assertThrows(IOException.class, () -> new FbconConsole(sys.resolve("absent"), () -> { }).show());
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }

    /** A kernel where the mapping leaves fbcon unbound: shown is not claimed. */
    @Test
    void aTakeoverThatDoesNotBindIsAnError() throws Exception {
        vt("vtcon1", "(M) frame buffer device");
        IOException e = assertThrows(IOException.class, () -> new FbconConsole(sys, () -> { }).show());
        assertTrue(e.getMessage().contains("did not take the terminals over"), e.getMessage());
    }
}
