package org.polydesk.display.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.sink.Sink;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.HeadShown;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.testsupport.Await;

/**
 * Several monitors through the display server: each head shows the slot the focus bus gives it,
 * with its own border, composed at its own size; when a head goes the outputs are made again, the
 * layout is told anew, and what the bus then says is shown.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisplayServerHeadsTest {
    private static final int BORDER = 2;
    @TempDir
    Path dir;

    /** One monitor: keeps what it was last given. */
    private static class Monitor implements Sink {
        final String name;
        final int w;
        final int h;
        volatile int[] shown;

        Monitor(String name, int w, int h) {
            this.name = name;
            this.w = w;
            this.h = h;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int width() {
            return w;
        }

        @Override
        public int height() {
            return h;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
            shown = frame.copyPixels();
        }

        @Override
        public String describe() {
            return name;
        }

        int rgb(int x, int y) {
            int[] px = shown;
            return px == null ? -1 : px[y * w + x] & 0xFFFFFF;
        }

        /** The border's colour at the corner and the guest's in the middle. */
        String looks() {
            return String.format("%06X/%06X", rgb(0, 0), rgb(w / 2, h / 2));
        }
    }

    /** A card whose monitors the test plugs and unplugs; {@link #plugged} tells the server as KmsSink's watch does. */
    private static final class Card implements Sink {
        final List<Sink> heads = new CopyOnWriteArrayList<>();
        volatile boolean changed;
        volatile Runnable repaint = () -> { };

        void plugged() {
            changed = true;
            repaint.run();
        }

        @Override
        public void onRepaintNeeded(Runnable r) {
            repaint = r;
        }

        @Override
        public List<Sink> heads() {
            return List.copyOf(heads);
        }

        @Override
        public boolean frameOutdated() {
            boolean was = changed;
            changed = false;
            return was;
        }

        @Override
        public int width() {
            return heads.get(0).width();
        }

        @Override
        public int height() {
            return heads.get(0).height();
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
            throw new AssertionError("frames go to the heads");
        }

        @Override
        public String describe() {
            return "a test card";
        }
    }

    private FakeRfbServer guest(String name, int rgb) throws Exception {
        int[] px = new int[64 * 48];
        Arrays.fill(px, rgb);
        return new FakeRfbServer(dir.resolve(name + ".sock"), FakeRfbServer.sendThenHold(
                ServerStream.handshake(64, 48).update(1).rect(0, 0, 64, 48, Encodings.RAW).pixels(px).toByteArray()));
    }

    @Test
    void eachMonitorShowsItsOwnSlotAndAGoneOnesSlotIsShownWhereTheBusSays() throws Exception {
        Monitor left = new Monitor("eDP-1", 320, 200);
        Monitor right = new Monitor("HDMI-A-1", 256, 256);
        Card card = new Card();
        card.heads.addAll(List.of(left, right));
        List<HeadLayout> told = new CopyOnWriteArrayList<>();
        try (FakeRfbServer one = guest("one", 0x3060C0);
             FakeRfbServer two = guest("two", 0x30C060);
             DisplayServer ds = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, BORDER), RfbConfig.defaults(),
                     Backoff.DEFAULT)) {
            ds.arrange(HeadArrangement.parse("HDMI-A-1 eDP-1"));
            ds.onHeadsChanged(() -> told.add(ds.layout()));
            ds.start();
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0xE0A000), RfbEndpoint.unix(two.path()));
            assertEquals(new HeadLayout(List.of(new Head("HDMI-A-1", 0, 0, 256, 256), new Head("eDP-1", 256, 0, 320, 200))),
                    ds.layout(), "the user's arrangement: HDMI-A-1 on the left");

            ds.focus(2, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", 2)));
            Await.until("each monitor shows its VM", 10, () -> left.looks().equals("C03030/3060C0")
                    && right.looks().equals("E0A000/30C060"), () -> left.looks() + " " + right.looks());

            // the right one shows nothing: its own name, grey
            ds.focus(1, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", null)));
            Await.until("the right one shows that it has no VM", 10, () -> right.rgb(0, 0) == 0x606060,
                    () -> right.looks());
            assertEquals("C03030/3060C0", left.looks());

            // HDMI-A-1 unplugged: the layout is told again, with the one left
            ds.focus(1, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", 2)));
            card.heads.remove(right);
            card.plugged();
            Await.until("the layout is told again", 10, () -> !told.isEmpty(), () -> "");
            assertEquals(new HeadLayout(List.of(new Head("eDP-1", 0, 0, 320, 200))), told.get(told.size() - 1));
            assertEquals(Map.of("eDP-1", 1), ds.shown());
            // the bus answers: slot 2 moved to eDP-1
            ds.focus(2, List.of(new HeadShown("eDP-1", 2)));
            Await.until("slot 2 is shown on the monitor left", 10, () -> left.looks().equals("E0A000/30C060"), left::looks);
        }
    }

    @Test
    void withoutWordFromTheBusTheFirstMonitorShowsTheFocusedSlotAndTheOthersNothing() throws Exception {
        Monitor a = new Monitor("DP-1", 100, 80);
        Monitor b = new Monitor("DP-2", 100, 80);
        Card card = new Card();
        card.heads.addAll(List.of(a, b));
        try (FakeRfbServer one = guest("one", 0x3060C0);
             DisplayServer ds = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, BORDER), RfbConfig.defaults(),
                     Backoff.DEFAULT).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.focus(1);
            Await.until("DP-1 shows slot 1", 10, () -> a.looks().equals("C03030/3060C0"), a::looks);
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put("DP-1", 1);
            expected.put("DP-2", null);
            assertEquals(expected, ds.shown());
            Await.until("DP-2 shows that it has none", 10, () -> b.rgb(0, 0) == 0x606060, b::looks);
        }
    }

    @Test
    void withEveryMonitorUnpluggedTheServerWaitsAndShowsOnTheNextOnePluggedIn() throws Exception {
        Monitor a = new Monitor("DP-1", 100, 80);
        Card card = new Card();
        card.heads.add(a);
        List<HeadLayout> told = new CopyOnWriteArrayList<>();
        try (FakeRfbServer one = guest("one", 0x3060C0);
             DisplayServer ds = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, BORDER), RfbConfig.defaults(),
                     Backoff.DEFAULT)) {
            ds.onHeadsChanged(() -> told.add(ds.layout()));
            ds.start();
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.focus(1);
            Await.until("DP-1 shows slot 1", 10, () -> a.looks().equals("C03030/3060C0"), a::looks);
            card.heads.clear();
            card.plugged();
            Await.until("no monitor left", 10, () -> ds.shown().isEmpty(), () -> ds.shown().toString());
            Monitor b = new Monitor("HDMI-A-1", 120, 90);
            card.heads.add(b);
            card.plugged();
            Await.until("the monitor plugged in shows slot 1", 10, () -> b.looks().equals("C03030/3060C0"), b::looks);
            assertEquals(List.of(new Head("HDMI-A-1", 0, 0, 120, 90)), told.get(told.size() - 1).heads());
        }
    }

    @Test
    void eachMonitorHasTheScaleSetForItByName() throws Exception {
        Monitor a = new Monitor("eDP-1", 200, 160);
        Monitor b = new Monitor("HDMI-A-1", 200, 160);
        Card card = new Card();
        card.heads.addAll(List.of(a, b));
        try (FakeRfbServer one = guest("one", 0x3060C0);
             FakeRfbServer two = guest("two", 0x30C060);
             DisplayServer ds = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, BORDER), RfbConfig.defaults(),
                     Backoff.DEFAULT)) {
            ds.scale(org.polydesk.display.compose.HeadScales.parse("eDP-1=2"));
            ds.start();
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0xE0A000), RfbEndpoint.unix(two.path()));
            ds.focus(1, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", 2)));
            Await.until("both show their VM", 10, () -> a.looks().equals("C03030/3060C0") && b.looks().equals("E0A000/30C060"),
                    () -> a.looks() + " " + b.looks());
            assertEquals(2 * BORDER, border(a), "eDP-1 at 2x");
            assertEquals(BORDER, border(b), "HDMI-A-1 at its own scale, 1x (no size known)");
        }
    }

    /** How many pixels of the border colour the left edge has, halfway down. */
    private static int border(Monitor m) {
        int colour = m.rgb(0, m.h / 2);
        int n = 0;
        while (n < m.w && m.rgb(n, m.h / 2) == colour) {
            n++;
        }
        return n;
    }

    @Test
    void anArrangementNamesEachMonitorOnceInRowsThatHaveSome() {
        assertEquals(List.of(List.of("DP-1"), List.of("eDP-1", "HDMI-A-1")), HeadArrangement.parse(" DP-1 / eDP-1,HDMI-A-1").rows());
        assertEquals(new ArrayList<>(), HeadArrangement.parse("").rows());
        assertEquals("the layout 'A / A' names A twice",
                assertThrows(IllegalArgumentException.class, () -> HeadArrangement.parse("A / A")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeadArrangement.parse("A //"));
        Monitor top = new Monitor("DP-1", 1920, 1080);
        Monitor laptop = new Monitor("eDP-1", 1280, 800);
        Monitor side = new Monitor("HDMI-A-1", 1024, 768);
        Monitor unnamed = new Monitor("DP-2", 640, 480);
        assertEquals(List.of(new Head("DP-1", 0, 0, 1920, 1080), new Head("DP-2", 1920, 0, 640, 480),
                        new Head("eDP-1", 0, 1080, 1280, 800), new Head("HDMI-A-1", 1280, 1080, 1024, 768)),
                HeadArrangement.parse("DP-1 / eDP-1 HDMI-A-1").place(List.of(laptop, side, top, unnamed)).heads());
        assertEquals(List.of(), HeadArrangement.parse("DP-1 / eDP-1 HDMI-A-1").place(List.of(laptop, side, top, unnamed)).problems());
    }

    /** A monitor that flips: a frame presented is on the screen only once the server waited for it. */
    private static final class FlippingMonitor extends Monitor {
        final List<String> log;
        boolean flipping;

        FlippingMonitor(String name, List<String> log) {
            super(name, 64, 48);
            this.log = log;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
            if (flipping) {
                log.add("drawn while flipping " + name);
            }
            super.present(frame, damage);
            flipping = true;
            log.add("flip " + name);
        }

        @Override
        public void awaitDrawable() {
            if (flipping) {
                log.add("wait " + name);
            }
            flipping = false;
        }
    }

    @Test
    void eachMonitorIsDrawnOnlyOnceItsLastFlipIsDoneAndTheMonitorsFlipTogether() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        FlippingMonitor a = new FlippingMonitor("DP-1", log);
        FlippingMonitor b = new FlippingMonitor("DP-2", log);
        Card card = new Card();
        card.heads.addAll(List.of(a, b));
        try (FakeRfbServer one = guest("one", 0x3060C0);
             FakeRfbServer two = guest("two", 0x30C060);
             DisplayServer ds = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, BORDER), RfbConfig.defaults(),
                     Backoff.DEFAULT).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0xE0A000), RfbEndpoint.unix(two.path()));
            for (int i = 0; i < 6; i++) {
                // the two VMs trade monitors: both are drawn whole, in one round
                int left = 1 + i % 2;
                ds.focus(left, List.of(new HeadShown("DP-1", left), new HeadShown("DP-2", 3 - left)));
                String want = left == 1 ? "3060C0" : "30C060";
                Await.until("round " + i + " shown", 10, () -> a.looks().endsWith(want) && b.looks().endsWith(left == 1 ? "30C060" : "3060C0"),
                        () -> a.looks() + " " + b.looks());
            }
        }
        assertEquals(List.of(), log.stream().filter(e -> e.startsWith("drawn")).toList(), "a buffer drawn into while it could be on the screen");
        // DP-1's flip is still on its way while DP-2's frame is drawn and flipped
        boolean together = false;
        for (int i = 0; i + 1 < log.size(); i++) {
            if (log.get(i).equals("flip DP-1")) {
                int nextWait = log.subList(i, log.size()).indexOf("wait DP-1");
                int flipB = log.subList(i, log.size()).indexOf("flip DP-2");
                together |= flipB > 0 && (nextWait < 0 || flipB < nextWait);
            }
        }
        assertEquals(true, together, String.join(", ", log));
    }
}
