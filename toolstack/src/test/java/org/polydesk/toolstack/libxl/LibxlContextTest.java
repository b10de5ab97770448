package org.polydesk.toolstack.libxl;

import org.polydesk.toolstack.linux.LibC;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** JNA binds a function at its first call: a misspelt name would fail only then, on a Xen host. */
    @Test
    void everyFunctionTheBindingDeclaresIsInTheInstalledLibraries() {
        for (Class<?> binding : List.of(LibxlNative.class, LibxlNative.ToolLog.class, LibC.class)) {
            String soname = binding == LibxlNative.class ? LibxlNative.SONAME
                    : binding == LibxlNative.ToolLog.class ? LibxlNative.TOOLLOG_SONAME : "c";
            NativeLibrary lib = NativeLibrary.getInstance(soname);
            for (Method m : binding.getDeclaredMethods()) {
                assertNotNull(lib.getFunction(m.getName()), soname + " has " + m.getName());
            }
        }
    }
}
