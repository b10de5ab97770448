package org.polydesk.toolstack.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * Runs inside the Linux test guest for {@link MediaUsbInGuestTest}, as root, with a USB stick
 * plugged into the guest: a real polydeskd finds the stick, and polyctl imports an ISO from it.
 * Prints what it saw on lines starting "MEDIA-" for the host to check.
 * Arguments: the ISO file on the stick, its SHA-256.
 */
public final class UsbImportInGuest {
    private UsbImportInGuest() {
    }

    public static void main(String[] args) throws Exception {
        String file = args[0];
        String sha256 = args[1];
        Path root = Files.createTempDirectory("polydeskd");
        try (TestPolydeskd polydeskd = TestPolydeskd.start(root, "--stub-backend", "--no-autostart")) {
            PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
            // The stick appears when the guest's USB stack has found it, in the first seconds after boot.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            PolyctlRunner.Run usb = polyctl.run("media", "usb");
            while (!usb.out().contains(":" + file + " ") && System.nanoTime() < deadline) {
                Thread.sleep(500);
                usb = polyctl.run("media", "usb");
            }
            print("MEDIA-USB", usb.out() + usb.err());
            String device = usb.out().lines().filter(l -> l.contains(":" + file + " ")).map(l -> l.substring(0, l.indexOf(':')))
                    .findFirst().orElse("none");
            PolyctlRunner.Run imported = polyctl.run("media", "import", "--usb", device + ":" + file, "--sha256", sha256);
            print("MEDIA-IMPORT", imported.out() + imported.err());
            System.out.println("MEDIA-IMPORT-EXIT " + imported.exit());
            print("MEDIA-LIST", polyctl.run("media", "list").out());
            print("MEDIA-MOUNTS", Files.readString(Path.of("/proc/self/mounts")));
            System.out.println("MEDIA-MOUNT-DIRS " + (Files.exists(root.resolve("run/media-mounts"))
                    ? Files.list(root.resolve("run/media-mounts")).count() : 0));
        }
        System.out.println("MEDIA-END");
        System.out.flush();
    }

    private static void print(String tag, String text) {
        text.lines().forEach(l -> System.out.println(tag + " " + l));
    }
}
