package org.polydesk.display.window;

import java.io.IOException;
import java.nio.IntBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.sink.Sink;

/**
 * A desktop window for development: shows the composed screen, and (when given an
 * {@link InputRecords}) turns the keys and mouse it receives into evdev records for input-server,
 * so the window works like the appliance's monitor, keyboard and mouse.
 */
public final class WindowSink implements Sink {
    private static final Logger LOG = Logger.getLogger(WindowSink.class.getName());

    private final int width;
    private final int height;
    private final IntBuffer pixels;
    private final PixelBuffer<IntBuffer> buffer;
    private final Object lock = new Object();
    private Rect pending;
    private Stage stage;
    private ImageView view;
    private final InputRecords input;
    private final Set<Integer> held = new HashSet<>();
    private double lastX = Double.NaN;
    private double lastY = Double.NaN;

    /** Opens the window (starting JavaFX if needed); {@code input} may be null. */
    public WindowSink(int width, int height, String title, InputRecords input) throws IOException {
        this.width = width;
        this.height = height;
        this.input = input;
        this.pixels = IntBuffer.allocate(width * height);
        this.buffer = new PixelBuffer<>(width, height, pixels, PixelFormat.getIntArgbPreInstance());
        CountDownLatch shown = new CountDownLatch(1);
        try {
            Platform.startup(() -> {
            });
        } catch (IllegalStateException alreadyRunning) {
            // JavaFX runs already (tests, or a second window).
        }
        Platform.setImplicitExit(false);
        Platform.runLater(() -> {
            view = new ImageView(new WritableImage(buffer));
            StackPane root = new StackPane(view);
            root.setStyle("-fx-background-color: black;");
            Scene scene = new Scene(root, width, height);
            if (input != null) {
                scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> key(e, true));
                scene.addEventFilter(KeyEvent.KEY_RELEASED, e -> key(e, false));
                scene.addEventFilter(MouseEvent.MOUSE_MOVED, this::moved);
                scene.addEventFilter(MouseEvent.MOUSE_DRAGGED, this::moved);
                scene.addEventFilter(MouseEvent.MOUSE_PRESSED, e -> button(e, 1));
                scene.addEventFilter(MouseEvent.MOUSE_RELEASED, e -> button(e, 0));
                scene.addEventFilter(ScrollEvent.SCROLL, e -> send(() -> input.motion(0, 0, (int) Math.signum(e.getDeltaY()))));
            }
            stage = new Stage();
            stage.setTitle(title);
            stage.setScene(scene);
            // Keys held when the window loses the keyboard would otherwise stay down in the guest.
            stage.focusedProperty().addListener((o, was, now) -> {
                if (!now) {
                    releaseAll();
                }
            });
            stage.show();
            shown.countDown();
        });
        try {
            if (!shown.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the window did not open within 30 s (is there a display?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the window");
        }
    }

    /** The JavaFX node that shows the screen (tests take snapshots of it). */
    public ImageView view() {
        return view;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public void present(Frame frame, List<Rect> damage) {
        boolean schedule;
        synchronized (lock) {
            int[] src = frame.pixels();
            for (Rect r : damage) {
                for (int y = r.y(); y < r.y() + r.height(); y++) {
                    pixels.put(y * width + r.x(), src, y * width + r.x(), r.width());
                }
                pending = pending == null ? r : pending.union(r);
            }
            schedule = pending != null;
        }
        if (schedule) {
            // At most one update waits on the FX thread; later damage joins it.
            Platform.runLater(this::flush);
        }
    }

    private void flush() {
        Rect r;
        synchronized (lock) {
            r = pending;
            pending = null;
        }
        if (r != null) {
            buffer.updateBuffer(b -> new Rectangle2D(r.x(), r.y(), r.width(), r.height()));
        }
    }

    private void key(KeyEvent e, boolean down) {
        e.consume();
        int code = WindowKeys.linux(e.getCode());
        if (code < 0) {
            return;
        }
        int value = down ? (held.add(code) ? 1 : 2) : 0;
        if (!down && !held.remove(code)) {
            return;
        }
        send(() -> input.key(code, value));
    }

    private void moved(MouseEvent e) {
        if (!Double.isNaN(lastX)) {
            int dx = (int) Math.round(e.getX() - lastX);
            int dy = (int) Math.round(e.getY() - lastY);
            send(() -> input.motion(dx, dy, 0));
        }
        lastX = e.getX();
        lastY = e.getY();
    }

    private void button(MouseEvent e, int value) {
        int code = e.getButton() == MouseButton.PRIMARY ? InputRecords.BTN_LEFT
                : e.getButton() == MouseButton.SECONDARY ? InputRecords.BTN_RIGHT
                : e.getButton() == MouseButton.MIDDLE ? InputRecords.BTN_MIDDLE : -1;
        if (code >= 0) {
            send(() -> input.key(code, value));
        }
    }

    private void releaseAll() {
        for (int code : Set.copyOf(held)) {
            send(() -> input.key(code, 0));
        }
        held.clear();
    }

    private interface Write {
        void run() throws IOException;
    }

    private void send(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot pass input on to input-server: " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "window " + width + "x" + height;
    }

    @Override
    public void close() {
        Platform.runLater(() -> {
            if (stage != null) {
                stage.close();
            }
        });
    }
}
