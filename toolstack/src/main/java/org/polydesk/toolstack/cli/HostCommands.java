package org.polydesk.toolstack.cli;

import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "host", description = "The host polydeskd runs on.", subcommands = HostCommands.Info.class)
final class HostCommands {
    @ParentCommand
    Polyctl root;

    @Command(name = "info", description = "Backend, accelerator, CPUs, memory, VMs and free slots.")
    static final class Info implements Callable<Integer> {
        @ParentCommand
        HostCommands host;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HostInfo info = host.root.call(ToolstackApi.HOST_INFO, null);
            if (host.root.json) {
                host.root.printJson(info);
                return 0;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("host:        %s%n", info.hostname());
            out.printf("backend:     %s (%s)%n", info.backend(), info.backendVersion());
            out.printf("accelerator: %s%n", info.accelerator());
            out.printf("cpus:        %d%n", info.cpus());
            out.printf("memory:      %d MiB%n", info.memoryMib());
            out.printf("VMs:         %d defined, %d running%n", info.vmsDefined(), info.vmsRunning());
            out.printf("free slots:  %s%n", info.freeSlots());
            out.printf("definitions: %s%n", info.stateDirectory());
            out.flush();
            return 0;
        }
    }
}
