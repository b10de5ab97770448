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
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.toolstack.cli.Polyctl.Refused;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "vm", description = "Define, run and remove VMs.")
final class VmCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(ListVms.class, Show.class, Create.class, Edit.class, Delete.class,
            Start.class, Stop.class, Destroy.class, Pause.class, Resume.class, Reboot.class, Suspend.class,
            CdInsert.class, CdEject.class, NicSet.class, XlCommands.Import.class, XlCommands.Export.class);

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

    @Command(name = "start", description = "Start a VM, or resume a suspended one from its saved state.")
    static final class Start extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_START, new ToolstackApi.VmRef(ref)), "started");
        }
    }

    /**
     * A call that answers at once (stopping) and whose outcome comes as an event: by default polyctl
     * subscribes first, calls, and waits for the VM to settle, succeeding only in {@code expected}.
     */
    abstract static class LongSub extends Sub {
        @Option(names = "--no-wait", description = "Return once polydeskd has started it; follow it with polyctl events.")
        boolean noWait;

        @Option(names = "--wait-timeout", paramLabel = "SECONDS",
                description = "How long to wait for the result before giving up (the action goes on).")
        Integer waitTimeout;

        <P> int callAndWait(RpcMethod<P, VmStatus> method, P params, LifecycleEvent.Type expected, String verb,
                            Duration defaultWait) throws IOException {
            if (noWait) {
                return printStatus(call(method, params), verb);
            }
            Duration wait = waitTimeout != null ? Duration.ofSeconds(waitTimeout) : defaultWait;
            try (RpcClient c = root().connect()) {
                c.call(ToolstackApi.EVENTS_SUBSCRIBE);
                VmStatus answer = c.call(method, params);
                UUID id = answer.definition().id();
                AtomicBoolean timedOut = new AtomicBoolean();
                // nextNotification blocks: closing the connection at the deadline ends the wait.
                CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
                    timedOut.set(true);
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing is all we want
                    }
                }, CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
                LifecycleEvent outcome = null;
                boolean begun = false;
                try {
                    RpcMessage m;
                    while (outcome == null && (m = c.nextNotification()) != null) {
                        if (!ToolstackApi.EVENT.matches(m)) {
                            continue;
                        }
                        LifecycleEvent e = ToolstackApi.EVENT.decode(m);
                        if (!id.equals(e.vm())) {
                            continue;
                        }
                        if (e.type() == LifecycleEvent.Type.DELETED) {
                            throw new Refused("'" + e.name() + "' was deleted meanwhile");
                        }
                        // The call's own stopping event comes first; earlier events are not its outcome.
                        begun |= e.type() == LifecycleEvent.Type.STOPPING;
                        if (begun && e.type().settled()) {
                            outcome = e;
                        }
                    }
                } catch (IOException e) {
                    if (!timedOut.get()) {
                        throw e;
                    }
                } finally {
                    watchdog.cancel(false);
                }
                if (outcome == null) {
                    throw new Refused(timedOut.get() ? "no result within " + wait.toSeconds() + " s; '"
                            + answer.definition().name() + "' goes on (polyctl vm show " + answer.definition().name() + ")"
                            : "polydeskd closed the connection before the result");
                }
                if (outcome.type() != expected) {
                    throw new Refused("'" + outcome.name() + "' is " + outcome.type().wireName()
                            + (outcome.detail() != null ? ": " + outcome.detail() : ""));
                }
            }
            return printStatus(call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(ref())), verb);
        }

        abstract String ref();
    }

    @Command(name = "stop", description = "Ask the guest to power off (ACPI); stop it hard after the timeout."
            + " Waits for it to end unless --no-wait.")
    static final class Stop extends LongSub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long the guest may take (default 60).")
        Integer timeout;

        @Override
        String ref() {
            return ref;
        }

        @Override
        public Integer call() throws Exception {
            return callAndWait(ToolstackApi.VM_STOP, new ToolstackApi.VmStop(ref, timeout), LifecycleEvent.Type.STOPPED,
                    noWait ? "stopping" : "stopped", Duration.ofSeconds((timeout == null ? 60 : timeout) + 60L));
        }
    }

    @Command(name = "reboot", description = "Ask the guest to restart (ACPI); reset it after the timeout."
            + " Waits for it to run again unless --no-wait.")
    static final class Reboot extends LongSub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long the guest may take (default 60).")
        Integer timeout;

        @Override
        String ref() {
            return ref;
        }

        @Override
        public Integer call() throws Exception {
            return callAndWait(ToolstackApi.VM_REBOOT, new ToolstackApi.VmStop(ref, timeout), LifecycleEvent.Type.RUNNING,
                    noWait ? "rebooting" : "rebooted",
                    // beyond the timeout: a Xen guest caught shutting down to reboot gets 120 s more to be made again
                    Duration.ofSeconds((timeout == null ? 60 : timeout) + 180L));
        }
    }

    @Command(name = "suspend", description = "Save a VM's memory to disk and end it; vm start resumes it."
            + " Waits for the save unless --no-wait.")
    static final class Suspend extends LongSub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        String ref() {
            return ref;
        }

        @Override
        public Integer call() throws Exception {
            return callAndWait(ToolstackApi.VM_SUSPEND, new ToolstackApi.VmRef(ref), LifecycleEvent.Type.SUSPENDED,
                    noWait ? "suspending" : "suspended", Duration.ofMinutes(15));
        }
    }

    @Command(name = "pause", description = "Freeze a running VM where it is.")
    static final class Pause extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_PAUSE, new ToolstackApi.VmRef(ref)), "paused");
        }
    }

    @Command(name = "resume", description = "Let a paused VM run on (a suspended one is resumed by vm start).")
    static final class Resume extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_RESUME, new ToolstackApi.VmRef(ref)), "resumed");
        }
    }

    @Command(name = "cd-insert", description = "Put an ISO image in a running VM's CD drive.")
    static final class CdInsert extends Sub {
        @Parameters(index = "0", paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Parameters(index = "1", paramLabel = "ISO", description = "The ISO image or block device on this host.")
        Path medium;

        @Option(names = "--drive", paramLabel = "VDEV", description = "Which CD drive (default: the VM's first).")
        String drive;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_CD_INSERT, new ToolstackApi.VmCdInsert(ref,
                    medium.toAbsolutePath().toString(), drive)), "inserted " + medium + " into");
        }
    }

    @Command(name = "cd-eject", description = "Take the medium out of a running VM's CD drive.")
    static final class CdEject extends Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Option(names = "--drive", paramLabel = "VDEV", description = "Which CD drive (default: the VM's first).")
        String drive;

        @Override
        public Integer call() throws Exception {
            return printStatus(call(ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject(ref, drive)), "ejected the CD of");
        }
    }

    @Command(name = "nic", description = "Put a VM's network interface online or offline, or change its policy:"
            + " stored, and at once on a running VM.")
    static final class NicSet extends Sub {
        @Parameters(index = "0", paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Parameters(index = "1", arity = "0..1", paramLabel = "online|offline", description = "Plug its cable in, or pull it.")
        String link;

        @Option(names = "--policy", paramLabel = "POLICY", description = "open, internet-only, offline or allowed.")
        String policy;

        @Option(names = "--allow", paramLabel = "HOST[/LEN][:PORT[/tcp|/udp]]",
                description = "What policy allowed lets it reach (repeat); replaces the list.")
        List<String> allowed;

        @Option(names = "--nic", paramLabel = "N", description = "Which network interface, from 1 (default 1).")
        int nic = 1;

        @Override
        public Integer call() throws Exception {
            if (link != null && !link.equals("online") && !link.equals("offline")) {
                throw new IllegalArgumentException("say online or offline, not '" + link + "'");
            }
            NicPolicy p = policy == null ? null : NicPolicy.fromWireName(policy);
            if (policy != null && p == null) {
                throw new IllegalArgumentException("a policy is open, internet-only, offline or allowed, not '" + policy + "'");
            }
            if (link == null && p == null && allowed == null) {
                throw new IllegalArgumentException("say online, offline, --policy POLICY or --allow");
            }
            Boolean online = link == null ? null : link.equals("online");
            return printStatus(call(ToolstackApi.VM_NIC_SET, new ToolstackApi.VmNicSet(ref, nic - 1, online, p, allowed)),
                    "network interface " + nic + (link == null ? "" : " " + link) + (p == null ? "" : " policy " + policy)
                            + " on");
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
