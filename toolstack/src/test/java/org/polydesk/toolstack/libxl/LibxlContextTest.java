package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The binding loads the real libxenlight 4.17 and calls it. On a host without Xen (this one, CI)
 * libxl_ctx_alloc itself fails, and that must be an exception that says so, not a crash.
 * The Xen system test (tests/xen) drives the rest inside a real dom0.
 */
class LibxlContextTest {
    @Test
    void withoutXenOpeningAContextFailsWithAClearMessage() {
        assertFalse(Files.exists(Path.of("/proc/xen/capabilities")), "this test expects a host without Xen");
        LibxlException e = assertThrows(LibxlException.class, LibxlContext::open);
        assertTrue(e.getMessage().startsWith("libxl cannot open a context: is this a Xen dom0 with xenstored running?"),
                e.getMessage());
        assertTrue(e.rc() < 0, "libxl's own error code is kept: " + e.rc());
    }
}
