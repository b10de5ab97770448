package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.polydesk.protocol.rpc.Methods;
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
            JsonNode info = host.root.call(Methods.HOST_INFO, null);
            if (host.root.json) {
                host.root.printJson(info);
                return 0;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("host:        %s%n", info.path("hostname").asText());
            out.printf("backend:     %s (%s)%n", info.path("backend").asText(), info.path("backendVersion").asText());
            out.printf("accelerator: %s%n", info.path("accelerator").asText());
            out.printf("cpus:        %d%n", info.path("cpus").asInt());
            out.printf("memory:      %d MiB%n", info.path("memoryMib").asLong());
            out.printf("VMs:         %d defined, %d running%n", info.path("vmsDefined").asInt(), info.path("vmsRunning").asInt());
            out.printf("free slots:  %s%n", info.path("freeSlots").toString());
            out.printf("definitions: %s%n", info.path("stateDirectory").asText());
            out.flush();
            return 0;
        }
    }
}
