package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
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

        JsonNode call(String method, JsonNode params) throws IOException {
            return root().call(method, params);
        }

        static ObjectNode vmParam(String ref) {
            ObjectNode p = Json.mapper().createObjectNode();
            p.put("vm", ref);
            return p;
        }

        /** Asks polydeskd to create a VM from definition fields and prints the answer. */
        int create(ObjectNode definition, String verb) throws IOException {
            ObjectNode params = Json.mapper().createObjectNode();
            params.set("definition", definition);
            return printStatus(call(Methods.VM_CREATE, params), verb);
        }

        /** Prints one VM's status, as JSON or as a line a person reads. */
        int printStatus(JsonNode status, String verb) throws IOException {
            if (root().json) {
                root().printJson(status);
            } else {
                JsonNode d = status.path("definition");
                out().printf("%s '%s' (slot %d): %s%s%n", verb, d.path("name").asText(), d.path("slot").asInt(),
                        status.path("state").asText(),
                        status.hasNonNull("detail") ? " — " + status.get("detail").asText() : "");
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "list", description = "All VMs with their slot and state.")
    static final class ListVms extends Sub {
        @Override
        public Integer call() throws Exception {
            JsonNode vms = call(Methods.VM_LIST, null);
            if (root().json) {
                root().printJson(vms);
                return 0;
            }
            PrintWriter out = out();
            out.printf("%-4s %-24s %-9s %8s %5s  %s%n", "SLOT", "NAME", "STATE", "MEMORY", "VCPUS", "ID");
            for (JsonNode s : vms) {
                JsonNode d = s.path("definition");
                out.printf("%-4d %-24s %-9s %5d MiB %5d  %s%n", d.path("slot").asInt(), d.path("name").asText(),
                        s.path("state").asText(), d.path("memoryMib").asInt(), d.path("vcpus").asInt(), d.path("id").asText());
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
            JsonNode status = call(Methods.VM_SHOW, vmParam(ref));
            if (root().json) {
                root().printJson(status);
                return 0;
            }
            PrintWriter out = out();
            out.printf("state: %s%s%n", status.path("state").asText(),
                    status.hasNonNull("detail") ? " (" + status.get("detail").asText() + ")" : "");
            if (status.hasNonNull("pid")) {
                out.printf("pid: %d%n", status.get("pid").asLong());
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
            ObjectNode def = from == null ? Json.mapper().createObjectNode() : readJson(from);
            options.applyTo(def);
            return create(def, "created");
        }

        private static ObjectNode readJson(Path file) throws IOException {
            JsonNode node;
            try {
                node = Json.mapper().readTree(Files.readString(file));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (!(node instanceof ObjectNode obj)) {
                throw new IllegalArgumentException(file + " must hold a JSON object");
            }
            return obj;
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
            ObjectNode changes = Json.mapper().createObjectNode();
            options.applyTo(changes);
            if (changes.isEmpty()) {
                throw new IllegalArgumentException("nothing to change: give at least one option, e.g. --memory 2048");
            }
            ObjectNode params = vmParam(ref);
            params.set("changes", changes);
            return printStatus(call(Methods.VM_EDIT, params), "changed");
        }
    }

    @Command(name = "delete", description = "Remove a stopped VM's definition (its disks are kept).")
    static final class Delete extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            call(Methods.VM_DELETE, vmParam(ref));
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
            return printStatus(call(Methods.VM_START, vmParam(ref)), "started");
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
            ObjectNode params = vmParam(ref);
            if (timeout != null) {
                params.put("timeoutSeconds", timeout);
            }
            return printStatus(call(Methods.VM_STOP, params), "stopped");
        }
    }

    @Command(name = "destroy", description = "End a VM at once, like pulling its plug.")
    static final class Destroy extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(Methods.VM_DESTROY, vmParam(ref)), "destroyed");
        }
    }
}
