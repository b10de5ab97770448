package org.polydesk.display.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;

/**
 * Composes the focused surface into one output {@link Frame}: the source full-screen (scaled and
 * letterboxed when the sizes differ), or the "display not available" screen, and on top the trusted
 * indicator, which only dom0 draws: a banner with the VM's name and colour after a switch and an
 * optional border in its colour. Every call returns the output rectangles it changed, so a sink
 * moves only those. One thread calls it.
 *
 * <p>The source is never drawn under the indicator: damage is clipped to the inside of the border
 * and around the banner, so each source pixel is written once, the indicator is drawn only when it
 * appears, and a frame in the sink's own memory never shows a guest's pixels where the banner is.
 *
 * <p>The pointer: a guest's pointer image ({@link CursorShape}, from the RFB Cursor
 * pseudo-encoding) is not in its picture, so the compositor draws it where input-server says the
 * pointer is ({@link #placePointer}, {@link #drawPointer}), over the guest's pixels and under the
 * indicator, like any other guest pixel: every repaint of content under it draws it again.
 */
public final class Compositor {
    static final int LETTERBOX = 0xFF000000;
    static final int UNAVAILABLE_BACKGROUND = 0xFF262626;
    static final int UNAVAILABLE_TEXT = 0xFFE0E0E0;

    private final Frame frame;
    private final Rect whole;
    /** Inside the border: where content is drawn. */
    private final Rect inside;
    private final IndicatorStyle style;
    /** Device pixels per pixel of the indicator's and labels' design (HiDPI). */
    private final double scale;
    private Content content;
    private Scaling scaling;
    private boolean bannerShown;
    private Sprite banner;
    /**
     * Each label's banner, drawn once for this frame's size and scale rather than on every switch
     * (bench.sh switch: p50 1.15 -> 0.96 ms at 1080p here). Labels are few (one a slot); a renamed
     * or recoloured VM is a new label, so the map is emptied when it grows past {@link #BANNERS_KEPT}.
     */
    private final java.util.Map<VmLabel, Sprite> banners = new java.util.HashMap<>();
    private static final int BANNERS_KEPT = 32;
    private static final Rect NOWHERE = new Rect(0, 0, 0, 0);
    private Rect bannerRect = NOWHERE;
    private Sprite unavailableName;
    private Sprite unavailableReason;
    /** One scaled output row, before it goes into the frame. */
    private int[] row = new int[0];
    /** The source row it is scaled from, as opaque ARGB. */
    private int[] sourceRow = new int[0];
    /** The pointer in the frame, or null. */
    private Pointer pointer;

    /** Composes into a frame of its own on the heap. */
    public Compositor(int width, int height, IndicatorStyle style) {
        this(new Frame(width, height), style);
    }

    /** Composes into {@code frame}, e.g. one in a sink's memory ({@code Sink.createFrame()}). */
    public Compositor(Frame frame, IndicatorStyle style) {
        this(frame, style, 1);
    }

    /**
     * Composes into {@code frame} on a monitor whose own scale is {@code monitorScale}
     * ({@code Sink.scale()}): the indicator and labels are drawn at the style's scale, else at that one.
     */
    public Compositor(Frame frame, IndicatorStyle style, double monitorScale) {
        this.frame = frame;
        this.scale = style.scaleOn(monitorScale);
        this.whole = new Rect(0, 0, frame.width(), frame.height());
        int b = Math.min((int) Math.round(style.borderPx() * scale), Math.min(frame.width(), frame.height()) / 2);
        this.inside = new Rect(b, b, frame.width() - 2 * b, frame.height() - 2 * b);
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
        return bannerShown ? bannerRect : NOWHERE;
    }

    /** Switches to {@code next} and recomposes everything; {@code withBanner} after a focus switch. */
    public List<Rect> show(Content next, boolean withBanner) {
        content = next;
        scaling = null;
        pointer = null; // the next content's own is drawn by drawPointer
        bannerShown = withBanner;
        VmLabel label = next.label();
        banner = bannerOf(label);
        int margin = Math.max((int) Math.round(8 * scale), banner.height() / 3) + inside.x();
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
        return repaint();
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
            return repaint();
        }
        List<Rect> out = new ArrayList<>(sourceDamage.size());
        for (Rect r : sourceDamage) {
            paintContent(scaling.toOutput(r), out);
        }
        return out;
    }

    /** Takes the banner away and shows what lies under it. */
    public List<Rect> hideBanner() {
        if (!bannerShown) {
            return List.of();
        }
        bannerShown = false;
        List<Rect> out = new ArrayList<>(1);
        paintContent(bannerRect, out);
        return out;
    }

    /**
     * The focused source's pointer at ({@code x}, {@code y}), fractions of the source's width and
     * height, in output coordinates: the source pixel there as the scaling shows it. Null when
     * there is no pointer to show: the content is not a live source or its pointer is hidden.
     */
    public Pointer placePointer(double x, double y) {
        if (!(content instanceof Content.Live live)) {
            return null;
        }
        CursorShape shape = live.frameBuffer().cursor();
        FrameBuffer.Surface s = live.frameBuffer().surface();
        if (shape.isHidden() || s.width() == 0 || s.height() == 0) {
            return null;
        }
        if (scaling == null || !scaling.matches(s.width(), s.height())) {
            scaling = new Scaling(s.width(), s.height(), frame.width(), frame.height());
        }
        int sx = (int) Math.round(Math.max(0, Math.min(1, x)) * (s.width() - 1));
        int sy = (int) Math.round(Math.max(0, Math.min(1, y)) * (s.height() - 1));
        Rect t = scaling.target();
        // the output pixel whose centre shows source pixel (sx, sy): Scaling's own rule, inverted
        return new Pointer(shape, t.x() + (int) ((2L * sx + 1) * t.width() / (2L * s.width())),
                t.y() + (int) ((2L * sy + 1) * t.height() / (2L * s.height())));
    }

    /**
     * Draws {@code next} (null: no pointer) in place of the pointer drawn now; returns the
     * rectangles that changed: the old pointer's, repainted without it, and the new one's.
     */
    public List<Rect> drawPointer(Pointer next) {
        if (Objects.equals(next, pointer)) {
            return List.of();
        }
        Pointer old = pointer;
        pointer = next;
        List<Rect> out = new ArrayList<>(2);
        if (old != null) {
            paintContent(old.bounds(), out);
        }
        if (next != null) {
            paintContent(next.bounds(), out);
        }
        return out;
    }

    /** Everything: the content, the border and the banner. */
    private List<Rect> repaint() {
        if (content == null) {
            return List.of();
        }
        paintContent(whole, new ArrayList<>());
        int b = inside.x();
        if (b > 0) {
            int rgb = 0xFF000000 | content.label().rgb();
            fill(new Rect(0, 0, frame.width(), b), rgb);
            fill(new Rect(0, frame.height() - b, frame.width(), b), rgb);
            fill(new Rect(0, b, b, frame.height() - 2 * b), rgb);
            fill(new Rect(frame.width() - b, b, b, frame.height() - 2 * b), rgb);
        }
        if (bannerShown) {
            banner.drawInto(frame, bannerRect.x(), bannerRect.y(), whole);
        }
        return List.of(whole);
    }

    /** Paints the content in {@code r} except under the border and the banner; adds what it painted to {@code out}. */
    private void paintContent(Rect r, List<Rect> out) {
        Rect in = r.intersection(inside);
        if (in.isEmpty()) {
            return;
        }
        Rect b = bannerShown ? in.intersection(bannerRect) : NOWHERE;
        if (b.isEmpty()) {
            paintPiece(in, out);
            return;
        }
        // The four pieces of r around the banner: above, below, left and right of it.
        paintPiece(new Rect(in.x(), in.y(), in.width(), b.y() - in.y()), out);
        paintPiece(new Rect(in.x(), b.y() + b.height(), in.width(), in.y() + in.height() - b.y() - b.height()), out);
        paintPiece(new Rect(in.x(), b.y(), b.x() - in.x(), b.height()), out);
        paintPiece(new Rect(b.x() + b.width(), b.y(), in.x() + in.width() - b.x() - b.width(), b.height()), out);
    }

    private void paintPiece(Rect r, List<Rect> out) {
        if (r.isEmpty()) {
            return;
        }
        if (content instanceof Content.Live l) {
            paintLive(l.frameBuffer(), r);
            if (pointer != null) {
                paintPointer(r.intersection(pointer.bounds()));
            }
        } else {
            paintUnavailable(r);
        }
        out.add(r);
    }

    private void paintLive(FrameBuffer fb, Rect r) {
        FrameBuffer.Surface s = fb.surface();
        if (scaling == null || !scaling.matches(s.width(), s.height())) {
            scaling = new Scaling(s.width(), s.height(), frame.width(), frame.height());
        }
        Rect t = scaling.target();
        int left = r.x();
        int right = r.x() + r.width();
        int inLeft = Math.max(left, t.x());
        int inRight = Math.min(right, t.x() + t.width());
        boolean identity = scaling.isIdentity();
        if (!identity && row.length < frame.width()) {
            row = new int[frame.width()];
        }
        if (!identity && sourceRow.length < s.width()) {
            sourceRow = new int[s.width()];
        }
        int sourceRowShown = -1;
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            if (y < t.y() || y >= t.y() + t.height() || inLeft >= inRight) {
                frame.fill(left, y, right - left, LETTERBOX);
                continue;
            }
            if (left < inLeft) {
                frame.fill(left, y, inLeft - left, LETTERBOX);
            }
            if (inRight < right) {
                frame.fill(inRight, y, right - inRight, LETTERBOX);
            }
            int sy = scaling.row(y - t.y());
            if (identity) {
                frame.put(inLeft, y, s.pixels(), sy * s.stride() + inLeft, inRight - inLeft);
            } else {
                if (sy != sourceRowShown) { // scaling up repeats rows: read each once
                    s.copyRow(0, sy, s.width(), sourceRow, 0);
                    sourceRowShown = sy;
                }
                int[] columns = scaling.columns();
                for (int x = inLeft, c = inLeft - t.x(); x < inRight; x++, c++) {
                    row[x] = sourceRow[columns[c]];
                }
                frame.put(inLeft, y, row, inLeft, inRight - inLeft);
            }
        }
    }

    /** The pointer's opaque pixels inside {@code r}, in runs (alpha 0 or 0xFF: CursorShape). */
    private void paintPointer(Rect r) {
        if (r.isEmpty()) {
            return;
        }
        Rect b = pointer.bounds();
        int[] argb = pointer.shape().argb();
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            int rowStart = (y - b.y()) * b.width() - b.x();
            int x = r.x();
            int end = r.x() + r.width();
            while (x < end) {
                while (x < end && (argb[rowStart + x] & 0xFF000000) == 0) {
                    x++;
                }
                int run = x;
                while (x < end && (argb[rowStart + x] & 0xFF000000) != 0) {
                    x++;
                }
                if (x > run) {
                    frame.put(run, y, argb, rowStart + run, x - run);
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
        Rect c = r.intersection(whole);
        for (int y = c.y(); y < c.y() + c.height(); y++) {
            frame.fill(c.x(), y, c.width(), argb);
        }
    }

    /** The text size: a 36th of the screen's height, 12 to 32 pixels, times the scale. */
    private int fontPx() {
        return (int) Math.round(scale * Math.max(12, Math.min(32, frame.height() / 36)));
    }

    /** The scale the indicator and labels are drawn at. */
    public double scale() {
        return scale;
    }

    private Sprite bannerOf(VmLabel label) {
        Sprite b = banners.get(label);
        if (b == null) {
            if (banners.size() >= BANNERS_KEPT) {
                banners.clear();
            }
            b = bannerSprite(label);
            banners.put(label, b);
        }
        return b;
    }

    private Sprite bannerSprite(VmLabel label) {
        int px = fontPx();
        int height = px * 2;
        String text = label.slot() == 0 ? label.name() : label.name() + "  ·  " + label.slot();
        int width = Math.min(frame.width() - 2 * (px + inside.x()),
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
