import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.Gntdev;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.viewer.RegionMapper;
import org.polydesk.display.viewer.ViewerSink;

/**
 * dom0's side of the Xen system test's step i (run-in-dom0.sh): the display server's viewer sink
 * on the viewer guest's channel, taking grants only from that guest's domain and mapping them
 * with gntdev (Gntdev, libxengnttab). Once the viewer is attached it writes FRAMES distinct
 * frames, two seconds apart, and prints "wrote frame N crc32 HEX" for each, the CRC-32 of its
 * pixels as little-endian words, which is how the viewer's --probe reads a buffer.
 *
 *     java -cp display-server.jar:lib/*:. ViewerGrantsDom0 CHANNEL DOMID WIDTH HEIGHT FRAMES
 */
public final class ViewerGrantsDom0 {
    public static void main(String[] args) throws Exception {
        Path channel = Path.of(args[0]);
        int domid = Integer.parseInt(args[1]);
        int width = Integer.parseInt(args[2]);
        int height = Integer.parseInt(args[3]);
        int frames = Integer.parseInt(args[4]);
        CountDownLatch attached = new CountDownLatch(1);
        ViewerSink sink = ViewerSink.open(width, height, -1, channel,
                new RegionMapper(Path.of("/dev/shm"), domid, null, new Gntdev()),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2)));
        sink.onRepaintNeeded(attached::countDown);
        if (!attached.await(15, TimeUnit.MINUTES)) {
            System.out.println("no viewer attached within 15 minutes");
            System.exit(1);
        }
        System.out.println("attached: " + sink.describe());
        for (int n = 1; n <= frames; n++) {
            Frame f = new Frame(width, height);
            int[] px = f.pixels();
            for (int i = 0; i < px.length; i++) {
                px[i] = 0xFF000000 | (i * 2654435 + n * 977 + (i / width) * 31) & 0xFFFFFF;
            }
            sink.present(f, List.of(new Rect(0, 0, width, height)));
            ByteBuffer bytes = ByteBuffer.allocate(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(px);
            CRC32 crc = new CRC32();
            crc.update(bytes);
            System.out.printf("wrote frame %d crc32 %08x%n", n, crc.getValue());
            System.out.flush();
            Thread.sleep(2000);
        }
        Thread.sleep(5000); // the viewer reads the last one
        sink.close();
        System.out.println("closed: grants unmapped");
    }
}
