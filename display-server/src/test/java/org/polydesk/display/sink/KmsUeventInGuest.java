package org.polydesk.display.sink;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs inside the test guest for {@link KmsUeventInGuestTest}: a KMS sink on the virtio-gpu that
 * looks at its monitors only at the kernel's uevents (its own look is ten minutes away), driving
 * one monitor; the guest's script then plugs the second in and has the kernel send the card's
 * change uevent. Says, on the serial console, how many monitors it drives before and after.
 */
public final class KmsUeventInGuest {
    public static void main(String[] args) throws Exception {
        try (KmsSink kms = KmsSink.open("/dev/dri/card1", 600_000)) {
            AtomicBoolean asked = new AtomicBoolean();
            kms.onRepaintNeeded(() -> asked.set(true));
            System.out.println("UEVENT DRIVING " + kms.heads().size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !(asked.getAndSet(false) && kms.frameOutdated())) {
                Thread.sleep(50);
            }
            System.out.println("UEVENT DRIVING " + kms.heads().size() + " " + kms.describe());
        }
    }
}
