package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.HostSystem;

/**
 * The slots through an update's two endings, with GRUB's part played by grub-editenv (which clears
 * next_slot as the menu's save_env does) and each boot by the command line GRUB gives dom0.
 */
class BootSlotsTest {
    @TempDir
    Path tmp;
    Path grub;
    Path cmdline;
    Path release;
    BootSlots slots;

    @BeforeEach
    void installed() throws Exception {
        grub = Files.createDirectories(tmp.resolve("esp/grub"));
        cmdline = tmp.resolve("cmdline");
        release = tmp.resolve("release");
        slots = new BootSlots(grub, cmdline, release);
        GrubEnv.write(slots.env(), BootSlots.installed("1.0"));
        boot("a", false, "1.0");
    }

    void boot(String slot, boolean trial, String rel) throws Exception {
        Files.writeString(cmdline, "placeholder root=UUID=x ro console=hvc0 polydesk.slot=" + slot
                + (trial ? " polydesk.trial=1" : "") + "\n");
        Files.writeString(release, rel + "\n");
    }

    /** What the menu does before it boots a try: next_slot emptied in grubenv. */
    void grubBootsTheTry() throws Exception {
        GrubEnvTest.run("grub-editenv", slots.env().toString(), "set", "next_slot=");
    }

    @Test
    void aFreshInstallRunsSlotAKeptWithSlotBEmpty() throws Exception {
        HostSystem s = slots.status();
        assertEquals("1.0", s.release());
        assertEquals("a", s.slot());
        assertTrue(s.kept());
        assertEquals("b", s.otherSlot());
        assertNull(s.otherRelease());
        assertEquals("a", s.nextBoot());
        assertFalse(s.trying());
        assertNull(s.lastUpdate());
    }

    @Test
    void aHealthyTryBecomesTheSystemKept() throws Exception {
        slots.tryNext("b", "2.0", "menuentry 'b' {\n}\n");
        HostSystem staged = slots.status();
        assertEquals("b", staged.nextBoot());
        assertTrue(staged.trying());
        assertEquals("2.0", staged.otherRelease());
        assertTrue(Files.readString(slots.slotConfig("b")).contains("menuentry 'b'"));

        grubBootsTheTry();
        boot("b", true, "2.0");
        HostSystem onTry = slots.status();
        assertFalse(onTry.kept(), "until it says it is healthy, the try is not kept");
        assertEquals("a", onTry.nextBoot(), "a restart now would return to the old system");

        HostSystem ok = slots.confirm();
        assertTrue(ok.kept());
        assertEquals("b", ok.nextBoot());
        assertEquals("1.0", ok.otherRelease());
        assertEquals("the update to 2.0 came up healthy and was kept", ok.lastUpdate());
        assertEquals("b", GrubEnv.read(slots.env()).get("default_slot"));
    }

    @Test
    void aTryThatNeverSaysItIsHealthyIsLeftAndRecordedAsFailed() throws Exception {
        slots.tryNext("b", "2.0", "menuentry 'b' {\n}\n");
        grubBootsTheTry();
        // system b hung or polydeskd never answered: the next start is the old system's
        boot("a", false, "1.0");
        HostSystem back = slots.confirm();
        assertEquals("a", back.slot());
        assertTrue(back.kept());
        assertEquals("a", back.nextBoot());
        assertEquals("the update to 2.0 did not come up healthy; its boot fell back to this system", back.lastUpdate());
        assertEquals("a", GrubEnv.read(slots.env()).get("default_slot"));
        assertEquals("", GrubEnv.read(slots.env()).getOrDefault("tried_slot", ""));
    }

    @Test
    void theOldSystemBeforeTheTryBootsChangesNothing() throws Exception {
        slots.tryNext("b", "2.0", "menuentry 'b' {\n}\n");
        HostSystem still = slots.confirm();
        assertEquals("b", still.nextBoot(), "a boot-ok of the old system before the restart keeps the update staged");
        assertNull(still.lastUpdate());
    }

    @Test
    void forgettingASlotMakesItUnbootable() throws Exception {
        slots.tryNext("b", "2.0", "menuentry 'b' {\n}\n");
        slots.forget("b");
        HostSystem s = slots.status();
        assertEquals("a", s.nextBoot());
        assertNull(s.otherRelease());
        assertFalse(Files.exists(slots.slotConfig("b")));
    }

    @Test
    void aLiveSystemHasNoSlots() throws Exception {
        Files.writeString(cmdline, "boot=live components console=hvc0\n");
        HostSystem s = slots.confirm();
        assertNull(s.slot());
        assertEquals("1.0", s.release());
    }
}
