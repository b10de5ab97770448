package org.polydesk.display.compose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;

/**
 * Composes the focused surface into one output {@link Frame}: the source full-screen (scaled and
 * letterboxed when the sizes differ), or the "display not available" screen, and on top the trusted
 * indicator, which only dom0 draws: a banner with the VM's name and colour after a switch and an
 * optional border in its colour. Every call returns the output rectangles it changed, so a sink
 * moves only those. One thread calls it.
 */
public final class Compositor {
    static final int LETTERBOX = 0xFF000000;
    static final int UNAVAILABLE_BACKGROUND = 0xFF262626;
    static final int UNAVAILABLE_TEXT = 0xFFE0E0E0;

    private final Frame frame;
    private final Rect whole;
    private final IndicatorStyle style;
    private Content content;
    private Scaling scaling;
    private boolean bannerShown;
    private Sprite banner;
    private Rect bannerRect = new Rect(0, 0, 0, 0);
    private Sprite unavailableName;
    private Sprite unavailableReason;

    public Compositor(int width, int height, IndicatorStyle style) {
        this.frame = new Frame(width, height);
        this.whole = new Rect(0, 0, width, height);
        this.style = style;
    }

    public Frame frame() {
        return frame;
    }

    public IndicatorStyle style() {
        return style;
    }

    public Content content() {
        return content;
    }

    public boolean isBannerShown() {
        return bannerShown;
    }

    /** Where the banner is (empty when hidden), in output coordinates. */
    public Rect bannerRect() {
        return bannerShown ? bannerRect : new Rect(0, 0, 0, 0);
    }

    /** Switches to {@code next} and recomposes everything; {@code withBanner} after a focus switch. */
    public List<Rect> show(Content next, boolean withBanner) {
        content = next;
        scaling = null;
        bannerShown = withBanner;
        VmLabel label = next.label();
        banner = bannerSprite(label);
        int margin = Math.max(8, banner.height() / 3) + style.borderPx();
        bannerRect = new Rect((frame.width() - banner.width()) / 2, margin, banner.width(), banner.height());
        if (next instanceof Content.Unavailable u) {
            int px = fontPx();
            unavailableName = Sprite.text(label.name(), frame.width(), px * 2, UNAVAILABLE_BACKGROUND,
                    UNAVAILABLE_TEXT, px * 3 / 2, true);
            unavailableReason = Sprite.text(u.reason(), frame.width(), px * 2, UNAVAILABLE_BACKGROUND,
                    UNAVAILABLE_TEXT, px, false);
        }
        if (next instanceof Content.Live l) {
            l.frameBuffer().drainDamage();
        }
        return paint(List.of(whole));
    }

    /**
     * Brings the output up to date with the damage a live source reported (in source
     * coordinates); a source that changed size is recomposed whole.
     */
    public List<Rect> update(List<Rect> sourceDamage) {
        if (!(content instanceof Content.Live live) || sourceDamage.isEmpty()) {
            return List.of();
        }
        FrameBuffer.Surface s = live.frameBuffer().surface();
        if (scaling == null || !scaling.matches(s.width(), s.height())) {
            return paint(List.of(whole));
        }
        List<Rect> out = new ArrayList<>(sourceDamage.size());
        for (Rect r : sourceDamage) {
            Rect o = scaling.toOutput(r);
            if (!o.isEmpty()) {
                out.add(o);
            }
        }
        return paint(out);
    }

    /** Takes the banner away and shows what lies under it. */
    public List<Rect> hideBanner() {
        if (!bannerShown) {
            return List.of();
        }
        bannerShown = false;
        return paint(List.of(bannerRect));
    }

    private List<Rect> paint(List<Rect> damage) {
        if (content == null || damage.isEmpty()) {
            return List.of();
        }
        List<Rect> changed = new ArrayList<>(damage);
        for (Rect r : damage) {
            if (content instanceof Content.Live l) {
                paintLive(l.frameBuffer(), r);
            } else {
                paintUnavailable(r);
            }
        }
        int b = style.borderPx();
        int rgb = 0xFF000000 | content.label().rgb();
        if (b > 0) {
            Rect[] edges = {new Rect(0, 0, frame.width(), b), new Rect(0, frame.height() - b, frame.width(), b),
                new Rect(0, b, b, frame.height() - 2 * b), new Rect(frame.width() - b, b, b, frame.height() - 2 * b)};
            for (Rect e : edges) {
                if (touches(damage, e)) {
                    fill(e, rgb);
                    changed.add(e);
                }
            }
        }
        if (bannerShown && touches(damage, bannerRect)) {
            banner.drawInto(frame, bannerRect.x(), bannerRect.y(), whole);
            changed.add(bannerRect);
        }
        return changed;
    }

    private void paintLive(FrameBuffer fb, Rect r) {
        FrameBuffer.Surface s = fb.surface();
        if (scaling == null || !scaling.matches(s.width(), s.height())) {
            scaling = new Scaling(s.width(), s.height(), frame.width(), frame.height());
        }
        Rect t = scaling.target();
        int[] out = frame.pixels();
        int w = frame.width();
        int left = Math.max(0, r.x());
        int right = Math.min(w, r.x() + r.width());
        int top = Math.max(0, r.y());
        int bottom = Math.min(frame.height(), r.y() + r.height());
        int inLeft = Math.max(left, t.x());
        int inRight = Math.min(right, t.x() + t.width());
        int[] src = s.pixels();
        for (int y = top; y < bottom; y++) {
            int row = y * w;
            if (y < t.y() || y >= t.y() + t.height() || inLeft >= inRight) {
                Arrays.fill(out, row + left, row + right, LETTERBOX);
                continue;
            }
            if (left < inLeft) {
                Arrays.fill(out, row + left, row + inLeft, LETTERBOX);
            }
            if (inRight < right) {
                Arrays.fill(out, row + inRight, row + right, LETTERBOX);
            }
            int srcRow = scaling.row(y - t.y()) * s.stride();
            if (scaling.isIdentity()) {
                System.arraycopy(src, srcRow + inLeft, out, row + inLeft, inRight - inLeft);
            } else {
                for (int x = inLeft; x < inRight; x++) {
                    out[row + x] = src[srcRow + scaling.column(x - t.x())];
                }
            }
        }
    }

    private void paintUnavailable(Rect r) {
        fill(r, UNAVAILABLE_BACKGROUND);
        int y = frame.height() / 2 - unavailableName.height();
        unavailableName.drawInto(frame, 0, y, r);
        unavailableReason.drawInto(frame, 0, y + unavailableName.height(), r);
    }

    private void fill(Rect r, int argb) {
        int[] out = frame.pixels();
        int left = Math.max(0, r.x());
        int right = Math.min(frame.width(), r.x() + r.width());
        for (int y = Math.max(0, r.y()); y < Math.min(frame.height(), r.y() + r.height()); y++) {
            Arrays.fill(out, y * frame.width() + left, y * frame.width() + right, argb);
        }
    }

    private static boolean touches(List<Rect> damage, Rect r) {
        for (Rect d : damage) {
            if (d.intersects(r)) {
                return true;
            }
        }
        return false;
    }

    private int fontPx() {
        return Math.max(12, Math.min(32, frame.height() / 36));
    }

    private Sprite bannerSprite(VmLabel label) {
        int px = fontPx();
        int height = px * 2;
        String text = label.slot() == 0 ? label.name() : label.name() + "  ·  " + label.slot();
        int width = Math.min(frame.width() - 2 * (px + style.borderPx()),
                Sprite.textWidth(text, px, true) + 3 * px);
        return Sprite.text(text, Math.max(1, width), height, 0xFF000000 | label.rgb(), contrast(label.rgb()),
                px, true);
    }

    /** Black or white, whichever reads better on {@code rgb} (by its luma). */
    static int contrast(int rgb) {
        int luma = (299 * ((rgb >> 16) & 0xFF) + 587 * ((rgb >> 8) & 0xFF) + 114 * (rgb & 0xFF)) / 1000;
        return luma > 140 ? 0xFF000000 : 0xFFFFFFFF;
    }
}
