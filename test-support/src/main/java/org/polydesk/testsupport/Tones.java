package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test tones: a sine as a WAV file, and how strong a frequency is in recorded PCM (Goertzel). */
public final class Tones {
    public static final int RATE = 48000;

    private Tones() {
    }

    /** A 16-bit stereo WAV of a sine at {@code hz}, half of full scale, {@code seconds} long. */
    public static Path wav(Path file, double hz, int seconds) throws IOException {
        int frames = RATE * seconds;
        ByteBuffer b = ByteBuffer.allocate(44 + frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + frames * 4).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2).putInt(RATE).putInt(RATE * 4)
                .putShort((short) 4).putShort((short) 16);
        b.put("data".getBytes()).putInt(frames * 4);
        for (int i = 0; i < frames; i++) {
            short v = (short) Math.round(16384 * Math.sin(2 * Math.PI * hz * i / RATE));
            b.putShort(v).putShort(v);
        }
        Files.write(file, b.array());
        return file;
    }

    /**
     * The amplitude of {@code hz} in 16-bit little-endian stereo PCM (the left channel), on the scale
     * of the samples: a full tone written by {@link #wav} measures about 16384, silence about 0.
     */
    public static double amplitude(byte[] pcm, double hz) {
        int frames = pcm.length / 4;
        if (frames == 0) {
            return 0;
        }
        double k = 2 * Math.cos(2 * Math.PI * hz / RATE);
        double s1 = 0;
        double s2 = 0;
        ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            double s = b.getShort(i * 4) + k * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - k * s1 * s2;
        return 2 * Math.sqrt(Math.max(0, power)) / frames;
    }
}
