package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.polydesk.protocol.rpc.Json;
import java.util.List;
import org.polydesk.protocol.rpc.JsonProblems;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "vm", description = "Define, run and remove VMs.",
        subcommands = {VmCommands.ListVms.class, VmCommands.Show.class, VmCommands.Create.class, VmCommands.Edit.class,
                VmCommands.Delete.class, VmCommands.Start.class, VmCommands.Stop.class, VmCommands.Destroy.class,
                XlCommands.Import.class, XlCommands.Export.class})
final class VmCommands {
    @ParentCommand
    Polyctl root;

    /** The parts every vm subcommand shares: the root's connection and output. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        VmCommands vm;

        @Spec
        CommandSpec spec;

        Polyctl root() {
            return vm.root;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        <P, R> R call(RpcMethod<P, R> method, P params) throws IOException {
            return root().call(method, params);
        }

        /** Asks polydeskd to create a VM from a definition and prints the answer. */
        int create(VmDefinition definition, String verb) throws IOException {
            return printStatus(call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(definition)), verb);
        }

        /** Prints one VM's status, as JSON or as a line a person reads. */
        int printStatus(VmStatus status, String verb) throws IOException {
            if (root().json) {
                root().printJson(status);
            } else {
                VmDefinition d = status.definition();
                out().printf("%s '%s' (slot %s): %s%s%n", verb, d.name(), d.slot(), status.state().wireName(),
                        status.detail() != null ? " — " + status.detail() : "");
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "list", description = "All VMs with their slot and state.")
    static final class ListVms extends Sub {
        @Override
        public Integer call() throws Exception {
            List<VmStatus> vms = call(ToolstackApi.VM_LIST, null);
            if (root().json) {
                root().printJson(vms);
                return 0;
            }
            PrintWriter out = out();
            out.printf("%-4s %-24s %-9s %8s %5s  %s%n", "SLOT", "NAME", "STATE", "MEMORY", "VCPUS", "ID");
            for (VmStatus s : vms) {
                VmDefinition d = s.definition();
                out.printf("%-4d %-24s %-9s %5d MiB %5d  %s%n", d.slot() == null ? 0 : d.slot(), d.name(),
                        s.state().wireName(), d.memoryMib(), d.vcpus(), d.id());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", description = "One VM's definition and state.")
    static final class Show extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            VmStatus vm = call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(ref));
            if (root().json) {
                root().printJson(vm);
                return 0;
            }
            // Every field, named as on the wire, so the listing follows the contract as it grows.
            JsonNode status = Json.mapper().valueToTree(vm);
            PrintWriter out = out();
            out.printf("state: %s%s%n", vm.state().wireName(), vm.detail() != null ? " (" + vm.detail() + ")" : "");
            if (vm.pid() != null) {
                out.printf("pid: %d%n", vm.pid());
            }
            status.path("sockets").fields().forEachRemaining(e -> out.printf("%s socket: %s%n", e.getKey(), e.getValue().asText()));
            status.path("definition").fields().forEachRemaining(e -> out.printf("%s: %s%n", e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "create", description = "Define a new VM (it is not started).")
    static final class Create extends Sub {
        @Option(names = "--from", paramLabel = "FILE.json", description = "Start from a definition in a JSON file.")
        Path from;

        @Mixin
        DefinitionOptions options;

        @Override
        public Integer call() throws Exception {
            VmDefinition.Builder def = from == null ? VmDefinition.builder() : readJson(from).toBuilder();
            return create(options.applyTo(def).build(), "created");
        }

        private static VmDefinition readJson(Path file) throws IOException {
            try {
                return Json.mapper().readValue(Files.readString(file), VmDefinition.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(file + ": " + JsonProblems.explain("", e).problem());
            }
        }
    }

    @Command(name = "edit", description = "Change fields of a VM's definition; a running VM sees them at its next start.")
    static final class Edit extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Mixin
        DefinitionOptions options;

        @Override
        public Integer call() throws Exception {
            if (!options.any()) {
                throw new IllegalArgumentException("nothing to change: give at least one option, e.g. --memory 2048");
            }
            VmDefinition now = call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(ref)).definition();
            VmDefinition changed = options.applyTo(now.toBuilder()).build();
            return printStatus(call(ToolstackApi.VM_EDIT, new ToolstackApi.VmEdit(now.id().toString(), changed)), "changed");
        }
    }

    @Command(name = "delete", description = "Remove a stopped VM's definition (its disks are kept).")
    static final class Delete extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            call(ToolstackApi.VM_DELETE, new ToolstackApi.VmRef(ref));
            if (!root().json) {
                out().printf("deleted '%s'%n", ref);
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "start", description = "Start a VM.")
    static final class Start extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_START, new ToolstackApi.VmRef(ref)), "started");
        }
    }

    @Command(name = "stop", description = "Ask the guest to power off (ACPI); stop it hard after the timeout.")
    static final class Stop extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long the guest may take (default 60).")
        Integer timeout;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop(ref, timeout)), "stopped");
        }
    }

    @Command(name = "destroy", description = "End a VM at once, like pulling its plug.")
    static final class Destroy extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_DESTROY, new ToolstackApi.VmRef(ref)), "destroyed");
        }
    }
}
