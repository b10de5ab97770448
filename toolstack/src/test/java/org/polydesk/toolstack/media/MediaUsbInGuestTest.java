package org.polydesk.toolstack.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestMedia;
import org.polydesk.testsupport.TestProcesses;

/**
 * An ISO imported from a real USB stick: a disk image with a FAT partition on QEMU's USB mass-storage
 * device behind an xHCI controller (not marked removable, as many USB disks are not: polydeskd sees it
 * hang off the USB bus), plugged into the Linux test guest, where polydeskd (the host's JDK and our
 * classes over virtio-9p) lists the stick's ISO files and polyctl imports one, with its checksum.
 */
// Not tagged "system": about 40 s (one guest boot, one JVM in it), within what CI allows a QEMU test.
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class MediaUsbInGuestTest {
    @TempDir
    Path tmp;
    private Process qemu;

    @AfterEach
    void stop() throws Exception {
        if (qemu != null) {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void importsAnIsoFromAUsbStickPluggedIntoTheGuest() throws Exception {
        Path iso = TestMedia.iso(tmp.resolve("debian-live.iso"), "STICK_ISO", 2 << 20);
        String sha256 = TestMedia.sha256(iso);
        Path fat = tmp.resolve("partition.img");
        TestMedia.run(List.of("mkfs.fat", "-C", "-n", "MYSTICK", fat.toString(), String.valueOf(16 * 1024)));
        TestMedia.run(List.of("mmd", "-i", fat.toString(), "::/isos"));
        TestMedia.run(List.of("mcopy", "-i", fat.toString(), iso.toString(), "::/isos/debian-live.iso"));
        TestMedia.run(List.of("mcopy", "-i", fat.toString(), iso.toString(), "::/readme.txt"));
        Path stick = partitioned(fat, tmp.resolve("stick.img"));

        Path script = TestGuest.javaRunScript("media-usb", List.of(), UsbImportInGuest.class.getName(),
                "isos/debian-live.iso", sha256);
        Path dir = script.getParent();
        Path console = tmp.resolve("console.log");
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-machine", "q35",
                "-nodefaults", "-device", "VGA", "-display", "none", "-no-reboot",
                "-serial", "file:" + console,
                "-kernel", TestGuest.kernel().toString(), "-initrd", TestGuest.initrd().toString(),
                "-append", TestGuest.cmdlineRunning("303060", script),
                "-drive", "if=none,id=stick,format=raw,file=" + stick.toString().replace(",", ",,"),
                "-device", "qemu-xhci,id=xhci", "-device", "usb-storage,bus=xhci.0,drive=stick"));
        cmd.addAll(TestGuest.hostRootArgs());
        qemu = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("qemu.log").toFile()));
        TestGuest.awaitConsole(console, TestGuest.RUN_EXIT, 360);
        String out = Files.readString(console, StandardCharsets.ISO_8859_1);
        Files.copy(console, dir.resolve("console.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING); // for a person to read

        List<String> usb = TestGuest.tagged(out, "MEDIA-USB");
        assertTrue(usb.stream().anyMatch(l -> l.matches("/dev/sd[a-z]1:isos/debian-live.iso  [0-9.]+ MB  on .*")),
                "polydeskd lists the ISO on the stick's first partition:\n" + out);
        assertFalse(usb.stream().anyMatch(l -> l.contains("readme.txt")), "only ISO files are offered");
        assertEquals(List.of("0"), TestGuest.tagged(out, "MEDIA-IMPORT-EXIT"), "polyctl media import succeeded:\n" + out);
        assertTrue(TestGuest.tagged(out, "MEDIA-IMPORT").stream().anyMatch(l -> l.startsWith("imported debian-live.iso to ")
                && l.endsWith("sha256 " + sha256)), out);
        List<String> list = TestGuest.tagged(out, "MEDIA-LIST");
        assertEquals(1, list.size(), out);
        assertTrue(list.get(0).startsWith("debian-live.iso  ") && list.get(0).contains("label STICK_ISO  sha256 " + sha256),
                list.get(0));
        assertFalse(TestGuest.tagged(out, "MEDIA-MOUNTS").stream().anyMatch(l -> l.startsWith("/dev/sd")),
                "the stick is unmounted after the copy:\n" + out);
        assertEquals(List.of("0"), TestGuest.tagged(out, "MEDIA-MOUNT-DIRS"), "the private mount point is gone");
        assertTrue(out.contains("MEDIA-END"), out);
    }

    /**
     * A stick image with an MBR partition table and one FAT partition (type 0x0e, FAT16 LBA) holding
     * {@code fat}, from 1 MiB on, as partitioning tools lay it out.
     */
    private static Path partitioned(Path fat, Path stick) throws java.io.IOException {
        long sectors = Files.size(fat) / 512;
        java.nio.ByteBuffer mbr = java.nio.ByteBuffer.allocate(1 << 20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        mbr.put(446 + 4, (byte) 0x0e);
        mbr.putInt(446 + 8, 2048);
        mbr.putInt(446 + 12, (int) sectors);
        mbr.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        try (var out = Files.newOutputStream(stick)) {
            out.write(mbr.array());
            Files.copy(fat, out);
        }
        return stick;
    }
}
