package org.polydesk.display.sink;

import java.io.BufferedReader;
import java.io.FileReader;
import java.io.FileWriter;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.console.FbconConsole;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.DrmCard;
import org.polydesk.display.linux.DrmHead;
import org.polydesk.display.linux.FbconMap;

/**
 * Runs inside the test guest for {@link KmsConsoleInGuestTest}: the display server's hand-over of
 * a KMS screen to the kernel's console and back, as {@code DisplayServer} does it on the console
 * chord. Shows a composed frame by page flip, then (after a line typed on tty1) drops DRM master
 * and shows fbcon, then (after another line) hides fbcon and shows the frame again; then another
 * DRM client takes master while the console has the screen, so coming back fails and frames are
 * dropped until it lets go (after a third line), when the picture must come back by itself.
 * Each state goes to the serial console.
 */
public final class KmsConsoleInGuest {
    public static void main(String[] args) throws Exception {
        FbconConsole console = new FbconConsole(FbconConsole.SYSFS, () -> FbconMap.map(Path.of("/dev/fb0"), 1));
        try (KmsSink kms = KmsSink.open("/dev/dri/card0");
                BufferedReader keys = new BufferedReader(new FileReader("/dev/tty1"))) {
            Compositor compositor = new Compositor(kms.createFrame(), new IndicatorStyle(Duration.ZERO, 0));
            List<Rect> damage = compositor.show(new Content.Unavailable(new VmLabel(1, "Kms", 0x3060C0), "on KMS"), false);
            kms.present(compositor.frame(), damage);
            System.out.println("KMS SHOWN " + kms.describe());
            System.out.println("KMS TYPED " + keys.readLine());

            kms.yieldToConsole();
            console.show();
            try (FileWriter tty = new FileWriter("/dev/tty1")) {
                tty.write("\nPOLYDESK CONSOLE OVER KMS\n");
            }
            System.out.println("CONSOLE SHOWN");
            System.out.println("CONSOLE TYPED " + keys.readLine());

            console.hide();
            kms.backFromConsole();
            if (kms.frameOutdated()) {
                System.out.println("KMS STALLED");
            }
            damage = compositor.show(new Content.Unavailable(new VmLabel(1, "Kms", 0x3060C0), "on KMS again"), false);
            kms.present(compositor.frame(), damage);
            System.out.println("KMS BACK");
            System.out.println("KMS TYPED " + keys.readLine());

            // Another DRM client takes master while the console has the screen: coming back fails,
            // frames are dropped, and the picture returns once that client lets go.
            kms.yieldToConsole();
            try (DrmCard thief = DrmCard.open("/dev/dri/card0")) {
                thief.setMaster();
                DrmHead head = thief.heads().get(0);
                DrmCard.DumbBuffer red = thief.createDumb(head.mode().width(), head.mode().height());
                IntBuffer px = red.memory().asIntBuffer();
                for (int i = 0; i < px.limit(); i++) {
                    px.put(i, 0xC03030);
                }
                thief.setCrtc(head, red);
                System.out.println("THIEF SHOWN");
                kms.backFromConsole();
                damage = compositor.show(new Content.Unavailable(new VmLabel(1, "Kms", 0x3060C0), "dropped"), false);
                kms.present(compositor.frame(), damage);
                System.out.println("KMS DROPPED A FRAME");
                System.out.println("KMS TYPED " + keys.readLine());
                thief.destroy(red);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!kms.frameOutdated()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("master did not come back within 10 s");
                }
                Thread.sleep(100);
            }
            damage = compositor.show(new Content.Unavailable(new VmLabel(1, "Kms", 0x3060C0), "recovered"), false);
            kms.present(compositor.frame(), damage);
            System.out.println("KMS RECOVERED");
            System.out.println("KMS TYPED " + keys.readLine());
        }
        System.out.println("KMS CLOSED");
    }
}
