package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.HostProgress;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;

/**
 * host.shutdown and host.reboot: every running VM is asked to power down (the backend's stop) and
 * forced off when it has not ended by the timeout; then the machine goes down through the power
 * command ({@code systemctl poweroff} or {@code systemctl reboot} on the appliance). The call
 * answers at once; the caller's connection gets {@code host.progress} once a second per VM still
 * waited for, when one is forced and when each has stopped, and last {@code powering} or
 * {@code failed}. Without a power command (a developer's machine, a test) nothing is stopped and
 * the call is refused: this polydeskd never powers off a machine it was not told it owns.
 * While the machine is going down no VM may start.
 */
final class HostPower {
    private static final Logger LOG = Logger.getLogger(HostPower.class.getName());
    static final int MAX_TIMEOUT_SECONDS = 3600;
    /** The backend's own forcing is a backstop only: it comes this long after ours. */
    private static final Duration BACKEND_GRACE = Duration.ofSeconds(30);
    /** Rounds of "stop what runs": a VM that was starting when the shutdown began is caught by the next. */
    private static final int ROUNDS = 3;

    /** What the machine does at the end; its word is the power command's argument. */
    enum Action {
        POWEROFF("poweroff", "shut down", "powering off"),
        REBOOT("reboot", "reboot", "restarting");

        final String word;
        final String verb;
        final String going;

        Action(String word, String verb, String going) {
            this.word = word;
            this.verb = verb;
            this.going = going;
        }
    }

    private final VmManager vms;
    /** The power command, given the action's word as its last argument; null: no power control. */
    private final List<String> command;
    private final Duration defaultTimeout;
    /** The action under way, or null. */
    private final AtomicReference<Action> going = new AtomicReference<>();

    HostPower(VmManager vms, List<String> command, Duration defaultTimeout) {
        this.vms = vms;
        this.command = command == null || command.isEmpty() ? null : List.copyOf(command);
        this.defaultTimeout = defaultTimeout;
    }

    boolean available() {
        return command != null;
    }

    ToolstackApi.HostPowerStarted begin(Action action, ToolstackApi.HostPower params, RpcServer.Connection caller)
            throws RpcException {
        if (command == null) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, "this polydeskd does not control the machine's power"
                    + " (it was started without --power-command, as on a developer's machine; the appliance's"
                    + " polydeskd.service gives it systemctl)");
        }
        Duration timeout = timeout(params == null ? null : params.timeoutSeconds());
        if (!going.compareAndSet(null, action)) {
            throw new RpcException(ErrorCode.WRONG_STATE, "the machine is already " + going.get().going);
        }
        // Before any VM is stopped: none may start, nor restart after a crash, from here on.
        vms.refuseStarts("the machine is " + action.going);
        List<String> names = running().stream().map(s -> s.definition().name()).toList();
        LOG.info(action.verb + " requested: stopping " + (names.isEmpty() ? "no VMs" : String.join(", ", names))
                + " (" + timeout.toSeconds() + " s each before forcing)");
        Thread t = new Thread(() -> run(action, timeout, caller), "host-" + action.word);
        t.setDaemon(true);
        t.start();
        return new ToolstackApi.HostPowerStarted(action.word, names, (int) timeout.toSeconds());
    }

    private Duration timeout(Integer seconds) throws RpcException {
        if (seconds == null) {
            return defaultTimeout;
        }
        if (seconds < 0 || seconds > MAX_TIMEOUT_SECONDS) {
            throw RpcException.invalidParam(ToolstackApi.HostPower.TIMEOUT_SECONDS,
                    "timeoutSeconds must be a whole number from 0 to " + MAX_TIMEOUT_SECONDS);
        }
        return Duration.ofSeconds(seconds);
    }

    /** The VMs that run (or are paused, or stopping): those to stop. */
    private List<VmStatus> running() {
        return vms.list().stream().filter(s -> s.state() == VmState.RUNNING || s.state() == VmState.PAUSED
                || s.state() == VmState.STOPPING).toList();
    }

    /** Lets a VM that was starting when the shutdown began finish starting, so that it can be stopped. */
    private void awaitNoneStarting() throws Failure {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (vms.list().stream().anyMatch(s -> s.state() == VmState.STARTING)) {
            if (System.nanoTime() > deadline) {
                throw new Failure("a VM has been starting for 120 s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
    }

    private void run(Action action, Duration timeout, RpcServer.Connection caller) {
        try {
            for (int round = 0; round < ROUNDS; round++) {
                awaitNoneStarting();
                List<VmStatus> now = running();
                if (now.isEmpty()) {
                    break;
                }
                stopAll(now, timeout, caller);
            }
            List<VmStatus> left = running();
            if (!left.isEmpty()) {
                throw new Failure("'" + left.get(0).definition().name() + "' is still " + left.get(0).state().wireName());
            }
            powerCommand(action);
            LOG.info("every VM is stopped; the machine is " + action.going);
            send(caller, new HostProgress(HostProgress.Kind.POWERING, null, null, null, null,
                    "Every VM is stopped; the machine is " + action.going + "."));
        } catch (Failure | RuntimeException e) {
            going.set(null);
            vms.refuseStarts(null);
            String why = "The machine does not " + action.verb + ": " + e.getMessage() + ".";
            LOG.warning(why);
            send(caller, new HostProgress(HostProgress.Kind.FAILED, null, null, null, null, why));
        }
    }

    /** A VM being stopped: its backend stop running on its own thread. */
    private static final class Stopping {
        final VmStatus vm;
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        boolean forced;

        Stopping(VmStatus vm) {
            this.vm = vm;
        }

        String id() {
            return vm.definition().id().toString();
        }

        String name() {
            return vm.definition().name();
        }
    }

    /** Asks each VM to power down, forces those still running at the deadline, returns when all have ended. */
    private void stopAll(List<VmStatus> list, Duration timeout, RpcServer.Connection caller) throws Failure {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<UUID, Stopping> pending = new LinkedHashMap<>();
        for (VmStatus s : list) {
            Stopping st = new Stopping(s);
            pending.put(s.definition().id(), st);
            Thread t = new Thread(() -> {
                try {
                    if (st.vm.state() != VmState.STOPPING) {
                        // One already stopping (a user's stop, reboot or suspend) is only waited for.
                        vms.stop(st.id(), timeout.plus(BACKEND_GRACE));
                    }
                    awaitSettled(st, timeout.plus(BACKEND_GRACE).plus(BACKEND_GRACE));
                    st.ended.complete(null);
                } catch (RpcException | RuntimeException | Failure e) {
                    st.ended.completeExceptionally(e);
                }
            }, "host-stop-" + st.name());
            t.setDaemon(true);
            t.start();
        }
        boolean forcing = false;
        while (!pending.isEmpty()) {
            for (Stopping st : new ArrayList<>(pending.values())) {
                if (st.ended.isDone()) {
                    pending.remove(st.vm.definition().id());
                    stopped(st, timeout, caller);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 && !forcing) {
                forcing = true;
                for (Stopping st : pending.values()) {
                    force(st, timeout, caller);
                }
                continue;
            }
            if (!forcing) {
                long seconds = (left + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
                for (Stopping st : pending.values()) {
                    send(caller, new HostProgress(HostProgress.Kind.WAITING, st.id(), st.name(), (int) seconds, null,
                            "Waiting for '" + st.name() + "' to power off: forced off in " + seconds + " s."));
                }
            }
            long wait = forcing ? TimeUnit.SECONDS.toNanos(1) : Math.min(left, TimeUnit.SECONDS.toNanos(1));
            try {
                CompletableFuture.anyOf(pending.values().stream().map(s -> s.ended).toArray(CompletableFuture[]::new))
                        .get(Math.max(wait, 1), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the next turn looks at each VM
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
    }

    /**
     * vm.stop answers at once with the VM stopping; this waits until it has left that state: ended,
     * or back where it was when the stop failed (then the VM's detail says why).
     */
    private void awaitSettled(Stopping st, Duration limit) throws Failure {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            VmStatus now;
            try {
                now = vms.show(st.id());
            } catch (RpcException e) {
                return; // deleted: not running
            }
            if (now.state() != VmState.STOPPING) {
                if (now.state().isActive()) {
                    throw new Failure(now.detail() == null ? "it is " + now.state().wireName() : now.detail());
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new Failure("'" + st.name() + "' has been stopping for " + limit.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
    }

    private void force(Stopping st, Duration timeout, RpcServer.Connection caller) throws Failure {
        st.forced = true;
        LOG.warning("'" + st.name() + "' did not power off within " + timeout.toSeconds() + " s; forcing it off");
        send(caller, new HostProgress(HostProgress.Kind.FORCING, st.id(), st.name(), 0, true,
                "'" + st.name() + "' did not power off within " + timeout.toSeconds() + " s; forcing it off."));
        try {
            vms.destroy(st.id());
        } catch (RpcException e) {
            VmState state = state(st);
            if (state != null && state.isActive()) {
                throw new Failure("cannot force '" + st.name() + "' off: " + e.getMessage());
            }
            // It ended by itself just now; its stop says how.
            st.forced = false;
        }
    }

    private void stopped(Stopping st, Duration timeout, RpcServer.Connection caller) throws Failure {
        try {
            st.ended.get();
        } catch (ExecutionException e) {
            VmState state = state(st);
            if (state != null && state.isActive() && !st.forced) {
                // Its power-down failed, or the action under way brought it back: it goes off hard.
                LOG.warning("'" + st.name() + "' did not stop: " + e.getCause().getMessage());
                force(st, timeout, caller);
            } else if (state != null && state.isActive()) {
                throw new Failure("cannot stop '" + st.name() + "': " + e.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        String text = st.forced ? "'" + st.name() + "' was forced off: it ignored the power-down request until the timeout."
                : "'" + st.name() + "' powered off.";
        LOG.info(text);
        send(caller, new HostProgress(HostProgress.Kind.STOPPED, st.id(), st.name(), null, st.forced, text));
    }

    private VmState state(Stopping st) {
        try {
            return vms.show(st.id()).state();
        } catch (RpcException e) {
            return null; // deleted: not running
        }
    }

    private void powerCommand(Action action) throws Failure {
        List<String> cmd = new ArrayList<>(command);
        cmd.add(action.word);
        LOG.info("running " + String.join(" ", cmd));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Failure(String.join(" ", cmd) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).strip();
                throw new Failure(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")"
                        + (text.isEmpty() ? "" : ": " + text));
            }
        } catch (IOException e) {
            throw new Failure("cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    private static void send(RpcServer.Connection caller, HostProgress p) {
        caller.send(ToolstackApi.HOST_PROGRESS, p);
    }

    /** Why the machine does not go down; the VMs already stopped stay stopped. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }
}
