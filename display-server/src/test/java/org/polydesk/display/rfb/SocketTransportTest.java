package org.polydesk.display.rfb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.testing.ServerStream;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketTransportTest {
    @TempDir
    Path tmp;

    @Test
    void decodesOverTcpToo() throws Exception {
        byte[] stream = ServerStream.handshake(2, 1).update(1).rect(0, 0, 2, 1, Encodings.RAW)
                .pixels(new int[] {0xABCDEF, 0x123456}).toByteArray();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    out.write(stream);
                    in.readNBytes(12 + 1 + 1 + 20 + 4 + 4 * Encodings.DEFAULT.size() + 10 + 10);
                } catch (IOException e) {
                    // the test fails on the client side
                }
            });
            t.start();
            FrameBuffer fb = new FrameBuffer();
            RfbConnection c = RfbConnection.open(RfbEndpoint.tcp("127.0.0.1", server.getLocalPort()),
                    RfbConfig.defaults(), fb, null);
            assertThrows(EOFException.class, c::run);
            assertEquals(0xFFABCDEF, fb.surface().pixel(0, 0));
            assertEquals(0xFF123456, fb.surface().pixel(1, 0));
            t.join();
        }
    }

    @Test
    void aMissingSocketIsAPlainConnectFailureNamingThePath() {
        Path missing = tmp.resolve("missing.sock");
        IOException e = assertThrows(IOException.class,
                () -> RfbConnection.open(RfbEndpoint.unix(missing), RfbConfig.defaults(), new FrameBuffer(), null));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(!(e instanceof RfbProtocolException));
    }

    @Test
    void closeFromAnotherThreadEndsAWaitingRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(ServerStream.handshake(2, 2).toByteArray());
                    s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // client closed
                }
            });
            t.start();
            RfbConnection c = RfbConnection.open(RfbEndpoint.tcp("127.0.0.1", server.getLocalPort()),
                    RfbConfig.defaults(), new FrameBuffer(), null);
            Throwable[] ended = {null};
            Thread reader = new Thread(() -> {
                try {
                    c.run();
                    ended[0] = new Exception("returned");
                } catch (IOException e) {
                    ended[0] = e;
                }
            });
            reader.start();
            Thread.sleep(200);
            c.close();
            reader.join(2000);
            assertInstanceOf(Exception.class, ended[0]);
            assertEquals("returned", ended[0].getMessage(), "run() returns quietly after close()");
            t.join();
        }
    }
}
