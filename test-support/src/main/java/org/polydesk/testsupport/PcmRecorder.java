package org.polydesk.testsupport;

import java.io.IOException;
import java.io.InputStream;

/**
 * A parec of the sound server, its raw PCM kept as the last two seconds: what a source (or a
 * sink's monitor) carries now. It is a stream of the server like any other, with its own pid.
 */
public final class PcmRecorder implements AutoCloseable {
    private static final int KEEP = Tones.RATE * 4 * 2;
    private final Process process;
    private final byte[] ring = new byte[KEEP];
    private long written;

    public PcmRecorder(TestSoundServer server, String device) throws IOException {
        process = server.client("parec", "-d", device, "--raw", "--format=s16le", "--rate=" + Tones.RATE, "--channels=2",
                "--latency-msec=20");
        Thread reader = new Thread(this::read, "parec-" + device);
        reader.setDaemon(true);
        reader.start();
    }

    public long pid() {
        return process.pid();
    }

    private void read() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (this) {
                    for (int i = 0; i < n; i++) {
                        ring[(int) (written++ % KEEP)] = buf[i];
                    }
                }
            }
        } catch (IOException e) {
            // the recorder was closed
        }
    }

    /** The last {@code millis} of what was recorded (less if not that much yet), whole frames. */
    public synchronized byte[] last(int millis) {
        int want = (int) Math.min(written, (long) Tones.RATE * 4 * millis / 1000) / 4 * 4;
        byte[] out = new byte[want];
        for (int i = 0; i < want; i++) {
            out[i] = ring[(int) ((written - want + i) % KEEP)];
        }
        return out;
    }

    /** How strong {@code hz} is in the last quarter second. */
    public double amplitude(double hz) {
        return Tones.amplitude(last(250), hz);
    }

    @Override
    public void close() {
        process.destroy();
    }
}
