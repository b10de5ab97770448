package org.polydesk.viewer.app;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.polydesk.protocol.viewer.DamageRect;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.viewer.session.ViewerSession;

/**
 * The full-screen window that shows dom0's frames: one JavaFX image per region buffer, each a
 * {@link PixelBuffer} straight over the shared memory (no copy), switched as frames are
 * published; the pointer is an image of its own on top. SHOW and HIDE show and hide the stage.
 */
public final class ViewerWindow implements ViewerSession.Screen {
    private final Stage stage;
    private final FrameRegion region;
    private final PixelBuffer<IntBuffer>[] buffers;
    private final WritableImage[] images;
    /** A buffer that dom0 rewrote while another was shown, in places we were never told of. */
    private final boolean[] uploadWhole;
    private final ImageView view = new ImageView();
    private final ImageView pointer = new ImageView();
    private final AtomicBoolean updateQueued = new AtomicBoolean();
    private long shownSerial;

    public ViewerWindow(Stage stage, FrameRegion region) {
        this(stage, region, 1);
    }

    /**
     * On a screen the OS draws at {@code osScale}: the frames are in the screen's own pixels, so
     * the window is that many times smaller in the OS's units (and full-screen anyway once shown).
     */
    @SuppressWarnings("unchecked")
    public ViewerWindow(Stage stage, FrameRegion region, double osScale) {
        this.stage = stage;
        this.region = region;
        this.buffers = new PixelBuffer[region.buffers()];
        this.images = new WritableImage[region.buffers()];
        this.uploadWhole = new boolean[region.buffers()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = new PixelBuffer<>(region.width(), region.height(), region.pixels(i),
                    PixelFormat.getIntArgbPreInstance());
            images[i] = new WritableImage(buffers[i]);
        }
        pointer.setMouseTransparent(true);
        pointer.setVisible(false);
        Pane root = new Pane(view, pointer);
        Scene scene = new Scene(root, region.width() / osScale, region.height() / osScale, Color.BLACK);
        view.fitWidthProperty().bind(scene.widthProperty());
        view.fitHeightProperty().bind(scene.heightProperty());
        stage.setScene(scene);
        stage.setTitle("Polydesk viewer");
        stage.setFullScreenExitHint("");
        stage.setFullScreenExitKeyCombination(KeyCombination.NO_MATCH);
    }

    @Override
    public void show() {
        Platform.runLater(() -> {
            if (!stage.isShowing()) {
                stage.show();
                stage.setFullScreen(true);
            }
            stage.toFront();
        });
    }

    @Override
    public void hide() {
        Platform.runLater(stage::hide);
    }

    @Override
    public void frame(ViewerMessage.Frame frame) {
        if (updateQueued.compareAndSet(false, true)) {
            Platform.runLater(this::showNewest); // frames that come faster than the screen coalesce
        }
    }

    private void showNewest() {
        updateQueued.set(false);
        FrameRegion.Published p = region.latest();
        if (p == null || p.serial() == shownSerial) {
            return;
        }
        if (p.serial() != shownSerial + 1) {
            Arrays.fill(uploadWhole, true); // skipped frames: their damage is unknown to us
        }
        int b = p.buffer();
        Rectangle2D dirty = uploadWhole[b] || p.damage().isEmpty() ? null : bounds(p.damage());
        uploadWhole[b] = false;
        buffers[b].updateBuffer(pb -> dirty);
        region.showing(b);
        view.setImage(images[b]);
        shownSerial = p.serial();
    }

    private static Rectangle2D bounds(java.util.List<DamageRect> damage) {
        DamageRect r = DamageRect.bounds(damage);
        return new Rectangle2D(r.x(), r.y(), r.width(), r.height());
    }

    @Override
    public void cursor(ViewerMessage.Cursor c) {
        Platform.runLater(() -> {
            if (c.argb() != null) {
                if (c.width() == 0) {
                    pointer.setImage(null);
                } else {
                    WritableImage shape = new WritableImage(c.width(), c.height());
                    shape.getPixelWriter().setPixels(0, 0, c.width(), c.height(), PixelFormat.getIntArgbInstance(),
                            c.argb(), 0, c.width());
                    pointer.setImage(shape);
                }
            }
            double sx = view.getFitWidth() / region.width();
            double sy = view.getFitHeight() / region.height();
            pointer.setScaleX(sx);
            pointer.setScaleY(sy);
            pointer.relocate((c.x() - c.hotX()) * sx, (c.y() - c.hotY()) * sy);
            pointer.setVisible(c.visible() && pointer.getImage() != null);
        });
    }

    public Stage stage() {
        return stage;
    }

    /** What the window shows; on the FX thread. */
    public WritableImage snapshot() {
        return stage.getScene().getRoot().snapshot(null, null);
    }
}
