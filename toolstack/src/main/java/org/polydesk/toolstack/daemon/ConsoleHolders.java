package org.polydesk.toolstack.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.toolstack.gpu.ConsoleUsers;

/**
 * The clients that said {@code console.hold}: each is told before the boot GPU leaves dom0 and
 * waited for, a bounded time, until it says it let go (or goes away); and told when the card is
 * back. A holder that does not answer costs a start its wait, never the start itself.
 */
final class ConsoleHolders implements ConsoleUsers {
    private static final Logger LOG = Logger.getLogger(ConsoleHolders.class.getName());

    private final Duration wait;
    /** Each holder, with the latch of the release it was last asked for. */
    private final Map<RpcServer.Connection, CountDownLatch> holders = new ConcurrentHashMap<>();

    ConsoleHolders(Duration wait) {
        this.wait = wait;
    }

    void hold(RpcServer.Connection c) {
        if (holders.putIfAbsent(c, new CountDownLatch(0)) == null) {
            c.onClose(() -> holders.remove(c).countDown());
        }
    }

    void released(RpcServer.Connection c) {
        CountDownLatch l = holders.get(c);
        if (l != null) {
            l.countDown();
        }
    }

    @Override
    public void leaving(UUID vm, String gpu) {
        List<CountDownLatch> asked = new ArrayList<>();
        for (RpcServer.Connection c : holders.keySet()) {
            CountDownLatch l = new CountDownLatch(1);
            if (holders.replace(c, l) != null) {
                asked.add(l);
                c.send(ToolstackApi.CONSOLE_RELEASE, new ToolstackApi.ConsoleChange(vm.toString(), gpu));
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (CountDownLatch l : asked) {
            try {
                if (!l.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warning("a client holding dom0's screen did not let go of it within " + wait.toSeconds()
                            + " s; GPU " + gpu + " goes to the VM anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!asked.isEmpty()) {
            LOG.info(asked.size() + " client(s) let go of dom0's screen before GPU " + gpu + " leaves");
        }
    }

    @Override
    public void back(UUID vm, String gpu) {
        for (RpcServer.Connection c : holders.keySet()) {
            c.send(ToolstackApi.CONSOLE_RETURNED, new ToolstackApi.ConsoleChange(vm.toString(), gpu));
        }
    }
}
