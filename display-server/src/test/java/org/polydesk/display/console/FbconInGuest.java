package org.polydesk.display.console;

import java.io.BufferedReader;
import java.io.FileReader;
import java.io.FileWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.polydesk.display.linux.FbconMap;

/**
 * Runs inside the test guest for {@link FbconConsoleInGuestTest}: fbcon is unbound there (the
 * guest's init unbinds it, as the appliance's text-console script does), so this shows it with the
 * display server's own {@link FbconConsole}, writes a line on tty1 for it to draw, waits for a line
 * typed on the keyboard, and hides it again. Each state goes to the serial console.
 */
public final class FbconInGuest {
    public static void main(String[] args) throws Exception {
        FbconConsole console = new FbconConsole(FbconConsole.SYSFS, () -> FbconMap.map(Path.of("/dev/fb0"), 1));
        Path bind = console.framebufferConsoles().get(0).resolve("bind");
        System.out.println("FBCON BEFORE bind=" + Files.readString(bind).strip());
        console.show();
        System.out.println("FBCON SHOWN bind=" + Files.readString(bind).strip());
        try (FileWriter tty = new FileWriter("/dev/tty1")) {
            tty.write("\nPOLYDESK FBCON ON THE SCREEN\n");
        }
        try (BufferedReader keys = new BufferedReader(new FileReader("/dev/tty1"))) {
            System.out.println("FBCON TYPED " + keys.readLine());
        }
        console.hide();
        System.out.println("FBCON HIDDEN bind=" + Files.readString(bind).strip());
    }
}
