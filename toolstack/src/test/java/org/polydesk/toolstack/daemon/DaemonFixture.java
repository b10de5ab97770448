package org.polydesk.toolstack.daemon;

import java.nio.file.Path;
import picocli.CommandLine;

/** A real polydeskd on sockets and a store under a test's temporary directory. */
public final class DaemonFixture implements AutoCloseable {
    public final Path root;
    public final Polydeskd daemon;

    public DaemonFixture(Path root, String... extraArgs) throws Exception {
        this(root, null, extraArgs);
    }

    /** With {@code install} (a test's disks and commands) behind install.*, when not null. */
    DaemonFixture(Path root, InstallApi install, String... extraArgs) throws Exception {
        this.root = root;
        daemon = new Polydeskd();
        if (install != null) {
            daemon.install = install;
        }
        String[] args = new String[6 + extraArgs.length];
        args[0] = "--state-dir";
        args[1] = root.resolve("vms").toString();
        args[2] = "--run-dir";
        args[3] = root.resolve("run").toString();
        args[4] = "--accel";
        args[5] = "tcg";
        System.arraycopy(extraArgs, 0, args, 6, extraArgs.length);
        new CommandLine(daemon).parseArgs(args);
        daemon.open();
    }

    public Path socket() {
        return root.resolve("run").resolve("polydeskd.sock");
    }

    public Path stateDir() {
        return root.resolve("vms");
    }

    @Override
    public void close() {
        daemon.close();
    }
}
