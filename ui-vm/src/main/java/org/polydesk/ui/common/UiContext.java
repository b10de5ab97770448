package org.polydesk.ui.common;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import javafx.application.Platform;
import org.polydesk.ui.client.ToolstackClient;
import org.polydesk.ui.client.ToolstackException;

/** What every page shares: the toolstack, the activity log and the error bar. */
public final class UiContext {
    private final ToolstackClient toolstack;
    private final ActivityLog log = new ActivityLog();
    private final Notices notices = new Notices();

    public UiContext(ToolstackClient toolstack) {
        this.toolstack = toolstack;
    }

    /** polydeskd, called through the typed declarations of {@code ToolstackApi}. */
    public ToolstackClient toolstack() {
        return toolstack;
    }

    public ActivityLog log() {
        return log;
    }

    public Notices notices() {
        return notices;
    }

    /**
     * Runs {@code ok} on the FX thread with the result; on failure {@code failed} gets the error on the
     * FX thread (when it is null, the error goes to the error bar). Every failure is logged.
     */
    public <T> void request(String what, CompletableFuture<T> future, Consumer<T> ok, Consumer<ToolstackException> failed) {
        future.whenComplete((value, error) -> Platform.runLater(() -> {
            if (error == null) {
                ok.accept(value);
                return;
            }
            ToolstackException e = unwrap(error);
            log.error(what + ": " + e.describe());
            if (failed != null) {
                failed.accept(e);
            } else {
                notices.error("Could not " + what + ": " + e.describe());
            }
        }));
    }

    public static ToolstackException unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ToolstackException e) {
            return e;
        }
        return ToolstackException.unreachable("(request)", String.valueOf(t), t);
    }
}
