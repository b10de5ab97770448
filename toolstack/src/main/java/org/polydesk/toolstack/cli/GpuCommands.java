package org.polydesk.toolstack.cli;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.polydesk.toolstack.gpu.PciReset;
import org.polydesk.toolstack.gpu.Sysfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "gpu", description = "The host's GPUs.")
final class GpuCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(ListGpus.class, Reset.class);

    @ParentCommand
    Polyctl root;

    @Command(name = "list", description = "The host's display devices, their other functions, driver and owner.")
    static final class ListGpus implements Callable<Integer> {
        @ParentCommand
        GpuCommands gpu;


        @Override
        public Integer call() throws Exception {
            return gpu.root.print(gpu.root.call(ToolstackApi.GPU_LIST, null), (list, out) -> {
                for (ToolstackApi.GpuDevice g : list) {
                    List<String> others = g.otherFunctions() == null ? List.of() : g.otherFunctions();
                    out.printf("%s  %s %s  driver %s%s%s%s%n", g.address(), g.vendor(), g.device(),
                            g.driver() == null ? "none" : g.driver(), g.bootVga() ? "  dom0's console" : "",
                            others.isEmpty() ? "" : "  with " + String.join(", ", others),
                            g.ownerName() != null ? "  owner " + g.ownerName() : "");
                }
            });
        }
    }

    /**
     * Runs here, not in polydeskd: libxl runs it as its reset hook while polydeskd waits inside libxl.
     * Exit codes are the hook's (hypervisor-patches/patches/0001-libxl-pci-reset-hook.patch).
     */
    @Command(name = "reset", description = {"Reset a function of a passed-through GPU beyond FLR (needs root).",
            "Steps: the kernel's reset, a secondary bus reset when every function behind the bridge is ours, "
                    + "else D3hot->D0. libxl runs this as /usr/libexec/polydesk/pci-reset."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {" 0:reset", " 1:no step could reset it", " 2:not a function of a GPU free of dom0's drivers"})
    static final class Reset implements Callable<Integer> {
        @Parameters(paramLabel = "BDF", description = "The PCI function, e.g. 0000:01:00.0.")
        String address;

        @Option(names = "--sysfs", hidden = true, description = "Where sysfs is (tests).")
        Path sysfs = Sysfs.DEFAULT_ROOT;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String a = address.toLowerCase(Locale.ROOT);
            a = a.length() == 7 ? "0000:" + a : a;
            if (!a.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]")) {
                throw new IllegalArgumentException("BDF must be a PCI address like 0000:01:00.0, not '" + address + "'");
            }
            PrintWriter err = spec.commandLine().getErr();
            PciReset.Outcome outcome = new PciReset(new Sysfs(sysfs), line -> {
                err.println("pci-reset " + line);
                err.flush();
            }).reset(a);
            return switch (outcome) {
                case RESET -> 0;
                case NOT_OURS -> 2;
                case FAILED -> 1;
            };
        }
    }
}
