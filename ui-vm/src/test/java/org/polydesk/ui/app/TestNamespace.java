package org.polydesk.ui.app;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A network namespace a UI test makes for its polydeskd (run under {@link #wrapper}), so that the
 * networks it makes (bridges, dnsmasq, nft tables) are made there and never on the host. Closing it
 * ends whatever still runs in it and deletes it.
 */
final class TestNamespace implements AutoCloseable {
    final String name;

    TestNamespace(String prefix) throws Exception {
        name = prefix + ProcessHandle.current().pid();
        run("ip", "netns", "add", name);
    }

    /** The command prefix that runs a process inside it. */
    List<String> wrapper() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Runs a command inside it; its output, or an AssertionError when it fails. */
    String in(String... cmd) throws Exception {
        String[] all = new String[cmd.length + 4];
        System.arraycopy(wrapper().toArray(new String[0]), 0, all, 0, 4);
        System.arraycopy(cmd, 0, all, 4, cmd.length);
        return run(all);
    }

    @Override
    public void close() throws Exception {
        run("sh", "-c", "ip netns pids " + name + " | xargs -r kill -9");
        run("ip", "netns", "del", name);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
