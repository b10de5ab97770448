package org.polydesk.toolstack.cli;

import java.util.List;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.HostCheck;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.toolstack.HostProgress;
import org.polydesk.protocol.toolstack.HostSystem;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.protocol.network.WifiNetwork;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "host", description = "The host polydeskd runs on.")
final class HostCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(Info.class, Check.class, Network.class, Wifi.class, Ssh.class,
            SystemSlots.class, Update.class, BootOk.class, Shutdown.class, Reboot.class);

    @ParentCommand
    Polyctl root;

    @Command(name = "ssh", description = {"The administrator's logins by ssh: shown, or switched on or off (sshd",
            "enabled and started, or stopped and disabled). Off on a new system."})
    static final class Ssh implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Parameters(arity = "0..1", paramLabel = "on|off", description = "Switch ssh logins on or off; without it, show them.")
        String state;

        @Override
        public Integer call() throws Exception {
            ToolstackApi.SshLogins logins;
            if (state == null) {
                logins = host.root.call(ToolstackApi.HOST_SSH, null);
            } else if (state.equals("on") || state.equals("off")) {
                logins = host.root.call(ToolstackApi.HOST_SSH_SET, new ToolstackApi.SshLoginsSet(state.equals("on")));
            } else {
                throw new Polyctl.Refused("ssh takes on or off, not '" + state + "'");
            }
            return host.root.print(logins, (l, out) -> {
                if (!l.managed()) {
                    out.printf("ssh logins: not managed here (%s)%n", l.problem());
                } else {
                    out.printf("ssh logins: %s (sshd %s at boot, %s)%n", l.enabled() && l.active() ? "on" : "off",
                            l.enabled() ? "enabled" : "disabled", l.active() ? "running" : "not running");
                }
            });
        }
    }

    @Command(name = "network", description = "dom0's uplink as NetworkManager has it: its state and each device.")
    static final class Network implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Uplink uplink = host.root.call(ToolstackApi.HOST_NETWORK, null);
            if (host.root.json) {
                host.root.printJson(uplink);
                return 0;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!uplink.managed()) {
                out.printf("NetworkManager: not managing the uplink (%s)%n", uplink.problem());
                out.flush();
                return 0;
            }
            out.printf("NetworkManager: %s%s%n", uplink.state(), uplink.problem() == null ? "" : " (" + uplink.problem() + ")");
            out.printf("%-16s %-10s %-24s %-24s %s%n", "DEVICE", "TYPE", "STATE", "CONNECTION", "IPV4");
            for (Uplink.Device d : uplink.devices()) {
                out.printf("%-16s %-10s %-24s %-24s %s%n", d.name(), d.type(), d.state(), d.connection() == null ? "-" : d.connection(),
                        d.ipv4() == null || d.ipv4().isEmpty() ? "-" : String.join(", ", d.ipv4()));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "wifi", description = "dom0's Wi-Fi, through NetworkManager.",
            subcommands = {HostCommands.WifiScan.class, HostCommands.WifiConnect.class})
    static final class Wifi {
        @ParentCommand
        HostCommands host;
    }

    @Command(name = "scan", description = "The Wi-Fi networks in range, strongest first.")
    static final class WifiScan implements Callable<Integer> {
        @ParentCommand
        Wifi wifi;


        @Override
        public Integer call() throws Exception {
            return wifi.host.root.print(wifi.host.root.call(ToolstackApi.HOST_WIFI_SCAN, null), (seen, out) -> {
                out.printf("%-2s %-32s %-7s %s%n", "", "SSID", "SIGNAL", "SECURITY");
                for (WifiNetwork w : seen) {
                    out.printf("%-2s %-32s %-7d %s%n", w.inUse() ? "*" : "", w.ssid(), w.signal(), w.security().isEmpty() ? "open" : w.security());
                }
            });
        }
    }

    @Command(name = "connect", description = "Join a Wi-Fi network; the passphrase is read from a file or standard input,"
            + " never from the command line.")
    static final class WifiConnect implements Callable<Integer> {
        @ParentCommand
        Wifi wifi;

        @Parameters(paramLabel = "SSID", description = "The network's name (host wifi scan).")
        String ssid;

        @Option(names = "--password-file", paramLabel = "FILE|-", description = "Its WPA passphrase, the first line of"
                + " FILE, or of standard input with -. Left out: an open network.")
        String passwordFile;


        @Override
        public Integer call() throws Exception {
            String password = null;
            if (passwordFile != null) {
                String text = passwordFile.equals("-")
                        ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        : java.nio.file.Files.readString(java.nio.file.Path.of(passwordFile));
                password = text.lines().findFirst().orElse("");
            }
            return wifi.host.root.print(wifi.host.root.call(ToolstackApi.HOST_WIFI_CONNECT, new ToolstackApi.WifiConnect(ssid, password)), (uplink, out) -> {
                out.printf("joined %s%n", ssid);
                for (Uplink.Device d : uplink.devices()) {
                    if ("wifi".equals(d.type())) {
                        out.printf("%s: %s%s%n", d.name(), d.state(), d.ipv4() == null || d.ipv4().isEmpty() ? "" : ", " + String.join(", ", d.ipv4()));
                    }
                }
            });
        }
    }

    @Command(name = "info", description = "Versions, backend, accelerator, CPUs, memory, uptime, VMs and free slots.")
    static final class Info implements Callable<Integer> {
        @ParentCommand
        HostCommands host;


        @Override
        public Integer call() throws Exception {
            return host.root.print(host.root.call(ToolstackApi.HOST_INFO, null), (info, out) -> {
                out.printf("host:        %s%n", info.hostname());
                out.printf("polydesk:    %s%n", orUnknown(info.polydeskVersion()));
                out.printf("backend:     %s (%s)%n", info.backend(), info.backendVersion());
                HostInfo.HypervisorBuild build = info.hypervisorBuild();
                if (build != null) {
                    out.printf("xen package: %s %s%n", build.packageName(), build.version());
                    out.printf("xen patches: %s%n", build.patches().isEmpty() ? "none (Debian's stock Xen)"
                            : String.join(", ", build.patches()));
                }
                out.printf("kernel:      %s%n", orUnknown(info.kernel()));
                out.printf("accelerator: %s%n", info.accelerator());
                out.printf("cpus:        %d%n", info.cpus());
                out.printf("memory:      %d MiB, %s MiB free%n", info.memoryMib(), orUnknown(info.memoryFreeMib()));
                out.printf("uptime:      %s%n", info.uptimeSeconds() == null ? "unknown" : uptime(info.uptimeSeconds()));
                out.printf("VMs:         %d defined, %d running%n", info.vmsDefined(), info.vmsRunning());
                out.printf("free slots:  %s%n", info.freeSlots());
                out.printf("definitions: %s%n", info.stateDirectory());
                out.printf("power:       %s%n", info.powerControl() ? "polyctl host shutdown / reboot"
                        : "not controlled by polydeskd (no --power-command)");
            });
        }
    }

    @Command(name = "check", description = "Whether this machine can run the VMs and pass a GPU through: CPU"
            + " virtualisation, Xen, IOMMU, interrupt remapping, memory, and each display controller's verdict.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        HostCommands host;


        @Override
        public Integer call() throws Exception {
            return host.root.print(host.root.call(ToolstackApi.HOST_CHECK, null), (check, out) -> {
                for (HostCheck.Finding f : check.host()) {
                    out.printf("%-20s %-8s %s%n", f.name(), f.status().name().toLowerCase(java.util.Locale.ROOT), f.detail());
                }
                for (HostCheck.Display d : check.displays()) {
                    out.printf("%n%s %s %s (%s%s): %s%n", d.address(), d.vendor(), d.device(),
                            d.driver() == null ? "no driver" : d.driver(), d.bootVga() ? ", dom0's screen" : "",
                            d.verdict().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                    out.printf("  passed with: %s; reset: %s%s%n", d.passedWith().isEmpty() ? "nothing else"
                            : String.join(", ", d.passedWith()), d.resetMethods().isEmpty() ? "none" : String.join(", ", d.resetMethods()),
                            d.iommuGroup() == null ? "" : "; IOMMU group " + d.iommuGroup());
                    out.printf("  monitors: %s%n", d.monitors().isEmpty() ? "none connected"
                            : String.join("; ", d.monitors().stream().map(HostCheck.Monitor::describe).toList()));
                    for (String r : d.reasons()) {
                        out.printf("  - %s%n", r);
                    }
                }
                if (check.displays().isEmpty()) {
                    out.println("\nno display controller");
                }
            });
        }
    }

    @Command(name = "system", description = {"The Polydesk release that runs and its slot (a or b), what the other",
            "slot holds, which one the next boot starts, and how the last update went."})
    static final class SystemSlots implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Override
        public Integer call() throws Exception {
            return host.root.print(host.root.call(ToolstackApi.HOST_SYSTEM, null), HostCommands::printSystem);
        }
    }

    static void printSystem(HostSystem s, PrintWriter out) {
        out.printf("release:     %s%n", s.release());
        if (s.slot() == null) {
            out.println("slot:        none (a live system, or installed without two system slots: no updates)");
            return;
        }
        out.printf("slot:        %s (%s)%n", s.slot(), s.kept() ? "kept: boots by default" : "on its try");
        out.printf("other slot:  %s (%s)%n", s.otherSlot(), s.otherRelease() == null ? "empty" : s.otherRelease());
        out.printf("next boot:   %s%s%n", s.nextBoot(), s.trying() ? " (an update, tried once)" : "");
        if (s.lastUpdate() != null) {
            out.printf("last update: %s%n", s.lastUpdate());
        }
    }

    @Command(name = "update", description = {"Write the system of a Polydesk ISO (a file, or a USB stick or CD that holds",
            "one) into the slot that does not run and make it the next boot, once. It is kept when that boot comes",
            "up healthy (polydeskd answers); otherwise the boot after it returns to this system. VMs, their disks",
            "and the settings stay. The file is checked first: a file that is not a Polydesk ISO, is truncated or",
            "damaged, or holds the release that runs, is refused before anything is written."})
    static final class Update implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE.iso", description = "The new Polydesk ISO.")
        java.nio.file.Path image;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (RpcClient c = host.root.connect()) {
                ToolstackApi.HostUpdateStarted started = c.call(ToolstackApi.HOST_UPDATE,
                        new ToolstackApi.HostUpdate(image.toAbsolutePath().normalize().toString()));
                out.printf("updating to Polydesk %s in system %s%n", started.release(), started.slot());
                out.flush();
                RpcMessage msg;
                while ((msg = c.nextNotification()) != null) {
                    if (!ToolstackApi.HOST_UPDATE_PROGRESS.matches(msg)) {
                        continue;
                    }
                    InstallProgress p = ToolstackApi.HOST_UPDATE_PROGRESS.decode(msg);
                    switch (p.kind()) {
                        case STEP -> out.printf("[%d/%d] %s%n", p.step(), p.total(), p.text());
                        case DETAIL -> out.printf("        %s%n", p.text().replace("\n", "\n        "));
                        case DONE -> out.println(p.text());
                        case FAILED -> throw new Polyctl.Refused(p.text());
                    }
                    out.flush();
                    if (p.isFinal()) {
                        return 0;
                    }
                }
            }
            throw new Polyctl.Refused("polydeskd closed the connection before the update ended (see its log)");
        }
    }

    @Command(name = "boot-ok", description = {"Say this boot is healthy: polydeskd answered. An updated system on its try",
            "becomes the one kept; back in the old system after a try that never said so, the update is recorded",
            "as failed. Run by polydesk-boot-ok.service at each boot."})
    static final class BootOk implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Override
        public Integer call() throws Exception {
            return host.root.print(host.root.call(ToolstackApi.HOST_BOOT_OK, null), HostCommands::printSystem);
        }
    }

    static String orUnknown(Object value) {
        return value == null ? "unknown" : value.toString();
    }

    /** "3 d 4 h 5 min" as a person reads it. */
    static String uptime(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        StringBuilder s = new StringBuilder();
        if (d.toDays() > 0) {
            s.append(d.toDays()).append(" d ");
        }
        if (d.toDays() > 0 || d.toHoursPart() > 0) {
            s.append(d.toHoursPart()).append(" h ");
        }
        return s.append(d.toMinutesPart()).append(" min").toString();
    }

    /** Shut down or reboot: answers at once, then prints polydeskd's host.progress until the end. */
    abstract static class Power implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Spec
        CommandSpec spec;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long each VM has to power off before"
                + " it is forced (default: polydeskd's --shutdown-timeout, 60 s).")
        Integer timeout;

        abstract RpcMethod<ToolstackApi.HostPower, ToolstackApi.HostPowerStarted> method();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (RpcClient c = host.root.connect()) {
                ToolstackApi.HostPowerStarted started = c.call(method(), new ToolstackApi.HostPower(timeout));
                out.printf("%s: stopping %s (%d s each before forcing)%n", started.action(),
                        started.vms().isEmpty() ? "no VMs" : String.join(", ", started.vms()), started.timeoutSeconds());
                out.flush();
                RpcMessage msg;
                int lastWait = -1;
                while ((msg = c.nextNotification()) != null) {
                    if (!ToolstackApi.HOST_PROGRESS.matches(msg)) {
                        continue;
                    }
                    HostProgress p = ToolstackApi.HOST_PROGRESS.decode(msg);
                    // A line every 10 s of waiting is enough on a console.
                    if (p.kind() == HostProgress.Kind.WAITING) {
                        if (p.secondsLeft() == lastWait || (lastWait != -1 && p.secondsLeft() % 10 != 0)) {
                            continue;
                        }
                        lastWait = p.secondsLeft();
                    }
                    out.println("  " + p.text());
                    out.flush();
                    if (p.kind() == HostProgress.Kind.FAILED) {
                        throw new Polyctl.Refused(p.text());
                    }
                    if (p.kind() == HostProgress.Kind.POWERING) {
                        return 0;
                    }
                }
            }
            // polydeskd went away first: the machine is going down under it.
            out.println("  polydeskd closed the connection before saying the machine goes down (it may be going down)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "shutdown", description = {"Stop every VM (power-down request, forced after the timeout), then"
            + " power the machine off.", "Only where polydeskd controls the power (the appliance)."})
    static final class Shutdown extends Power {
        @Override
        RpcMethod<ToolstackApi.HostPower, ToolstackApi.HostPowerStarted> method() {
            return ToolstackApi.HOST_SHUTDOWN;
        }
    }

    @Command(name = "reboot", description = {"Stop every VM (power-down request, forced after the timeout), then"
            + " restart the machine.", "Only where polydeskd controls the power (the appliance)."})
    static final class Reboot extends Power {
        @Override
        RpcMethod<ToolstackApi.HostPower, ToolstackApi.HostPowerStarted> method() {
            return ToolstackApi.HOST_REBOOT;
        }
    }
}
