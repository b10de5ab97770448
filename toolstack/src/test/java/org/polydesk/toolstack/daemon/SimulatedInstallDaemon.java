package org.polydesk.toolstack.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * polydeskd whose install.* methods serve a {@link SimulatedMachine} under the directory given by
 * {@code --simulated-machine DIR} (each command taking {@code --simulated-delay-ms}, default 100),
 * for other modules' tests (the UI's install page) that must not touch this machine's disks.
 * Every other option is polydeskd's.
 */
public final class SimulatedInstallDaemon {
    private SimulatedInstallDaemon() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        long delayMs = 100;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--simulated-machine" -> dir = Path.of(args[++i]);
                case "--simulated-delay-ms" -> delayMs = Long.parseLong(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        if (dir == null) {
            System.err.println("SimulatedInstallDaemon: --simulated-machine DIR is required");
            System.exit(2);
        }
        Polydeskd daemon = new Polydeskd();
        daemon.install = new SimulatedMachine(dir, delayMs).installApi();
        System.exit(new CommandLine(daemon).execute(rest.toArray(String[]::new)));
    }
}
